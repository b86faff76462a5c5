"""Every measurable number of the plan (shared/docs/plan.md) as a KPI with its target.

Units: "ratio" values are fractions (0.35 = 35 %); "minor" is money in minor units; "hours", "days",
"steps", "per_week", "count", "rank" are what they say.

Comparison:
- absolute: the actual value is held against the target (≥ or ≤ by direction).
- relative: the plan sets a change (+40 %, −30 %). The change is measured against the BASELINE: by default
  the first `BASELINE_WEEKS` full weeks of recorded activity (the first order or event in the warehouse);
  staff may set their own baseline dates per KPI (KpiTarget). Change = actual / baseline − 1.

Source (where the actual comes from):
- warehouse: an Ibis expression over the warehouse tables, the function named after the key in
  kpis/<module>.py;
- insight / profiles: the provider that app registers in its AppConfig.ready() with
  `loopmall.analytics.kpi_providers.register_kpi_provider(app_label, provider)`, called as
  `provider(key=..., start=..., end=...)` (the demand lifecycle, classification accuracy, tag accuracy live
  there); until an app registers one, the scorecard shows "no data yet" and names the missing input;
- manual: measured outside the software and entered by staff (KpiManualValue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _

from loopmall.analytics.kpis import commerce, platform, service, social

BASELINE_WEEKS = 8

Direction = Literal["higher", "lower"]
Comparison = Literal["absolute", "relative"]
Source = Literal["warehouse", "insight", "profiles", "manual"]


@dataclass(frozen=True)
class Kpi:
    key: str
    name_zh: str
    name_en: str
    formula: str
    unit: str
    period_days: int
    target: float
    direction: Direction
    plan_section: str
    comparison: Comparison = "absolute"
    source: Source = "warehouse"
    inputs: str = ""
    expression: Callable | None = None
    # Days after the first recorded activity where the default baseline starts (a KPI that compares a
    # window with the one before it needs one full window of history first).
    baseline_lag_days: int = 0

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


KPIS: tuple[Kpi, ...] = (
    # ---- 1.1 channels
    Kpi("core_channel_coverage", "核心渠道覆盖率", "Core channel coverage",
        "core channels (community, mini-shop, Douyin, Xiaohongshu, video channel, live) with activity / 6",
        "ratio", 30, 0.90, "higher", "1.1", expression=social.core_channel_coverage),
    Kpi("channel_positioning_consistency", "渠道定位一致性", "Channel positioning consistency",
        "share of channel content consistent with the channel's positioning (content audit)",
        "ratio", 90, 0.85, "higher", "1.1", source="manual", inputs=_("a quarterly content audit")),
    Kpi("channel_handbook_coverage", "渠道运营手册覆盖率", "Channels with an operations handbook",
        "channels with a current operations handbook / channels in use", "ratio", 90, 1.0, "higher", "1.1",
        source="manual", inputs=_("the operations handbooks")),
    # ---- 1.2 content
    Kpi("content_cadence_private", "私域内容发布频次", "Content cadence, private channels",
        "distinct posts published (Post Published) in community / mini-shop per week", "per_week", 28, 3.0,
        "higher", "1.2", expression=social.content_cadence_private, inputs=_("“Post Published” events")),
    Kpi("content_cadence_public", "公域内容发布频次", "Content cadence, public channels",
        "distinct posts published (Post Published) on Douyin / Xiaohongshu / video channel per week",
        "per_week", 28, 5.0, "higher", "1.2", expression=social.content_cadence_public,
        inputs=_("“Post Published” events")),
    Kpi("content_match_rate", "内容需求匹配率", "Content match rate",
        "share of content views where the post's need tag matches the viewer's need tags", "ratio", 30, 0.85,
        "higher", "1.2", source="profiles", inputs=_("need tags on posts and on users (profiles)")),
    Kpi("content_interaction_rate", "内容互动率", "Content interaction rate",
        "(post likes + shares + comments) / post views; change vs baseline", "ratio", 28, 0.40, "higher",
        "1.2", comparison="relative", expression=social.content_interaction_rate),
    # ---- 1.3 fission
    Kpi("activity_participation", "裂变/社群活动参与率", "Fission & community activity participation",
        "people who joined a group buy, invite, challenge, campaign coupon or points activity / active people",
        "ratio", 30, 0.35, "higher", "1.3", expression=social.activity_participation),
    Kpi("acquisition_cost", "新客获客成本", "New-customer acquisition cost",
        "marketing spend / customers with a first paid order in the window; change vs baseline", "minor", 30,
        -0.30, "lower", "1.3", comparison="relative", expression=social.acquisition_cost,
        inputs=_("marketing spend per channel and month")),
    Kpi("fission_user_conversion", "裂变用户转化率", "Fission-user conversion",
        "invited users who paid within 30 days of joining / invited users who joined", "ratio", 30, 0.25,
        "higher", "1.3", expression=social.fission_user_conversion),
    Kpi("social_module_coverage", "内容/互动/裂变模块覆盖率", "Content, interaction & fission module coverage",
        "active people reached by a content, interaction or fission module (or a social order) / active people",
        "ratio", 30, 0.80, "higher", "timeline 6 months", expression=social.social_module_coverage),
    # ---- 1.4 data
    Kpi("data_sync_hours", "数据同步时效", "Data sync delay",
        "worst per-run p95 of (visible in warehouse − committed to outbox), hours", "hours", 7, 1.0, "lower",
        "1.4", expression=platform.data_sync_hours),
    Kpi("profile_accuracy", "用户画像准确率", "User profile accuracy",
        "precision of the need tags on the labelled evaluation set", "ratio", 30, 0.90, "higher", "1.4",
        source="profiles", inputs=_("tag evaluation results (profiles)")),
    # ---- 1.5 experience and service
    Kpi("steps_to_buy", "购买步骤数", "Steps to buy",
        "median shopping steps in the 24 h before an order is completed; change vs baseline", "steps", 30,
        -0.50, "lower", "1.5", comparison="relative", expression=commerce.steps_to_buy),
    Kpi("payment_conversion", "支付转化率", "Payment conversion",
        "people who paid / people who viewed a product; change vs baseline", "ratio", 30, 0.35, "higher",
        "1.5", comparison="relative", expression=commerce.payment_conversion),
    Kpi("after_sales_response_hours", "售后响应时长", "After-sales response time",
        "median hours from Ticket Opened to Ticket First Response", "hours", 30, 2.0, "lower", "1.5",
        expression=service.after_sales_response_hours, inputs=_("“Ticket Opened” and “Ticket First Response” events")),
    Kpi("service_satisfaction", "服务满意度", "Service satisfaction",
        "survey answers scoring 4–5 of 5 / survey answers", "ratio", 30, 0.85, "higher", "1.5",
        expression=service.service_satisfaction, inputs=_("“Survey Answered” events with a score")),
    Kpi("retention", "用户留存率", "Customer retention",
        "customers who paid in the previous 90 days and again in these 90 days / the former; change vs baseline",
        "ratio", 90, 0.40, "higher", "1.5", comparison="relative", expression=commerce.retention,
        baseline_lag_days=90),
    # ---- timeline (social commerce)
    Kpi("social_interaction_rate", "社交互动率", "Social interaction rate",
        "people who liked, commented, shared, reviewed or entered a challenge / active people; change vs baseline",
        "ratio", 28, 0.40, "higher", "timeline 1 year", comparison="relative",
        expression=social.social_interaction_rate),
    Kpi("social_revenue_share", "社交电商收入占比", "Social commerce share of revenue",
        "net revenue of social-channel, group-buy and referral orders / all net revenue", "ratio", 30, 0.50,
        "higher", "timeline 2 years", expression=social.social_revenue_share),
    Kpi("repurchase_rate", "复购率", "Repurchase rate",
        "customers with ≥ 2 paid orders in 90 days / customers with ≥ 1; change vs baseline", "ratio", 90, 0.50,
        "higher", "timeline 2 years", comparison="relative", expression=commerce.repurchase_rate),
    # ---- 2.1 insight
    Kpi("demand_collection_coverage", "需求收集渠道覆盖率", "Demand collection coverage",
        "feedback channels of the data contract (review, comment, questionnaire, service chat, return reason, "
        "live comment, search) delivering feedback / 7", "ratio", 30, 1.0, "higher", "2.1",
        expression=platform.demand_collection_coverage, inputs=_("feedback (insight)")),
    Kpi("insight_hours", "需求洞察时效", "Demand insight time",
        "hours from feedback arriving to its demand being identified (p95)", "hours", 30, 72.0, "lower", "2.1",
        source="insight", inputs=_("demand identification times (insight)")),
    Kpi("identification_accuracy", "需求识别准确率", "Demand identification accuracy",
        "classification accuracy on the labelled evaluation set", "ratio", 30, 0.85, "higher", "2.1",
        source="insight", inputs=_("classifier evaluation (insight)")),
    Kpi("demand_response_time", "需求响应时间", "Demand response time",
        "median days from a demand identified to its adaptation launched; change vs baseline", "days", 90,
        -0.50, "lower", "timeline 1 year", comparison="relative", source="insight",
        inputs=_("the demand lifecycle (insight)")),
    # ---- 2.2 adaptation
    Kpi("adaptation_projects_live", "上线的需求适配项目", "Demand-adaptation projects live",
        "adaptation projects in the launched state", "count", 180, 1.0, "higher", "timeline 6 months",
        source="insight", inputs=_("the demand lifecycle (insight)")),
    Kpi("demand_match_rate", "需求匹配率", "Demand match rate",
        "identified high-frequency demands with a live adaptation / identified high-frequency demands", "ratio",
        90, 0.80, "higher", "timeline 6 months", source="insight", inputs=_("the demand lifecycle (insight)")),
    Kpi("adaptation_cycle_days", "需求适配周期", "Adaptation cycle",
        "median days from a high-frequency demand identified to its improvement launched", "days", 90, 30.0,
        "lower", "2.2", source="insight", inputs=_("the demand lifecycle (insight)")),
    Kpi("adaptation_satisfaction", "适配满意度", "Satisfaction with adaptations",
        "satisfied answers about adapted products or services / answers", "ratio", 90, 0.90, "higher", "2.2",
        source="insight", inputs=_("the demand lifecycle and surveys (insight)")),
    Kpi("new_product_demand_match", "新品需求匹配度", "New-product demand match",
        "buyers of demand-driven new products who hold the demand / buyers", "ratio", 90, 0.80, "higher", "2.2",
        source="insight", inputs=_("demand-driven products (insight)")),
    Kpi("new_product_success", "需求驱动新品成功率", "Demand-driven new-product success",
        "demand-driven new products meeting their sales goal / launched", "ratio", 180, 0.70, "higher",
        "timeline 2 years", source="insight", inputs=_("demand-driven products (insight)")),
    Kpi("demand_satisfaction", "需求满足率", "Demand satisfaction",
        "identified demands answered by a live product or service with satisfied feedback / identified demands",
        "ratio", 90, 0.90, "higher", "timeline 2 years", source="insight",
        inputs=_("the demand lifecycle (insight)")),
    # ---- organisation
    Kpi("team_skill_pass_rate", "团队技能考核通过率", "Team skill-assessment pass rate",
        "staff passing the skill assessment / staff assessed", "ratio", 365, 0.95, "higher", "timeline 2 years",
        source="manual", inputs=_("the skill assessment")),
    Kpi("market_rank", "社交电商行业排名", "Social-commerce market rank",
        "the brand's rank among social-commerce players (industry report)", "rank", 365, 10.0, "lower",
        "timeline 3 years", source="manual", inputs=_("an industry report")),
)  # fmt: skip

BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}

# The plan's timeline horizons as staff read them (`plan_section` stays the untranslated key the console
# sorts and groups by).
HORIZON_LABELS = {
    "timeline 6 months": _("Timeline targets · 6 months"),
    "timeline 1 year": _("Timeline targets · 1 year"),
    "timeline 2 years": _("Timeline targets · 2 years"),
    "timeline 3 years": _("Timeline targets · 3 years"),
}


def kpi_get(key: str) -> Kpi:
    return BY_KEY[key]
