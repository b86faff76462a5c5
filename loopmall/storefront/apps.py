from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "loopmall.storefront"
    label = "storefront"
