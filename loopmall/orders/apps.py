from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "loopmall.orders"
    label = "orders"
