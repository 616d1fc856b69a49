"""LeadOS settings: one module, driven by environment variables (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from leados.conf import data_dir, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("LEADOS_DEBUG", False)
ALLOWED_HOSTS = env_list("LEADOS_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("LEADOS_CSRF_TRUSTED_ORIGINS", [])

# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto).
HTTPS = env_bool("LEADOS_HTTPS", False)
if env_bool("LEADOS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    # Sign-in rate limits count per client address: the entry that the last trusted
    # proxy added to X-Forwarded-For, not the proxy's own address.
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("LEADOS_TRUSTED_PROXIES", 1, minimum=1)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("LEADOS_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("LEADOS_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so that LeadOS's sign-in templates override allauth's.
    "leados.core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "leados.web",
    "leados.api",
    "leados.operate",
    "leados.sops",
]

MIDDLEWARE = [
    "leados.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "leados.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leados.core.middleware.ChangeContextMiddleware",
]

ROOT_URLCONF = "leados.urls"
WSGI_APPLICATION = "leados.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "leados.web.context_processors.navigation",
            ],
        },
    }
]


def _databases() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        try:
            config = dj_database_url.parse(url)
        except Exception as exc:  # noqa: BLE001 - any parse failure is a configuration error
            raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL.")
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})
        if env_bool("LEADOS_DB_POOL", True):
            config["OPTIONS"]["pool"] = {
                "min_size": env_int("LEADOS_DB_POOL_MIN", 1, minimum=0),
                "max_size": env_int("LEADOS_DB_POOL_MAX", 10, minimum=1),
                "timeout": 10,
            }
        config["TEST"] = {"NAME": env_str("LEADOS_TEST_DATABASE_NAME") or None}
        return {"default": config}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "leados.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Background tasks: queued in the database and run by `leados worker` (the default), or
# queued in Redis and run by RQ workers when several machines share the work.
_task_backend = env_str("LEADOS_TASK_BACKEND", "database")
LEADOS_TASK_BACKEND = _task_backend.strip().lower() or "database"
if LEADOS_TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif LEADOS_TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "LEADOS_TASK_BACKEND=rq needs REDIS_URL: the Redis server that holds the task queue."
        )
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": env_int("LEADOS_TASK_TIMEOUT", 300, minimum=1),
        }
    }
else:
    raise ImproperlyConfigured(
        f"LEADOS_TASK_BACKEND must be 'database' or 'rq' (got {_task_backend!r})."
    )

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "account_login"

# Sessions: a new session on every sign-in (Django rotates the key), an idle and an
# absolute timeout enforced by SessionTimeoutMiddleware.
SESSION_IDLE_SECONDS = env_int("LEADOS_SESSION_IDLE_MINUTES", 480, minimum=5) * 60
SESSION_ABSOLUTE_SECONDS = env_int("LEADOS_SESSION_MAX_HOURS", 72, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS

# django-allauth: sign in by email, no usernames, sign-up only through an invitation.
ACCOUNT_ADAPTER = "leados.core.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "leados.core.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "LeadOS: "
# Email the account's owner when its password or two-factor settings change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed sign-ins are limited per address and per account for a while, never for good.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LEADOS_LOGIN_RATE", "10/5m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/5m/key",
    "reset_password_from_key": "20/m/ip",
}
LEADOS_OPEN_SIGNUP = env_bool("LEADOS_OPEN_SIGNUP", False)
LEADOS_OIDC_AUTO_SIGNUP = env_bool("LEADOS_OIDC_AUTO_SIGNUP", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "LeadOS"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_PROVIDERS: dict = {}
OIDC_NAME = env_str("LEADOS_OIDC_NAME", "Single sign-on")
OIDC_SERVER_URL = env_str("LEADOS_OIDC_SERVER_URL")
if OIDC_SERVER_URL:
    _client_id = env_str("LEADOS_OIDC_CLIENT_ID")
    _client_secret = env_str("LEADOS_OIDC_CLIENT_SECRET")
    if not (_client_id and _client_secret):
        raise ImproperlyConfigured(
            "LEADOS_OIDC_SERVER_URL is set: LEADOS_OIDC_CLIENT_ID and "
            "LEADOS_OIDC_CLIENT_SECRET must be set too."
        )
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "sso",
                "name": OIDC_NAME,
                "client_id": _client_id,
                "secret": _client_secret,
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ]
    }

# Email
EMAIL_BACKEND = env_str("LEADOS_EMAIL_BACKEND", "")
EMAIL_HOST = env_str("LEADOS_EMAIL_HOST", "")
if not EMAIL_BACKEND:
    EMAIL_BACKEND = (
        "django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_HOST
        else "django.core.mail.backends.console.EmailBackend"
    )
EMAIL_PORT = env_int("LEADOS_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("LEADOS_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("LEADOS_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("LEADOS_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("LEADOS_EMAIL_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of LEADOS_EMAIL_TLS and LEADOS_EMAIL_SSL.")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("LEADOS_EMAIL_FROM", "LeadOS <leados@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
LEADOS_BASE_URL = env_str("LEADOS_BASE_URL", "")

# Data feeds (docs/feeds.md): pull feeds may read file: URLs only inside this folder; every
# fetch and query gives up after the timeout, and a response may be at most so large.
LEADOS_FEED_FILE_DIR = Path(env_str("LEADOS_FEED_FILE_DIR") or DATA_DIR / "feeds").expanduser()
LEADOS_FEED_TIMEOUT = env_int("LEADOS_FEED_TIMEOUT", 10, minimum=1)
LEADOS_FEED_MAX_BYTES = env_int("LEADOS_FEED_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "leados.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LEADOS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
