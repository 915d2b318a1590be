"""Settings of the web application, all read from the environment (README, "Operations").

SQLite in JIXIAO_DATA_DIR (default ./data) on checkout; PostgreSQL when DATABASE_URL is set.
JIXIAO_PRODUCTION=1 turns on the safe defaults of a deployment (HTTPS redirect, HSTS, secure cookies,
no host allowed unless named); `jixiao serve` refuses to start in that mode while any is unsafe
(jixiao.web.ops.checks, the same checks `python -m django check --deploy` runs).

Django 5.2 LTS, not 6.x: Django 6 needs Python ≥ 3.12 and our machines and CI run 3.11. Background work
uses the `django-tasks` package (the reference implementation that Django 6's tasks framework was merged
from) with the database backend of `django-tasks-db`: `jixiao worker` runs the worker in its own process,
and `jixiao serve` runs one in a thread of the server process unless told not to (the embedded default).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("JIXIAO_DATA_DIR", "data")).resolve()
# The SQLite file, the secret key and uploads live here: readable by the server's account only.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, default: bool) -> bool:
    value = _env(name).lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


def _private_file(path: Path, content: str = "") -> None:
    """Create a file readable and writable by its owner only (0600), unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)


def _secret_key() -> str:
    """JIXIAO_SECRET_KEY, or a key made once and kept (0600) in the data directory."""
    if key := _env("JIXIAO_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    _private_file(path, secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
PRODUCTION = _flag("JIXIAO_PRODUCTION", False)
DEBUG = _flag("JIXIAO_DEBUG", False)
# No "*": only the names given; on a checkout, the local machine's.
ALLOWED_HOSTS = _list("JIXIAO_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _list("JIXIAO_CSRF_TRUSTED_ORIGINS")

# HTTPS: on by default in production (a proxy in front terminates TLS and says so in X-Forwarded-Proto).
SECURE_SSL_REDIRECT = _flag("JIXIAO_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(_env("JIXIAO_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("JIXIAO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _flag("JIXIAO_HSTS_PRELOAD", PRODUCTION)
if _flag("JIXIAO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = _flag("JIXIAO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Database sessions, read with one fixed SQL statement (jixiao.web.auth.SessionStore).
SESSION_ENGINE = "jixiao.web.auth"
SESSION_COOKIE_AGE = int(_env("JIXIAO_SESSION_AGE", str(8 * 3600)))  # a working day, then log in again
SESSION_EXPIRE_AT_BROWSER_CLOSE = _flag("JIXIAO_SESSION_BROWSER_CLOSE", PRODUCTION)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Mail (password resets, error reports to ADMINS): an SMTP server, or the console on a checkout.
EMAIL_HOST = _env("JIXIAO_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(_env("JIXIAO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = _env("JIXIAO_EMAIL_USER")
EMAIL_HOST_PASSWORD = _env("JIXIAO_EMAIL_PASSWORD")
EMAIL_USE_TLS = _flag("JIXIAO_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _env("JIXIAO_EMAIL_FROM", "jixiao@localhost")
ADMINS = [("管理员", address) for address in _list("JIXIAO_ADMINS")]

# `jixiao backup` writes Django's JSON with times kept to the microsecond (ops/exact_json.py).
SERIALIZATION_MODULES = {"exact-json": "jixiao.web.ops.exact_json"}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "jixiao.web.apps.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "jixiao.web.apps.AxesConfig",  # axes, named in Chinese
    "jixiao.web.apps.WebConfig",
    "jixiao.web.review",
    "jixiao.web.batch",
    "jixiao.web.ops",
    "jixiao.web.year",
    "jixiao.web.after",
    "jixiao.web.library",
    "jixiao.web.notify",
    "jixiao.web.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jixiao.web.auth.BearerTokenMiddleware",
    "jixiao.web.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jixiao.web.ops.middleware.SafeErrorsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: the app's own scripts and styles only, no inline script or style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after JIXIAO_LOGIN_FAILURES wrong passwords for one user from one
# address, that pair is locked out for JIXIAO_LOGIN_COOLOFF_MINUTES (answer 429, in Chinese).
# jixiao.web.auth.UserBackend is Django's ModelBackend reading the session's user with its password state.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "jixiao.web.auth.UserBackend"]
AXES_FAILURE_LIMIT = int(_env("JIXIAO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(_env("JIXIAO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/locked.html"
AXES_IPWARE_PROXY_COUNT = 1 if _flag("JIXIAO_BEHIND_PROXY", False) else None
AXES_VERBOSE = False

ROOT_URLCONF = "jixiao.web.urls"
WSGI_APPLICATION = "jixiao.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jixiao.web.ops.context.ops",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'jixiao.sqlite3'}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _private_file(Path(DATABASES["default"]["NAME"]))  # created 0600 before SQLite makes it world-readable
    # Several threads of one server write: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # Connections are kept (CONN_MAX_AGE above), as on PostgreSQL: Django keeps one per server thread, never
    # shared, and an idle connection in autocommit holds no lock. Opening one per request (CONN_MAX_AGE = 0,
    # the setting before) cost 2-5 ms of CPU a request: connect, read the schema again, close.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Public files (PDF, xlsx) by form and version: shared by the server's processes, kept on disk.
    "exports": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(DATA_DIR / "cache" / "exports"), "TIMEOUT": 30 * 24 * 3600,
                "OPTIONS": {"MAX_ENTRIES": 5000}},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("JIXIAO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "form-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LOCALE_PATHS = [BASE_DIR / "locale"]  # Chinese for the admin pages of axes and django_tasks_db
TIME_ZONE = os.environ.get("JIXIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("JIXIAO_STATIC_ROOT") or None  # only for collectstatic behind another server
# Serve the package's static files straight from the app directories: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads stream to temporary files on disk from the first byte past 2.5 MB (Django's
# TemporaryFileUploadHandler); a request body that is not a file is capped in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
UPLOAD_DIR = DATA_DIR / "uploads"
FILE_UPLOAD_TEMP_DIR = _env("JIXIAO_UPLOAD_TEMP_DIR") or None
# The largest upload of one import or check request, in bytes (refused with a message above it).
JIXIAO_MAX_UPLOAD_BYTES = int(_env("JIXIAO_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# /api/check reads files up to this size in the request; larger ones belong to an import (a background job).
JIXIAO_CHECK_MAX_BYTES = int(_env("JIXIAO_CHECK_MAX_BYTES", str(5 * 1024 * 1024)))
# A reading job whose heartbeat is older than this is stale (its worker died); uploads older than
# JIXIAO_UPLOAD_MAX_AGE_HOURS are removed by the worker's sweep and `jixiao cleanup`.
JIXIAO_JOB_STALE_SECONDS = int(_env("JIXIAO_JOB_STALE_SECONDS", "120"))
JIXIAO_JOB_HEARTBEAT_SECONDS = int(_env("JIXIAO_JOB_HEARTBEAT_SECONDS", "10"))
JIXIAO_UPLOAD_MAX_AGE_HOURS = int(_env("JIXIAO_UPLOAD_MAX_AGE_HOURS", "24"))
# A preview not confirmed within this many hours expires (已过期): it can no longer be confirmed.
JIXIAO_PREVIEW_HOURS = int(_env("JIXIAO_PREVIEW_HOURS", "72"))
# Whether the writer of a rectification draft may issue it without a second person's review (cycle.md §6.5 names
# the review step, not who takes it; web/after/rectify.py).
JIXIAO_RECTIFY_SELF_RELEASE = _flag("JIXIAO_RECTIFY_SELF_RELEASE", False)
# API tokens expire after this many days; an export by ids takes at most this many forms.
JIXIAO_TOKEN_DAYS = int(_env("JIXIAO_TOKEN_DAYS", "90"))
# Days before a round's or a rectification item's deadline that its unit is reminded (jixiao.web.notify).
JIXIAO_REMIND_DAYS = int(_env("JIXIAO_REMIND_DAYS", "3"))
JIXIAO_EXPORT_MAX_FORMS = int(_env("JIXIAO_EXPORT_MAX_FORMS", "200"))
# A batch export (a zip written in the background) is kept this many hours for its download link.
EXPORT_DIR = DATA_DIR / "exports"
JIXIAO_EXPORT_KEEP_HOURS = int(_env("JIXIAO_EXPORT_KEEP_HOURS", "24"))
# Uploads with more bytes than this are read in the background (a task) with a progress bar.
JIXIAO_BACKGROUND_IMPORT_BYTES = int(os.environ.get("JIXIAO_BACKGROUND_IMPORT_BYTES", 2 * 1024 * 1024))
JIXIAO_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
if ADMINS:
    LOGGING["handlers"]["mail_admins"] = {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"}  # type: ignore[index]
    LOGGING["loggers"] = {"django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR"}}
