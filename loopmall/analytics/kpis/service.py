"""KPIs of social after-sales (plan §1.5): response time and satisfaction."""

from __future__ import annotations

from datetime import datetime

from loopmall.analytics.kpis.base import Tables, between, ratio, seconds_between


def ticket_answers_expression(events):
    """Each ticket's first answer (the earliest Ticket First Response event naming it), over all history.
    The sync keeps it as the table `ticket_answers` (warehouse/derive.py)."""
    answered = events.filter((events.name == "Ticket First Response") & events.ticket_id.notnull())
    return answered.group_by(ticket_id=answered.ticket_id).agg(answered_at=answered.occurred_at.min())


def after_sales_response_hours(t: Tables, start: datetime, end: datetime):
    """Median hours from a ticket opening to its first answer, for tickets opened in the window."""
    e = t.events
    opened = e.filter(
        between(e.occurred_at, start, end) & (e.name == "Ticket Opened") & e.ticket_id.notnull()
    )
    opened = opened.group_by(ticket=opened.ticket_id).agg(opened_at=opened.occurred_at.min())
    answered = t.ticket_answers if t.ticket_answers is not None else ticket_answers_expression(e)
    answered = answered.select(answered_ticket=answered.ticket_id, answered_at=answered.answered_at)
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
