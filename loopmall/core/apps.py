from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "loopmall.core"
    label = "core"
    verbose_name = "Core"
