"""System checks for the settings that decide who a poster is (`manage.py check`)."""

from django.conf import settings
from django.core import checks

from kjnews.proxies import network_from_setting

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
                    id="comments.E001",
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
