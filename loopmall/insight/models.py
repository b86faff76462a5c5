"""Insight tables: feedback from every channel and its demands, the staff-editable taxonomy, emerging
clusters, latent-demand hypotheses, weekly reports and the demand board.

Feedback text is stored raw; everything that shows it masks personal data first (`insight.pii`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    REVIEW = "review", _("Review")
    COMMENT = "comment", _("Comment")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    SERVICE_CHAT = "service_chat", _("Service chat / ticket")
    RETURN_REASON = "return_reason", _("Return reason")
    LIVE_COMMENT = "live_comment", _("Live-room comment")
    SEARCH_QUERY = "search_query", _("Search with few results")
    VIEWED_NOT_BOUGHT = "viewed_not_bought", _("Viewed, not bought")
    CART_ABANDONED = "cart_abandoned", _("Cart abandoned")


TEXT_CHANNELS = frozenset(
    {
        Channel.REVIEW, Channel.COMMENT, Channel.QUESTIONNAIRE, Channel.SERVICE_CHAT,
        Channel.RETURN_REASON, Channel.LIVE_COMMENT, Channel.SEARCH_QUERY,
    }
)  # fmt: skip
BEHAVIOUR_CHANNELS = frozenset({Channel.VIEWED_NOT_BOUGHT, Channel.CART_ABANDONED})


class FeedbackKind(models.TextChoices):
    TEXT = "text", _("What a customer said")
    BEHAVIOUR = "behaviour", _("What a customer did")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    CLASSIFIED = "classified", _("Classified")


class FeedbackOrigin(models.TextChoices):
    OUTBOX = "outbox", _("Collected from events")
    IMPORT = "import", _("Bulk import")
    API = "api", _("API")
    BACKFILL = "backfill", _("Backfill from reviews")


class Feedback(models.Model):
    """One thing a customer said (or did) on any channel. `external_id` is unique per channel."""

    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=FeedbackKind.choices, default=FeedbackKind.TEXT)
    origin = models.CharField(max_length=12, choices=FeedbackOrigin.choices, default=FeedbackOrigin.OUTBOX)
    external_id = models.CharField(max_length=128)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True, default="")
    lang = models.CharField(_("language"), max_length=8, blank=True, default="")
    # Behaviour signals keep their numbers here (views, price, attributes, query, result count).
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    collected_at = models.DateTimeField(_("collected"), db_index=True)
    status = models.CharField(max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    classified_at = models.DateTimeField(null=True, blank=True)
    # Highest demand score and the classifier's uncertainty (0 = sure, 1 = coin toss).
    max_score = models.FloatField(default=0.0)
    uncertainty = models.FloatField(default=0.0, db_index=True)
    # First time a weekly report or aggregate included this item (insight latency).
    first_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="feedback_unique_per_channel"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"]), models.Index(fields=["channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class FeedbackDemand(models.Model):
    """One demand found in one feedback item, with the sentence that carries it."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="demands")
    code = models.CharField(max_length=48, db_index=True)
    score = models.FloatField(default=1.0)
    sentence = models.TextField(blank=True, default="")
    is_corrected = models.BooleanField(default=False, help_text="set by a staff correction")

    class Meta:
        ordering = ["-score", "code"]
        constraints = [models.UniqueConstraint(fields=["feedback", "code"], name="feedback_demand_unique")]


class DemandDefinition(models.Model):
    """A demand in the staff-editable taxonomy, seeded from the default taxonomy on first use."""

    class Origin(models.TextChoices):
        DEFAULT = "default", _("Default taxonomy")
        STAFF = "staff", _("Added by staff")
        EMERGING = "emerging", _("Promoted from an emerging cluster")

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True, default="")
    definition = models.TextField(_("definition"), blank=True, default="")
    lexicon_zh = models.JSONField(_("Chinese lexicon"), default=list, blank=True)
    lexicon_en = models.JSONField(_("English lexicon"), default=list, blank=True)
    # Subjects ("包装", "price") that make a demand only next to a negative opinion.
    aspects_zh = models.JSONField(_("Chinese aspects"), default=list, blank=True)
    aspects_en = models.JSONField(_("English aspects"), default=list, blank=True)
    definition_zh = models.TextField(_("definition (Chinese)"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.DEFAULT)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.code


class DomainWord(models.Model):
    """A word the segmenter must keep whole (e.g. 可降解, 上门安装); staff add them in the console."""

    word = models.CharField(max_length=64, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]


class LabelCorrection(models.Model):
    """A staff member's verdict on which demands a feedback item carries: training data."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="corrections")
    codes = models.JSONField(default=list, blank=True)
    previous_codes = models.JSONField(default=list, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    used_in_training_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class BehaviourWatch(models.Model):
    """A view or a cart that may still turn into an order; it becomes a behaviour signal when the
    window passes without one, and is dropped when an order for that user and product completes."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed")
        CART = "cart", _("Added to cart / checkout")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product_id_value = models.BigIntegerField(db_index=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user", "product_id_value"], name="behaviour_watch_unique"
            )
        ]


class EmergingCluster(models.Model):
    """A group of feedback the taxonomy covers badly, named by its top terms."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PROMOTED = "promoted", _("Promoted to a demand")
        DISMISSED = "dismissed", _("Dismissed")

    run_at = models.DateTimeField(db_index=True)
    label = models.CharField(max_length=200)
    terms = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    feedback_ids = models.JSONField(default=list)
    quote_ids = models.JSONField(default=list, help_text="3 representative feedback ids")
    backend = models.CharField(max_length=32, default="tfidf")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    promoted_to = models.ForeignKey(
        DemandDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-run_at", "-size", "id"]


class LatentDemand(models.Model):
    """A hypothesis about an unmet need implied by behaviour, with its numbers and the users showing it."""

    class Kind(models.TextChoices):
        LOW_CONVERSION = "low_conversion", _("Many views, low conversion")
        ATTRIBUTE_LOW_CONVERSION = "attribute_low_conversion", _("Attribute viewed, rarely bought")
        CART_ABANDONMENT = "cart_abandonment", _("Cart abandonment concentrated")
        UNMET_SEARCH = "unmet_search", _("Searches with no or few results")
        RISING_INTEREST = "rising_interest", _("Rising interest in an attribute")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="what the hypothesis is about, stable across runs")
    title = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    user_ids = models.JSONField(default=list)
    strength = models.FloatField(default=0.0)
    week = models.CharField(max_length=8, db_index=True)
    detected_at = models.DateTimeField()
    first_signal_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-strength", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "week"], name="latent_unique_per_week")]


class WeeklyReport(models.Model):
    """The demand report of one ISO week (Asia/Shanghai), stored as its JSON payload."""

    week = models.CharField(max_length=8, unique=True, help_text="YYYY-Www")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    generated_at = models.DateTimeField()
    # False while the week is still running (refreshed as feedback arrives); True once it has closed.
    is_final = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)
    feedback_count = models.PositiveIntegerField(default=0)
    latency_p50_seconds = models.FloatField(null=True, blank=True)
    latency_max_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return self.week


class AdaptationType(models.TextChoices):
    IMPROVE_PRODUCT = "improve_product", _("Improve the product")
    IMPROVE_PACKAGING_OR_SERVICE = "improve_packaging_or_service", _("Improve packaging or service")
    BUNDLE_KIT = "bundle_kit", _("Bundle / kit")
    NEW_PRODUCT = "new_product", _("New product")
    NEW_SERVICE = "new_service", _("New service")
    CONTENT_CAMPAIGN = "content_campaign", _("Content or campaign")


class AdaptationStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ADAPTING = "adapting", _("Adapting")
    LAUNCHED = "launched", _("Launched")
    MEASURED = "measured", _("Measured")
    CLOSED = "closed", _("Closed")


class Adaptation(models.Model):
    """A card on the demand board: what the brand does about one demand, and how it turned out."""

    demand_code = models.CharField(_("demand"), max_length=48, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adaptation_type = models.CharField(
        _("adaptation"), max_length=32, choices=AdaptationType.choices, default=AdaptationType.IMPROVE_PRODUCT
    )
    status = models.CharField(
        max_length=12, choices=AdaptationStatus.choices, default=AdaptationStatus.IDENTIFIED, db_index=True
    )
    # What the adaptation touches, for measuring: products (ids) and/or a category.
    product_ids = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("due"))
    sales_target_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    note = models.TextField(blank=True, default="")
    identified_at = models.DateTimeField()
    adapting_at = models.DateTimeField(null=True, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.demand_code}: {self.title}"
