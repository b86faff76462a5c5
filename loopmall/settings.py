"""Django settings, read from the environment.

DATABASE_URL   default: an SQLite file under var/
REDIS_URL      optional: cache and task queue on Redis
SECRET_KEY     generated once into var/secret_key when unset
LOOPMALL_DEBUG "1" for debug pages
LOOPMALL_VAR_DIR where the embedded database, warehouse and queue live (default: ./var)
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LOOPMALL_VAR_DIR") or Path.cwd() / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("LOOPMALL_DEBUG", "") in {"1", "true", "yes"}
ALLOWED_HOSTS = [
    h for h in os.environ.get("LOOPMALL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [f"http://{h}:8000" for h in ALLOWED_HOSTS]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "loopmall.core",
    "loopmall.accounts",
    "loopmall.catalog",
    "loopmall.orders",
    "loopmall.social",
    "loopmall.insight",
    "loopmall.analytics",
    "loopmall.profiles",
    "loopmall.demo",
    "loopmall.storefront",
    "loopmall.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "loopmall.urls"
WSGI_APPLICATION = "loopmall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'loopmall.sqlite3'}",
        conn_max_age=int(os.environ.get("LOOPMALL_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
    # transactions never deadlock upgrading a read lock; busy_timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["loopmall.accounts.backends.LoginBackend"]
LOGIN_URL = "storefront:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "loopmall.core.staticfinders.PackageAssetFinder",
]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY_IMMEDIATE = os.environ.get("LOOPMALL_HUEY_IMMEDIATE", "") in {"1", "true"}
# Consumer defaults (`run_huey` flags override them): four threads, so the every-minute jobs of four apps
# (queued together, the warehouse sync first by priority) need not wait for each other; an idle worker
# polls the queue at least every second (huey's default backs off to 10 s, which delays minute jobs).
HUEY_CONSUMER = {"workers": 4, "worker_type": "thread", "max_delay": 1.0}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "loopmall",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "loopmall",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
        # SQLite queue: wait for a busy queue file instead of failing (the OLTP database is another file).
        "timeout": 30,
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Business settings
LOOPMALL_CURRENCY = "CNY"
LOOPMALL_PAYMENT_TIMEOUT_MINUTES = int(os.environ.get("LOOPMALL_PAYMENT_TIMEOUT_MINUTES", "30"))
LOOPMALL_SANDBOX_PAYMENT_SECRET = os.environ.get("LOOPMALL_SANDBOX_PAYMENT_SECRET") or SECRET_KEY
LOOPMALL_WAREHOUSE_PATH = os.environ.get("LOOPMALL_WAREHOUSE_PATH") or str(VAR_DIR / "warehouse.duckdb")
# Insight: keys outside channels send as X-Channel-Key to POST /api/v1/insight/feedback; the share of
# feedback that makes a demand high-frequency.
LOOPMALL_INSIGHT_CHANNEL_KEYS = [k for k in os.environ.get("LOOPMALL_INSIGHT_CHANNEL_KEYS", "").split(",") if k]
LOOPMALL_INSIGHT_HIGH_FREQUENCY_SHARE = float(os.environ.get("LOOPMALL_INSIGHT_HIGH_FREQUENCY_SHARE", "0.30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOOPMALL_LOG_LEVEL", "WARNING")},
}
