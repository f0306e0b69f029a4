"""Who posted, without keeping who they are.

The raw network address never reaches the database: rate limits, duplicates and bans use a
keyed hash of it, and readers see a short poster ID that is keyed on the article and the day as
well, so the same poster can be told apart within one thread on one day and nowhere else. The
address is the client's as kjnews.proxies finds it behind our own proxies.
"""

import base64
import functools
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from kjnews.proxies import request_client_address

POSTER_ID_LENGTH = 8
# What a poster hash looks like: HMAC-SHA256 in hex.
POSTER_HASH_RE = re.compile(r"[0-9a-f]{64}")


def _keyed_digest(purpose: str, message: str) -> bytes:
    key = hashlib.sha256(f"kjnews.comments.{purpose}:{settings.POSTER_HASH_KEY}".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


# One IPv6 subscriber line holds a /64 and picks addresses within it at will: one poster.
IPV6_POSTER_PREFIX = 64
# Reports are counted by the widest block one person commonly holds: an IPv6 /48 (home and office
# lines get a /56 or a /48), an IPv4 address. Three reports from one /48 are one reporter.
IPV6_REPORTER_PREFIX = 48


def _network(address: str, prefixlen: int) -> str:
    return str(ipaddress.ip_network(f"{address}/{prefixlen}", strict=False))


@dataclass(frozen=True)
class Poster:
    """A reader who posts or reports, known by address: `address` is the identity (an IPv4
    address or the network address of an IPv6 /64), `sender` the full address, kept only in
    the encrypted disclosure record."""

    address: str
    sender: str = ""

    @classmethod
    def from_address(cls, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> "Poster":
        identity = address
        if address.version == 6:
            identity = ipaddress.ip_network(
                f"{address}/{IPV6_POSTER_PREFIX}", strict=False
            ).network_address
        return cls(address=str(identity), sender=str(address))

    @functools.cached_property
    def is_ipv6(self) -> bool:
        return ":" in self.address

    @functools.cached_property
    def hash(self) -> str:
        # Asked for by the rate limits, the thread lock's checks and the new comment alike.
        return _keyed_digest("poster", self.address).hex()

    @functools.cached_property
    def network_hash(self) -> str:
        """Keyed hash of the block one person is likely to hold (IPv4: the address, IPv6: its
        /48): reports count distinct ones, and the rate limits' database fallback counts an
        IPv6 network's posts by it."""
        prefix = IPV6_REPORTER_PREFIX if self.is_ipv6 else 32
        return _keyed_digest("network", _network(self.address, prefix)).hex()

    def wider_network_hash(self, prefixlen: int) -> str:
        """Keyed hash of the IPv6 /`prefixlen` holding this poster's /64, for the looser limits
        per /56 and /48 (the /48's is `network_hash`)."""
        if prefixlen == IPV6_REPORTER_PREFIX:
            return self.network_hash
        return _keyed_digest("network", _network(self.address, prefixlen)).hex()

    def id_for(self, article_id: int, day=None) -> str:
        day = day or timezone.localdate()
        digest = _keyed_digest("poster-id", f"{self.address}|{article_id}|{day.isoformat()}")
        return base64.urlsafe_b64encode(digest).decode()[:POSTER_ID_LENGTH]


def poster_from_request(request) -> Poster | None:
    """The reader behind this request, or None when their address cannot be told (an entry
    that is not an address where the client should be in X-Forwarded-For; see kjnews.proxies):
    such a reader may read, but not post or report."""
    address = request_client_address(request)
    return None if address is None else Poster.from_address(address)


def deletion_key_new() -> str:
    return secrets.token_urlsafe(32)


def deletion_key_hash(key: str, *, article_id: int, number: int) -> str:
    """Per comment, so the stored hashes cannot link one browser's comments to each other."""
    return _keyed_digest("deletion", f"{key}|{article_id}|{number}").hex()
