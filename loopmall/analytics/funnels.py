"""Funnels over any sequence of event names: people per step, conversion, median time between steps.

A person enters at their first step-1 event in the window; each next step counts their first event of
that name at or after the previous step, within `within_days` of entering. Written in Ibis: runs on
DuckDB and Spark alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis

from loopmall.analytics.kpis.base import between, person, seconds_between
from loopmall.analytics.kpis.evaluate import clean
from loopmall.core.errors import DomainError

MAX_STEPS = 8


@dataclass(frozen=True)
class FunnelStep:
    name: str
    people: int
    conversion_from_first: float | None
    conversion_from_previous: float | None
    median_seconds_from_previous: float | None


def funnel_expression(events, steps: list[str], *, start: datetime, end: datetime, within_days: int = 7):
    """One Ibis table: (step, people, median_seconds) per step."""
    within = ibis.interval(days=within_days)
    relevant = events.filter(
        events.name.isin(steps) & between(events.occurred_at, start, end + timedelta(days=within_days))
    ).select(person=person(events), name=events.name, at=events.occurred_at)
    first = relevant.filter((relevant.name == steps[0]) & (relevant.at < ibis.literal(end, "timestamp")))
    current = first.group_by("person").agg(entered=first.at.min())
    current = current.mutate(previous=current.entered, gap=ibis.null("float64"))
    parts = [current.aggregate(people=current.count(), median_seconds=ibis.null("float64")).mutate(step=0)]
    for index, name in enumerate(steps[1:], start=1):
        candidates = relevant.filter(relevant.name == name).select(candidate=relevant.person, at=relevant.at)
        joined = current.join(
            candidates,
            [
                current.person == candidates.candidate,
                candidates.at >= current.previous,
                candidates.at <= current.entered + within,
            ],
        )
        reached = joined.group_by(["person", "entered", "previous"]).agg(at=joined.at.min())
        current = reached.select(
            "person", "entered", previous=reached.at, gap=seconds_between(reached.at, reached.previous)
        )
        parts.append(
            current.aggregate(people=current.count(), median_seconds=current.gap.median()).mutate(step=index)
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def funnel_compute(
    con, steps: list[str], *, start: datetime, end: datetime, within_days: int = 7
) -> list[FunnelStep]:
    steps = [s.strip() for s in steps if s and s.strip()]
    if len(steps) < 2:
        raise DomainError("A funnel needs at least two steps.", field="steps")
    if len(steps) > MAX_STEPS:
        raise DomainError(f"At most {MAX_STEPS} steps.", field="steps")
    if not 1 <= within_days <= 90:
        raise DomainError("Choose 1 to 90 days.", field="within_days")
    frame = con.execute(
        funnel_expression(con.table("events"), steps, start=start, end=end, within_days=within_days)
    )
    by_step = {int(r.step): r for r in frame.itertuples()}
    result = []
    first_people = int(by_step[0].people) if 0 in by_step else 0
    previous = first_people
    for index, name in enumerate(steps):
        row = by_step.get(index)
        people = int(row.people) if row is not None else 0
        result.append(
            FunnelStep(
                name=name,
                people=people,
                conversion_from_first=people / first_people if first_people else None,
                conversion_from_previous=(people / previous if previous else None) if index else None,
                median_seconds_from_previous=clean(row.median_seconds)
                if (row is not None and index)
                else None,
            )
        )
        previous = people
    return result
