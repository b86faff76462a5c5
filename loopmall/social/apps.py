from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "loopmall.social"
    label = "social"
