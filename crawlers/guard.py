"""The SSRF guard of feed pulls, applied to every request a crawl makes.

`SsrfGuardMiddleware` runs `crawlers.ssrf.check_url` on each request before it is sent:
start URLs, followed links, sitemap entries, redirect targets (a redirect is a new request
through the same chain) and robots.txt. A refused request is never sent. The addresses the
check resolved are pinned, and `PinnedResolver` (installed as Twisted's resolver) answers
connections with those addresses only, so a second DNS answer (DNS rebinding) is never
asked for, as in crawlers.fetch.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from crawlers.arguments import origin_of
from crawlers.ssrf import UnsafeFeedUrl, check_url

ALLOW_PRIVATE_SETTING = "MICROCRED_ALLOW_PRIVATE"
TRUSTED_ORIGINS_SETTING = "MICROCRED_TRUSTED_ORIGINS"
PINS_SETTING = "MICROCRED_ADDRESS_PINS"
REFUSED_STAT = "microcred/ssrf_refused"

log = logging.getLogger(__name__)


class AddressPins:
    """Host name -> the addresses the guard checked, shared by middleware and resolver.
    Lookups are cached for the crawl: one DNS question per host, not per request."""

    def __init__(self) -> None:
        self._by_host: dict[str, tuple[str, ...]] = {}
        self._answers: dict[tuple[str, int], list] = {}

    def __deepcopy__(self, memo) -> AddressPins:
        # Scrapy deep-copies settings for each crawler; the pins must stay one object,
        # shared by the middleware (in the crawler) and the resolver (in the process).
        return self

    def resolver(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        key = (host, port)
        if key not in self._answers:
            self._answers[key] = socket.getaddrinfo(host, port, family, type, proto, flags)
        return self._answers[key]

    def pin(self, host: str, addresses) -> None:
        self._by_host[host.lower()] = tuple(str(a) for a in addresses)

    def addresses(self, host: str) -> tuple[str, ...] | None:
        return self._by_host.get(host.lower())


class SsrfGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.allow_private = settings.getbool(ALLOW_PRIVATE_SETTING)
        self.trusted = {origin_of(o) for o in settings.getlist(TRUSTED_ORIGINS_SETTING)}
        self.pins: AddressPins = settings.get(PINS_SETTING) or AddressPins()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        allow = self.allow_private or origin_of(request.url) in self.trusted
        try:
            target = check_url(request.url, allow_private=allow, resolver=self.pins.resolver)
        except UnsafeFeedUrl as exc:
            self.stats.inc_value(REFUSED_STAT)
            log.warning("refused by the SSRF guard: %s", exc)
            raise IgnoreRequest(f"refused by the SSRF guard: {exc}") from None
        self.pins.pin(target.host, target.addresses)


@implementer(IResolverSimple)
class PinnedResolver:
    """Twisted's host resolver for the crawl: answers only with pinned addresses."""

    def __init__(self, reactor, pins: AddressPins) -> None:
        self.reactor = reactor
        self.pins = pins

    @classmethod
    def from_crawler(cls, crawler, reactor) -> PinnedResolver:
        # Scrapy builds the resolver from the process, whose settings hold the pins.
        return cls(reactor, crawler.settings.get(PINS_SETTING) or AddressPins())

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        try:
            ipaddress.ip_address(name)
            return defer.succeed(name)
        except ValueError:
            pass
        pinned = self.pins.addresses(name) or ()
        # The HTTP/1.1 handler connects over IPv4 (TCP4ClientEndpoint).
        v4 = [a for a in pinned if ipaddress.ip_address(a).version == 4]
        if not v4:
            return defer.fail(
                DNSLookupError(
                    f"{name} was not checked by the SSRF guard (or has no IPv4 address); "
                    "refusing to resolve it here"
                )
            )
        return defer.succeed(v4[0])
