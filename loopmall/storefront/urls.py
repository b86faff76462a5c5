from django.urls import path

from loopmall.storefront import views

app_name = "storefront"
urlpatterns = [path("", views.home, name="home"), path("signin/", views.home, name="login")]
