import functools
import logging
import time

from django.conf import settings
from django.core.signals import request_finished
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from kjnews.cookies import cookie_name, cookie_secure
from kjnews.db import replica_reads
from kjnews.logs import REQUEST_ID_HEADER, request_id_or_new, request_id_var
from kjnews.proxies import peer_is_trusted, warn_if_proxy_unconfigured
from kjnews.views import (
    DATABASE_OUTAGES,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    liveness,
    readiness,
    request_too_large,
)

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("kjnews.requests")
PROBES = {"/healthz": liveness, "/readyz": readiness}


class RequestLogMiddleware:
    """Gives each request an id and writes one line when it is answered (kjnews.logs).

    The id is the one a trusted proxy sent in X-Request-ID when it is a plain token (nginx's
    $request_id), so the proxy's log and ours name a request alike; otherwise a new one. It is
    sent back in the same header, and every record logged meanwhile carries it. The line holds
    the method, the path without its query string (which may hold what a reader searched for),
    the status and the duration; never an address, a cookie or another header. Probes are
    logged at DEBUG, so a balancer's checks do not fill the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The id stays set until the response is closed, so Django's own line about the request
        # ("Not Found: …", logged after the middleware) and gunicorn's access line carry it too.
        request_finished.connect(_request_id_forget, dispatch_uid="kjnews.request_id")

    def __call__(self, request):
        started = time.perf_counter()
        offered = request.META.get("HTTP_X_REQUEST_ID") if peer_is_trusted(request) else None
        request.request_id = request_id_or_new(offered)
        request_id_var.set(request.request_id)
        warn_if_proxy_unconfigured(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        request_logger.log(
            logging.DEBUG if request.path_info in PROBES else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                }
            },
        )
        return response


def _request_id_forget(**kwargs):
    request_id_var.set("")


class CookieLanguageMiddleware:
    """Japanese for every reader unless they chose another language with the switcher.

    Unlike LocaleMiddleware this ignores Accept-Language: a Japanese news site should not change its
    interface with the browser's settings, and pages that vary only on one cookie cache far better.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The language cookie picks the page's language, so a shared cache must key on it.
        patch_vary_headers(response, ["Cookie"])
        return response


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` from `settings.PERMISSIONS_POLICY` (feature: allowed origins,
    empty for none) on every response. Django has no setting of its own for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class HealthProbeMiddleware:
    """Answers /healthz and /readyz before anything else runs: no host check, HTTPS redirect,
    session or language, so a load balancer reaching a node by its address gets a plain answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


class PublicPostSizeMiddleware:
    """Refuses an oversized form post to a public page from its Content-Length, before anything
    reads the body, so nobody can keep a worker busy reading megabytes. The admin, where editors
    send long articles and images, keeps Django's own larger limits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path_info.startswith(_admin_prefix()):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.PUBLIC_POST_MAX_BYTES:
                return request_too_large(request)
        return self.get_response(request)


@functools.cache
def _admin_prefix() -> str:
    return reverse("admin:index")


@functools.cache
def _primary_prefixes() -> tuple[str, ...]:
    return (_admin_prefix(), reverse("moderation:queue"))


PRIMARY_PIN_COOKIE = "kj_primary"
_PRIMARY_PIN_SALT = "kjnews.primary-pin"


class ReplicaReadsMiddleware:
    """Which requests may read from a read replica (installed only when replicas are configured).

    A reader's GET or HEAD may; these read from the primary, which always has the latest data:
    - anything else (a post, a deletion, a report): it writes, and checks what it reads;
    - the admin and the moderation pages: editors and moderators act on what they see;
    - a request carrying the session cookie: only staff log in (readers have no accounts), and
      an editor's preview must show the draft just saved; the session and user rows themselves
      are read from the primary too, since a session created a moment ago may not have reached
      a replica yet and its owner would look logged out;
    - a reader who has just written: a successful post answers with a short-lived signed cookie
      (`REPLICA_PIN_SECONDS`), so the pages they see next come from the primary and always show
      their own comment, however far a replica lags.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.may_read_from_replica(request):
            with replica_reads():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            response.set_signed_cookie(
                cookie_name(PRIMARY_PIN_COOKIE),
                "1",
                salt=_PRIMARY_PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=cookie_secure(request),
            )
        return response

    @staticmethod
    def may_read_from_replica(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path_info.startswith(_primary_prefixes())
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.get_signed_cookie(
                cookie_name(PRIMARY_PIN_COOKIE),
                default=None,
                salt=_PRIMARY_PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
            )
            is None
        )


class DatabaseOutageMiddleware:
    """A database that stops answering becomes a 503 page that asks the reader to try again.

    The view that was running may answer for itself (its `database_outage` attribute), as the
    comment form does to give the reader their text back; nothing it wrote was committed, since
    every write runs in a transaction that the failure rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_OUTAGES):
            return None
        logger.warning("Database unavailable: %s %s: %s", request.method, request.path, exception)
        match = request.resolver_match
        handler = getattr(match.func, "database_outage", None) if match else None
        if handler is None:
            return database_unavailable(request)
        response = handler(request, *match.args, **match.kwargs)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
