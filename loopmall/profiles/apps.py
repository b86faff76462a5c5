from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "loopmall.profiles"
    label = "profiles"
