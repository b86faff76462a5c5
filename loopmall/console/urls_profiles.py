from django.urls import path

from loopmall.console.views import profiles as views

urlpatterns = [
    path("", views.customers, name="profiles_customers"),
    path("recompute/", views.recompute, name="profiles_recompute"),
    path("<int:user_id>/", views.customer_detail, name="profiles_customer"),
    path("segments/", views.segments, name="profiles_segments"),
    path("segments/new/", views.segment_edit, name="profiles_segment_new"),
    path("segments/preview/", views.segment_preview, name="profiles_segment_preview"),
    path("segments/<int:segment_id>/", views.segment_detail, name="profiles_segment"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="profiles_segment_edit"),
]
