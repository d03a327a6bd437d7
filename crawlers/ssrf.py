"""The SSRF guard for provider-registered feed URLs.

A feed URL is chosen by a provider, and we fetch it from inside our network, so
it must never lead to an address inside that network (a private service, the
machine itself, a cloud metadata endpoint). `check_url` parses the URL with the
same parser the fetcher uses (httpx), refuses unsafe schemes, credentials and
host spellings, resolves the host once, and refuses it when ANY of its
addresses is not on the public internet. The fetcher then connects only to the
addresses returned here (see crawlers.fetch), so a second DNS answer can never
send it anywhere else.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Same call shape as socket.getaddrinfo(host, port, family, type) and same answer:
# (family, type, proto, canonname, sockaddr) tuples.
Resolver = Callable[..., Iterable[tuple[Any, ...]]]

ALLOWED_SCHEMES = {"http": 80, "https": 443}
PUBLIC_ONLY = "feeds must be on the public internet"


class UnsafeFeedUrl(ValueError):
    """A feed URL we will not fetch; `reason` says why and what to change."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = redact_url(url)
        self.reason = reason
        super().__init__(f"feed URL {self.url} refused: {reason}")


class UnresolvableFeedHost(UnsafeFeedUrl):
    """The host has no address we could check (DNS said no, or said nothing)."""


@dataclass(frozen=True)
class CheckedTarget:
    """A URL that passed the guard, with the addresses that passed with it.

    `host` is the host exactly as the HTTP client will ask to connect to it
    (ASCII, IDNA-encoded, no brackets around IPv6); connections must go to one
    of `addresses` and nowhere else.
    """

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]


# --- special-purpose addresses ------------------------------------------------------------
# Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries, the structure of which
# is defined by RFC 6890 (updated by RFC 8190):
#   https://www.iana.org/assignments/iana-ipv4-special-registry/
#   https://www.iana.org/assignments/iana-ipv6-special-registry/
# with the RFC that assigned each block next to it. We refuse whole blocks even where the
# registry marks a few single addresses inside them as globally reachable (192.0.0.9,
# 192.0.0.10, some of 2001::/23): no feed is ever published there. The table exists, on
# top of ipaddress's is_global, because Python 3.11's is_global misses several of these
# (224.0.0.0/4, 192.88.99.0/24, 64:ff9b::/96, 2002::/16, 3fff::/20, fec0::/10, ff00::/8).
_IPV4_SPECIAL: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "a 'this network' address (RFC 791, RFC 1122)"),
    ("10.0.0.0/8", "a private address (RFC 1918)"),
    ("100.64.0.0/10", "a carrier-grade NAT shared address (RFC 6598)"),
    ("127.0.0.0/8", "a loopback address (RFC 1122)"),
    ("169.254.0.0/16", "a link-local address, where cloud metadata services listen (RFC 3927)"),
    ("172.16.0.0/12", "a private address (RFC 1918)"),
    ("192.0.0.0/24", "an IETF protocol assignment (RFC 6890)"),
    ("192.0.2.0/24", "a documentation address (TEST-NET-1, RFC 5737)"),
    ("192.88.99.0/24", "a deprecated 6to4 relay anycast address (RFC 7526)"),
    ("192.168.0.0/16", "a private address (RFC 1918)"),
    ("198.18.0.0/15", "a benchmarking address (RFC 2544)"),
    ("198.51.100.0/24", "a documentation address (TEST-NET-2, RFC 5737)"),
    ("203.0.113.0/24", "a documentation address (TEST-NET-3, RFC 5737)"),
    ("224.0.0.0/4", "a multicast address (RFC 5771)"),
    ("255.255.255.255/32", "the limited broadcast address (RFC 919, RFC 8190)"),
    ("240.0.0.0/4", "a reserved address (RFC 1112)"),
)
_IPV6_SPECIAL: tuple[tuple[str, str], ...] = (
    ("::/128", "the unspecified address (RFC 4291)"),
    ("::1/128", "the loopback address (RFC 4291)"),
    ("64:ff9b:1::/48", "a local-use NAT64 address (RFC 8215)"),
    ("100::/64", "a discard-only address (RFC 6666)"),
    ("2001::/23", "an IETF protocol assignment (RFC 2928)"),
    ("2001:db8::/32", "a documentation address (RFC 3849)"),
    ("3fff::/20", "a documentation address (RFC 9637)"),
    ("5f00::/16", "a segment-routing (SRv6) SID (RFC 9602)"),
    ("fc00::/7", "a unique-local (private) address (RFC 4193)"),
    ("fe80::/10", "a link-local address (RFC 4291)"),
    ("fec0::/10", "a deprecated site-local address (RFC 3879)"),
    ("ff00::/8", "a multicast address (RFC 4291)"),
)
_V4_TABLE = tuple((ipaddress.IPv4Network(net), why) for net, why in _IPV4_SPECIAL)
_V6_TABLE = tuple((ipaddress.IPv6Network(net), why) for net, why in _IPV6_SPECIAL)
# IANA allocates global unicast only from 2000::/3 (IANA IPv6 Address Space registry,
# RFC 4291 section 2.4); anything else is reserved or one of the blocks above.
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# Well-known NAT64 prefix, RFC 6052 section 2.1: the IPv4 address is the last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# IPv4-compatible addresses, RFC 4291 section 2.5.5.1 (deprecated): ::a.b.c.d.
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def address_problem(ip: Address) -> str | None:
    """Why `ip` is not a public internet address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_problem(ip)
        if embedded is not None:
            return embedded or None
        table: Iterable[tuple[Any, str]] = _V6_TABLE
    else:
        table = _V4_TABLE
    for network, why in table:
        if ip in network:
            return why
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _V6_GLOBAL_UNICAST:
        return "outside the IPv6 global unicast space 2000::/3 (IANA IPv6 Address Space)"
    if not ip.is_global:
        return "an address that is not globally reachable (IANA special-purpose registry)"
    return None


def _embedded_problem(ip: ipaddress.IPv6Address) -> str | None:
    """Judge IPv6 forms that carry an IPv4 address. Returns None when `ip` is not such a
    form, "" when it is one and is acceptable, otherwise the reason to refuse it."""
    if ip.ipv4_mapped is not None:
        # RFC 4291 section 2.5.5.2: a socket given ::ffff:a.b.c.d talks IPv4 to a.b.c.d.
        inner = address_problem(ip.ipv4_mapped)
        return f"an IPv4-mapped address for {ip.ipv4_mapped}, {inner}" if inner else ""
    if ip.teredo is not None:
        # RFC 4380 section 4: the client's IPv4 address is stored bit-inverted.
        server, client = ip.teredo
        return (
            f"a Teredo tunnel address (server {server}, client {client}), "
            "an IETF protocol assignment (RFC 4380, RFC 2928)"
        )
    if ip.sixtofour is not None:
        # RFC 3056 section 2: 2002:V4ADDR::/48.
        inner = address_problem(ip.sixtofour)
        return f"a 6to4 address embedding {ip.sixtofour}, {inner} (RFC 3056)" if inner else ""
    if ip in _NAT64:
        v4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        inner = address_problem(v4)
        return f"a NAT64 address embedding {v4}, {inner} (RFC 6052)" if inner else ""
    if ip in _V4_COMPATIBLE and int(ip) > 1:
        v4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return f"a deprecated IPv4-compatible address embedding {v4} (RFC 4291)"
    return None


# --- host names ------------------------------------------------------------------------------
# Names that lead inside the network whatever DNS says. localhost and *.localhost always
# mean this machine (RFC 6761 section 6.3); .local is multicast DNS on the local link
# (RFC 6762); .home.arpa is for home networks (RFC 8375); .internal is ICANN's private-use
# TLD (ICANN board resolution, July 2024). Cloud metadata names: metadata.google.internal
# and metadata.goog (Google Cloud docs, "About VM metadata"), instance-data (AWS EC2, an
# alias of 169.254.169.254); "metadata" alone resolves through search domains on GCE.
_LOCAL_SUFFIXES = ("localhost", "local", "home.arpa", "internal")
_METADATA_NAMES = {
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
}
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def parse_ipv4_like(name: str) -> ipaddress.IPv4Address | None:
    """Read `name` as inet_aton(3) (and so getaddrinfo) would: 1 to 4 parts, each decimal,
    0x-hex or 0-octal, the last filling the remaining bytes ("127.1", "0x7f.1",
    "2130706433", "0177.0.0.1"). None when `name` does not look numeric; ValueError when
    it looks numeric but is no valid address (WHATWG URL host parsing refuses those too)."""
    parts = name.split(".")
    if not _NUMERIC_LABEL.fullmatch(parts[-1]):
        return None
    if len(parts) > 4:
        raise ValueError(f"{name} has {len(parts)} numeric parts; an IPv4 address has at most 4")
    values = []
    for part in parts:
        lowered = part.lower()
        if lowered.startswith("0x"):
            digits, base, allowed = lowered[2:], 16, "0123456789abcdef"
        elif len(part) > 1 and part.startswith("0"):
            digits, base, allowed = part[1:], 8, "01234567"
        else:
            digits, base, allowed = part, 10, "0123456789"
        if not part or any(c not in allowed for c in digits):
            raise ValueError(f"{part!r} in {name} is not a number")
        values.append(int(digits, base) if digits else 0)
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(values)):
        raise ValueError(f"{name} has a part too large for an IPv4 address")
    number = last
    for index, value in enumerate(leading):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _name_problem(name: str) -> str | None:
    if name in _METADATA_NAMES:
        return f"{name} is a cloud metadata service name"
    for suffix in _LOCAL_SUFFIXES:
        if name == suffix or name.endswith("." + suffix):
            return f"{name} is a local-only name (.{suffix} never leaves our network)"
    if "." not in name:
        return (
            f"{name} is a single-label name, which our resolver completes with "
            "internal search domains"
        )
    return None


# --- the check -----------------------------------------------------------------------------


def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> CheckedTarget:
    """Refuse `url` unless it is an http(s) URL whose host resolves only to public
    addresses; return what passed, for the fetcher to connect to.

    `allow_private=True` lifts the address and host-name checks (for tests and closed
    deployments); scheme, credential and syntax checks stay. `resolver` has the shape
    of socket.getaddrinfo, which is the default.
    """
    if not isinstance(url, str) or not url.strip():
        raise UnsafeFeedUrl(str(url), "the feed URL is empty")
    if "\\" in url:
        raise UnsafeFeedUrl(
            url,
            "the URL contains a backslash, which URL parsers read "
            "differently; write it with forward slashes only",
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise UnsafeFeedUrl(url, _unparseable_reason(url, exc, allow_private)) from None

    scheme = parsed.scheme
    if scheme not in ALLOWED_SCHEMES:
        shown = f"scheme {scheme!r}" if scheme else "no scheme"
        raise UnsafeFeedUrl(
            url, f"the URL has {shown}; feed URLs must start with http:// or https://"
        )
    if parsed.userinfo or "@" in urllib.parse.urlsplit(url).netloc:
        raise UnsafeFeedUrl(
            url,
            "the URL carries a user name or password (the part before "
            "'@'); feeds must be readable without credentials in the URL",
        )
    port = parsed.port if parsed.port is not None else ALLOWED_SCHEMES[scheme]
    if not 1 <= port <= 65535:
        raise UnsafeFeedUrl(url, f"port {port} is not a TCP port (1-65535)")

    host = parsed.raw_host.decode("ascii")
    literal = _host_literal(url, host)
    if literal is None and not allow_private:
        problem = _name_problem(host.removesuffix(".").lower())
        if problem:
            raise UnsafeFeedUrl(url, f"{problem}; {PUBLIC_ONLY}")

    addresses = (literal,) if literal is not None else _resolve(url, host, port, resolver)
    if not allow_private:
        bad = [(ip, why) for ip in addresses if (why := address_problem(ip))]
        if bad:
            ip, why = bad[0]
            if literal is not None:
                said = f"{host} is {ip}," if host != str(ip) else f"{ip} is"
                raise UnsafeFeedUrl(url, f"{said} {why}; {PUBLIC_ONLY}")
            listed = ", ".join(str(a) for a in addresses)
            also = f" (of {listed})" if len(addresses) > 1 else ""
            raise UnsafeFeedUrl(url, f"{host} resolves to {ip}{also}, {why}; {PUBLIC_ONLY}")
    return CheckedTarget(
        url=str(parsed.copy_with(fragment=None)),
        scheme=scheme,
        host=host,
        port=port,
        addresses=addresses,
    )


def _host_literal(url: str, host: str) -> Address | None:
    """The address a host spelling stands for when it is an IP literal; refuses spellings
    that a resolver could read differently from us."""
    if not host:
        raise UnsafeFeedUrl(url, "the URL has no host")
    if "%" in host:
        raise UnsafeFeedUrl(
            url, "the host is percent-encoded or has an IPv6 zone; write the host name plainly"
        )
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise UnsafeFeedUrl(url, f"[{host}] is not a valid IPv6 address") from None
    name = host.removesuffix(".")
    try:
        v4 = parse_ipv4_like(name)
    except ValueError as exc:
        raise UnsafeFeedUrl(
            url, f"the host looks like an IPv4 address but is not one: {exc}"
        ) from None
    if v4 is not None:
        return v4
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise UnsafeFeedUrl(url, f"{host!r} is not a valid host name")
    return None


def _resolve(url: str, host: str, port: int, resolver: Resolver | None) -> tuple[Address, ...]:
    lookup = resolver if resolver is not None else socket.getaddrinfo
    try:
        answers = list(lookup(host, port, 0, socket.SOCK_STREAM))
    except (OSError, UnicodeError) as exc:
        raise UnresolvableFeedHost(
            url, f"{host} does not resolve ({exc}); check the host name in the feed URL"
        ) from None
    found: list[Address] = []
    for family, _type, _proto, _canon, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        # getaddrinfo gives link-local IPv6 with a zone ("fe80::1%eth0"); the zone does
        # not change which address it is.
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise UnresolvableFeedHost(
            url, f"{host} has no IPv4 or IPv6 address; check the host name in the feed URL"
        )
    return tuple(found)


def _unparseable_reason(url: str, exc: Exception, allow_private: bool) -> str:
    """httpx cannot parse the URL, so it can never be fetched; when the host is a spelling
    a resolver would still read (octal "0177.0.0.1", full-width letters that Python's IDNA
    codec folds to "localhost"), say what it stands for."""
    generic = f"it is not a valid URL ({exc})"
    if allow_private:
        return generic
    try:
        raw = urllib.parse.urlsplit(url).hostname or ""
        # Python's socket module encodes names with the IDNA 2003 codec, which folds
        # full-width and other compatibility characters (RFC 3490 nameprep).
        name = raw.encode("idna").decode("ascii").removesuffix(".").lower()
        v4 = parse_ipv4_like(name)
    except (UnicodeError, ValueError):
        return generic
    if v4 is not None:
        why = address_problem(v4)
        return f"{raw} is {v4}, {why}; {PUBLIC_ONLY}" if why else generic
    problem = _name_problem(name)
    if problem and name != raw:
        return f"{raw} is read as {name} by the resolver; {problem}; {PUBLIC_ONLY}"
    return generic


def redact_url(url: str) -> str:
    """The URL without any password, so refusals can be logged and shown."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    netloc = f"{user}:***@{hostport}" if ":" in userinfo else f"{user}@{hostport}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
