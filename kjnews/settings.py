"""KJ News settings: one module, configured from the environment (and an optional .env file).

Every variable read here is listed with its default in README.md.
"""

import datetime
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kjnews.cookies import prefixed

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
# Earlier keys, still accepted for signatures and sessions while a new SECRET_KEY takes over
# (docs/operations.md, rotating keys); nothing is signed with them.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Keys poster hashes and poster IDs: its own secret, so rotating SECRET_KEY does not lift bans, and
# never SECRET_KEY itself. Whoever holds it can try all 2^32 IPv4 addresses against a public
# poster ID in minutes, so it is kept like a password (docs/operations.md, rotating keys).
POSTER_HASH_KEY = env.str("POSTER_HASH_KEY", default="")


def _poster_hash_key_problem(key: str) -> str:
    if not key:
        return "missing"
    if len(key) < 32:
        return "shorter than 32 characters"
    if key == SECRET_KEY:
        return "the same as SECRET_KEY"
    return ""


if not DEBUG and (_problem := _poster_hash_key_problem(POSTER_HASH_KEY)):
    raise ImproperlyConfigured(
        f"POSTER_HASH_KEY is {_problem}. Set POSTER_HASH_KEY to a random string of at least 32 "
        "characters, different from SECRET_KEY (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), in the environment or "
        "in .env, or set DEBUG=true for local development only."
    )
if not POSTER_HASH_KEY:
    POSTER_HASH_KEY = f"{SECRET_KEY}-poster-hashes"  # reachable only with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with our site class: two-factor sign-in and a limit on password guessing.
    "kjnews.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Full-text search types and the GIN index (articles/search.py).
    "django.contrib.postgres",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Revisions of articles with their summary points and paragraphs (articles/revisions.py).
    "reversion",
    "articles",
    "comments",
    "suggestions",
]

MIDDLEWARE = [
    # First, so every response carries a request id and every request is logged (kjnews/logs.py).
    "kjnews.middleware.RequestLogMiddleware",
    "kjnews.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kjnews.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kjnews.middleware.CookieLanguageMiddleware",
    # After the language (so the 413 page speaks the reader's), before anything reads the body.
    "kjnews.middleware.PublicPostSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
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
    MIDDLEWARE.insert(
        MIDDLEWARE.index("kjnews.middleware.HealthProbeMiddleware") + 1,
        "kjnews.middleware.ReplicaReadsMiddleware",
    )
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


def _s3_image_origins(options: dict) -> list[str]:
    """The origins django-storages links images through: the custom domain (over HTTPS), or the
    store's endpoint with the bucket in the path or in the host name."""
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    bucket = options["bucket_name"]
    if options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        return [
            f"{endpoint.scheme}://{endpoint.netloc}",
            f"{endpoint.scheme}://{bucket}.{endpoint.netloc}",
        ]
    region = options["region_name"]
    hosts = [f"{bucket}.s3.amazonaws.com"] + (
        [f"{bucket}.s3.{region}.amazonaws.com"] if region else []
    )
    return [f"https://{host}" for host in hosts]


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
# Where pages load images from besides the site itself (the Content-Security-Policy's img-src).
_media_origins = env.list("CSP_IMAGE_ORIGINS", default=[])
if MEDIA_STORAGE == "s3":
    _media_origins += _s3_image_origins(_media_storage["OPTIONS"])
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
# Our own proxies (nginx, a CDN's ranges), as networks or addresses: X-Forwarded-For is read only
# when one of them connects, from the right and past them (kjnews/proxies.py). Empty: the header
# is ignored and the connecting address is the reader's.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        _proxy_network = ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network such as 10.0.0.0/24."
        ) from None
    if _proxy_network.prefixlen == 0:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} trusts every address, so anyone could choose the "
            "address they post from. List your proxies' own addresses or networks."
        )
# IPv6 readers are limited per /64 (one line) and, with limits this many times looser, per /56
# and per /48, the blocks a home or office line gets (comments/limits.py). 0 turns one off.
RATE_LIMIT_IPV6_NETWORK_FACTORS = {
    56: env.int("RATE_LIMIT_IPV6_56_FACTOR", default=4),
    48: env.int("RATE_LIMIT_IPV6_48_FACTOR", default=16),
}

# Moderation (README lists each with its meaning).
COMMENT_HOLD_LINKS = env.int("COMMENT_HOLD_LINKS", default=2)
COMMENT_HOLD_AFTER_REMOVAL_DAYS = env.int("COMMENT_HOLD_AFTER_REMOVAL_DAYS", default=7)
COMMENT_REPORT_THRESHOLD = env.int("COMMENT_REPORT_THRESHOLD", default=3)
COMMENT_REPORT_RATE_LIMITS = env.list("COMMENT_REPORT_RATE_LIMITS", default=["5/m", "30/h"])
# Reactions (共感した・なるほど・うーん) under comments.
REACTION_RATE_LIMITS = env.list("REACTION_RATE_LIMITS", default=["30/m", "300/h"])
# How stale reaction counts on shared pages may be; the reader who reacted sees theirs at once.
REACTION_COUNTS_MAX_AGE = env.int("REACTION_COUNTS_MAX_AGE", default=30)
MODERATION_NOTIFY_THRESHOLD = env.int("MODERATION_NOTIFY_THRESHOLD", default=10)
MODERATION_NOTIFY_INTERVAL_MINUTES = env.int("MODERATION_NOTIFY_INTERVAL_MINUTES", default=60)
# Empty: every active member of the Moderators group with an e-mail address.
MODERATION_NOTIFY_EMAILS = env.list("MODERATION_NOTIFY_EMAILS", default=[])
# An X25519 public key (`manage.py disclosure_keygen`) turns on sealed sender records for
# disclosure requests. Only the public half is ever here: the web servers seal, never open. A
# malformed key stops start-up through a system check (comments.E001), never a reader's post.
DISCLOSURE_PUBLIC_KEY = env.str("DISCLOSURE_PUBLIC_KEY", default="", multiline=True)
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=90)

# Readers' suggestions (誤訳・誤りを指摘), with the comments' protections (README lists each).
SUGGESTION_RATE_LIMITS = env.list("SUGGESTION_RATE_LIMITS", default=["3/m", "20/h"])
SUGGESTION_MAX_LENGTH = env.int("SUGGESTION_MAX_LENGTH", default=2000)
# For this long after suggesting, the reader's browser gets the article page rendered for it
# alone, saying that their suggestion awaits review.
SUGGESTION_NOTICE_HOURS = env.float("SUGGESTION_NOTICE_HOURS", default=72)
SUGGESTION_NOTIFY_THRESHOLD = env.int("SUGGESTION_NOTIFY_THRESHOLD", default=10)
SUGGESTION_NOTIFY_INTERVAL_MINUTES = env.int("SUGGESTION_NOTIFY_INTERVAL_MINUTES", default=60)
# Empty: every active member of the Editors group with an e-mail address.
SUGGESTION_NOTIFY_EMAILS = env.list("SUGGESTION_NOTIFY_EMAILS", default=[])

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

# HTTPS, headers and cookies (README, "Production settings"; docs/decisions.md says why).
# A site served only over HTTPS: Secure cookies named __Host-… (kjnews/cookies.py), plain HTTP
# redirected to HTTPS (the health probes are answered before that), HSTS when its time is set.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_COOKIES)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a promise that is slow to take back (browsers ship the list): the operator's
# choice, off unless set. Django's deployment check warns whenever it is off; we chose so.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy without nonces: readers' pages are stored in the shared page cache and
# sent to many readers, so they carry no inline script or style at all; only files from the site
# (and images from the media host).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *_media_origins],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin is never cached, and Django's admin templates mark their one inline style with a
# per-response nonce: its pages get the same policy plus that nonce (kjnews/admin.py).
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
}
# Browser features no page of the site uses, refused for the page and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Cookies: only staff have sessions (readers have no accounts), for a working day at most.
SESSION_COOKIE_NAME = prefixed("sessionid", secure=SECURE_COOKIES)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env.float("STAFF_SESSION_HOURS", default=8) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# No script reads the CSRF token from its cookie: forms carry it.
CSRF_COOKIE_NAME = prefixed("csrftoken", secure=SECURE_COOKIES)
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = prefixed("django_language", secure=SECURE_COOKIES)
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Flash messages ride in a cookie named like the others (Django's is always "messages").
MESSAGE_STORAGE = "kjnews.messages.MessageStorage"

# The admin: its address, two-factor sign-in and a limit on password guessing (kjnews/admin.py).
ADMIN_PATH = env.str("ADMIN_PATH", default="admin/").strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("ADMIN_PATH must name a path, e.g. admin/ or staff-4f9c2a/.")
ADMIN_LOGIN_ACCOUNT_FAILURES = env.int("ADMIN_LOGIN_ACCOUNT_FAILURES", default=5)
ADMIN_LOGIN_ADDRESS_FAILURES = env.int("ADMIN_LOGIN_ADDRESS_FAILURES", default=10)
ADMIN_LOGIN_LOCKOUT_MINUTES = env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15)
# Who is guessing: the client address as the rest of the site sees it (a dotted path to a
# function of the request).
ADMIN_LOGIN_CLIENT_ADDRESS = "kjnews.proxies.request_client_address"
OTP_TOTP_ISSUER = "KJ News"
# Nobody, superusers included, can read another person's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# One JSON object per line on standard error, with the request's id (kjnews/logs.py); gunicorn's
# own logs are JSON too (gunicorn.conf.py). Django's loggers write through the same handler
# instead of its plain-text console, and still mail server errors to ADMINS (none by default).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"json": {"()": "kjnews.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "loggers": {"django": {"handlers": ["mail_admins"], "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# gunicorn's access log names no client unless this is on (README, What is stored).
ACCESS_LOG_ADDRESSES = env.bool("ACCESS_LOG_ADDRESSES", default=False)
