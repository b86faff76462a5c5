import pytest

from loopmall.accounts import selectors, services
from loopmall.accounts.models import ApiToken
from loopmall.core.errors import Conflict, DomainError, NotFound
from loopmall.core.models import OutboxEvent

pytestmark = pytest.mark.django_db
PASSWORD = "Loop-mall-2026"


def address(user, **extra):
    values = {"recipient": "王芳", "phone": "13800001234", "province": "上海市", "city": "上海市",
              "detail": "世纪大道100号"} | extra  # fmt: skip
    return services.address_create(user=user, **values)


@pytest.mark.parametrize("login", ["13812345678", "+8613812345678", "138 1234 5678", "Wang@Example.COM"])
def test_signup_accepts_phone_or_email(login):
    user = services.customer_signup(login=login, password=PASSWORD, channel="douyin")
    assert user.role == "customer"
    assert user.channel == "douyin"
    assert user.check_password(PASSWORD)
    assert not user.is_staff


def test_email_login_is_normalised_and_duplicates_refused():
    services.customer_signup(login="Wang@Example.com", password=PASSWORD)
    with pytest.raises(Conflict) as error:
        services.customer_signup(login="wang@example.com", password=PASSWORD)
    assert error.value.field == "login"


@pytest.mark.parametrize("login", ["", "12345", "abc", "not@an@email", "1381234567"])
def test_signup_refuses_bad_logins(login):
    with pytest.raises(DomainError) as error:
        services.customer_signup(login=login, password=PASSWORD)
    assert error.value.field == "login"


@pytest.mark.parametrize("password", ["", "short", "12345678901", "password123"])
def test_signup_refuses_weak_passwords(password):
    with pytest.raises(DomainError) as error:
        services.customer_signup(login="13800000001", password=password)
    assert error.value.field == "password"


def test_invited_signup_emits_invite_accepted():
    inviter = services.customer_signup(login="13800000002", password=PASSWORD)
    invitee = services.customer_signup(login="13800000003", password=PASSWORD, invited_by_id=inviter.pk,
                                       channel="referral")  # fmt: skip
    event = OutboxEvent.objects.get(name="Invite Accepted")
    assert event.properties == {"inviter_id": inviter.pk, "invitee_id": invitee.pk}
    with pytest.raises(DomainError) as error:
        services.customer_signup(login="13800000004", password=PASSWORD, invited_by_id=999999)
    assert error.value.field == "invited_by_id"


def test_staff_roles():
    admin = services.staff_create(login="boss@loopmall.test", password=PASSWORD, role="admin")
    agent = services.staff_create(login="agent@loopmall.test", password=PASSWORD, role="service_agent")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert (agent.is_staff, agent.is_superuser) == (True, False)
    with pytest.raises(DomainError) as error:
        services.staff_create(login="x@loopmall.test", password=PASSWORD, role="customer")
    assert error.value.field == "role"


def test_first_address_is_default_and_default_moves():
    user = services.customer_signup(login="13800000005", password=PASSWORD)
    first = address(user)
    second = address(user, city="杭州市")
    assert selectors.address_default_for(user=user) == first
    services.address_set_default(user=user, address_id=second.pk)
    assert selectors.address_default_for(user=user) == second
    assert list(selectors.addresses_for_user(user=user)) == [second, first]
    services.address_delete(user=user, address_id=second.pk)
    assert selectors.address_default_for(user=user) == first


def test_address_validation_and_ownership():
    user = services.customer_signup(login="13800000006", password=PASSWORD)
    other = services.customer_signup(login="13800000007", password=PASSWORD)
    with pytest.raises(DomainError) as error:
        address(user, recipient="  ")
    assert error.value.field == "recipient"
    with pytest.raises(DomainError) as phone:
        address(user, phone="call me")
    assert phone.value.field == "phone"
    mine = address(user)
    with pytest.raises(NotFound):
        services.address_delete(user=other, address_id=mine.pk)
    updated = services.address_update(user=user, address_id=mine.pk, detail="新地址 8 号")
    assert updated.detail == "新地址 8 号"


def test_api_token_stored_as_hash_only():
    user = services.customer_signup(login="13800000008", password=PASSWORD)
    token = services.api_token_issue(user=user)
    stored = ApiToken.objects.get(user=user)
    assert token not in stored.token_hash
    assert selectors.user_by_api_token(token=token) == user
    assert selectors.user_by_api_token(token=token + "x") is None
    user.is_active = False
    user.save()
    assert selectors.user_by_api_token(token=token) is None


def test_token_for_credentials():
    services.customer_signup(login="13800000009", password=PASSWORD)
    assert services.api_token_issue_for_credentials(login="13800000009", password=PASSWORD).startswith("lm_")
    with pytest.raises(DomainError) as error:
        services.api_token_issue_for_credentials(login="13800000009", password="nope-nope")
    assert error.value.status_code == 401
