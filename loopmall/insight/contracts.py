"""What other apps may import from insight: frozen values, never models. Text is always masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loopmall.insight.models import AdaptationStatus, AdaptationType, Channel, LatentDemand

CHANNEL_CHOICES = Channel.choices
ADAPTATION_STATUS_CHOICES = AdaptationStatus.choices
ADAPTATION_TYPE_CHOICES = AdaptationType.choices
LATENT_KIND_CHOICES = LatentDemand.Kind.choices


@dataclass(frozen=True)
class FeedbackView:
    id: int
    channel: str
    external_id: str
    text: str  # personal data masked
    lang: str
    rating: int | None
    user_id: int | None
    product_id: int | None
    category_id: int | None
    created_at: datetime
    demands: tuple[str, ...]
    uncertainty: float


@dataclass(frozen=True)
class UserDemand:
    """How often one customer voiced one demand (profiles turn these into need tags)."""

    user_id: int
    code: str
    mentions: int
    last_at: datetime


@dataclass(frozen=True)
class DemandShare:
    code: str
    name_zh: str
    name_en: str
    mentions: int
    share: float
    is_high_frequency: bool
    is_rising: bool
