from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "loopmall.insight"
    label = "insight"

    def ready(self) -> None:
        from loopmall.analytics.kpi_providers import register_kpi_provider

        register_kpi_provider("insight", "loopmall.insight.kpis.plan_kpi_value")
