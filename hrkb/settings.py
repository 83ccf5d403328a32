"""HRKB settings, read from the environment (see .env.example).

Development defaults (SQLite beside the project, DEBUG on) let `make run`
work on a fresh clone; with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections in production; health checks drop ones the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any plan whose estimated cost passes jit_above_cost; a search's
    # subqueries are estimated high and each page paid 40-75 ms of compiling for ~100 ms of work.
    # Set PG_JIT=on to keep the server's own setting (analytics over whole tables).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if not env.bool("PG_JIT", default=False):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # hrkb first: its loaddata (verified, idempotent fixture loading) replaces Django's.
    "hrkb",
    "actors",
    "reports",
    "events",
    "sources",
    # Django's admin with HRKB's site (the research views, a researcher's home page).
    "hrkb.apps.HRKBAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Spreadsheet import and export in the admin (see hrkb/resources.py).
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags from the response body, and 304 for If-None-Match / If-Modified-Since (API sync).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 400 for a query parameter an API view does not declare (a misspelt filter filters nothing).
    "hrkb.api.params.UnknownParametersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Each query a request runs is cancelled past QUERY_TIMEOUT seconds, and the request answers 503.
    "hrkb.timeouts.QueryTimeoutMiddleware",
]
# Seconds each query of a web request may run (hrkb.timeouts); 0 for no bound. Commands have none.
QUERY_TIMEOUT = env.float("QUERY_TIMEOUT", default=30.0)

ROOT_URLCONF = "hrkb.urls"
WSGI_APPLICATION = "hrkb.wsgi.application"
ASGI_APPLICATION = "hrkb.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # hrkb comes first in INSTALLED_APPS, so its templates (hrkb/templates) override the admin's. Listing that
        # directory in DIRS as well would find each override twice, and double each block.super.
        "DIRS": [],
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development (and tests) WhiteNoise serves straight from the apps' static folders,
# so nothing needs collecting; production runs `collectstatic` into STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security: strict unless DEBUG; a TLS-terminating proxy sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-modified-since", "if-none-match", "user-agent"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition", "HRKB-Sync-Since"]

# Shared by every worker process: the API's rate limits count here. Redis when REDIS_URL is set
# (redis://127.0.0.1:6379/0), otherwise a table of the database, made by the migrations.
if env("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hrkb_cache"}}

# The partner API (/api/v1/). Defaults for every resource are set here once.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["hrkb.api.authentication.PartnerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["hrkb.api.permissions.ReadOnlyOrModelPermissions"],
    "DEFAULT_THROTTLE_CLASSES": [
        "hrkb.api.throttling.AnonymousRateThrottle",
        "hrkb.api.throttling.PartnerKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        "partner": env("API_THROTTLE_PARTNER", default="1200/minute"),
        # Failed attempts to authenticate, per address (a wrong key, another scheme).
        "auth_failure": env("API_THROTTLE_AUTH_FAILURE", default="20/minute"),
    },
    # How many proxies in front of the app append to X-Forwarded-For (0: use the peer address).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_PAGINATION_CLASS": "hrkb.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "hrkb.search.filters.RankedSearchFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "hrkb.api.schema.CuratedAutoSchema",
    "EXCEPTION_HANDLER": "hrkb.api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HRKB partner API",
    "DESCRIPTION": (
        "Read-only JSON for human-rights reports, the people and organisations they concern, and events. "
        "Anonymous clients read published, unrestricted records; send `Authorization: Api-Key <secret>` "
        "for a partner key's clearance. Lists use keyset pagination (follow `next`; `page_size` up to 500). "
        "Responses carry ETag and Last-Modified for conditional GET; `modified_since` and /api/v1/changes/ "
        "support incremental sync; /api/v1/export.ndjson and /api/v1/<resource>/export.csv export in bulk; "
        "add `?format=jsonld` for schema.org JSON-LD."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from this project's static files: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every answer documented: errors, the optional key, JSON-LD as JSON-LD (see hrkb/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hrkb.api.schema.document_every_answer",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReportKindEnum": "reports.choices.ReportKind",
        "TopicKindEnum": "reports.choices.TopicKind",
        "EventKindEnum": "events.choices.EventKind",
        "OrganisationKindEnum": "actors.choices.OrganisationKind",
        "AliasKindEnum": "actors.choices.AliasKind",
        "ParticipantRoleEnum": "events.choices.ParticipantRole",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
