from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from loopmall.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("console/", include("loopmall.console.urls")),
    path("", include("loopmall.storefront.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
