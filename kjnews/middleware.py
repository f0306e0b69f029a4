import functools
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from kjnews.views import (
    DATABASE_OUTAGES,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    liveness,
    readiness,
    request_too_large,
)

logger = logging.getLogger(__name__)
PROBES = {"/healthz": liveness, "/readyz": readiness}


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
