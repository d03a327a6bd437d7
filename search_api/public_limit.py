"""A rate limit per client on the public routes (search, offerings, the public pages).

The client is the socket peer's address. Behind a reverse proxy every request comes from
the proxy, so the peer is replaced by the address the proxy says it saw
(X-Forwarded-For) only when the peer is one of the configured trusted proxies: anyone else
could write any address there. X-Forwarded-For is read from the right (the hop nearest to
us), skipping trusted proxies, and the first address that is not one is the client; what
lies left of it was written by the client and is not believed. IPv6 clients are counted per
/64, the block one subscriber usually holds, so walking a prefix does not give a client a
fresh allowance per address.

Counting is search_api.rate_limit's: in memory in this process on the embedded default, in
the catalogue (shared by every API process) on PostgreSQL, as for agency keys.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from search_api.rate_limit import RateLimiter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
IPV6_CLIENT_PREFIX = 64


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.1, 172.16.0.0/12, ::1` -> networks; ValueError naming a bad entry."""
    out = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            out.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (CIDR), e.g. 10.0.0.5 or 172.16.0.0/12"
            ) from None
    return tuple(out)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def _key(address: Address) -> str:
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


def client_key(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """Who the request counts against (see the module's docstring)."""
    address = _address(peer) if peer else None
    if address is None:
        return peer or "unknown"
    if not _trusted(address, trusted):
        return _key(address)
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        hop_address = _address(hop)
        if hop_address is None:
            break  # a value no proxy of ours wrote: believe nothing further left
        if not _trusted(hop_address, trusted):
            return _key(hop_address)
        address = hop_address
    return _key(address)  # every hop a proxy of ours: the leftmost one we could read


@dataclass(frozen=True)
class PublicLimit:
    limiter: RateLimiter
    trusted_proxies: tuple[Network, ...] = ()

    def take(self, request: Request) -> None:
        """Count the request against its client, or raise RateLimited."""
        peer = request.client.host if request.client else None
        key = client_key(peer, request.headers.getlist("x-forwarded-for"), self.trusted_proxies)
        self.limiter.take(key)


def public_rate_limit(request: Request) -> None:
    """The dependency of every public route: nothing when the limit is off."""
    limit: PublicLimit | None = getattr(request.app.state, "public_limit", None)
    if limit is not None:
        limit.take(request)
