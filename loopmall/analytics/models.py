"""Analytics tables in the OLTP database: staff inputs (targets, marketing spend, manual KPI values)
and the record of warehouse sync runs. The facts themselves live in the warehouse (see warehouse/)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KpiTarget(models.Model):
    """A staff override of a KPI's target (and, for relative KPIs, of its baseline period)."""

    key = models.CharField(_("KPI"), max_length=64, unique=True)
    target = models.FloatField(_("target"))
    baseline_start = models.DateField(_("baseline from"), null=True, blank=True)
    baseline_end = models.DateField(_("baseline until"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_end__isnull=True)
                | Q(baseline_start__lt=models.F("baseline_end")),
                name="kpi_target_baseline_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.target}"


class KpiManualValue(models.Model):
    """A value staff measure outside the software (e.g. the team's skill-assessment pass rate)."""

    key = models.CharField(_("KPI"), max_length=64)
    value = models.FloatField(_("value"))
    measured_on = models.DateField(_("measured on"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-measured_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "measured_on"], name="kpi_manual_value_one_per_day")
        ]


class MarketingSpend(models.Model):
    """What a month of acquisition cost in one channel; gives acquisition cost and return on spend."""

    channel = models.CharField(_("channel"), max_length=32)
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3, default="CNY")
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "month"], name="marketing_spend_one_per_channel_month"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="marketing_spend_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="marketing_spend_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.month:%Y-%m}"


class SyncRun(models.Model):
    """One warehouse sync or rebuild, with how long events took to become visible in the warehouse."""

    class Kind(models.TextChoices):
        SYNC = "sync", _("Incremental sync")
        REBUILD = "rebuild", _("Rebuild")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    is_ok = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    outbox_id_before = models.BigIntegerField(default=0)
    outbox_id_after = models.BigIntegerField(default=0)
    events_copied = models.BigIntegerField(default=0)
    rows_copied = models.JSONField(default=dict, blank=True, help_text="rows written per table")
    # Lag = visible in the warehouse − committed to the outbox, in seconds, over the events this run copied.
    lag_p50_seconds = models.FloatField(null=True, blank=True)
    lag_p95_seconds = models.FloatField(null=True, blank=True)
    lag_max_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration_seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
