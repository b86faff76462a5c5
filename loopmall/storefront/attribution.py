"""Deep-link attribution: a product link shared from a post, a live room or a friend
(`?from=post:<id>`, `?live=<id>`, `?ref=<user id>`) is remembered in the session so the order the
shopper eventually places can say which social path led to it."""

from __future__ import annotations

import re

SESSION_KEY = "storefront_attribution"
_ID = re.compile(r"^[0-9]{1,18}$")


def attribution_remember(request) -> None:
    """Keep the newest deep-link parameters of this request; bad values are ignored, never an error."""
    found: dict[str, int] = {}
    source = request.GET.get("from", "")
    if source.startswith("post:") and _ID.match(source[5:]):
        found["post_id"] = int(source[5:])
    live = request.GET.get("live", "")
    if _ID.match(live):
        found["live_session_id"] = int(live)
    ref = request.GET.get("ref", "")
    if _ID.match(ref) and not (request.user.is_authenticated and int(ref) == request.user.pk):
        found["referrer_id"] = int(ref)
    if found:
        remembered = dict(request.session.get(SESSION_KEY) or {})
        remembered.update(found)
        remembered["landing_path"] = request.path[:200]
        request.session[SESSION_KEY] = remembered


def attribution_for_order(request) -> dict | None:
    remembered = request.session.get(SESSION_KEY)
    return dict(remembered) if remembered else None


def attribution_clear(request) -> None:
    request.session.pop(SESSION_KEY, None)


def referrer_id(request) -> int | None:
    remembered = request.session.get(SESSION_KEY) or {}
    value = remembered.get("referrer_id")
    return value if isinstance(value, int) else None
