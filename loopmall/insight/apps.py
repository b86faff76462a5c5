from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "loopmall.insight"
    label = "insight"
