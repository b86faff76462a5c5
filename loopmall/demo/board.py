"""The demo brand's demand board history: what its staff did about the demands its customers voiced
over the last months, replayed through the board's own services at the moments it happened, so the
board, its measured outcomes and the demand-loop KPIs of the scorecard have something to show."""

from __future__ import annotations

from datetime import timedelta

from loopmall.accounts import selectors as accounts_selectors
from loopmall.core import clock
from loopmall.insight import board
from loopmall.insight import selectors as insight_selectors
from loopmall.insight.models import AdaptationStatus as S
from loopmall.insight.models import AdaptationType as T

# (adaptation type, title, days ago per step: identified, adapting, launched, measured); None = not yet
PLAN = (
    (T.IMPROVE_PRODUCT, "改进方案：%s", (84, 80, 58, 10)),
    (T.NEW_PRODUCT, "需求驱动新品：%s", (70, 66, 40, 5)),
    (T.IMPROVE_PACKAGING_OR_SERVICE, "服务与包装改进：%s", (45, 40, 18, None)),
    (T.CONTENT_CAMPAIGN, "内容与活动：%s", (20, 15, None, None)),
    (T.BUNDLE_KIT, "组合套装：%s", (4, None, None, None)),
)
NEW_PRODUCT_TARGET_MINOR = 300_000  # ¥3,000 of sales since launch


def replay_board_history() -> int:
    """Cards for the brand's most voiced demands, moved along the board at past moments. Returns how
    many cards were made (none when the board already has cards or no demand was found)."""
    if any(board.board_columns().values()):
        return 0
    counts = insight_selectors.demand_mention_counts(days=180)
    codes = [code for code, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][: len(PLAN)]
    staff = accounts_selectors.staff_active_names()
    owner = staff[0][0] if staff else None
    names = {d.code: d.name_zh for d in insight_selectors.demands_all()}
    now = clock.now()
    made = 0
    for code, (kind, title, days) in zip(codes, PLAN, strict=False):
        products = insight_selectors.demand_top_products(code)
        if kind == T.NEW_PRODUCT and not products:
            kind = T.NEW_SERVICE
        card = board.adaptation_create(
            demand_code=code, title=title % names.get(code, code), owner_id=owner, adaptation_type=kind,
            product_ids=products[:1] if kind == T.NEW_PRODUCT else products,
            sales_target_minor=NEW_PRODUCT_TARGET_MINOR if kind == T.NEW_PRODUCT else None,
            at=now - timedelta(days=days[0]),
        )  # fmt: skip
        for status, ago in zip((S.ADAPTING, S.LAUNCHED, S.MEASURED), days[1:], strict=True):
            if ago is None:
                break
            board.adaptation_move(
                adaptation_id=card.id, to=status, by_user_id=owner, at=now - timedelta(days=ago)
            )
        made += 1
    return made
