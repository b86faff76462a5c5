from django.urls import include, path

app_name = "console"
urlpatterns = [
    path("insight/", include("loopmall.console.urls_insight")),
    path("analytics/", include("loopmall.console.urls_analytics")),
    path("profiles/", include("loopmall.console.urls_profiles")),
    path("", include("loopmall.console.urls_dashboard")),
]
