"""Who posted, without keeping who they are.

The raw network address never reaches the database: rate limits, duplicates and bans use a
keyed hash of it, and readers see a short poster ID that is keyed on the article and the day as
well, so the same poster can be told apart within one thread on one day and nowhere else.
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

POSTER_ID_LENGTH = 8
# What a poster hash looks like: HMAC-SHA256 in hex.
POSTER_HASH_RE = re.compile(r"[0-9a-f]{64}")


def _keyed_digest(purpose: str, message: str) -> bytes:
    key = hashlib.sha256(f"kjnews.comments.{purpose}:{settings.POSTER_HASH_KEY}".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def sender_address(request) -> str:
    """The reader's full address: REMOTE_ADDR, or the one our trusted proxies saw.

    With N trusted proxies in front, the Nth address from the right of X-Forwarded-For was added by
    the outermost trusted proxy; anything further left was written by the client and can be forged.
    With no proxy configured the header is ignored entirely. Only ever stored encrypted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_address(request) -> str:
    """The address that identifies a poster: the sender's, with IPv6 narrowed to its /64."""
    address = sender_address(request)
    if address == "unknown":
        return address
    address = ipaddress.ip_address(address)
    if address.version == 6:
        # One subscriber holds a whole /64 and rotates within it; treat it as one poster.
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


@dataclass(frozen=True)
class Poster:
    address: str
    # The unnarrowed address, for the encrypted disclosure record only.
    sender: str = ""

    @functools.cached_property
    def hash(self) -> str:
        # Asked for by the rate limits, the thread lock's checks and the new comment alike.
        return _keyed_digest("poster", self.address).hex()

    def id_for(self, article_id: int, day=None) -> str:
        day = day or timezone.localdate()
        digest = _keyed_digest("poster-id", f"{self.address}|{article_id}|{day.isoformat()}")
        return base64.urlsafe_b64encode(digest).decode()[:POSTER_ID_LENGTH]


def poster_from_request(request) -> Poster:
    return Poster(address=client_address(request), sender=sender_address(request))


def deletion_key_new() -> str:
    return secrets.token_urlsafe(32)


def deletion_key_hash(key: str, *, article_id: int, number: int) -> str:
    """Per comment, so the stored hashes cannot link one browser's comments to each other."""
    return _keyed_digest("deletion", f"{key}|{article_id}|{number}").hex()
