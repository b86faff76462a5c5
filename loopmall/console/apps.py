from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "loopmall.console"
    label = "console"
