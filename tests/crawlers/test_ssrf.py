"""The SSRF guard: which feed URLs may be fetched, and why the others may not.

Host names are answered by `FakeDNS`, a stand-in for DNS: nothing here can host a public
DNS zone, and these tests must not send a packet off the machine. IP literals never
reach it (the guard reads them itself, as inet_aton would).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from crawlers.ssrf import (
    CheckedTarget,
    UnresolvableFeedHost,
    UnsafeFeedUrl,
    address_problem,
    check_url,
    parse_ipv4_like,
)

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDNS:
    """A stand-in for DNS with getaddrinfo's call shape and answer shape."""

    def __init__(self, zone: dict[str, list[str]]) -> None:
        self.zone = zone
        self.asked: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        self.asked.append(host)
        if host not in self.zone:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = []
        for address in self.zone[host]:
            ip = ipaddress.ip_address(address)
            if ip.version == 4:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
            else:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
        return answers


ZONE = {
    "feeds.example.org": [PUBLIC_V4],
    "feeds.example.org.": [PUBLIC_V4],
    "v6.example.org": [PUBLIC_V6],
    "both.example.org": [PUBLIC_V4, PUBLIC_V6],
    "xn--exmple-cua.com": [PUBLIC_V4],  # exämple.com
    "intranet.example.org": ["10.0.0.5"],
    "mixed.example.org": [PUBLIC_V4, "192.168.0.10"],
    "loop6.example.org": ["::1"],
    "mapped.example.org": ["::ffff:169.254.169.254"],
    "xn--bcher-kva.example": ["10.1.2.3"],  # bücher.example
    "localhost": ["127.0.0.1"],
    "localhost.": ["127.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "empty.example.org": [],
}


@pytest.fixture
def dns() -> FakeDNS:
    return FakeDNS(dict(ZONE))


# (url, words the refusal must contain)
REFUSED = [
    # loopback, private, link-local / metadata, CGNAT
    ("http://127.0.0.1/feed.json", "127.0.0.1 is a loopback address"),
    ("http://127.255.255.254/", "loopback"),
    ("http://10.0.0.5/", "10.0.0.5 is a private address (RFC 1918)"),
    ("http://172.16.0.1/", "a private address"),
    ("http://172.31.255.255/", "a private address"),
    ("http://192.168.1.1/", "a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://100.100.100.200/", "carrier-grade NAT"),  # Alibaba Cloud metadata
    # unspecified, this-network, multicast, reserved, broadcast, documentation, benchmarking
    ("http://0.0.0.0/", "'this network'"),
    ("http://0/", "0 is 0.0.0.0"),
    ("http://0.1.2.3/", "'this network'"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "limited broadcast"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.51.100.7/", "documentation"),
    ("http://203.0.113.9/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://192.0.0.1/", "IETF protocol assignment"),
    ("http://192.88.99.1/", "6to4 relay"),
    # IPv6 literals and IPv6 forms that carry an IPv4 address
    ("http://[::1]/", "the loopback address"),
    ("http://[::]/", "the unspecified address"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped address for 127.0.0.1, a loopback"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped address for 127.0.0.1, a loopback"),
    ("http://[::ffff:a9fe:a9fe]/", "IPv4-mapped address for 169.254.169.254"),
    ("http://[::127.0.0.1]/", "IPv4-compatible address embedding 127.0.0.1"),
    ("http://[::5db8:d70e]/", "IPv4-compatible"),  # deprecated even with a public v4
    ("http://[64:ff9b::a00:1]/", "NAT64 address embedding 10.0.0.1"),
    ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 address embedding 169.254.169.254"),
    ("http://[64:ff9b:1::1]/", "local-use NAT64"),
    ("http://[2002:a00:1::1]/", "6to4 address embedding 10.0.0.1"),
    ("http://[2002:7f00:1::]/", "6to4 address embedding 127.0.0.1"),
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "Teredo"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "unique-local"),
    ("http://[fd12:3456:789a::1]/", "unique-local"),
    ("http://[fec0::1]/", "site-local"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[2001:db8::1]/", "documentation"),
    ("http://[3fff::1]/", "documentation"),
    ("http://[100::1]/", "discard-only"),
    ("http://[5f00::1]/", "SRv6"),
    ("http://[fe80::1%25eth0]/", "IPv6 zone"),
    # the same loopback address, spelled the ways inet_aton(3) and getaddrinfo accept
    ("http://2130706433/", "2130706433 is 127.0.0.1, a loopback"),  # decimal
    ("http://017700000001/", "is 127.0.0.1, a loopback"),  # octal, one part
    ("http://0177.0.0.1/", "0177.0.0.1 is 127.0.0.1, a loopback"),  # octal dotted
    ("http://0177.1/", "0177.1 is 127.0.0.1, a loopback"),
    ("http://0x7f.1/", "0x7f.1 is 127.0.0.1, a loopback"),  # hex, short
    ("http://0x7f000001/", "is 127.0.0.1"),
    ("http://0x7f.0x0.0x0.0x1/", "is 127.0.0.1"),
    ("http://127.1/", "127.1 is 127.0.0.1, a loopback"),  # short
    ("http://127.0.1/", "is 127.0.0.1"),
    ("http://127.0.0.1./", "is 127.0.0.1"),  # trailing dot
    ("http://0xa9.0xfe.0xa9.0xfe/", "is 169.254.169.254, a link-local"),
    ("http://3232235777/", "is 192.168.1.1, a private"),
    ("http://1.2.3.4.5/", "looks like an IPv4 address but is not one"),
    ("http://08.0.0.1/", "not a valid URL"),  # 8 is not octal
    ("http://%31%32%37.0.0.1/", "percent-encoded"),
    # local-only and metadata names, whatever DNS would say
    ("http://localhost/", "localhost is a local-only name"),
    ("http://localhost./", "localhost is a local-only name"),  # trailing dot
    ("http://LOCALHOST:8080/", "localhost is a local-only name"),
    ("http://feeds.localhost/", "local-only name"),
    ("http://printer.local/", "local-only name"),
    ("http://router.home.arpa/", "local-only name"),
    ("http://ｌｏｃａｌｈｏｓｔ/", "is read as localhost by the resolver"),  # full-width IDN
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata service name"),
    ("http://metadata.google.internal./", "cloud metadata service name"),
    ("http://metadata/", "cloud metadata service name"),
    ("http://db.corp.internal/", "local-only name"),
    ("http://intranet/", "single-label name"),
    # names that resolve inside the network (FakeDNS stands in for DNS)
    (
        "http://intranet.example.org/feed",
        "intranet.example.org resolves to 10.0.0.5, a private address (RFC 1918); feeds must "
        "be on the public internet",
    ),
    ("http://mixed.example.org/", "resolves to 192.168.0.10 (of 93.184.215.14, 192.168.0.10)"),
    ("http://loop6.example.org/", "resolves to ::1, the loopback address"),
    ("http://mapped.example.org/", "IPv4-mapped address for 169.254.169.254"),
    ("http://bücher.example/", "xn--bcher-kva.example resolves to 10.1.2.3"),
    # schemes
    ("file:///etc/passwd", "scheme 'file'"),
    ("gopher://feeds.example.org/", "scheme 'gopher'"),
    ("ftp://feeds.example.org/feed.csv", "scheme 'ftp'"),
    ("ws://feeds.example.org/", "scheme 'ws'"),
    ("javascript:alert(1)", "scheme 'javascript'"),
    ("//feeds.example.org/feed", "no scheme"),
    ("feeds.example.org/feed", "no scheme"),
    # credentials, ambiguous syntax, ports, empty hosts
    ("http://user:secret@feeds.example.org/", "user name or password"),
    ("http://user@feeds.example.org/", "user name or password"),
    ("http://@feeds.example.org/", "user name or password"),
    ("http://feeds.example.org:80@127.0.0.1/", "user name or password"),
    ("http://feeds.example.org\\@127.0.0.1/", "backslash"),
    ("http://feeds.example.org:0/", "port 0"),
    ("http://feeds.example.org:99999/", "port 99999"),
    ("http:///feed", "no host"),
    ("http://a*b.example.org/", "not a valid host name"),
    ("", "empty"),
]


@pytest.mark.parametrize(("url", "words"), REFUSED, ids=[u or "empty" for u, _ in REFUSED])
def test_refused(url, words, dns):
    with pytest.raises(UnsafeFeedUrl) as refused:
        check_url(url, resolver=dns)
    assert words in refused.value.reason
    assert str(refused.value).startswith("feed URL ")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.5/",
        "http://2130706433/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://127.0.0.1./",
        "http://0/",
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::a00:1]/",
    ],
)
def test_ip_literals_never_reach_the_resolver(url):
    def no_dns(*args, **kwargs):
        raise AssertionError(f"resolver asked about {args[0]}")

    with pytest.raises(UnsafeFeedUrl):
        check_url(url, resolver=no_dns)


def test_a_refusal_says_why_and_what_to_do(dns):
    with pytest.raises(UnsafeFeedUrl) as refused:
        check_url("https://intranet.example.org/courses.json", resolver=dns)
    assert str(refused.value) == (
        "feed URL https://intranet.example.org/courses.json refused: intranet.example.org "
        "resolves to 10.0.0.5, a private address (RFC 1918); feeds must be on the public "
        "internet"
    )
    assert refused.value.url == "https://intranet.example.org/courses.json"


def test_a_refusal_never_repeats_a_password(dns):
    with pytest.raises(UnsafeFeedUrl) as refused:
        check_url("https://alice:hunter2@feeds.example.org/feed", resolver=dns)
    assert "hunter2" not in str(refused.value)
    assert "alice:***@feeds.example.org" in str(refused.value)


def test_unresolvable_host_is_its_own_refusal(dns):
    with pytest.raises(UnresolvableFeedHost, match="nowhere.example.org does not resolve"):
        check_url("https://nowhere.example.org/feed", resolver=dns)
    with pytest.raises(UnresolvableFeedHost, match="no IPv4 or IPv6 address"):
        check_url("https://empty.example.org/feed", resolver=dns)


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://feeds.example.org/feed.json", (PUBLIC_V4,)),
        ("https://feeds.example.org:8443/x?y=1", (PUBLIC_V4,)),
        ("https://feeds.example.org./feed", (PUBLIC_V4,)),
        ("https://FEEDS.Example.ORG/feed", (PUBLIC_V4,)),
        ("https://v6.example.org/feed", (PUBLIC_V6,)),
        ("https://both.example.org/feed", (PUBLIC_V4, PUBLIC_V6)),
        ("https://exämple.com/feed", (PUBLIC_V4,)),
        (f"http://{PUBLIC_V4}/feed", (PUBLIC_V4,)),
        (f"http://[{PUBLIC_V6}]/feed", (PUBLIC_V6,)),
        ("http://[::ffff:93.184.215.14]/", ("::ffff:5db8:d70e",)),
        ("http://[64:ff9b::5db8:d70e]/", ("64:ff9b::5db8:d70e",)),
        ("http://[2002:5db8:d70e::1]/", ("2002:5db8:d70e::1",)),
        ("http://1572394766/", (PUBLIC_V4,)),  # a public address in decimal is still it
    ],
)
def test_public_addresses_pass(url, addresses, dns):
    target = check_url(url, resolver=dns)
    assert isinstance(target, CheckedTarget)
    assert tuple(str(a) for a in target.addresses) == addresses


def test_checked_target_is_what_the_client_will_connect_to(dns):
    target = check_url("https://exämple.com/feed#section", resolver=dns)
    assert (target.scheme, target.host, target.port) == ("https", "xn--exmple-cua.com", 443)
    assert target.url == "https://xn--exmple-cua.com/feed"
    assert dns.asked == ["xn--exmple-cua.com"]  # the resolver sees the IDNA form
    assert check_url("http://feeds.example.org/", resolver=dns).port == 80
    assert check_url("http://feeds.example.org:8080/", resolver=dns).port == 8080
    assert check_url("http://[::ffff:93.184.215.14]:81/", resolver=dns).host == (
        "::ffff:93.184.215.14"
    )


def test_allow_private_lifts_address_checks_only(dns):
    assert check_url("http://127.0.0.1:8080/", allow_private=True).addresses == (
        ipaddress.ip_address("127.0.0.1"),
    )
    assert check_url("http://localhost/", allow_private=True, resolver=dns).host == "localhost"
    assert check_url("http://intranet.example.org/", allow_private=True, resolver=dns)
    assert check_url("http://[::1]/", allow_private=True)
    for url in (
        "file:///etc/passwd",
        "gopher://localhost/",
        "http://u:p@127.0.0.1/",
        "http://%31%32%37.0.0.1/",
        "http://127.0.0.1:0/",
    ):
        with pytest.raises(UnsafeFeedUrl):
            check_url(url, allow_private=True, resolver=dns)


def test_default_resolver_is_getaddrinfo_looked_up_at_call_time(monkeypatch):
    fake = FakeDNS({"feeds.example.org": ["10.9.8.7"]})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(UnsafeFeedUrl, match="10.9.8.7"):
        check_url("https://feeds.example.org/")
    assert fake.asked == ["feeds.example.org"]


def test_link_local_answer_with_zone_is_still_link_local():
    def zoned(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", port, 0, 2))]

    with pytest.raises(UnsafeFeedUrl, match="link-local"):
        check_url("http://zoned.example.org/", resolver=zoned)


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("0x", "0.0.0.0"),
        ("4294967295", "255.255.255.255"),
        ("1.2.3.4", "1.2.3.4"),
    ],
)
def test_inet_aton_spellings(spelling, address):
    assert parse_ipv4_like(spelling) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize(
    "spelling", ["4294967296", "1.2.3.256", "256.1", "1.2.3.4.5", "09", "0x1g.2", "1..2"]
)
def test_numeric_hosts_that_are_no_address(spelling):
    with pytest.raises(ValueError):
        parse_ipv4_like(spelling)


@pytest.mark.parametrize("name", ["example.org", "feeds.1a", "x.0x1g.example", "0x1g"])
def test_names_are_not_numbers(name):
    assert parse_ipv4_like(name) is None


def test_every_global_address_python_knows_of_passes_our_table_too():
    for address in ["8.8.8.8", "1.1.1.1", PUBLIC_V4, "2001:4860:4860::8888", PUBLIC_V6]:
        assert address_problem(ipaddress.ip_address(address)) is None
