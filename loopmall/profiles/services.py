"""Writes of the profiles app: recompute tags and profiles from the warehouse; manage segments."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction

from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.profiles import segments as segment_rules
from loopmall.profiles.models import (
    ProfileRun,
    Segment,
    SegmentMembership,
    TagEvaluation,
    TagKind,
    UserProfile,
    UserTag,
)
from loopmall.profiles.tags import (
    ScoringPolicy,
    evidence_table,
    fission_roles,
    lifecycle_and_rfm,
    preferred_channel,
    score_against_traits,
    score_need_tags,
)


@dataclass(frozen=True)
class RecomputeResult:
    users: int
    tags: int
    created: int
    updated: int
    removed: int
    seconds: float


def compute_tag_frame(
    tables: dict, *, as_of: datetime, policy: ScoringPolicy | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All tags (user_id, tag, kind, score, evidence) and profile facts per user from warehouse tables.

    `tables` maps warehouse table names (users, orders, order_items, products, events) to Ibis tables of
    any backend; nothing here depends on the engine.
    """
    evidence = evidence_table(
        tables["orders"], tables["order_items"], tables["products"], tables.get("events")
    ).to_pandas()
    need = score_need_tags(evidence, policy)
    need["kind"] = TagKind.NEED
    facts = lifecycle_and_rfm(tables["orders"], tables["users"], as_of=as_of)
    channel = preferred_channel(tables["orders"])
    facts = facts.merge(channel.rename(columns={"channel": "preferred_channel", "share": "preferred_channel_share"}),
                        on="user_id", how="left")  # fmt: skip
    lifecycle = pd.DataFrame(
        {"user_id": facts["user_id"], "tag": facts["lifecycle"], "kind": TagKind.LIFECYCLE, "score": 1.0,
         "evidence": _lifecycle_evidence(facts)}
    )  # fmt: skip
    rfm = facts[facts["rfm_segment"].notna()] if "rfm_segment" in facts else facts.iloc[0:0]
    rfm_tags = pd.DataFrame(
        {"user_id": rfm["user_id"], "tag": "rfm_" + rfm["rfm_segment"].astype(str), "kind": TagKind.RFM, "score": 1.0,
         "evidence": rfm.apply(lambda r: f"R {r['recency_days']:.0f} days, F {int(r['orders'])} orders, "
                                         f"M {r['revenue_minor'] / 100:.2f}", axis=1) if len(rfm) else []}
    )  # fmt: skip
    roles = fission_roles(tables["users"], tables["events"]) if "events" in tables else pd.DataFrame()
    if len(roles):
        roles = roles.assign(kind=TagKind.FISSION, score=1.0)
    tags = pd.concat([need, lifecycle, rfm_tags, roles], ignore_index=True)
    return tags[["user_id", "tag", "kind", "score", "evidence"]], facts


def _lifecycle_evidence(facts: pd.DataFrame) -> pd.Series:
    def describe(row) -> str:
        if not row.get("orders") or pd.isna(row.get("orders")):
            return "no paid order yet"
        return f"{int(row['orders'])} paid orders, last {row['recency_days']:.0f} days ago"

    return facts.apply(describe, axis=1) if len(facts) else pd.Series(dtype=str)


def _warehouse_tables(con) -> dict:
    from loopmall.analytics.warehouse.connection import table_names

    present = table_names(con)
    return {n: con.table(n) for n in ("users", "orders", "order_items", "products", "events") if n in present}


def profiles_recompute(
    *, con=None, backend: str = "duckdb", as_of: datetime | None = None
) -> RecomputeResult:
    """Recompute every customer's tags and profile from the warehouse, writing only what changed."""
    from loopmall.analytics.warehouse.connection import opened

    started = clock.now()
    as_of = as_of or started
    run = ProfileRun.objects.create(started_at=started, backend=backend)
    if con is None:
        with opened(backend) as owned:
            tags, facts = _compute_from(owned, as_of)
    else:
        tags, facts = _compute_from(con, as_of)
    result = _write(tags, facts, computed_at=clock.now(), started=started)
    run.finished_at = clock.now()
    run.users = result.users
    run.tags = result.tags
    run.save(update_fields=["finished_at", "users", "tags"])
    return result


def _compute_from(con, as_of: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = _warehouse_tables(con)
    missing = {"users", "orders", "order_items", "products"} - set(tables)
    if missing:
        raise DomainError(
            f"the warehouse has no {', '.join(sorted(missing))} table yet: run `loopmall warehouse sync`"
        )
    return compute_tag_frame(tables, as_of=as_of)


def _as_aware(value) -> datetime | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.floor("us").to_pydatetime()


def _write(
    tags: pd.DataFrame, facts: pd.DataFrame, *, computed_at: datetime, started: datetime
) -> RecomputeResult:
    user_ids = set(get_user_model().objects.values_list("id", flat=True))
    tags = tags[tags["user_id"].isin(user_ids)]
    facts = facts[facts["user_id"].isin(user_ids)]
    wanted = {(int(r.user_id), r.tag): r for r in tags.itertuples(index=False)}
    created = updated = removed = 0
    with transaction.atomic():
        existing = {(t.user_id, t.tag): t for t in UserTag.objects.filter(user_id__in=user_ids)}
        to_create, to_update = [], []
        for key, row in wanted.items():
            score = round(float(row.score), 4)
            current = existing.get(key)
            if current is None:
                to_create.append(UserTag(user_id=key[0], tag=key[1], kind=row.kind, score=score,
                                         evidence=row.evidence, computed_at=computed_at))  # fmt: skip
            elif abs(current.score - score) > 1e-4 or current.evidence != row.evidence:
                current.score, current.evidence, current.computed_at = score, row.evidence, computed_at
                to_update.append(current)
        stale = [t.id for key, t in existing.items() if key not in wanted]
        UserTag.objects.bulk_create(to_create, batch_size=2000)
        UserTag.objects.bulk_update(to_update, ["score", "evidence", "computed_at"], batch_size=2000)
        for start in range(0, len(stale), 900):
            UserTag.objects.filter(id__in=stale[start : start + 900]).delete()
        created, updated, removed = len(to_create), len(to_update), len(stale)
        _write_profiles(facts, computed_at)
    return RecomputeResult(
        users=int(facts["user_id"].nunique()),
        tags=len(wanted),
        created=created,
        updated=updated,
        removed=removed,
        seconds=(clock.now() - started).total_seconds(),
    )


def _write_profiles(facts: pd.DataFrame, computed_at: datetime) -> None:
    existing = {
        p.user_id: p for p in UserProfile.objects.filter(user_id__in=list(facts["user_id"].astype(int)))
    }
    to_create, to_update = [], []
    fields = ["lifecycle", "rfm_segment", "orders", "revenue_minor", "first_order_at", "last_order_at",
              "median_repurchase_days", "next_expected_at", "preferred_channel", "preferred_channel_share", "computed_at"]  # fmt: skip
    for row in facts.to_dict("records"):
        values = {
            "lifecycle": row.get("lifecycle") or "",
            "rfm_segment": row.get("rfm_segment") if isinstance(row.get("rfm_segment"), str) else "",
            "orders": int(row["orders"]) if not pd.isna(row.get("orders")) else 0,
            "revenue_minor": int(row["revenue_minor"]) if not pd.isna(row.get("revenue_minor")) else 0,
            "first_order_at": _as_aware(row.get("first_order_at")),
            "last_order_at": _as_aware(row.get("last_order_at")),
            "median_repurchase_days": None
            if pd.isna(row.get("median_gap_days"))
            else float(row["median_gap_days"]),
            "next_expected_at": _as_aware(row.get("next_expected_at")),
            "preferred_channel": row.get("preferred_channel")
            if isinstance(row.get("preferred_channel"), str)
            else "",
            "preferred_channel_share": None
            if pd.isna(row.get("preferred_channel_share"))
            else float(row["preferred_channel_share"]),
            "computed_at": computed_at,
        }
        profile = existing.get(int(row["user_id"]))
        if profile is None:
            to_create.append(UserProfile(user_id=int(row["user_id"]), **values))
        else:
            for name, value in values.items():
                setattr(profile, name, value)
            to_update.append(profile)
    UserProfile.objects.bulk_create(to_create, batch_size=2000)
    UserProfile.objects.bulk_update(to_update, fields, batch_size=2000)


# --- segments ------------------------------------------------------------------------------------


def segment_save(
    *, name: str, rules: dict, description: str = "", actor=None, segment_id: int | None = None
) -> Segment:
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the segment a name.", field="name")
    segment_rules.validate(rules)
    with transaction.atomic():
        if Segment.objects.filter(name=name).exclude(id=segment_id).exists():
            raise DomainError("A segment with this name exists already.", field="name")
        if segment_id:
            segment = Segment.objects.select_for_update().get(id=segment_id)
            segment.name, segment.description, segment.rules = name, description, rules
            segment.save()
        else:
            segment = Segment.objects.create(
                name=name, description=description, rules=rules, created_by=actor
            )
    segment_refresh(segment=segment)
    segment.refresh_from_db()
    return segment


def segment_refresh(*, segment: Segment) -> tuple[int, int]:
    """Bring memberships in line with the rules now: (entered, left)."""
    now = clock.now()
    with transaction.atomic():
        wanted = set(segment_rules.users_matching(segment.rules).values_list("id", flat=True))
        current = set(segment.memberships.values_list("user_id", flat=True))
        entered = wanted - current
        left = current - wanted
        SegmentMembership.objects.bulk_create(
            [SegmentMembership(segment=segment, user_id=u, entered_at=now) for u in entered], batch_size=2000
        )
        left_ids = list(left)
        for start in range(0, len(left_ids), 900):
            segment.memberships.filter(user_id__in=left_ids[start : start + 900]).delete()
        Segment.objects.filter(id=segment.id).update(member_count=len(wanted), refreshed_at=now)
    return len(entered), len(left)


def segments_refresh_all() -> dict[str, tuple[int, int]]:
    return {s.name: segment_refresh(segment=s) for s in Segment.objects.all()}


def segment_delete(*, segment_id: int) -> None:
    Segment.objects.filter(id=segment_id).delete()


def tag_accuracy_evaluate(*, users: int = 3000, seed: int = 20261203) -> TagEvaluation:
    """Simulate a brand with hidden traits, tag it with the production scoring, store precision/recall."""
    import ibis

    from loopmall.profiles.simulator import SimulationConfig, simulate

    if not 100 <= users <= 200_000:
        raise DomainError("Evaluate with 100 to 200,000 simulated users.", field="users")
    brand = simulate(SimulationConfig(users=users, seed=seed))
    tables = {name: ibis.memtable(frame) for name, frame in brand.frames().items()}
    tags = score_need_tags(
        evidence_table(
            tables["orders"], tables["order_items"], tables["products"], tables["events"]
        ).to_pandas()
    )
    per_tag = {
        code: {"precision": round(f["precision"], 4), "recall": round(f["recall"], 4), "tagged": f["tagged"],
               "true": f["true"]}
        for code, f in score_against_traits(tags, brand.traits).items()
    }  # fmt: skip
    return TagEvaluation.objects.create(
        evaluated_at=clock.now(),
        users=users,
        seed=seed,
        per_tag=per_tag,
        min_precision=min(v["precision"] for v in per_tag.values()),
    )
