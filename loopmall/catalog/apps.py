from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "loopmall.catalog"
    label = "catalog"
