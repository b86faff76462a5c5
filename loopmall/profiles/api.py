"""Profiles API (staff): tags of a customer, segments with a live preview, segment members for campaigns."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from loopmall.accounts.auth import staff_required, user_auth
from loopmall.core.errors import PermissionDenied
from loopmall.profiles import segments as segment_rules
from loopmall.profiles import selectors, services

router = Router(tags=["profiles"])


class TagOut(Schema):
    tag: str
    kind: str
    score: float
    evidence: str
    computed_at: datetime


class SegmentIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=500)
    rules: dict[str, Any]


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rules: dict[str, Any]
    member_count: int
    refreshed_at: datetime | None


class PreviewIn(Schema):
    rules: dict[str, Any]


class PreviewOut(Schema):
    count: int


class MembersOut(Schema):
    segment_id: int
    count: int
    user_ids: list[int]


def _editor(request: HttpRequest):
    actor = staff_required(request)
    if actor.role == "analyst" and not actor.is_superuser:
        raise PermissionDenied("Analysts can read segments but not change them.")
    return actor


@router.get("/customers/{user_id}/tags", response=list[TagOut], auth=user_auth)
def customer_tags(request: HttpRequest, user_id: int):
    staff_required(request)
    return selectors.customer_tags(user=selectors.customer_get(user_id=user_id))


@router.get("/segments", response=list[SegmentOut], auth=user_auth)
def segments_list(request: HttpRequest):
    staff_required(request)
    return list(selectors.segments_list())


@router.post("/segments", response={201: SegmentOut}, auth=user_auth)
def segment_create(request: HttpRequest, payload: SegmentIn):
    actor = _editor(request)
    segment = services.segment_save(
        name=payload.name, description=payload.description, rules=payload.rules, actor=actor
    )
    return 201, segment


@router.post("/segments/preview", response=PreviewOut, auth=user_auth)
def segment_preview(request: HttpRequest, payload: PreviewIn):
    staff_required(request)
    return {"count": segment_rules.preview_count(payload.rules)}


@router.get("/segments/{segment_id}/members", response=MembersOut, auth=user_auth)
def segment_members(request: HttpRequest, segment_id: int):
    staff_required(request)
    segment = selectors.segment_get(segment_id=segment_id)
    ids = selectors.segment_member_ids(segment_id=segment.id)
    return {"segment_id": segment.id, "count": len(ids), "user_ids": ids}


@router.delete("/segments/{segment_id}", response={204: None}, auth=user_auth)
def segment_delete(request: HttpRequest, segment_id: int):
    _editor(request)
    selectors.segment_get(segment_id=segment_id)
    services.segment_delete(segment_id=segment_id)
    return 204, None
