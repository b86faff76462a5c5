"""KPIs of social after-sales (plan §1.5): response time and satisfaction."""

from __future__ import annotations

from datetime import datetime

from loopmall.analytics.kpis.base import Tables, between, ratio, seconds_between


def after_sales_response_hours(t: Tables, start: datetime, end: datetime):
    """Median hours from a ticket opening to its first answer, for tickets opened in the window."""
    e = t.events
    opened = e.filter(
        between(e.occurred_at, start, end) & (e.name == "Ticket Opened") & e.ticket_id.notnull()
    )
    opened = opened.group_by(ticket=opened.ticket_id).agg(opened_at=opened.occurred_at.min())
    answered = e.filter((e.name == "Ticket First Response") & e.ticket_id.notnull())
    answered = answered.group_by(answered_ticket=answered.ticket_id).agg(
        answered_at=answered.occurred_at.min()
    )
    joined = opened.join(answered, opened.ticket == answered.answered_ticket)
    return (seconds_between(joined.answered_at, joined.opened_at) / 3600.0).median()


def service_satisfaction(t: Tables, start: datetime, end: datetime):
    """Share of satisfaction-survey answers scoring 4 or 5 (of 5) in the window."""
    e = t.events.filter(
        between(t.events.occurred_at, start, end)
        & (t.events.name == "Survey Answered")
        & t.events.score.notnull()
    )
    return ratio(e.filter(e.score >= 4).count(), e.count())
