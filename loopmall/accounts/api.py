"""Accounts API: sign-up, tokens, the signed-in user, saved addresses."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from loopmall.accounts import selectors, services
from loopmall.accounts.auth import user_auth

router = Router(tags=["accounts"])


class SignupIn(Schema):
    login: str = Field(..., max_length=254, description="Phone number or email address")
    password: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=100)
    channel: str = Field("organic", max_length=32)


class TokenIn(Schema):
    login: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)
    name: str = Field("api", max_length=64)


class TokenOut(Schema):
    token: str


class UserOut(Schema):
    id: int
    login: str
    display_name: str
    role: str
    channel: str


class SignupOut(UserOut):
    token: str


class AddressIn(Schema):
    recipient: str = Field(..., max_length=64)
    phone: str = Field(..., max_length=32)
    province: str = Field(..., max_length=64)
    city: str = Field(..., max_length=64)
    district: str = Field("", max_length=64)
    detail: str = Field(..., max_length=255)
    postal_code: str = Field("", max_length=16)
    is_default: bool = False


class AddressPatch(Schema):
    recipient: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=32)
    province: str | None = Field(None, max_length=64)
    city: str | None = Field(None, max_length=64)
    district: str | None = Field(None, max_length=64)
    detail: str | None = Field(None, max_length=255)
    postal_code: str | None = Field(None, max_length=16)
    is_default: bool | None = None


class AddressOut(Schema):
    id: int
    recipient: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    postal_code: str
    is_default: bool


def _user_out(user) -> dict:
    return {
        "id": user.pk,
        "login": user.login,
        "display_name": user.display_name,
        "role": user.role,
        "channel": user.channel,
    }


@router.post("/signup", response={201: SignupOut}, auth=None)
def signup(request: HttpRequest, payload: SignupIn):
    """Create a customer account and return it with an API token."""
    user = services.customer_signup(
        login=payload.login,
        password=payload.password,
        display_name=payload.display_name,
        channel=payload.channel,
    )
    return Status(201, {**_user_out(user), "token": services.api_token_issue(user=user)})


@router.post("/token", response={201: TokenOut}, auth=None)
def token_issue(request: HttpRequest, payload: TokenIn):
    """Exchange a login and password for a bearer token."""
    token = services.api_token_issue_for_credentials(
        login=payload.login, password=payload.password, name=payload.name
    )
    return Status(201, {"token": token})


@router.get("/me", response=UserOut, auth=user_auth)
def me(request: HttpRequest):
    return _user_out(request.auth)


@router.get("/addresses", response=list[AddressOut], auth=user_auth)
def addresses_list(request: HttpRequest):
    return list(selectors.addresses_for_user(user=request.auth))


@router.post("/addresses", response={201: AddressOut}, auth=user_auth)
def address_create(request: HttpRequest, payload: AddressIn):
    return Status(201, services.address_create(user=request.auth, **payload.dict()))


@router.patch("/addresses/{address_id}", response=AddressOut, auth=user_auth)
def address_update(request: HttpRequest, address_id: int, payload: AddressPatch):
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.address_update(user=request.auth, address_id=address_id, **changes)


@router.post("/addresses/{address_id}/default", response=AddressOut, auth=user_auth)
def address_set_default(request: HttpRequest, address_id: int):
    return services.address_set_default(user=request.auth, address_id=address_id)


@router.delete("/addresses/{address_id}", response={204: None}, auth=user_auth)
def address_delete(request: HttpRequest, address_id: int):
    services.address_delete(user=request.auth, address_id=address_id)
    return Status(204, None)
