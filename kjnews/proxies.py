"""Who is at the other end of a request: the client's address behind our own proxies.

gunicorn sees only the machine that connected to it (`REMOTE_ADDR`). Behind nginx, or a CDN and
nginx, that machine is a proxy, and the reader's address is in `X-Forwarded-For`, to which each
proxy appends the address it received the request from. Whatever the reader wrote in that header
themselves is there too, further left. So the header is read from the right, and only as far as
the hops we trust (`TRUSTED_PROXIES`, a list of networks):

- the header is read at all only when the peer that connected is in a trusted network;
- each entry from the right that is itself a trusted proxy is passed over;
- the first entry that is not is the client, and nothing to its left is ever read.

An entry there that is not an address (`unknown`, `_hidden`, `for=…`, garbage) leaves the client
unidentified (`None`): skipping it would let whatever stands further left, which the reader may
have written, choose the identity, and naming it after its text ("unknown") would put every such
reader in one bucket. Callers refuse writes from an unidentified client; reading needs no
identity. Ports and brackets are stripped (`203.0.113.9:5678`, `[2001:db8::1]:443`), and IPv4
addresses mapped into IPv6 (`::ffff:203.0.113.9`) are read as the IPv4 address they are.
"""

import ipaddress
import logging
import threading
import time
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# How often each worker repeats a warning about the proxy settings while the cause lasts.
WARNING_INTERVAL_SECONDS = 3600


def network_from_setting(entry: str) -> Network:
    """One TRUSTED_PROXIES entry: a network (`10.0.0.0/24`) or one address (`10.0.0.5`)."""
    network = ipaddress.ip_network(entry.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
    return network


_parsed: dict[tuple[str, ...], tuple[Network, ...]] = {}


def trusted_networks() -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks (parsed once per distinct setting; settings.py has already
    refused entries that do not parse)."""
    entries = tuple(settings.TRUSTED_PROXIES)
    networks = _parsed.get(entries)
    if networks is None:
        networks = _parsed[entries] = tuple(network_from_setting(entry) for entry in entries)
    return networks


def hop_address(text: str) -> Address | None:
    """The address in one `X-Forwarded-For` entry (or `REMOTE_ADDR`), or None if there is none."""
    text = text.strip()
    if text.startswith("["):  # [v6] or [v6]:port
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not _is_port_suffix(rest)):
            return None
    elif text.count(":") == 1:  # v4:port
        host, _colon, port = text.partition(":")
        if not _is_port_suffix(f":{port}"):
            return None
    else:  # a bare address
        host = text
    # A zone (`fe80::1%eth0`) names an interface of the proxy, not a client: leave it out.
    host = host.partition("%")[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_port_suffix(text: str) -> bool:
    port = text[1:]
    return text.startswith(":") and port.isascii() and port.isdigit() and len(port) <= 5


def is_trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(
    remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]
) -> Address | None:
    """The client's address from the connecting peer and the `X-Forwarded-For` chain, read from
    the right past trusted hops; None when the first untrusted hop is not an address."""
    address = hop_address(remote_addr)
    if address is None or not is_trusted(address, networks) or not forwarded_for.strip():
        return address
    for entry in reversed(forwarded_for.split(",")):
        hop = hop_address(entry)
        if hop is None:
            _unidentified_warning.emit(
                "An X-Forwarded-For entry written by trusted proxy %s is not an address, so the "
                "client is unidentified and may not post or report. Check what that proxy "
                "sends, or whether TRUSTED_PROXIES is wider than your proxies.",
                address,
            )
            return None
        address = hop
        if not is_trusted(address, networks):
            return address
    # Every hop is one of ours: a request made from inside, such as a probe or an operator.
    return address


def request_client_address(request) -> Address | None:
    """The client's address for this request (kjnews.proxies explains how it is found)."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_networks(),
    )


def peer_is_trusted(request) -> bool:
    """Whether the machine that connected is one of our proxies."""
    address = hop_address(request.META.get("REMOTE_ADDR", ""))
    return address is not None and is_trusted(address, trusted_networks())


def warn_if_proxy_unconfigured(request) -> None:
    """A request that carries X-Forwarded-For from a peer outside TRUSTED_PROXIES: either a proxy
    is in front and not configured (and every reader behind it counts as one), or someone is
    trying an address of their choice. Either way the header is ignored; the operator hears of it
    once an hour per worker. The peer is named only when it is loopback or private, since any
    other may be a reader's own address."""
    if "HTTP_X_FORWARDED_FOR" not in request.META or peer_is_trusted(request):
        return
    peer = hop_address(request.META.get("REMOTE_ADDR", ""))
    named = str(peer) if peer is not None and _is_infrastructure(peer) else "a public address"
    _unconfigured_warning.emit(
        "A request came with X-Forwarded-For from %s, which is not in TRUSTED_PROXIES, so the "
        "header was ignored. If a proxy is in front of this site, add its address or network to "
        "TRUSTED_PROXIES: until then every reader behind it counts as one poster.",
        named,
    )


# Where proxies live and readers do not: loopback, private networks (RFC 1918, unique local)
# and link-local. Any other peer may be a reader, whose address is not written to the log.
_INFRASTRUCTURE = tuple(
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10")
)


def _is_infrastructure(address: Address) -> bool:
    return address.is_loopback or is_trusted(address, _INFRASTRUCTURE)


class _RateLimitedWarning:
    """A warning logged at most once per interval in each process."""

    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.last = None

    def emit(self, message: str, *args) -> None:
        with self.lock:
            now = time.monotonic()
            if self.last is not None and now - self.last < self.interval:
                return
            self.last = now
        logger.warning(message, *args)

    def reset(self) -> None:
        with self.lock:
            self.last = None


_unconfigured_warning = _RateLimitedWarning(WARNING_INTERVAL_SECONDS)
_unidentified_warning = _RateLimitedWarning(WARNING_INTERVAL_SECONDS)
