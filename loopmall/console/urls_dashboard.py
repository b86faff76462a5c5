from django.urls import path

from loopmall.console.views import dashboard as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("orders/", views.orders_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("products/", views.products_list, name="products"),
    path("skus/<int:sku_id>/stock/", views.sku_stock_set, name="sku_stock"),
    path("feedback/", views.feedback_list, name="feedback"),
]
