"""PeerMentor settings.

Every value comes from the environment (or a `.env` file beside `manage.py`); each variable
has a development default, so `make run` needs no configuration. Production differs only by
environment values: see `.env.production.example` (and `.env.example`, which describes every
variable) and the README's deployment section.
"""

import warnings
from pathlib import Path

import environ
from cryptography.utils import CryptographyDeprecationWarning
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .hosts import public_hosts

BASE_DIR = Path(__file__).resolve().parent.parent

# pyHanko imports cryptography's DSA key type for its type hints; cryptography (46+) warns on
# that import in every web and worker process. PeerMentor never signs with DSA keys.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"pyhanko\.",
)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _read(name, cast, default):
    """Read one variable; a malformed value stops startup with a message naming it."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, KeyError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {error}") from error


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}
_BOOLEANS |= {"false": False, "0": False, "no": False, "off": False}


def _strict_bool(name, default):
    """django-environ reads any unknown word as False; a typo must not switch modes silently."""
    value = env.str(name, default=str(default)).strip().lower()
    if value not in _BOOLEANS:
        raise ValueError(f"{value!r} is not one of {', '.join(_BOOLEANS)}")
    return _BOOLEANS[value]


def _database_url(name, default):
    config = env.db_url(name, default=default)
    if config.get("ENGINE") not in environ.Env.DB_SCHEMES.values():
        raise ValueError("use sqlite:///path or postgres://user:password@host:port/name")
    return config


DEBUG = _read("DEBUG", _strict_bool, True)

_DEV_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105
# An empty value (as in a copied .env.example) counts as unset.
SECRET_KEY = _read("SECRET_KEY", env.str, "") or _DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]"])
# A debug page on a public site shows settings and tracebacks to anyone, and DEBUG also turns
# off HTTPS, secure cookies and HSTS: refuse to start rather than log a warning nobody reads
# (gunicorn runs no system checks). Development on a LAN address or a .test name still works.
_PUBLIC_HOSTS = public_hosts(ALLOWED_HOSTS)
if DEBUG and _PUBLIC_HOSTS:
    raise ImproperlyConfigured(
        f"DEBUG is true but ALLOWED_HOSTS names {', '.join(_PUBLIC_HOSTS)}: a public site must "
        "run with DEBUG=false (see .env.production.example). For development, list only local "
        "names (localhost, 127.0.0.1, a private network address or a .test name)."
    )
SITE_URL = _read("SITE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("Environment variable SITE_URL must start with http:// or https://")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "accounts",
    "profiles",
    "matching",
    "contracts",
    "checkins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the Host header: /healthz answers probes from this machine.
    "peermentor.middleware.LocalHealthProbeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the request body: a view's own upload handlers.
    "accounts.middleware.ViewUploadHandlersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # Dates and times on every page in the viewer's own time zone (their profile's).
    "profiles.middleware.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.CoordinatorMFAMiddleware",
]

ROOT_URLCONF = "peermentor.urls"
WSGI_APPLICATION = "peermentor.wsgi.application"

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
                "accounts.context_processors.organizations",
            ],
        },
    },
]
# Form widgets render through Jinja2, pages through Django's engine (peermentor/renderers.py).
FORM_RENDERER = "peermentor.renderers.WidgetRenderer"

DATABASES = {
    "default": _read("DATABASE_URL", _database_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 0 if DEBUG else 60)
# SQLite serves several requests at once only if a second writer waits for the first instead of
# failing with "database is locked": every transaction takes the write lock when it begins
# (IMMEDIATE), a waiting writer gives up only after the busy timeout, and WAL lets readers go
# on while one request writes. (A deferred transaction that reads and then writes can't wait:
# SQLite refuses its upgrade to a write lock at once.)
SQLITE_BUSY_TIMEOUT_SECONDS = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is optional: without it the cache is per-process memory and Celery runs tasks eagerly
# in the calling process, so a fresh checkout works with nothing but Python.
REDIS_URL = _read("REDIS_URL", env.str, "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("Environment variable REDIS_URL must be a redis:// URL or empty.")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A reset link proves the address: the member is signed in (and the address marked verified, see
# accounts.adapters) and lands on their next step instead of a "password changed" page.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# "Email me a sign-in code" on the login page: members who never chose a password get in too.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PeerMentor] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# allauth's defaults, spelled out because the tests and the README rely on them.
# allauth's limits, plus ours: PDF uploads to the public verification page, per address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "contract_verify": "20/10m/ip"}

# Two-factor authentication (TOTP and recovery codes) for every user; organizations can require
# it of their coordinators.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PeerMentor"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = _read("EMAIL_URL", env.email_url, "consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, "PeerMentor <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INVITATION_MAX_AGE_DAYS = _read("INVITATION_MAX_AGE_DAYS", env.int, 14)
if INVITATION_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("Environment variable INVITATION_MAX_AGE_DAYS must be at least 1.")
# How long the welcome link a coordinator's import (or the published matching) emails to a new
# member works; it works once in any case.
WELCOME_LINK_MAX_AGE_DAYS = _read("WELCOME_LINK_MAX_AGE_DAYS", env.int, 14)
if WELCOME_LINK_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("Environment variable WELCOME_LINK_MAX_AGE_DAYS must be at least 1.")
# Emails one organization's coordinators may cause per UTC day (invitations, resent invitations,
# program messages and bulk reminders), so that a new organization cannot be used to spam.
ORGANIZATION_DAILY_EMAIL_LIMIT = _read("ORGANIZATION_DAILY_EMAIL_LIMIT", env.int, 500)
if ORGANIZATION_DAILY_EMAIL_LIMIT < 0:
    raise ImproperlyConfigured(
        "Environment variable ORGANIZATION_DAILY_EMAIL_LIMIT must be 0 or more."
    )

# How long the coordinators' cohort dashboard keeps its figures (funnel, pair health, charts)
# in the cache before computing them again; 0 computes them on every request.
DASHBOARD_CACHE_SECONDS = _read("DASHBOARD_CACHE_SECONDS", env.int, 60)
if DASHBOARD_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("Environment variable DASHBOARD_CACHE_SECONDS must be 0 or more.")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["peermentor.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and generated files (contract ZIPs, staged imports); never served by the web server.
# A relative path is taken from BASE_DIR; empty counts as unset.
MEDIA_ROOT = Path(_read("MEDIA_ROOT", env.str, "") or BASE_DIR / "media")
if not MEDIA_ROOT.is_absolute():
    MEDIA_ROOT = BASE_DIR / MEDIA_ROOT

# Security headers. In production (DEBUG=false) the app expects to sit behind a proxy that
# terminates TLS and sets X-Forwarded-Proto.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append the client's address to X-Forwarded-For (a TLS
# proxy: 1). The login and upload rate limits then count per client instead of lumping every
# client under the proxy's address. 0: the header is ignored (it can be forged without a proxy).
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("Environment variable TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Contract documents (contracts/pdf.py, signing.py, documents/views.py) ----------------------
# Signed PDFs carry a PAdES signature made with the organization's key: `<org-slug>.key.pem` and
# `<org-slug>.cert.pem` in this folder if both exist, else `default.key.pem`/`default.cert.pem`,
# which are generated (self-signed) on first use. A relative path is taken from BASE_DIR.
CONTRACT_SIGNING_DIR = Path(
    _read("CONTRACT_SIGNING_DIR", env.str, str(BASE_DIR / "var" / "signing"))
)
if not CONTRACT_SIGNING_DIR.is_absolute():
    CONTRACT_SIGNING_DIR = BASE_DIR / CONTRACT_SIGNING_DIR
# Passphrase of encrypted key files (also encrypts a generated key); empty: keys are unencrypted.
CONTRACT_SIGNING_KEY_PASSPHRASE = _read("CONTRACT_SIGNING_KEY_PASSPHRASE", env.str, "")
# The public verification page refuses larger uploads; it keeps them in memory only.
CONTRACT_VERIFY_MAX_UPLOAD_MB = _read("CONTRACT_VERIFY_MAX_UPLOAD_MB", env.int, 10)
if not 1 <= CONTRACT_VERIFY_MAX_UPLOAD_MB <= 100:
    raise ImproperlyConfigured(
        "Environment variable CONTRACT_VERIFY_MAX_UPLOAD_MB must be between 1 and 100."
    )
CONTRACT_VERIFY_MAX_UPLOAD_BYTES = CONTRACT_VERIFY_MAX_UPLOAD_MB * 1024 * 1024
# A cohort's ZIP of signed contracts is deleted (file and row) this many days after it was built;
# the coordinator builds a new one when needed. A daily beat task does it.
CONTRACT_EXPORT_KEEP_DAYS = _read("CONTRACT_EXPORT_KEEP_DAYS", env.int, 7)
if CONTRACT_EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("Environment variable CONTRACT_EXPORT_KEEP_DAYS must be at least 1.")
# A contract PDF that takes longer to render is stopped with an error page (or a failed task)
# instead of holding a worker: keep it below the web server's worker timeout (gunicorn: 30 s).
# 0 turns the limit off.
CONTRACT_PDF_RENDER_SECONDS = _read("CONTRACT_PDF_RENDER_SECONDS", env.int, 20)
if CONTRACT_PDF_RENDER_SECONDS < 0:
    raise ImproperlyConfigured(
        "Environment variable CONTRACT_PDF_RENDER_SECONDS must be 0 or more."
    )
# WeasyPrint reports every rendering step at INFO; keep its warnings (missing fonts, CSS).
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
# --- End of contract documents -------------------------------------------------------------------

# --- Reminders (checkins/reminders/) -------------------------------------------------------
# Reminders wait as rows in the database; beat runs a scan every minute that claims due rows
# with a lease and queues one send task per row. See the module docstring for the design.

# How long a claimed reminder is reserved for the task sending it; when it runs out (the
# worker died) the next scan claims the row again.
REMINDER_LEASE_SECONDS = _read("REMINDER_LEASE_SECONDS", env.int, 600)
# Send attempts (on SMTP/connection errors) before a reminder is marked failed.
REMINDER_MAX_ATTEMPTS = _read("REMINDER_MAX_ATTEMPTS", env.int, 5)
# First retry delay after a transient email error; doubles each attempt, capped at 15 minutes.
REMINDER_RETRY_BACKOFF_SECONDS = _read("REMINDER_RETRY_BACKOFF_SECONDS", env.int, 60)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = 900
# Rows claimed per scan query.
REMINDER_BATCH_SIZE = _read("REMINDER_BATCH_SIZE", env.int, 500)
# Redis redelivers a task that isn't acknowledged within this time (tasks are acknowledged
# after they run). It must exceed the longest retry countdown, or a waiting retry would be
# delivered again and again.
CELERY_VISIBILITY_TIMEOUT_SECONDS = _read("CELERY_VISIBILITY_TIMEOUT_SECONDS", env.int, 3600)

if REMINDER_LEASE_SECONDS < 120:
    raise ImproperlyConfigured("Environment variable REMINDER_LEASE_SECONDS must be at least 120.")
if REMINDER_MAX_ATTEMPTS < 1 or REMINDER_BATCH_SIZE < 1 or REMINDER_RETRY_BACKOFF_SECONDS < 1:
    raise ImproperlyConfigured(
        "Environment variables REMINDER_MAX_ATTEMPTS, REMINDER_BATCH_SIZE and "
        "REMINDER_RETRY_BACKOFF_SECONDS must be at least 1."
    )
if CELERY_VISIBILITY_TIMEOUT_SECONDS <= 2 * (
    REMINDER_LEASE_SECONDS + REMINDER_RETRY_BACKOFF_MAX_SECONDS
):
    raise ImproperlyConfigured(
        "Environment variable CELERY_VISIBILITY_TIMEOUT_SECONDS must exceed twice "
        "REMINDER_LEASE_SECONDS plus 900 seconds."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS}
# A hung SMTP connection must fail well within the lease (Django's default is to wait forever).
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT") or 30

CELERY_BEAT_SCHEDULE.update(
    {
        "scan-due-reminders": {
            "task": "checkins.tasks.scan_due_reminders",
            "schedule": 60.0,
            # A scan that waited longer than its interval is pointless: the next one is due.
            "options": {"expires": 55},
        },
        "queue-coordinator-digests": {
            "task": "checkins.tasks.queue_coordinator_digests",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        "purge-old-contract-exports": {
            "task": "contracts.tasks.purge_old_contract_exports",
            "schedule": 86400.0,
            "options": {"expires": 3600},
        },
        "queue-partnership-reviews": {
            "task": "checkins.tasks.queue_partnership_reviews",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        "schedule-meetings-for-signed-contracts": {
            "task": "checkins.tasks.schedule_meetings_for_signed_contracts",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
    }
)
# --- end of reminders -----------------------------------------------------------------------
