from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ADMIN = "admin", _("Administrator")
    OPERATOR = "operator", _("Operator")
    SERVICE_AGENT = "service_agent", _("Service agent")
    ANALYST = "analyst", _("Analyst")


class Channel(models.TextChoices):
    """How a user arrived (data contract `users.channel`); other values are kept as given."""

    COMMUNITY = "community", _("Community group")
    MINI_SHOP = "mini_shop", _("Mini-program shop")
    DOUYIN = "douyin", _("Douyin")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    VIDEO_CHANNEL = "video_channel", _("Video channel")
    LIVE = "live", _("Live stream")
    REFERRAL = "referral", _("Referral")
    ORGANIC = "organic", _("Organic")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, login: str, password: str | None = None, **extra):
        if not login:
            raise ValueError("login (phone or email) is required")
        login = normalize_login(login)
        if "@" in login:
            extra.setdefault("email", login)
        else:
            extra.setdefault("phone", login)
        user = self.model(login=login, **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(login, password, **extra)


def normalize_login(login: str) -> str:
    login = login.strip()
    return login.lower() if "@" in login else login.replace(" ", "").replace("-", "")


class User(AbstractBaseUser, PermissionsMixin):
    """A customer or a staff member. `login` is the phone number or the email address they sign in with."""

    login = models.CharField(_("phone or email"), max_length=254, unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    display_name = models.CharField(_("name"), max_length=100, blank=True, default="")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    channel = models.CharField(_("acquisition channel"), max_length=32, blank=True, default="organic")
    invited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitees"
    )
    city = models.CharField(_("city"), max_length=64, blank=True, default="")
    date_joined = models.DateTimeField(_("joined"), default=timezone.now, db_index=True)
    # Where an imported user came from, e.g. "olist:<customer_unique_id>" or "bundle:<user_id>".
    external_id = models.CharField(max_length=128, null=True, blank=True, unique=True)

    objects = UserManager()

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.login

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER


class Address(models.Model):
    """A saved shipping address; a customer has at most one default."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("recipient"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32)
    province = models.CharField(_("province"), max_length=64)
    city = models.CharField(_("city"), max_length=64)
    district = models.CharField(_("district"), max_length=64, blank=True, default="")
    detail = models.CharField(_("street address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True, default="")
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_default=True), name="one_default_address")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.province}{self.city}{self.district}{self.detail}"

    def as_snapshot(self) -> dict:
        return {
            "recipient": self.recipient,
            "phone": self.phone,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "detail": self.detail,
            "postal_code": self.postal_code,
        }


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, default="api")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
