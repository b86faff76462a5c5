"""The shopper's whole journey in Chromium at phone size (375 x 812): sign up, add to cart, check out
with a new address, pay through the sandbox, see the order paid, and buy it again in one tap.

Set LOOPMALL_SCREENSHOT_DIR to keep a screenshot of every page visited."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from loopmall.core.testing import CHROMIUM, CHROMIUM_ARGS, requires_chromium
from loopmall.orders.models import Order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Load the URL configuration (and the whole API behind it) before the browser's first request,
    # so a slow, busy machine does not spend the first page's timeout importing modules.
    importlib.import_module(settings.ROOT_URLCONF)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 375, "height": 812}, device_scale_factor=2, locale="zh-CN"
        )
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab
        context.close()
        browser.close()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        assert not errors, f"JavaScript errors: {errors}"


class Shots:
    def __init__(self, page):
        self.page = page
        directory = os.environ.get("LOOPMALL_SCREENSHOT_DIR")
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> None:
        if self.directory:
            self.page.screenshot(path=str(self.directory / f"{name}.png"), full_page=True)


def test_sign_up_buy_pay_and_reorder_in_one_tap(page, live_server, shop):
    shot = Shots(page)
    page.goto(live_server.url + "/")
    page.wait_for_selector("[data-testid=product-card]")
    shot("01-home")

    # Sign up from the "me" tab.
    page.click(".tabbar a[href='/me/']")
    shot("02-login")
    page.click("a[href^='/signup/']")
    page.fill("#id_login", "13612345678")
    page.fill("#id_display_name", "小林")
    page.fill("#id_password", "short")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#id_password-error")
    shot("03-signup-error")
    page.fill("#id_password", "Green-tea-2026")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/me/$"))
    shot("04-me")

    # Find the tea, choose the gift box, add it to the cart.
    page.click(".tabbar a[href='/']")
    page.click("[data-testid=product-card] >> text=明前龙井绿茶")
    page.wait_for_selector("[data-sku-picker]")
    page.click("label.option:has-text('250g 礼盒')")
    assert page.text_content("[data-price]").strip() == "¥128.00"
    page.click("label.option:has-text('100g 罐装')")
    assert page.text_content("[data-price]").strip() == "¥59.90"
    page.click("[data-stepper] [data-step='1']")
    assert page.input_value("#qty") == "2"
    shot("05-product")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_selector(".message")
    assert page.text_content(".actionbar .tab-badge").strip() == "2"

    # Cart → checkout with a new address (the shopper has none yet).
    page.goto(live_server.url + "/cart/")
    page.wait_for_selector("[data-testid=cart-line]")
    assert page.text_content("[data-testid=cart-total]").strip() == "¥119.80"
    shot("06-cart")
    page.click("[data-testid=checkout]")
    page.wait_for_selector("[data-testid=address-form]")
    page.click("[data-testid=place-order]")  # empty address: errors next to the fields
    page.wait_for_selector("#id_address-recipient-error")
    shot("07-checkout-errors")
    page.fill("#id_address-recipient", "林晓")
    page.fill("#id_address-phone", "13612345678")
    page.fill("#id_address-province", "浙江省")
    page.fill("#id_address-city", "杭州市")
    page.fill("#id_address-district", "西湖区")
    page.fill("#id_address-detail", "文三路 90 号 3 幢 501")
    shot("08-checkout")
    page.click("[data-testid=place-order]")

    # Pay through the sandbox.
    page.wait_for_url(re.compile(r"/pay/\d+/$"))
    assert page.text_content("[data-testid=pay-amount]").strip() == "¥119.80"
    shot("09-pay")
    page.click("[data-testid=pay]")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert page.get_attribute("[data-testid=order-status]", "data-status") == "paid"
    first_number = page.text_content("[data-testid=order-number]").strip()
    shot("10-order-paid")

    # My orders shows it paid; one tap on "buy again" goes straight to pay, no address asked.
    page.goto(live_server.url + "/orders/")
    card = page.locator(f"[data-order-number='{first_number}']")
    assert card.locator("[data-testid=order-status]").get_attribute("data-status") == "paid"
    shot("11-orders")
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    card.locator("[data-testid=reorder]").click()
    page.wait_for_url(re.compile(r"/pay/\d+/$"))
    assert not any("/checkout/" in url or "/addresses/" in url for url in visited)
    assert page.locator("[data-testid=address-form]").count() == 0
    second_number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert second_number != first_number
    first = Order.objects.get(number=first_number)
    second = Order.objects.get(number=second_number)
    assert second.user_id == first.user_id
    assert second.shipping_address == first.shipping_address
    assert second.status == "pending_payment"
    assert second.reordered_from_id == first.pk
    page.click("[data-testid=pay]")
    page.wait_for_url(re.compile(rf"/orders/{second_number}/$"))
    assert page.get_attribute("[data-testid=order-status]", "data-status") == "paid"
    assert "文三路 90 号 3 幢 501" in page.text_content("[data-testid=order-address]")
    shot("12-order-reordered-paid")

    # The address typed once at checkout is the saved default in the address book.
    page.goto(live_server.url + "/addresses/")
    assert page.locator("[data-testid=address]").count() == 1
    assert "默认" in page.text_content("[data-testid=address]")
    shot("13-addresses")


def test_pages_look_right_at_phone_size(page, live_server, shop):
    """Visits the remaining pages (search with and without results, a category, English) and checks
    nothing overflows the 375 px screen sideways."""
    shot = Shots(page)
    pages = {
        "20-category": "/c/tea/",
        "21-search": "/search/?q=茶",
        "22-search-empty": "/search/?q=不存在的东西",
        "23-categories": "/categories/",
        "24-product-sold-out": "/p/mug/",
        "25-cart-empty-signin": "/cart/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
        shot(name)
    # Desktop: the same pages spread out and the tab bar becomes a header menu.
    page.set_viewport_size({"width": 1280, "height": 800})
    for name, path in {"27-desktop-home": "/", "28-desktop-product": "/p/longjing/"}.items():
        page.goto(live_server.url + path)
        assert page.is_visible(".desktop-nav")
        assert not page.is_visible(".tabbar")
        shot(name)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Pre-Qingming Longjing green tea" in page.content()
    shot("26-home-en")
