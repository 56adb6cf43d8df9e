"""Resilia's settings: every value comes from an environment variable (see docs/configuration.md).

SQLite in a data directory is the zero-set-up default; DATABASE_URL selects PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import zoneinfo
from pathlib import Path

import dj_database_url

from resilia.env import (
    ImproperEnv,
    data_dir,
    envbool,
    envchoice,
    envint,
    envlist,
    envstr,
    gettext_noop,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
TESTING = "pytest" in sys.modules or envbool("RESILIA_TESTING", False)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        # Never a generated key outside debug: sessions and tokens would die at each restart
        # and differ between processes. The `resilia` command may point SECRET_KEY_FILE at
        # the data directory's key (resilia/cli.py), never create one.
        raise ImproperEnv(
            gettext_noop(
                "SECRET_KEY is required when DEBUG is not True: set SECRET_KEY or"
                " SECRET_KEY_FILE (the resilia command also reads %(path)s)"
            ),
            path=DATA_DIR / "secret_key",
        )

# The audit chain's HMAC key (docs/audit-trail.md), kept outside the database so that whoever
# can write the audit table still cannot re-hash it: AUDIT_HMAC_KEY(_FILE), else the data
# directory's audit_key (made by `make`, like secret_key), else one derived from SECRET_KEY
# (`check --deploy` warns: rotating SECRET_KEY would then break verification).
AUDIT_HMAC_KEY = envstr("AUDIT_HMAC_KEY")
if not AUDIT_HMAC_KEY and (DATA_DIR / "audit_key").is_file():
    AUDIT_HMAC_KEY = (DATA_DIR / "audit_key").read_text(encoding="utf-8").strip()
# Signed checkpoints of the chain's head, written by the scheduler and checked by
# `audit verify`: best on storage the database's administrators cannot rewrite. Tests choose
# their own directory.
AUDIT_CHECKPOINT_DIR = envstr("AUDIT_CHECKPOINT_DIR") or (
    None if TESTING else str(DATA_DIR / "audit-checkpoints")
)
AUDIT_CHECKPOINT_MINUTES = envint("AUDIT_CHECKPOINT_MINUTES", 60, minimum=1)
# How many days before a BIA campaign's deadline the departments get their first reminder.
BIA_REMINDER_DAYS_BEFORE = envint("BIA_REMINDER_DAYS_BEFORE", 7, minimum=1)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (envstr("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "resilia.core",
    "resilia.audit",
    "resilia.accounts",
    "resilia.org",
    "resilia.dependencies",
    "resilia.analysis",
    "resilia.bia",
    "resilia.risk",
    "resilia.hazards",
    "resilia.plans",
    "resilia.incidents",
    "resilia.notify",
    "resilia.strategies",
    "resilia.evidence",
    "resilia.api",
    "resilia.ops",
    "resilia.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "resilia.core.middleware.RequestContextMiddleware",
    # Outside sessions and authentication, so that a request it runs again runs whole.
    "resilia.core.middleware.ContentionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "resilia.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "resilia.core.middleware.NoStoreMiddleware",
    "resilia.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "resilia.urls"
WSGI_APPLICATION = "resilia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resilia.site.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite in the data directory unless DATABASE_URL is set.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
        # Django's backend plus the write lock taken first in every transaction, so that
        # concurrent writers queue instead of deadlocking (resilia/core/db.py).
        if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            DATABASES["default"]["ENGINE"] = "resilia.core.backends.postgresql"
    except ValueError as exc:
        raise ImproperEnv(
            gettext_noop("DATABASE_URL cannot be parsed: %(reason)s"), reason=exc
        ) from exc
else:
    DATABASES = {
        "default": {
            # Django's sqlite3 with the data directory 0700 and the database and WAL 0600.
            "ENGINE": "resilia.core.sqlite",
            "NAME": envstr("SQLITE_PATH") or str(DATA_DIR / "resilia.sqlite3"),
            "OPTIONS": {
                # WAL lets the worker and the web process read while one writes; IMMEDIATE
                # transactions take the write lock up front so the audit hash chain never
                # races, and the busy timeout waits for it instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": envint("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
            },
            # The test database in memory, as Django's default. Said outright because
            # pytest-django knows SQLite by Django's engine name only: under pytest-xdist it
            # took this one for a server database and made files "test_<NAME>_gw0".
            "TEST": {"NAME": ":memory:"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["resilia.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", False)
# A signed-in session lasts this long from sign-in (Django's default, two weeks, is far too
# long for a system that holds the organisation's crisis contacts); 8 hours: a working day.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS: `resilia serve` speaks plain HTTP, so these are for a TLS-terminating proxy in front
# (docs/setup.md). USE_X_FORWARDED_PROTO trusts its X-Forwarded-Proto: without it, a redirect
# to HTTPS behind such a proxy would loop.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# A load balancer's health probe speaks plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and images
# only from our own static files (all vendored), no inline script or style, no framing, forms
# post only to us. ECharts draws on a canvas and Tabler's CSS uses a few data: SVG images.
# Web Workers only from our own files: the dependency graph lays out in vendor/elkjs's worker
# (worker-src would fall back to script-src; said outright so that a change there keeps it).
# The Swagger UI page widens style-src for its own inline styles (resilia/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = envchoice("LANGUAGE_CODE", "zh-hans", ("zh-hans", "en"))
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE") or "Asia/Shanghai"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    # Django would stop later with a traceback; say which variable is wrong instead.
    raise ImproperEnv(
        gettext_noop("TIME_ZONE must be a time zone name such as Asia/Shanghai, not %(value)s"),
        value=repr(TIME_ZONE),
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Vendored front-end libraries (Tabler, htmx, ECharts): no CDN at run time.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(envstr("MEDIA_ROOT") or DATA_DIR / "media")
# Evidence storage: local disk by default, an S3-compatible bucket when EVIDENCE_S3_BUCKET is set.
EVIDENCE_S3_BUCKET = envstr("EVIDENCE_S3_BUCKET")
if EVIDENCE_S3_BUCKET:
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": envstr("EVIDENCE_S3_ENDPOINT_URL"),
            "access_key": envstr("EVIDENCE_S3_ACCESS_KEY"),
            "secret_key": envstr("EVIDENCE_S3_SECRET_KEY"),
            "region_name": envstr("EVIDENCE_S3_REGION"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "evidence"), "base_url": None},
    }
# Uploaded evidence is readable by the server's user only, like the database.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# Reports (docs/reports.md): a TrueType-outline CJK font replacing the packaged one, and the
# largest Word template an administrator may upload.
REPORT_FONT_FILE = envstr("REPORT_FONT_FILE")
REPORT_TEMPLATE_MAX_BYTES = envint("REPORT_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# The installation's Ed25519 key that signs the offline plan packs (docs/plans.md): a file,
# created with mode 600 on first use, beside the other keys of the data directory. Not read
# through envstr: the variable names the key's file, it does not hold the key.
PACK_SIGNING_KEY_FILE = os.environ.get("PACK_SIGNING_KEY_FILE") or str(
    DATA_DIR / "pack_signing_key"
)
# A resource's capability test older than this many days no longer counts as recent: the home
# page and the resources register's "stale" filter (docs/setup.md).
CAPABILITY_TEST_STALE_DAYS = envint("CAPABILITY_TEST_STALE_DAYS", 365, minimum=1)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# E-mail: a local SMTP server by default (tests run a real one on localhost).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "resilia@localhost")

# Background work: the database worker by default; TASKS_BACKEND=rq uses the Redis queue.
TASKS_BACKEND = envchoice("TASKS_BACKEND", "database", ("database", "rq", "immediate"))
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
# A task still running this long after it started is taken for one whose worker died (kill -9):
# the scheduler re-enqueues it once if idempotent, else marks it failed (docs/background-work.md).
# Keep it above the longest task run; RQ itself stops a job after 600 s.
TASK_LEASE_SECONDS = envint("TASK_LEASE_SECONDS", 1800, minimum=1)
# A delivery claimed longer ago than this by a worker that died is sent again (resilia/notify).
NOTIFY_CLAIM_SECONDS = envint("NOTIFY_CLAIM_SECONDS", 300, minimum=1)
# Messages a worker sends at once (threads, each with its own SMTP connection or HTTP session
# and database connection); each records its message right after sending it, so a kill -9 can
# resend, with the same key, at most one message per connection (resilia/notify).
NOTIFY_CONNECTIONS = envint("NOTIFY_CONNECTIONS", 4, minimum=1)
if TASKS_BACKEND == "rq":
    # django_rq supplies the queues and the `rqworker` command; run it with
    # `--job-class django_tasks_rq.Job` (django-tasks-rq README).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with WWW-Authenticate.
        # Hashed keys (accounts.ApiToken); DRF's authtoken app, which stores keys in clear
        # and whose drf_create_token writes no audit event, is not installed.
        "resilia.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "resilia.api.schema.ResiliaAutoSchema",
    "EXCEPTION_HANDLER": "resilia.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Resilia API",
    "DESCRIPTION": "Business continuity management system (ISO 22301 / GB/T 30146).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named alike in several apps ("status"): one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "resilia.plans.models.Status.choices",
        "IncidentStatusEnum": "resilia.incidents.models.Status.choices",
        "AlertStatusEnum": "resilia.incidents.api.ALERT_STATUSES",
        "JournalKindEnum": "resilia.incidents.models.EntryKind.choices",
        "IncidentRoleEnum": "resilia.incidents.models.RoleKind.choices",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}
