"""Need tags on posts, and the content match rate (plan §1.2: content tailored to user needs, ≥ 85 %).

**Which need a post serves.** Posts are not rows of a table: they exist as events naming a `post_id`
(data contract: `Post Published`, `Post Viewed`, ...). A post's need tags come from what those events
carry, in this order:

1. an explicit `need_tags` property (a JSON list such as `["price_sensitive"]` or a `;`-separated string)
   on any `Post Published` or `Post Viewed` event of the post: the content team says which need the
   piece was made for. An explicit empty list means "serves no particular need";
2. otherwise the product the post links to (its `sku_id` property): the product's tier and attributes
   imply a need by the same rules the need tags of customers are built on (`tags.py`): the budget tier
   serves `price_sensitive`, the premium tier `quality_oriented`, a gift box / gift set
   `scenario_gift`, a family attribute or family category `scenario_family`.

A post with neither has no need tag.

**The rate.** Of the `Post Viewed` events in the window by signed-in viewers who hold at least one need
tag now, of posts with at least one need tag, the share where the post's tags and the viewer's tags
share a code. Views by viewers without need tags, or of untagged posts, say nothing about matching and
are left out; when no view is left the rate is None (no evidence), never 0.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd
from ibis import _

from loopmall.profiles.tags import FAMILY_ATTRIBUTES, GIFT_ATTRIBUTES, NEED_TAG_CODES, _has_any, sku_catalog

POST_TAG_EVENTS = ("Post Published", "Post Viewed")
NEED_TAGS_PROPERTY = "need_tags"
# The value of "need_tags" in the stored properties JSON: a list or a string.
_NEED_TAGS_PATTERN = r'"need_tags"\s*:\s*(\[[^\]]*\]|"[^"]*")'


def _names_a_post(events: ibis.Table):
    # the warehouse stores an absent post_id as NULL, frames read straight from a bundle as ""
    return events.post_id.notnull() & (events.post_id != "")


def _flag(code: str) -> str:
    return f"post_{code}"


def post_need_tags(events: ibis.Table, products: ibis.Table) -> ibis.Table:
    """post_id and one boolean column `post_<code>` per need tag, for every post an event names."""
    posts = events.filter(events.name.isin(POST_TAG_EVENTS) & _names_a_post(events))
    if "properties_json" in posts.columns:
        explicit_text = posts.properties_json.re_extract(_NEED_TAGS_PATTERN, 1)
        explicit_text = ibis.ifelse(explicit_text == "", ibis.null("string"), explicit_text)
    else:
        explicit_text = ibis.null("string")
    posts = posts.select("post_id", "sku_id", explicit=explicit_text)
    catalog = sku_catalog(products)
    linked = posts.left_join(catalog, posts.sku_id == catalog.sku_id)
    attributes = linked.attributes.fill_null("")
    implied = {
        "price_sensitive": linked.tier == "budget",
        "quality_oriented": linked.tier == "premium",
        "scenario_gift": _has_any(attributes, GIFT_ATTRIBUTES),
        "scenario_family": _has_any(attributes, FAMILY_ATTRIBUTES) | linked.family_category.fill_null(False),
    }
    linked = linked.select(
        "post_id",
        has_explicit=linked.explicit.notnull(),
        **{f"explicit_{c}": linked.explicit.contains(c).fill_null(False) for c in NEED_TAG_CODES},
        **{f"implied_{c}": implied[c].fill_null(False) for c in NEED_TAG_CODES},
    )
    per_post = linked.group_by("post_id").agg(
        has_explicit=_.has_explicit.any(),
        **{f"explicit_{c}": linked[f"explicit_{c}"].any() for c in NEED_TAG_CODES},
        **{f"implied_{c}": linked[f"implied_{c}"].any() for c in NEED_TAG_CODES},
    )
    return per_post.select(
        "post_id",
        **{
            _flag(c): ibis.ifelse(per_post.has_explicit, per_post[f"explicit_{c}"], per_post[f"implied_{c}"])
            for c in NEED_TAG_CODES
        },
    )


def viewer_need_flags(user_need_tags: ibis.Table) -> ibis.Table:
    """user_id and one boolean column `viewer_<code>` per need tag, from rows (user_id, tag)."""
    tags = user_need_tags.filter(user_need_tags.tag.isin(NEED_TAG_CODES))
    return tags.group_by("user_id").agg(**{f"viewer_{c}": (tags.tag == c).any() for c in NEED_TAG_CODES})


def content_match(
    events: ibis.Table, products: ibis.Table, user_need_tags: ibis.Table, start, end
) -> ibis.Table:
    """One row: `views` (views of need-tagged posts by need-tagged viewers in [start, end)) and `matched`."""
    views = events.filter(
        (events.name == "Post Viewed")
        & _names_a_post(events)
        & events.user_id.notnull()
        & (events.occurred_at >= start)
        & (events.occurred_at < end)
    ).select(viewer=events.user_id, viewed_post=events.post_id)
    posts = post_need_tags(events, products)
    any_post_tag = ibis.literal(False)
    for code in NEED_TAG_CODES:
        any_post_tag = any_post_tag | posts[_flag(code)]
    posts = posts.filter(any_post_tag)
    viewers = viewer_need_flags(user_need_tags)
    joined = views.join(posts, views.viewed_post == posts.post_id).join(
        viewers, views.viewer == viewers.user_id
    )
    matched = ibis.literal(False)
    for code in NEED_TAG_CODES:
        matched = matched | (joined[_flag(code)] & joined[f"viewer_{code}"])
    return joined.aggregate(views=_.count(), matched=matched.cast("int64").sum())


def content_match_rate(
    events: ibis.Table, products: ibis.Table, user_need_tags: ibis.Table, start: datetime, end: datetime
) -> float | None:
    """The content match rate over [start, end) (naive UTC), or None when no view carries evidence."""
    lower = ibis.literal(start, "timestamp")
    upper = ibis.literal(end, "timestamp")
    row = content_match(events, products, user_need_tags, lower, upper).to_pandas().iloc[0]
    views = 0 if pd.isna(row["views"]) else int(row["views"])
    if views == 0:
        return None
    return int(row["matched"] or 0) / views
