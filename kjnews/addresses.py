"""Absolute addresses on the public site, from `SITE_URL`.

Feeds, sitemaps, robots.txt and link previews are read by machines that need full URLs, and
the host a request arrived with is not always the public one (a proxy, a node's own address).
"""

from urllib.parse import urlsplit

from django.conf import settings


def site_origin() -> str:
    """`https://kjnews.example`: the scheme and host of `SITE_URL`, without a path."""
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def absolute_url(url: str) -> str:
    """`url` on the public site; an address that has a scheme already (an object store's,
    a CDN's) is returned as it is."""
    if urlsplit(url).scheme:
        return url
    if url.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme}:{url}"
    return site_origin() + url
