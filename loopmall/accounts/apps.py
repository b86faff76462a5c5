from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "loopmall.accounts"
    label = "accounts"
