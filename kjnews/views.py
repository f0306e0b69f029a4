import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from kjnews.addresses import absolute_url
from kjnews.cache import cache_answers

logger = logging.getLogger(__name__)

# A database that cannot be reached or stopped mid-request (restart, failover, a locked SQLite
# file past its busy timeout): worth a "try again shortly", unlike a bug or a constraint error.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def render_standalone(request, template_name, context=None, *, status):
    """A page that needs neither the database nor the cache, for when they are what failed:
    no context processors, never cached, with a CSRF token for any form it offers again."""
    context = {"csrf_token": get_token(request), **(context or {})}
    response = HttpResponse(loader.render_to_string(template_name, context), status=status)
    add_never_cache_headers(response)
    return response


def database_unavailable(request):
    response = render_standalone(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def request_too_large(request):
    limit_kb = settings.PUBLIC_POST_MAX_BYTES // 1024
    return render_standalone(request, "413.html", {"limit_kb": limit_kb}, status=413)


def server_error(request):
    """Django's 500 handler, except that a database outage which escaped the views (from a
    middleware, say) is still a 503 that asks the reader to come back."""
    if isinstance(sys.exception(), DATABASE_OUTAGES):
        return database_unavailable(request)
    return render_standalone(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    """A failed CSRF check: the view that was posted to may answer it (keeping the reader's text);
    anything else gets a Japanese 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    handler = getattr(match.func, "csrf_failure", None) if match else None
    if handler:
        return handler(request, *match.args, **match.kwargs)
    return render(request, "403_csrf.html", status=403)


def liveness(request):
    """/healthz: the process answers. Touches nothing else: a load balancer may poll it freely."""
    return _probe_answer(ready=True)


_migrations_applied = False


def readiness(request):
    """/readyz: this node can serve readers: the database and the cache answer and the schema is
    migrated. Failures are logged here, never shown: the answer is only "ok" or "unavailable"."""
    return _probe_answer(ready=_database_ready() and _cache_ready())


def _database_ready() -> bool:
    global _migrations_applied
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            # Loading the migration graph is the costly part; once migrated, a node stays so.
            executor = MigrationExecutor(connection)
            _migrations_applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
            if not _migrations_applied:
                logger.warning("Not ready: the database has unapplied migrations")
    except DatabaseError as error:
        logger.warning("Not ready: the database does not answer (%s)", error)
        return False
    return _migrations_applied


def _cache_ready() -> bool:
    from django.core.cache import cache

    if cache_answers(cache):
        return True
    logger.warning("Not ready: the shared cache does not answer")
    return False


def _probe_answer(*, ready: bool) -> HttpResponse:
    response = HttpResponse(
        b"ok\n" if ready else b"unavailable\n",
        status=200 if ready else 503,
        content_type="text/plain; charset=utf-8",
    )
    add_never_cache_headers(response)
    return response


DEFAULT_ADMIN_PATH = "admin/"
ROBOTS_MAX_AGE = 3600


@require_safe
def robots_txt(request):
    """Crawlers may read everything but the staff's pages, and find every page in the sitemap.

    The admin is listed only at its well-known default address: an address an operator chose
    instead (`ADMIN_PATH`) is one scanners should not be told, and nothing links to it.
    """
    disallowed = []
    if getattr(settings, "ADMIN_PATH", DEFAULT_ADMIN_PATH).strip("/") == "admin":
        disallowed.append("/admin/")
    disallowed.append("/moderation/")
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in disallowed),
        "",
        f"Sitemap: {absolute_url(reverse('articles:sitemap-index'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=ROBOTS_MAX_AGE)
    return response
