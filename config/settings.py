"""Hami's one settings module, driven by the environment (see docs/configuration.md)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("HAMI_DEBUG", False)
SECRET_KEY = env_str("HAMI_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "HAMI_SECRET_KEY (or HAMI_SECRET_KEY_FILE) must be set when HAMI_DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("HAMI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("HAMI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "hami.core",
    "hami.standards",
    "hami.registry",
    "hami.labs",
    "hami.outreach",
    "hami.supervision",
    "hami.licensing",
    "hami.dashboard",
    "hami.demo",
]
AUTH_USER_MODEL = "core.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hami.core.middleware.PersianFirstLocaleMiddleware",
    "hami.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hami" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["hami.core.templatetags.hami"],
        },
    }
]

# SQLite under var/ is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'hami.sqlite3'}",
        conn_max_age=env_int("HAMI_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE avoids lock upgrades that deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's statement preparation off; Hami turns it back on for the one query that
    # asks for it (public verification, licensing.selectors.public_licence), prepared per connection
    # after this many runs. 0 disables it (e.g. behind a PgBouncer older than 1.21 in transaction mode).
    threshold = env_int("HAMI_DB_PREPARE_THRESHOLD", 5)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = threshold or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Persian first, English second.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("HAMI_MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: an import file of 20,000 rows is a few MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HAMI_IMPORT_MAX_BYTES = env_int("HAMI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
HAMI_DOCUMENT_MAX_BYTES = env_int("HAMI_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

TASKS = {
    "default": {
        "BACKEND": env_str("HAMI_TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
    }
}

CSRF_FAILURE_VIEW = "hami.core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HAMI_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HAMI_LOG_LEVEL") or "INFO"},
}

NINJA_PAGINATION_PER_PAGE = 50

# Public verification and complaints are limited per client (hami.core.ratelimit).
HAMI_VERIFY_RATE = env_str("HAMI_VERIFY_RATE") or "120/min"
HAMI_COMPLAINT_RATE = env_str("HAMI_COMPLAINT_RATE") or "5/h"
HAMI_TRUSTED_PROXIES = env_int("HAMI_TRUSTED_PROXIES", 0)  # how many proxies set X-Forwarded-For

CACHES = {
    "default": {
        "BACKEND": env_str("HAMI_CACHE_BACKEND") or "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": env_str("HAMI_CACHE_LOCATION") or "hami",
    }
}

# Notices: email through Django's backend (console unless configured), SMS through a pluggable sender.
EMAIL_BACKEND = env_str("HAMI_EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env_str("HAMI_EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("HAMI_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("HAMI_EMAIL_FROM") or "hami@localhost"
HAMI_SMS_SENDER = env_str("HAMI_SMS_SENDER") or "hami.core.notify.log_sms"

# Encrypts the offices' private signing keys at rest (defaults to the secret key).
HAMI_SIGNING_SECRET = env_str("HAMI_SIGNING_SECRET")

# Years a standard-mark licence runs, per ISO/IEC 17067 scheme; "default" for the rest.
HAMI_LICENCE_VALIDITY_YEARS = {"default": env_int("HAMI_LICENCE_VALIDITY_YEARS", 3)}

# The Iranian week: Friday is off; whether Thursday is a working day differs between offices.
HAMI_THURSDAY_IS_WORKING_DAY = env_bool("HAMI_THURSDAY_IS_WORKING_DAY", True)

# Outreach (docs/outreach.md). How long after a clinic slot is published only units with priority
# (an open referral on its topic, or the fast track) may book it.
HAMI_CLINIC_PRIORITY_HOURS = env_int("HAMI_CLINIC_PRIORITY_HOURS", 48)
# A unit cancels or reschedules a clinic booking or a course registration up to this many hours before.
HAMI_OUTREACH_NOTICE_HOURS = env_int("HAMI_OUTREACH_NOTICE_HOURS", 24)
# The reminder goes out this many hours before a clinic session or a course session.
HAMI_OUTREACH_REMINDER_HOURS = env_int("HAMI_OUTREACH_REMINDER_HOURS", 24)
# The QC manager competence certificate's validity when its course names none (months).
HAMI_QC_CERTIFICATE_MONTHS = env_int("HAMI_QC_CERTIFICATE_MONTHS", 36)
