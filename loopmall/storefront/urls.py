from django.urls import path

from loopmall.storefront.views import account, cart, orders, shop

app_name = "storefront"
urlpatterns = [
    path("", shop.home, name="home"),
    path("categories/", shop.categories, name="categories"),
    path("c/<slug:slug>/", shop.category, name="category"),
    path("search/", shop.search, name="search"),
    path("p/<slug:slug>/", shop.product, name="product"),
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("checkout/", cart.checkout, name="checkout"),
    path("pay/<str:order_number>/", cart.pay, name="pay"),
    path("orders/", orders.orders, name="orders"),
    path("orders/<str:order_number>/", orders.order, name="order"),
    path("orders/<str:order_number>/reorder/", orders.order_reorder, name="order_reorder"),
    path("orders/<str:order_number>/cancel/", orders.order_cancel, name="order_cancel"),
    path("signup/", account.signup, name="signup"),
    path("signin/", account.signin, name="login"),
    path("signout/", account.signout, name="logout"),
    path("me/", account.me, name="me"),
    path("addresses/", account.addresses, name="addresses"),
    path("addresses/new/", account.address_new, name="address_new"),
    path("addresses/<int:address_id>/edit/", account.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/default/", account.address_make_default, name="address_default"),
    path("addresses/<int:address_id>/delete/", account.address_remove, name="address_delete"),
]
