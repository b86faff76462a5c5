from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "loopmall.analytics"
    label = "analytics"
