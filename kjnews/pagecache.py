"""Pages for anonymous readers, rendered once and served from the shared cache (Redis).

A page is stored under its address and the reader's language, together with the *generations* of
what it shows when it was rendered: one counter for the whole site (sections, navigation), one for
the article lists and one per article. A change bumps the counters it touches, after its
transaction commits; every request reads the current counters first, so a page rendered before
the change is never served after it, through any node. The counters are read before the page's
data, so a page is never labelled newer than what it shows.

What belongs to one reader never goes into the cache:
- pages for readers with personal state (a session, e.g. editors and moderators; a flash message;
  or a page that an app marked as personal for this browser, such as the article a reader just
  commented on, where they see their own held comments and delete buttons) are rendered for them
  alone and sent `private, no-store`;
- per-reader values inside a shared page (the CSRF token, a form's signed start time) are stored
  as markers (`<kj-fill:NAME:ARG>`) and filled in for each reader as the page is sent. Reader text
  is always escaped, so it can never contain a marker.
"""

import collections
import dataclasses
import datetime
import functools
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kjnews.cache import CacheUnavailable, on_recovery
from kjnews.cookies import cookie_name, cookie_secure
from kjnews.db import primary_reads
from kjnews.messages import MESSAGES_COOKIE

logger = logging.getLogger(__name__)

SITE = "site"
LISTS = "lists"
PERSONAL_COOKIE = "kj_personal"
# Says how a page was served: hit, miss (rendered and shared), personal, bypass, unavailable,
# not-shared. For operators and tests; it reveals nothing about the reader.
STATUS_HEADER = "X-Page-Cache"
_PERSONAL_SALT = "kjnews.pagecache.personal"
FILL_RE = re.compile(r"<kj-fill:([a-z-]+):([A-Za-z0-9_-]*)>")


def _csrf_token(request, _argument) -> str:
    # One masked token for every form of a response, as Django's own csrf context processor
    # gives one per render: masking it again for each form costs a random string and adds nothing.
    token = getattr(request, "_page_csrf_token", None)
    if token is None:
        token = request._page_csrf_token = get_token(request)
    return token


# Per-reader values filled into shared pages: name -> function(request, argument) -> str.
_fills: dict[str, Callable] = {"csrf": _csrf_token}


def register_fill(name: str, fill: Callable) -> None:
    """Lets an app put a per-reader value into shared pages with `fill_marker(name, argument)`."""
    _fills[name] = fill


def fill_marker(request, name: str, argument="") -> str:
    """Where a per-reader value goes: a marker in a page rendered for the cache, else the value."""
    if getattr(request, "renders_shared_page", False):
        return mark_safe(f"<kj-fill:{name}:{argument}>")
    return _fills[name](request, str(argument))


# Invalidation ---------------------------------------------------------------------------------


def article_generation(slug: str) -> str:
    return f"article:{slug}"


def article_pages_changed(slug: str) -> None:
    """The article's page and the lists that show it (its headline, its comment count) changed."""
    _bump_on_commit(_generation_key(article_generation(slug)), _generation_key(LISTS))


def listing_pages_changed() -> None:
    _bump_on_commit(_generation_key(LISTS))


def all_pages_changed() -> None:
    """Something every page shows (the sections in the navigation) changed."""
    _bump_on_commit(_generation_key(SITE))


def _generation_key(name: str) -> str:
    return f"pages:generation:{name}"


def _bump_on_commit(*keys: str) -> None:
    transaction.on_commit(functools.partial(_bump, keys), robust=True)


def _bump(keys) -> None:
    try:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                # A new counter starts from the clock, so it never repeats a value it had before
                # it was evicted or Redis restarted.
                cache.add(key, time.time_ns() // 1000, timeout=None)
                cache.incr(key)
    except CacheUnavailable:
        # The pages cached under the old generations cannot be read while Redis is away; once
        # it is back, the first worker to reach it bumps the site's generation (see below).
        logger.warning("Could not mark pages as changed: the shared cache is unavailable")


def bump_everything_after_outage() -> None:
    """Writes made while the cache was away bumped nothing: treat every page as changed."""
    _bump([_generation_key(SITE)])


on_recovery(bump_everything_after_outage)


# Who gets a shared page -----------------------------------------------------------------------


def mark_page_personal(request, response, path: str, *, seconds: int) -> None:
    """From now on, for `seconds`, this browser gets `path` rendered for it alone."""
    now = int(time.time())
    marked = {p: until for p, until in _personal_paths(request).items() if until > now}
    marked[path] = now + seconds
    # Keep the cookie small: the most recent few pages are enough.
    marked = dict(sorted(marked.items(), key=lambda item: item[1])[-20:])
    response.set_cookie(
        cookie_name(PERSONAL_COOKIE),
        signing.dumps(marked, salt=_PERSONAL_SALT, compress=True),
        max_age=max(marked.values()) - now,
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(request),
    )


def _personal_paths(request) -> dict[str, int]:
    value = request.COOKIES.get(cookie_name(PERSONAL_COOKIE))
    if not value:
        return {}
    try:
        return signing.loads(value, salt=_PERSONAL_SALT)
    except signing.BadSignature:
        return {}


def request_is_personal(request) -> bool:
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or cookie_name(MESSAGES_COOKIE) in cookies:
        return True
    return _personal_paths(request).get(request.path, 0) > time.time()


# The decorator --------------------------------------------------------------------------------


def shared_page(*, generations: Callable[..., list[str]], varies_on=(), bypass_on=()):
    """Serve the view's page to anonymous readers from the shared cache.

    `generations(**view_kwargs)` names what the page shows besides the site (LISTS,
    `f"article:{id}"`); `varies_on` are the query parameters that change the page; a request with
    any of `bypass_on` is rendered but not shared. The view may shorten how long its page stays
    valid with `valid_until(request, when)`.
    """

    def decorate(view):
        @functools.wraps(view)
        def serve(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if request_is_personal(request):
                return _uncached(view, request, args, kwargs, why="personal")
            if any(name in request.GET for name in bypass_on):
                return _uncached(view, request, args, kwargs, why="bypass")
            generation_keys = [_generation_key(name) for name in (SITE, *generations(**kwargs))]
            key = _page_key(request, varies_on)
            try:
                # Every request asks Redis which version of the page is current: a change made
                # through any node shows at once.
                version = _current_version(generation_keys)
                entry = _recent_pages.get((key, version))
                if entry is None:
                    entry = cache.get(key)
            except CacheUnavailable:
                return _uncached(view, request, args, kwargs, why="unavailable")
            status = "hit"
            if entry is None or entry.version != version:
                status = "miss"
                entry = _render_for_cache(view, request, args, kwargs, key, version)
                if isinstance(entry, HttpResponse):
                    return entry  # not a page to share (an error, a redirect)
            if entry.shared:
                _recent_pages.keep((key, version), entry)
            etag = _etag(key, entry)
            if etag in _if_none_match(request):
                return _not_modified(etag)
            response = _shared_response(request, entry, etag)
            response[STATUS_HEADER] = status
            return response

        return serve

    return decorate


def _current_version(generation_keys) -> tuple:
    found = cache.get_many(generation_keys)
    missing = [key for key in generation_keys if key not in found]
    if missing:
        # A counter never read before (or lost with a Redis restart) starts from the clock, so a
        # version is never seen twice and no copy of an older page can pass for the current one.
        for key in missing:
            cache.add(key, time.time_ns() // 1000, timeout=None)
        found.update(cache.get_many(missing))
    return tuple(found[key] for key in generation_keys)


class _RecentPages:
    """This worker's copies of the pages it served last, by address and version.

    Redis holds the pages every node shares; a page of 100 KB costs a worker more to fetch from
    there than to serve. The version still comes from Redis on every request, so a copy here is
    only ever used while it is the current one.
    """

    def __init__(self, size: int):
        self.size = size
        self._pages: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.expires_at <= time.time():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def keep(self, key, page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


_recent_pages = _RecentPages(size=64)


@dataclasses.dataclass(frozen=True, slots=True)
class _Page:
    """A stored page: its bytes cut at the markers, and the generations it was rendered at."""

    version: tuple
    parts: tuple  # bytes, and (fill name, argument) pairs where a reader's own value goes
    content_type: str
    rendered_at: float
    expires_at: float = 0.0  # when the page changes by itself (valid_until) or is due anyway
    shared: bool = True  # False: served to the reader who asked, but stored nowhere

    @property
    def per_reader(self) -> bool:
        return len(self.parts) > 1

    def content_for(self, request) -> bytes:
        if not self.per_reader:
            return self.parts[0]
        return b"".join(
            part if isinstance(part, bytes) else _fills[part[0]](request, part[1]).encode()
            for part in self.parts
        )

    @classmethod
    def cut(cls, html: str, **fields) -> "_Page":
        pieces = FILL_RE.split(html)  # text, name, argument, text, name, argument, …, text
        parts = []
        for index in range(0, len(pieces), 3):
            parts.append(pieces[index].encode())
            if index + 2 < len(pieces):
                parts.append((pieces[index + 1], pieces[index + 2]))
        return cls(parts=tuple(parts), **fields)


def keep_unshared(request) -> None:
    """The page being rendered is served, but not stored: it is not the canonical page for its
    address (a nonsense or out-of-range page number, say)."""
    request.page_not_shareable = True


def valid_until(request, when: datetime.datetime) -> None:
    """The page being rendered changes by itself at `when` (a scheduled article appears, a
    thread closes): it may be shared until then at most."""
    current = getattr(request, "page_valid_until", None)
    if current is None or when < current:
        request.page_valid_until = when


def _etag(key, page: "_Page") -> str:
    """Names this rendering of the page, whoever reads it (per-reader values do not count): a
    new generation or a re-render (reaction counts catching up, say) gives a new one."""
    digest = hashlib.sha256(f"{key}{page.version}{page.rendered_at}".encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def _page_key(request, varies_on) -> str:
    parts = [
        request.path,
        get_language(),
        *(f"{name}={request.GET.get(name, '')}" for name in varies_on),
    ]
    return "pages:page:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _render_for_cache(view, request, args, kwargs, key, version):
    request.renders_shared_page = True
    try:
        # From the primary: a lagging replica would store an old page under the new generations,
        # for every reader, until the next change.
        with primary_reads():
            response = view(request, *args, **kwargs)
    finally:
        request.renders_shared_page = False
    if response.status_code != 200 or response.streaming or response.cookies:
        _personal_headers(response)
        response[STATUS_HEADER] = "not-shared"
        return response
    page = _Page.cut(
        response.content.decode(response.charset),
        version=version,
        content_type=response["Content-Type"],
        rendered_at=time.time(),
    )
    timeout = settings.PAGE_CACHE_SECONDS
    until = getattr(request, "page_valid_until", None)
    if until is not None:
        timeout = min(timeout, int((until - timezone.now()).total_seconds()))
    if timeout <= 0 or getattr(request, "page_not_shareable", False):
        return dataclasses.replace(page, shared=False)
    page = dataclasses.replace(page, expires_at=page.rendered_at + timeout)
    try:
        cache.set(key, page, timeout=timeout)
    except CacheUnavailable:
        return dataclasses.replace(page, shared=False)  # served all the same; rendered next time
    return page


def _shared_response(request, page: _Page, etag):
    response = HttpResponse(page.content_for(request), content_type=page.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.rendered_at)
    if page.per_reader:
        # It carries this reader's CSRF token: no shared cache (a CDN) may keep it, but the
        # browser may reuse its own copy after asking (304).
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.PAGE_PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def _uncached(view, request, args, kwargs, *, why):
    response = view(request, *args, **kwargs)
    _personal_headers(response)
    response[STATUS_HEADER] = why
    return response


def _personal_headers(response):
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])


def _not_modified(etag):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie"])
    return response


def _if_none_match(request) -> list[str]:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return [tag.strip() for tag in header.split(",") if tag.strip()]
