"""Only the routes console pages link to, so these tests do not depend on the rest of the site loading."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("loopmall.console.urls")),
]
