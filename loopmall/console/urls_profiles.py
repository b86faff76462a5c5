from django.urls import path  # noqa: F401

from loopmall.console.views import profiles as views  # noqa: F401

urlpatterns: list = []
