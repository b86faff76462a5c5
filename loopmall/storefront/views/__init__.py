"""Storefront pages, one module per area: shop (browse), cart (cart, checkout, pay), orders, account."""
