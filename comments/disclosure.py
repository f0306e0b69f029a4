"""Sender records for court-ordered disclosure requests (発信者情報開示).

With DISCLOSURE_PUBLIC_KEY set, each new comment keeps its sender's network address and posting
time sealed to that public key with HPKE (RFC 9180, base mode: DHKEM(X25519, HKDF-SHA256),
HKDF-SHA256, AES-256-GCM). The web servers hold only the public key: they can seal records and
never open one. The private key is kept offline and handed to the disclosure form by a superuser
at the moment of a disclosure; it is used in memory and dropped (`comments.services
.sender_record_open` logs each opening). Without the public key nothing readable is kept.

A record is `hpke1.<key id>.<sealed bytes, base64url>`. The key id names the key pair it was
sealed to, so the form can say which private key it needs after a rotation. The HPKE `info`
binds the record to its comment (article and number): a record copied onto another comment does
not open.
"""

import base64
import binascii
import functools
import hashlib
import json
import logging

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
RECORD_VERSION = "hpke1"
# A PEM private key is a few hundred bytes; anything much larger is not one.
PRIVATE_KEY_MAX_BYTES = 16 * 1024


class DisclosureKeyInvalid(ValueError):
    """A key cannot be used; the message says why, for whoever supplied it."""


class DisclosureUnavailable(Exception):
    """A record cannot be opened: there is none, or it is damaged or not this comment's."""


def key_id(key: X25519PublicKey | X25519PrivateKey) -> str:
    """A short fingerprint of a key pair: the same for its public and its private half."""
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(key: X25519PublicKey) -> str:
    """The public key as DISCLOSURE_PUBLIC_KEY takes it: 32 bytes in base64, one line."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_parse(text: str) -> X25519PublicKey:
    """DISCLOSURE_PUBLIC_KEY: an X25519 public key as base64 of its 32 bytes, or as PEM."""
    text = text.strip()
    if "PRIVATE KEY" in text:
        raise DisclosureKeyInvalid(
            "it holds a PRIVATE key. The private key must never be on the web servers: "
            "consider it exposed, make a new key pair and keep the private half offline"
        )
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.replace("\\n", "\n").encode())
        except (ValueError, UnsupportedAlgorithm) as error:
            raise DisclosureKeyInvalid(f"it is not a readable PEM public key ({error})") from None
        if not isinstance(key, X25519PublicKey):
            raise DisclosureKeyInvalid(
                f"it is a {type(key).__name__.removeprefix('_')}, not an X25519 public key"
            )
        return key
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise DisclosureKeyInvalid("it is neither base64 nor PEM") from None
    if len(raw) != 32:
        raise DisclosureKeyInvalid(
            f"it decodes to {len(raw)} bytes; an X25519 public key is 32 bytes"
        )
    return X25519PublicKey.from_public_bytes(raw)


def configured_public_key() -> X25519PublicKey | None:
    """The key new records are sealed to, or None when none is configured.

    Raises DisclosureKeyInvalid for a malformed key: a system check (comments.E001) stops
    start-up on it, so a running site only meets one when the checks were skipped.
    """
    text = settings.DISCLOSURE_PUBLIC_KEY
    return _public_key_cached(text) if text else None


@functools.cache
def _public_key_cached(text: str) -> X25519PublicKey:
    return public_key_parse(text)


def private_key_load(data: bytes, passphrase: str = "") -> X25519PrivateKey:
    """The private half, from the PEM file `disclosure_keygen` wrote, in memory only."""
    if len(data) > PRIVATE_KEY_MAX_BYTES:
        raise DisclosureKeyInvalid(_("This is too large to be a private key file."))
    try:
        key = serialization.load_pem_private_key(
            data.strip(), password=passphrase.encode() if passphrase else None
        )
    except TypeError:
        # cryptography's words for "encrypted, no passphrase" and "passphrase, not encrypted".
        if passphrase:
            raise DisclosureKeyInvalid(
                _("This private key has no passphrase: leave the passphrase empty.")
            ) from None
        raise DisclosureKeyInvalid(
            _("This private key is protected by a passphrase: enter it.")
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise DisclosureKeyInvalid(
            _("This is not a private key, or the passphrase is wrong.")
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise DisclosureKeyInvalid(
            _("This is not a disclosure key (made by disclosure_keygen): it is not X25519.")
        )
    return key


def private_key_pem(key: X25519PrivateKey, passphrase: str = "") -> bytes:
    """PKCS#8 PEM, encrypted with the passphrase when one is given."""
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _context(article_id: int, number: int) -> bytes:
    return f"kjnews sender record v1; article {article_id}; comment {number}".encode()


def sender_record_seal(*, address: str, at, article_id: int, number: int) -> str:
    """The sealed record to store with comment `number` of the article, or "" when disclosure is
    not configured. Never raises on a malformed key: a reader's post must not fail for it."""
    if not address:
        return ""
    try:
        key = configured_public_key()
    except DisclosureKeyInvalid as error:
        logger.error("DISCLOSURE_PUBLIC_KEY cannot be used (%s): no sender record kept.", error)
        return ""
    if key is None:
        return ""
    plaintext = json.dumps({"address": address, "posted_at": at.isoformat()}).encode()
    sealed = SUITE.encrypt(plaintext, key, info=_context(article_id, number))
    encoded = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
    return f"{RECORD_VERSION}.{key_id(key)}.{encoded}"


def sender_record_key_id(record: str) -> str | None:
    """The id of the key pair a record was sealed to; None when it is not a record of ours."""
    version, _sep, rest = record.partition(".")
    sealed_to, _sep, _sealed = rest.partition(".")
    return sealed_to if version == RECORD_VERSION and sealed_to and _sealed else None


def sender_record_decrypt(
    record: str, private_key: X25519PrivateKey, *, article_id: int, number: int
) -> dict:
    """Open a record with the private key it was sealed to. The caller logs the opening."""
    if sender_record_key_id(record) != key_id(private_key):
        raise DisclosureUnavailable("sealed to another key pair, or not a sender record")
    encoded = record.rsplit(".", 1)[1]
    try:
        sealed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        plaintext = SUITE.decrypt(sealed, private_key, info=_context(article_id, number))
    except (binascii.Error, ValueError, InvalidTag):
        raise DisclosureUnavailable("damaged, or sealed for another comment") from None
    return json.loads(plaintext)
