"""KPIs of the social commerce system (plan §1.1–1.3): channels, content, interaction, fission."""

from __future__ import annotations

from datetime import datetime

import ibis

from loopmall.analytics.kpis.base import (
    ACTIVITY_EVENTS,
    CONTENT_EVENTS,
    CORE_CHANNELS,
    FISSION_EVENTS,
    INTERACTION_EVENTS,
    POST_PUBLISHED,
    PRIVATE_CHANNELS,
    PUBLIC_CHANNELS,
    Tables,
    active_actors,
    between,
    is_social_order,
    net_revenue,
    paid_orders,
    person,
    ratio,
    user_person,
    weeks_in,
)


def core_channel_coverage(t: Tables, start: datetime, end: datetime):
    """Share of the core channels with any activity (events, orders or new users) in the window."""
    e = t.events.filter(between(t.events.occurred_at, start, end))
    o = t.orders.filter(between(t.orders.placed_at, start, end))
    u = t.users.filter(between(t.users.created_at, start, end))
    used = ibis.union(
        e.select(channel=e.channel), o.select(channel=o.channel), u.select(channel=u.channel), distinct=True
    )
    covered = used.filter(used.channel.isin(CORE_CHANNELS)).count()
    return ratio(covered, len(CORE_CHANNELS))


def _posts_per_week(t: Tables, start: datetime, end: datetime, channels: tuple[str, ...]):
    e = t.events
    published = e.filter(
        between(e.occurred_at, start, end) & (e.name == POST_PUBLISHED) & e.channel.isin(channels)
    ).post_id.nunique()
    weeks = weeks_in(start, end)
    # No post published in any channel at all means the content module has no data yet, not zero.
    any_post = t.events.filter(t.events.name == POST_PUBLISHED).count() > 0
    return ratio(published, weeks, when=any_post)


def content_cadence_private(t: Tables, start: datetime, end: datetime):
    """Pieces of content published per week in private channels (community, mini-shop)."""
    return _posts_per_week(t, start, end, PRIVATE_CHANNELS)


def content_cadence_public(t: Tables, start: datetime, end: datetime):
    """Pieces of content published per week in public channels (Douyin, Xiaohongshu, video channel)."""
    return _posts_per_week(t, start, end, PUBLIC_CHANNELS)


def content_interaction_rate(t: Tables, start: datetime, end: datetime):
    """Likes, shares and comments on posts per post view."""
    e = t.events.filter(between(t.events.occurred_at, start, end))
    engaged = e.filter(
        e.name.isin(("Post Liked", "Post Shared", "Comment Posted")) & e.post_id.notnull()
    ).count()
    views = e.filter(e.name == "Post Viewed").count()
    return ratio(engaged, views)


def social_interaction_rate(t: Tables, start: datetime, end: datetime):
    """Share of active people who liked, commented, shared, reviewed or joined a challenge."""
    e = t.events.filter(between(t.events.occurred_at, start, end) & t.events.name.isin(INTERACTION_EVENTS))
    interacting = e.select(person=person(e)).distinct().count()
    return ratio(interacting, active_actors(t, start, end).count())


def social_module_coverage(t: Tables, start: datetime, end: datetime):
    """Share of active people reached by a content, interaction or fission module."""
    names = tuple(sorted(set(CONTENT_EVENTS) | set(INTERACTION_EVENTS) | set(FISSION_EVENTS)))
    e = t.events.filter(between(t.events.occurred_at, start, end) & t.events.name.isin(names))
    o = paid_orders(t.orders)
    o = o.filter(between(o.placed_at, start, end) & is_social_order(o))
    reached = ibis.union(
        e.select(person=person(e)), o.select(person=user_person(o.user_id, e)), distinct=True
    )
    return ratio(reached.count(), active_actors(t, start, end).count())


def activity_participation(t: Tables, start: datetime, end: datetime):
    """Share of active people who joined a fission or community activity (group buy, invite, challenge,
    campaign coupon, points) or bought through a group buy."""
    e = t.events.filter(between(t.events.occurred_at, start, end) & t.events.name.isin(ACTIVITY_EVENTS))
    o = t.orders.filter(between(t.orders.placed_at, start, end) & t.orders.group_buy_id.notnull())
    joined = ibis.union(e.select(person=person(e)), o.select(person=user_person(o.user_id, e)), distinct=True)
    return ratio(joined.count(), active_actors(t, start, end).count())


def _acquired_through_fission(users):
    return users.invited_by.notnull() | (users.channel == "referral")


def fission_user_conversion(t: Tables, start: datetime, end: datetime):
    """Of people who joined through an invite in the window, the share who paid an order within 30 days."""
    u = t.users.filter(between(t.users.created_at, start, end) & _acquired_through_fission(t.users))
    o = paid_orders(t.orders)
    joined = u.join(o, u.user_id == o.user_id)
    converted = joined.filter(
        (joined.paid_at >= joined.created_at) & (joined.paid_at < joined.created_at + ibis.interval(days=30))
    )
    return ratio(converted.user_id.nunique(), u.count())


def acquisition_cost(t: Tables, start: datetime, end: datetime):
    """Marketing spend in the window per new customer (first paid order in the window), in minor units."""
    spend = t.spend_daily.filter(between(t.spend_daily.day, start, end)).amount_minor.sum()
    o = paid_orders(t.orders)
    first = o.group_by(o.user_id).agg(first_paid=o.paid_at.min())
    new_customers = first.filter(between(first.first_paid, start, end)).count()
    return ratio(spend, new_customers)


def social_revenue_share(t: Tables, start: datetime, end: datetime):
    """Net revenue of orders placed through social channels, group buys or referrals / all net revenue."""
    o = paid_orders(t.orders)
    o = o.filter(between(o.paid_at, start, end))
    social = net_revenue(o.filter(is_social_order(o)))
    return ratio(social.fill_null(0), net_revenue(o))
