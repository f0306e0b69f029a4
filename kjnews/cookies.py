"""The names of the site's cookies.

On a site served only over HTTPS (`SECURE_COOKIES`) every cookie the site sets is Secure and named
with the `__Host-` prefix. Browsers accept such a cookie only when it comes over HTTPS from this
very host with `Path=/` and no `Domain`, so neither a sibling subdomain nor someone on the network
answering a plain-HTTP request can plant one. That matters for more than the session: a planted
CSRF cookie defeats the CSRF check, and a planted deletion key would let whoever planted it delete
the comments the reader writes next.
"""

from django.conf import settings

HOST_PREFIX = "__Host-"


def prefixed(name: str, *, secure: bool) -> str:
    return f"{HOST_PREFIX}{name}" if secure else name


def cookie_name(name: str) -> str:
    """The name one of the site's own cookies goes by on this site."""
    return prefixed(name, secure=settings.SECURE_COOKIES)


def cookie_secure(request) -> bool:
    return settings.SECURE_COOKIES or request.is_secure()
