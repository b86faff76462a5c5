from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "loopmall.profiles"
    label = "profiles"

    def ready(self) -> None:
        from loopmall.analytics.kpi_providers import register_kpi_provider

        register_kpi_provider("profiles", "loopmall.profiles.selectors.plan_kpi_value")
