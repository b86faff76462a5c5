"""Writes: staff inputs for KPIs (targets, baselines, manual values, marketing spend) and sync runs."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from loopmall.analytics.kpis import BY_KEY
from loopmall.analytics.models import KpiManualValue, KpiTarget, MarketingSpend
from loopmall.core.errors import DomainError
from loopmall.core.events import event_emit


def kpi_target_set(
    *, key: str, target: float, baseline_start: date | None = None, baseline_end: date | None = None, by=None
) -> KpiTarget:
    if key not in BY_KEY:
        raise DomainError(_("Unknown KPI."), field="key")
    if (baseline_start is None) != (baseline_end is None):
        raise DomainError(_("Give both baseline dates or neither."), field="baseline_end")
    if baseline_start and baseline_end and baseline_start >= baseline_end:
        raise DomainError(_("The baseline must end after it starts."), field="baseline_end")
    with transaction.atomic():
        record, _created = KpiTarget.objects.update_or_create(
            key=key,
            defaults={
                "target": float(target),
                "baseline_start": baseline_start,
                "baseline_end": baseline_end,
                "updated_by": by,
            },
        )
        event_emit(
            "KPI Target Changed",
            properties={"kpi": key, "target": float(target)},
            user_id=getattr(by, "pk", None),
            aggregate=("kpi_target", record.pk),
        )
    return record


def kpi_target_reset(*, key: str, by=None) -> None:
    with transaction.atomic():
        deleted, _rows = KpiTarget.objects.filter(key=key).delete()
        if deleted:
            event_emit("KPI Target Reset", properties={"kpi": key}, user_id=getattr(by, "pk", None))


def kpi_manual_value_record(*, key: str, value: float, measured_on: date, note: str = "", by=None):
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.source != "manual":
        raise DomainError(_("This KPI is computed, not entered."), field="key")
    with transaction.atomic():
        record, _created = KpiManualValue.objects.update_or_create(
            key=key, measured_on=measured_on, defaults={"value": float(value), "note": note, "entered_by": by}
        )
        event_emit(
            "KPI Value Recorded",
            properties={"kpi": key, "value": float(value), "measured_on": measured_on.isoformat()},
            user_id=getattr(by, "pk", None),
        )
    return record


def marketing_spend_set(*, channel: str, month: date, amount_minor: int, currency: str = "CNY", by=None):
    channel = (channel or "").strip()
    if not channel:
        raise DomainError(_("This field is required."), field="channel")
    if amount_minor < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount")
    month = date(month.year, month.month, 1)
    with transaction.atomic():
        record, _created = MarketingSpend.objects.update_or_create(
            channel=channel, month=month, defaults={"amount_minor": amount_minor, "currency": currency}
        )
        event_emit(
            "Marketing Spend Recorded",
            properties={"channel": channel, "month": month.isoformat(), "amount_minor": amount_minor},
            user_id=getattr(by, "pk", None),
        )
    return record
