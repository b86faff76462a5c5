"""High-frequency demands: per ISO week (Asia/Shanghai), per demand x slice (all, category, product,
channel): mentions, share of the slice's feedback, and the change against the previous 4 weeks.

A change is called rising only when a one-sided two-proportion z-test says so (p < ALPHA) and there are
at least MIN_MENTIONS mentions: three complaints in a week of ten reviews is not an alarm. A demand is
high-frequency when its share reaches the configured threshold (default 30 %) over at least
MIN_FEEDBACK items; the Wilson interval of the share is given so staff see how sure the number is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncWeek

from loopmall.core import clock
from loopmall.insight import weeks
from loopmall.insight.models import Feedback, FeedbackDemand, FeedbackKind

ALPHA = 0.05
MIN_MENTIONS = 5
MIN_FEEDBACK = 20
BASELINE_WEEKS = 4
DIMENSIONS = ("all", "category", "product", "channel")
_FIELD = {"all": None, "category": "category_id", "product": "product_id", "channel": "channel"}


def share_threshold() -> float:
    return float(getattr(settings, "LOOPMALL_INSIGHT_HIGH_FREQUENCY_SHARE", 0.30))


@dataclass(frozen=True)
class DemandFrequency:
    code: str
    dimension: str
    key: str
    mentions: int
    feedback: int
    share: float
    share_low: float
    share_high: float
    previous_mentions: int
    previous_feedback: int
    previous_share: float
    change: float
    z: float
    p_value: float
    is_rising: bool
    is_high_frequency: bool


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total <= 0:
        return 0.0, 0.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_increase(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float]:
    """z and one-sided p-value for "share now (x1/n1) is higher than before (x0/n0)"."""
    if n1 <= 0 or n0 <= 0:
        return 0.0, 1.0
    pooled = (x1 + x0) / (n1 + n0)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    z = (x1 / n1 - x0 / n0) / se
    from scipy import stats  # imported on use: scipy.stats adds seconds to every process start

    return z, float(stats.norm.sf(z))


def _week_label(monday) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _counts(week_list: list[str], dimension: str):
    """(week, code, key) -> mentions and (week, key) -> feedback over the given weeks."""
    start = weeks.week_bounds(week_list[0])[0]
    end = weeks.week_bounds(week_list[-1])[1]
    field = _FIELD[dimension]
    zone = clock.business_zone()
    base = Feedback.objects.filter(kind=FeedbackKind.TEXT, created_at__gte=start, created_at__lt=end)
    group = ["monday"] + ([field] if field else [])
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        base.annotate(monday=TruncWeek("created_at", tzinfo=zone)).values(*group).annotate(n=Count("id"))
    ):
        key = str(row[field]) if field else "all"
        if field and row[field] in (None, ""):
            continue
        totals[(_week_label(row["monday"]), key)] += row["n"]
    mentions: dict[tuple[str, str, str], int] = defaultdict(int)
    demand_rows = (
        FeedbackDemand.objects.filter(
            feedback__kind=FeedbackKind.TEXT, feedback__created_at__gte=start, feedback__created_at__lt=end
        )
        .annotate(monday=TruncWeek("feedback__created_at", tzinfo=zone))
        .values("monday", "code", *([f"feedback__{field}"] if field else []))
        .annotate(n=Count("feedback_id", distinct=True))
    )
    for row in demand_rows:
        key = str(row[f"feedback__{field}"]) if field else "all"
        if field and row[f"feedback__{field}"] in (None, ""):
            continue
        mentions[(_week_label(row["monday"]), row["code"], key)] += row["n"]
    return mentions, totals


def demand_frequency(
    week: str, *, dimension: str = "all", threshold: float | None = None, min_feedback: int = MIN_FEEDBACK
) -> list[DemandFrequency]:
    """Every demand mentioned in `week` in each slice of `dimension`, most shared first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}")
    threshold = share_threshold() if threshold is None else threshold
    baseline = weeks.previous_weeks(week, BASELINE_WEEKS)
    mentions, totals = _counts([*baseline, week], dimension)
    rows = []
    for (row_week, code, key), count in mentions.items():
        if row_week != week:
            continue
        n = totals.get((week, key), 0)
        previous_x = sum(mentions.get((w, code, key), 0) for w in baseline)
        previous_n = sum(totals.get((w, key), 0) for w in baseline)
        share = count / n if n else 0.0
        previous_share = previous_x / previous_n if previous_n else 0.0
        z, p_value = two_proportion_increase(count, n, previous_x, previous_n)
        low, high = wilson_interval(count, n)
        rows.append(
            DemandFrequency(
                code=code, dimension=dimension, key=key, mentions=count, feedback=n, share=share,
                share_low=low, share_high=high, previous_mentions=previous_x, previous_feedback=previous_n,
                previous_share=previous_share, change=share - previous_share, z=z, p_value=p_value,
                is_rising=p_value < ALPHA and count >= MIN_MENTIONS,
                is_high_frequency=share >= threshold and n >= min_feedback,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (-r.share, -r.mentions, r.code, r.key))
    return rows


def weekly_series(week: str, *, count: int = 8) -> dict[str, list]:
    """Share of each demand over the last `count` weeks up to `week` (chart data)."""
    week_list = [*weeks.previous_weeks(week, count - 1), week]
    mentions, totals = _counts(week_list, "all")
    codes = sorted({code for (_, code, _) in mentions})
    series = {}
    for code in codes:
        series[code] = [
            round(mentions.get((w, code, "all"), 0) / totals[(w, "all")], 4)
            if totals.get((w, "all"))
            else 0.0
            for w in week_list
        ]
    return {
        "weeks": week_list,
        "feedback": [totals.get((w, "all"), 0) for w in week_list],
        "mentions": {code: [mentions.get((w, code, "all"), 0) for w in week_list] for code in codes},
        "share": series,
    }
