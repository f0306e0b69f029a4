"""KJ News settings: one module, configured from the environment (and an optional .env file).

Every variable read here is listed with its default in README.md.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A key that only ever served development must never sign a production session or poster ID.
_DEVELOPMENT_KEY_PREFIXES = ("django-insecure", "dev", "changeme", "change-me", "secret")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (len(SECRET_KEY) < 32 or SECRET_KEY.lower().startswith(_DEVELOPMENT_KEY_PREFIXES)):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or is a development key. Set SECRET_KEY to a random string of "
        "at least 32 characters (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`) in the environment or "
        "in .env, or set DEBUG=true for local development only."
    )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only"  # reachable only with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search types and the GIN index (articles/search.py).
    "django.contrib.postgres",
    "django_ratelimit",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "kjnews.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kjnews.middleware.CookieLanguageMiddleware",
    # After the language (so the 413 page speaks the reader's), before anything reads the body.
    "kjnews.middleware.PublicPostSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kjnews.middleware.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "kjnews.urls"
# `make bench` only: the site's URLs plus the benchmark's baseline views (tests/bench/floor.py).
if env.bool("BENCH_BASELINES", default=False):
    ROOT_URLCONF = "tests.bench.floor"
WSGI_APPLICATION = "kjnews.wsgi.application"

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
                "kjnews.context_processors.page_messages",
                "articles.context_processors.navigation",
            ],
            # The project's own tags (kjnews is not an app, so they are named here).
            "libraries": {"pages": "kjnews.templatetags.pages"},
        },
    },
]

# Embedded SQLite for a developer; PostgreSQL (psycopg 3) wherever DATABASE_URL says so.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kjnews.sqlite3'}")
}
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
# psycopg's pool instead of a persistent connection per worker (docs/decisions.md: the numbers).
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)


def _database_tuned(database: dict) -> dict:
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Several gunicorn workers write to one file (docs/decisions.md, "SQLite under a crowd"):
        # WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a
        # transaction starts, so writers queue behind the busy timeout instead of failing
        # "database is locked" halfway through when a read lock cannot be upgraded.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            **database.get("OPTIONS", {}),
        }
    pool = False
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Our backend only adds template0 + C.UTF-8 to test-database creation.
        database["ENGINE"] = "kjnews.db.postgresql"
        database["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
        # A database that does not answer costs a request a few seconds and a 503, not a hung
        # worker.
        database["OPTIONS"] = {"connect_timeout": 5, **database.get("OPTIONS", {})}
        if DATABASE_POOL:
            # A sync worker runs one request at a time: one connection, one spare; a request
            # waits at most 5 s for one, like connect_timeout.
            pool = {"min_size": 1, "max_size": 2, "timeout": 5}
            database["OPTIONS"]["pool"] = pool
    # Persistent connections, checked before reuse so a restarted database costs one retry, not
    # errors. psycopg's pool keeps its own connections and checks them itself.
    database["CONN_MAX_AGE"] = 0 if pool else env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    return database


_database_tuned(DATABASES["default"])

# Read replicas (streaming replicas of the primary): readers' pages read from them, everything
# else from the primary (kjnews/db/routers.py).
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = _database_tuned(env.db_url_config(_url))
    # Tests have one database: a replica alias reads the test database itself.
    _replica["TEST"] = {**_replica.get("TEST", {}), "MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
# A reader who has just posted reads from the primary for this long (a cookie), so they see
# their own comment however far a replica lags.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# A replica that did not answer is left alone this long by each worker before it is tried again.
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5)
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["kjnews.db.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "kjnews.middleware.ReplicaReadsMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every gunicorn worker and node (rate limits must agree across them): Redis.
CACHES = {"default": env.cache_url("CACHE_URL", default="redis://127.0.0.1:6379/0")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Losing Redis must never cost a reader a page or a comment (kjnews/cache.py): failures become
    # CacheUnavailable, and no call waits on a silent server for more than about a second.
    _cache_seconds = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
    CACHES["default"]["BACKEND"] = "kjnews.cache.ResilientRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": _cache_seconds,
        "socket_timeout": _cache_seconds,
        "breaker_seconds": env.float("CACHE_RETRY_SECONDS", default=5.0),
        **CACHES["default"].get("OPTIONS", {}),
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded images: a folder on this machine, or an S3-compatible object store that every node
# shares (django-storages).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Empty: boto3 finds credentials itself (an instance role, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Public images through a CDN or the bucket's own public address: set a custom
            # domain and turn query-string signatures off. Signed URLs expire after an hour.
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The app serves uploads itself until a front server or object storage takes over.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=MEDIA_STORAGE == "local")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Readers' forms (a comment is at most a few KB even percent-encoded) answer 413 above this.
PUBLIC_POST_MAX_BYTES = env.int("PUBLIC_POST_MAX_BYTES", default=64 * 1024)

ARTICLES_PER_PAGE = env.int("ARTICLES_PER_PAGE", default=20)
# Pages for anonymous readers are shared from the cache for at most this long; a change to what
# they show replaces them at once (kjnews/pagecache.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# How long browsers and a CDN may keep a public page (one without a form) without asking.
PAGE_PUBLIC_MAX_AGE = env.int("PAGE_PUBLIC_MAX_AGE", default=30)

# Anonymous comments (README lists each with its meaning).
COMMENT_DEFAULT_NAME = env.str("COMMENT_DEFAULT_NAME", default="名無しさん")
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=2000)
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=100)
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=30)
COMMENT_DELETE_WINDOW = datetime.timedelta(hours=env.float("COMMENT_DELETE_HOURS", default=24))
COMMENT_RATE_LIMITS = env.list("COMMENT_RATE_LIMITS", default=["5/m", "30/h"])
COMMENT_DUPLICATE_WINDOW_MINUTES = env.int("COMMENT_DUPLICATE_WINDOW_MINUTES", default=10)
COMMENT_MIN_FILL_SECONDS = env.float("COMMENT_MIN_FILL_SECONDS", default=3)
COMMENT_FORM_MAX_AGE = env.int("COMMENT_FORM_MAX_AGE", default=24 * 3600)
# Keys poster hashes and poster IDs. Its own secret, so rotating SECRET_KEY does not lift bans.
POSTER_HASH_KEY = env.str("POSTER_HASH_KEY", default=SECRET_KEY)
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Moderation (README lists each with its meaning).
COMMENT_HOLD_LINKS = env.int("COMMENT_HOLD_LINKS", default=2)
COMMENT_HOLD_AFTER_REMOVAL_DAYS = env.int("COMMENT_HOLD_AFTER_REMOVAL_DAYS", default=7)
COMMENT_REPORT_THRESHOLD = env.int("COMMENT_REPORT_THRESHOLD", default=3)
COMMENT_REPORT_RATE_LIMITS = env.list("COMMENT_REPORT_RATE_LIMITS", default=["5/m", "30/h"])
MODERATION_NOTIFY_THRESHOLD = env.int("MODERATION_NOTIFY_THRESHOLD", default=10)
MODERATION_NOTIFY_INTERVAL_MINUTES = env.int("MODERATION_NOTIFY_INTERVAL_MINUTES", default=60)
# Empty: every active member of the Moderators group with an e-mail address.
MODERATION_NOTIFY_EMAILS = env.list("MODERATION_NOTIFY_EMAILS", default=[])
# A Fernet key (cryptography) turns on encrypted sender records for disclosure requests.
DISCLOSURE_KEY = env.str("DISCLOSURE_KEY", default="")
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=90)

# One URL (smtp://user:password@host:587/?tls=True, consolemail://) for Django 6.1's MAILERS.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KJ News <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

RATELIMIT_USE_CACHE = "default"
# Django's own Redis backend increments atomically; django-ratelimit only knows django-redis's name.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
CSRF_FAILURE_VIEW = "kjnews.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
