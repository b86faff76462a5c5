from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "loopmall.demo"
    label = "demo"
