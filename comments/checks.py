"""System checks for the comments app's configuration: the disclosure key, and the proxy settings
that decide who a poster is (`manage.py check`, and every start of the
site: kjnews/wsgi.py runs them before gunicorn serves a request)."""

import os

from django.conf import settings
from django.core import checks

from comments.disclosure import DisclosureKeyInvalid, configured_public_key
from kjnews.proxies import network_from_setting


@checks.register(checks.Tags.security)
def disclosure_public_key_check(app_configs, **kwargs):
    """A malformed DISCLOSURE_PUBLIC_KEY stops start-up here, rather than costing records later."""
    try:
        configured_public_key()
    except DisclosureKeyInvalid as error:
        return [
            checks.Error(
                f"DISCLOSURE_PUBLIC_KEY cannot be used: {error}.",
                hint=(
                    "Set it to the public key `manage.py disclosure_keygen` printed (one line "
                    "of base64, or a PEM public key), or leave it empty to keep no sender "
                    "records. See docs/operations.md, rotating keys."
                ),
                id="comments.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def obsolete_disclosure_key_check(app_configs, **kwargs):
    """The symmetric DISCLOSURE_KEY let every web server open every record; it is not read."""
    if not os.environ.get("DISCLOSURE_KEY"):
        return []
    return [
        checks.Warning(
            "DISCLOSURE_KEY is no longer read: sender records are sealed to "
            "DISCLOSURE_PUBLIC_KEY, and no records are kept until it is set.",
            hint=(
                "Run `manage.py disclosure_keygen`, set DISCLOSURE_PUBLIC_KEY, keep the private "
                "key offline, and remove DISCLOSURE_KEY from the environment."
            ),
            id="comments.W001",
        )
    ]


# Wider than these, a "proxy" network holds readers too, and each of them could write the address
# they post from into X-Forwarded-For.
WIDEST_PROXY_PREFIX = {4: 8, 6: 16}


@checks.register(checks.Tags.security)
def trusted_proxies_check(app_configs=None, **kwargs):
    problems = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            network = network_from_setting(entry)
        except ValueError:
            problems.append(
                checks.Error(
                    f"TRUSTED_PROXIES: {entry!r} is not an address or a network.",
                    hint="Write each proxy as an address (10.0.0.5) or a network (10.0.0.0/24).",
                    id="comments.E002",
                )
            )
            continue
        if network.prefixlen < WIDEST_PROXY_PREFIX[network.version]:
            problems.append(
                checks.Warning(
                    f"TRUSTED_PROXIES: {entry} holds {network.num_addresses:,} addresses.",
                    hint="Anyone connecting from a trusted network can choose the address they "
                    "post from. List only your proxies' addresses or their provider's ranges.",
                    id="comments.W002",
                )
            )
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXIES:
        problems.append(
            checks.Warning(
                "BEHIND_HTTPS_PROXY says a proxy is in front, but TRUSTED_PROXIES is empty: "
                "every reader will have the proxy's address, so one ban bans everyone and one "
                "rate limit holds for the whole site.",
                hint="Set TRUSTED_PROXIES to the proxy's address or network (docs/deploy.md).",
                id="comments.W003",
            )
        )
    return problems
