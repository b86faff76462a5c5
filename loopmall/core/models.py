from django.conf import settings
from django.db import models


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    Consumers (warehouse sync, insight collectors, profile refresh) remember the last id they
    processed in `ConsumerPosition` and never see an event from a transaction that rolled back.
    """

    name = models.CharField(max_length=64, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous_id = models.CharField(max_length=64, blank=True, default="")
    aggregate_type = models.CharField(max_length=32, blank=True, default="")
    aggregate_id = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=32, blank=True, default="")
    # Client-side and imported events carry their own id; server-side events get a generated one.
    event_id = models.CharField(max_length=64, unique=True)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"


class ConsumerPosition(models.Model):
    """How far one outbox consumer has read."""

    consumer = models.CharField(max_length=64, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class IdempotencyKey(models.Model):
    """The first response to an unsafe request, replayed when the same key comes again."""

    scope = models.CharField(max_length=64)
    owner = models.CharField(max_length=64, help_text="user id, or 'anonymous:<session>'")
    key = models.CharField(max_length=128)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "owner", "key"], name="idempotency_key_unique")
        ]
