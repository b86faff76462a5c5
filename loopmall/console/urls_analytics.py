from django.urls import path

from loopmall.console.views import analytics as views

urlpatterns = [
    path("", views.scorecard, name="analytics"),
    path("kpi/<slug:key>/", views.kpi_detail, name="analytics_kpi"),
    path("kpi/<slug:key>/target/", views.kpi_target_set, name="analytics_kpi_target"),
    path("kpi/<slug:key>/value/", views.kpi_value_record, name="analytics_kpi_value"),
    path("funnel/", views.funnel, name="analytics_funnel"),
    path("cohorts/", views.cohorts, name="analytics_cohorts"),
    path("cohorts/spend/", views.marketing_spend_set, name="analytics_spend"),
]
