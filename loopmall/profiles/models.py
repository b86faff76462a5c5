from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TagKind(models.TextChoices):
    NEED = "need", _("Need")
    LIFECYCLE = "lifecycle", _("Lifecycle")
    RFM = "rfm", _("RFM segment")
    FISSION = "fission", _("Fission role")
    CHANNEL = "channel", _("Preferred channel")


class UserTag(models.Model):
    """One tag a customer holds, with how sure we are and why."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16, choices=TagKind.choices)
    score = models.FloatField(help_text="0..1: posterior probability for need tags, 1 for rule-based tags")
    evidence = models.TextField(blank=True, default="")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="one_row_per_user_tag")]
        indexes = [models.Index(fields=["tag", "-score"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.tag}"


class UserProfile(models.Model):
    """The computed, non-tag facts about a customer."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    lifecycle = models.CharField(max_length=16, blank=True, default="")
    rfm_segment = models.CharField(max_length=32, blank=True, default="")
    orders = models.PositiveIntegerField(default=0)
    revenue_minor = models.BigIntegerField(default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    median_repurchase_days = models.FloatField(null=True, blank=True)
    next_expected_at = models.DateTimeField(null=True, blank=True)
    preferred_channel = models.CharField(max_length=32, blank=True, default="")
    preferred_channel_share = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class ProfileRun(models.Model):
    """One recomputation of profiles and tags; `model` keeps the fitted latent-class parameters so the
    next incremental run scores changed users on the same scale."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    is_full = models.BooleanField(default=True)
    backend = models.CharField(max_length=16, default="duckdb")
    users = models.PositiveIntegerField(default=0)
    tags = models.PositiveIntegerField(default=0)
    warehouse_order_watermark = models.BigIntegerField(default=0)
    warehouse_event_watermark = models.BigIntegerField(default=0)
    model = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-id"]


class Segment(models.Model):
    """A saved audience: rules over tags, properties and events, kept fresh by the scheduler."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    rules = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    member_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="segment_memberships"
    )
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "user"], name="one_membership_per_segment")]


class TagEvaluation(models.Model):
    """Need-tag precision and recall measured against hidden traits of a simulated brand (the only data
    where the truth is known); feeds the plan's profile-accuracy KPI."""

    evaluated_at = models.DateTimeField(db_index=True)
    users = models.PositiveIntegerField()
    seed = models.IntegerField()
    per_tag = models.JSONField(
        help_text='{"price_sensitive": {"precision": .., "recall": .., "tagged": ..}, ...}'
    )
    min_precision = models.FloatField()

    class Meta:
        ordering = ["-evaluated_at"]
