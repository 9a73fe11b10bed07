"""Settings of jiuzhu, read from the environment (see README.md, 配置)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jiuzhu.config.env import env_bool, env_choice, env_int, env_list, env_path, env_str
from jiuzhu.protection.keyfile import read_key_file
from jiuzhu.protection.sm import CryptoError

PACKAGE_DIR = Path(__file__).resolve().parent.parent

JIUZHU_ENV = env_choice("JIUZHU_ENV", ("production", "development", "test"), "production")
DEBUG = env_bool("JIUZHU_DEBUG", default=JIUZHU_ENV == "development")

DATA_DIR = env_path("JIUZHU_DATA_DIR", Path.cwd() / "var")

# Keys: one file outside the repository, see jiuzhu.protection.keyfile.
JIUZHU_KEY_FILE = env_path(
    "JIUZHU_KEY_FILE",
    Path.home() / ".local" / "share" / "jiuzhu" / "keys.json",
)
try:
    SECRET_KEY = read_key_file(JIUZHU_KEY_FILE)["secret_key"]
except CryptoError as exc:
    raise ImproperlyConfigured(str(exc)) from None

ALLOWED_HOSTS = env_list("JIUZHU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JIUZHU_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'jiuzhu.sqlite3'}"),
        conn_max_age=env_int("JIUZHU_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "jiuzhu.core",
    "jiuzhu.divisions",
    "jiuzhu.audit",
    "jiuzhu.accounts",
    "jiuzhu.registry",
    "jiuzhu.policy",
    "jiuzhu.casework",
    "jiuzhu.monitoring",
    "jiuzhu.visits",
    "jiuzhu.documents",
    "jiuzhu.reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jiuzhu.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiuzhu.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiuzhu.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "jiuzhu.config.urls"
WSGI_APPLICATION = "jiuzhu.config.wsgi.application"

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
                "jiuzhu.core.context_processors.platform",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["jiuzhu.accounts.backends.LockoutAwareBackend"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if JIUZHU_ENV == "test":
    # Hashing cost is not what the tests are about; login security tests still run the real flow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jiuzhu.accounts.passwords.ComplexityValidator"},
    {"NAME": "jiuzhu.accounts.passwords.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
JIUZHU_DISTRICT_PINYIN = env_list("JIUZHU_DISTRICT_PINYIN", ["jinjiang", "jiuzhu"])

# Sessions (security.md §A.3): 30 minutes idle, 12 hours at most, server-side.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
JIUZHU_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_https = env_bool("JIUZHU_HTTPS", default=JIUZHU_ENV == "production")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("JIUZHU_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
# An intranet government site is not submitted to the browsers' public HSTS preload list.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None

# Login throttling (security.md §A.2).
JIUZHU_LOCKOUT_FAILURES = 5
JIUZHU_LOCKOUT_WINDOW_SECONDS = 15 * 60
JIUZHU_LOCKOUT_SECONDS = 30 * 60
JIUZHU_IP_FAILURES = env_int("JIUZHU_IP_FAILURES", 30, minimum=5)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if JIUZHU_ENV != "production":
    # The SQLite file and WhiteNoise's root live here; a fresh checkout has neither.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if JIUZHU_ENV == "production"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = JIUZHU_ENV != "production"


def _xstatic_dirs() -> list[tuple[str, str]]:
    """Bootstrap comes from the xstatic-bootstrap package, never a CDN."""
    import xstatic.pkg.bootstrap as bootstrap

    return [("bootstrap", bootstrap.BASE_DIR)]


STATICFILES_DIRS = _xstatic_dirs()

# Working days a street office has to verify a screening warning (核查任务); see
# jiuzhu.monitoring.services.due_working_days for why 10.
JIUZHU_VERIFICATION_DUE_WORKING_DAYS = env_int(
    "JIUZHU_VERIFICATION_DUE_WORKING_DAYS", 10, minimum=1
)
# Where the screening rules run: DuckDB in-process, or Spark for a province (docs/spark.md).
JIUZHU_SCREENING_ENGINE = env_choice("JIUZHU_SCREENING_ENGINE", ("duckdb", "spark"), "duckdb")

# Uploads: kept in a private folder and deleted after the import.
JIUZHU_UPLOAD_DIR = DATA_DIR / "uploads"
JIUZHU_UPLOAD_MAX_BYTES = env_int("JIUZHU_UPLOAD_MAX_MB", 200, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Background work (imports, later screening and payroll).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("JIUZHU_TASKS_IMMEDIATE", default=JIUZHU_ENV == "test")
        else "django_tasks_db.DatabaseBackend",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "jiuzhu.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("JIUZHU_LOG_LEVEL", "INFO")},
}
