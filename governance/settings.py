"""Settings for the community-governance case database.

One module for every environment. Everything that differs between a laptop and a
server comes from environment variables read through ``governance.env``; with no
environment set, an SQLite file inside the project just works.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from governance.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
# The value .env.example ships with: copying the example file must not make a production key.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me-to-a-long-random-string"})
if not DEBUG and SECRET_KEY in PLACEHOLDER_SECRET_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY is still the placeholder from .env.example; set a long random value "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "cases",
    "seeds",
]

MIDDLEWARE = [
    "governance.middleware.RequestLogMiddleware",
    "governance.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cases.api.middleware.api_language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections: opening one (and, on SQLite, running its pragmas) cost 13-22 ms of
        # every request; health checks drop a connection the server has closed before reusing it.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several editors at once (NOTES.md): WAL lets readers go on while one writer writes; IMMEDIATE
    # takes the write lock when a transaction starts, so a read-then-write waits for its turn (up
    # to the timeout) instead of failing at once with "database is locked". A lock still held
    # after the timeout is a 503 with Retry-After (governance.middleware), never a 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database created with lc_ctype=C indexes full-width punctuation as tokens.
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = "template0"
    # Prepared statements, for cases.statements only: its statements, compiled once per process,
    # run on cursors that bind server-side and psycopg prepares them on their first run on a
    # connection (Django's own cursors bind client-side and are never prepared). Planning them was
    # nine tenths of a case detail's SQL. A pooler that cannot keep a session's prepared
    # statements (PgBouncer in transaction mode without max_prepared_statements) needs them off.
    if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
# WhiteNoise warns at every start while STATIC_ROOT is missing (before the first collectstatic).
# A read-only deployment collects static files at build time, so a failure here is fine.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Project-owned working files (jieba's dictionary cache, generated data).
VAR_DIR = BASE_DIR / "var"
JIEBA_CACHE_DIR = Path(env_str("JIEBA_CACHE_DIR", str(VAR_DIR / "jieba")))
# The level-5 gazetteer automaton, built once per version of the data (cases/extraction/gazetteer.py).
GAZETTEER_CACHE_DIR = Path(env_str("GAZETTEER_CACHE_DIR", str(VAR_DIR / "gazetteer")))
# The NER model's character table, parsed once per version of the model's files (cases/extraction/ner.py).
NER_CACHE_DIR = Path(env_str("NER_CACHE_DIR", str(VAR_DIR / "ner")))

# Login protection: lock an account/IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# Per username and address, and per address alone: one address spraying a password over many
# usernames is locked after AXES_FAILURE_LIMIT failures too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True

SIMPLE_HISTORY_REVERT_DISABLED = False

# The research API (cases/api/, docs/api.md). Anonymous clients are throttled per IP; the rate is
# read per request (cases.api.throttling), "none" switches it off.
API_ANON_THROTTLE_RATE = (
    None
    if env_str("API_ANON_THROTTLE_RATE", "120/minute") == "none"
    else env_str("API_ANON_THROTTLE_RATE", "120/minute")
)
API_ANON_EXPORT_RATE = (
    None if env_str("API_ANON_EXPORT_RATE", "10/hour") == "none" else env_str("API_ANON_EXPORT_RATE", "10/hour")
)
# Throttle counts live in files every worker process reads (no Redis needed); the default cache
# stays per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("THROTTLE_CACHE_DIR") or str(VAR_DIR / "cache" / "throttle"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "cases.api.throttling.AnonymousRateThrottle",
        "cases.api.throttling.AnonymousExportThrottle",
    ],
    # How many proxies of our own stand in front (0: clients connect directly; X-Forwarded-For,
    # which any client can forge, is then never read). Behind one nginx: NUM_PROXIES=1.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.HybridPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.api_exception_handler",
    "URL_FORMAT_OVERRIDE": "format",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community-governance case database: research API",
    "DESCRIPTION": "Published cases of Chinese grassroots governance; staff may also write cases. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "cases.models.dates.DatePrecision",
        "OrganisationKindEnum": "cases.models.actors.OrganisationKind",
        "InitiativeKindEnum": "cases.models.facts.InitiativeKind",
        "SourceKindEnum": "cases.models.sources.SourceKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.schema.document_error_responses",
        "cases.api.schema.declare_bounds",
    ],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
# One admin import is bounded (cases.admin.mixins.BoundedImportForm): its preview runs in one
# transaction that holds SQLite's write lock, so a larger file is refused with these limits named.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024)
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health check speaks plain HTTP to the server behind the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None

# JSON lines on stderr (gunicorn passes them through), each with the request id
# (governance.middleware.RequestLogMiddleware); one "request" line per request at INFO.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "governance.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "governance.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"governance.request": {"level": env_str("REQUEST_LOG_LEVEL", "INFO")}},
}
