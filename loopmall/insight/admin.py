"""Raw insight tables for staff; feedback text is masked in the list, stored raw."""

from django.contrib import admin

from loopmall.insight import pii
from loopmall.insight.models import (
    Adaptation,
    DemandDefinition,
    DomainWord,
    EmergingCluster,
    Feedback,
    FeedbackDemand,
    LabelCorrection,
    LatentDemand,
    WeeklyReport,
)


class FeedbackDemandInline(admin.TabularInline):
    model = FeedbackDemand
    extra = 0
    readonly_fields = ["code", "score", "is_corrected"]
    exclude = ["sentence"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "created_at", "rating", "masked_text", "lang", "status", "uncertainty"]
    list_filter = ["channel", "status", "lang", "origin"]
    search_fields = ["external_id"]
    raw_id_fields = ["user", "product", "sku", "order", "category"]
    exclude = ["text"]
    readonly_fields = ["masked_text"]
    inlines = [FeedbackDemandInline]
    date_hierarchy = "created_at"

    @admin.display(description="text (masked)")
    def masked_text(self, obj: Feedback) -> str:
        return pii.mask(obj.text)[:200]


@admin.register(DemandDefinition)
class DemandDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_active", "origin", "merged_into"]
    list_filter = ["is_active", "origin"]


admin.site.register(DomainWord)


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(admin.ModelAdmin):
    list_display = [
        "feedback_id",
        "codes",
        "previous_codes",
        "corrected_by",
        "created_at",
        "used_in_training_at",
    ]
    raw_id_fields = ["feedback", "corrected_by"]


@admin.register(EmergingCluster)
class EmergingClusterAdmin(admin.ModelAdmin):
    list_display = ["label", "size", "status", "run_at", "promoted_to"]
    list_filter = ["status"]


@admin.register(LatentDemand)
class LatentDemandAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "week", "strength", "status", "detected_at"]
    list_filter = ["kind", "week", "status"]


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ["week", "is_final", "generated_at", "feedback_count", "latency_p50_seconds"]


@admin.register(Adaptation)
class AdaptationAdmin(admin.ModelAdmin):
    list_display = ["title", "demand_code", "adaptation_type", "status", "owner", "due_date"]
    list_filter = ["status", "adaptation_type"]
