"""Sign up, sign in, sign out, the address book."""

import pytest
from django.urls import reverse

from loopmall.accounts import selectors as account_selectors
from loopmall.storefront.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_signs_the_shopper_in(client):
    response = client.post(
        reverse("storefront:signup"),
        {"login": "13700000001", "password": "Tea-time-2026", "display_name": "小王"},
    )
    assert response.status_code == 302
    assert client.get(reverse("storefront:me")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"login": "", "password": "Tea-time-2026"}, "login"),
        ({"login": "not-a-login", "password": "Tea-time-2026"}, "login"),
        ({"login": "13700000001", "password": "123"}, "password"),
        ({"login": "13700000001", "password": "12345678901"}, "password"),
        ({"login": "x" * 300, "password": "Tea-time-2026"}, "login"),
    ],
)
def test_signup_errors_sit_next_to_their_field(client, data, field):
    response = client.post(reverse("storefront:signup"), data)
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in response.content.decode()


def test_signup_with_a_taken_login_says_so_on_the_login_field(client, customer):
    response = client.post(
        reverse("storefront:signup"), {"login": customer.login, "password": "Tea-time-2026"}
    )
    assert 'id="id_login-error"' in response.content.decode()


def test_signup_from_a_referral_link_records_the_inviter(client, customer, shop):
    client.get(reverse("storefront:product", args=["longjing"]), {"ref": customer.pk})
    client.post(reverse("storefront:signup"), {"login": "friend@example.com", "password": "Tea-time-2026"})
    from loopmall.accounts.models import User

    friend = User.objects.get(login="friend@example.com")
    assert friend.invited_by_id == customer.pk
    assert friend.channel == "referral"


def test_signup_with_an_invented_referrer_still_works(client, shop):
    client.get(reverse("storefront:product", args=["longjing"]), {"ref": "987654"})
    response = client.post(
        reverse("storefront:signup"), {"login": "solo@example.com", "password": "Tea-time-2026"}
    )
    assert response.status_code == 302


def test_signin_and_signout(client, customer):
    response = client.post(
        reverse("storefront:login"), {"login": customer.login, "password": PASSWORD, "next": "/orders/"}
    )
    assert response.url == "/orders/"
    client.post(reverse("storefront:logout"))
    assert client.get(reverse("storefront:me")).status_code == 302


def test_signin_refuses_wrong_password_on_the_password_field(client, customer):
    response = client.post(
        reverse("storefront:login"), {"login": customer.login, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert 'id="id_password-error"' in response.content.decode()


def test_signin_ignores_an_offsite_next(client, customer):
    response = client.post(
        reverse("storefront:login"),
        {"login": customer.login, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("storefront:home")


def test_signout_is_post_only(shopper):
    assert shopper.get(reverse("storefront:logout")).status_code == 405


def test_address_book_add_default_delete(shopper, customer):
    response = shopper.post(
        reverse("storefront:address_new"),
        {"recipient": "张三", "phone": "13512345678", "province": "北京市", "city": "北京市", "detail": "长安街 1 号",
         "is_default": "on"},
    )  # fmt: skip
    assert response.url == reverse("storefront:addresses")
    addresses = list(account_selectors.addresses_for_user(user=customer))
    assert len(addresses) == 2
    new, old = addresses
    assert new.recipient == "张三"
    assert new.is_default
    shopper.post(reverse("storefront:address_default", args=[old.pk]))
    assert account_selectors.address_default_for(user=customer).pk == old.pk
    shopper.post(reverse("storefront:address_delete", args=[new.pk]))
    assert [a.pk for a in account_selectors.addresses_for_user(user=customer)] == [old.pk]
    assert "世纪大道100号" in shopper.get(reverse("storefront:addresses")).content.decode()


def test_address_form_errors_sit_next_to_their_field(shopper):
    response = shopper.post(
        reverse("storefront:address_new"),
        {"recipient": "张三", "phone": "abc", "province": "", "city": "北京市", "detail": "长安街 1 号"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_province-error"' in html


def test_someone_elses_address_cannot_be_touched(shopper, other_customer):
    foreign = account_selectors.address_default_for(user=other_customer)
    assert shopper.post(reverse("storefront:address_delete", args=[foreign.pk])).status_code == 404
    assert shopper.post(reverse("storefront:address_default", args=[foreign.pk])).status_code == 404
    assert account_selectors.addresses_for_user(user=other_customer).count() == 1


def test_service_and_password_errors_are_shown_in_chinese(client, customer):
    html = client.post(
        reverse("storefront:signup"), {"login": "13700000009", "password": "abc"}
    ).content.decode()
    assert "密码太短" in html
    html = client.post(
        reverse("storefront:signup"), {"login": customer.login, "password": "Tea-time-2026"}
    ).content.decode()
    assert "该手机号或邮箱已注册。" in html


def test_edit_an_address(shopper, customer):
    address = account_selectors.address_default_for(user=customer)
    page = shopper.get(reverse("storefront:address_edit", args=[address.pk]))
    assert "世纪大道100号" in page.content.decode()
    response = shopper.post(
        reverse("storefront:address_edit", args=[address.pk]),
        {
            "recipient": "韩梅梅",
            "phone": "13800001234",
            "province": "上海市",
            "city": "上海市",
            "detail": "南京东路 8 号",
        },
    )
    assert response.url == reverse("storefront:addresses")
    address = account_selectors.address_default_for(user=customer)
    assert address.detail == "南京东路 8 号"
    assert address.is_default  # editing the default never takes the default away
    response = shopper.post(
        reverse("storefront:address_edit", args=[address.pk]),
        {"recipient": "", "phone": "13800001234", "province": "上海市", "city": "上海市", "detail": "x"},
    )
    assert 'id="id_recipient-error"' in response.content.decode()


def test_someone_elses_address_cannot_be_edited(shopper, other_customer):
    foreign = account_selectors.address_default_for(user=other_customer)
    assert shopper.get(reverse("storefront:address_edit", args=[foreign.pk])).status_code == 404
    data = {"recipient": "x", "phone": "13800001234", "province": "x", "city": "x", "detail": "x"}
    assert shopper.post(reverse("storefront:address_edit", args=[foreign.pk]), data).status_code == 404
