"""The arguments of one crawl, as a pydantic model: what the spiders and the Scrapy settings
are built from, and what crosses into the crawl's child process as JSON.

The politeness defaults are here, in one place: robots.txt is always obeyed (it is not an
argument), at most 2 requests at a time to one host, AutoThrottle adapting the delay to
how fast the site answers, and bounds on depth, pages, time and page size so no crawl runs
away.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crawlers.site_config import SiteConfig

# Names the marketplace and where to read about it (and reach us): what a site's operator
# sees in their logs. robots.txt groups for "microcred-crawler" apply to us.
ROBOTS_NAME = "microcred-crawler"
CONTACT_URL = "https://github.com/microcred/microcred/blob/main/README.md#crawling"
USER_AGENT = f"{ROBOTS_NAME}/1.0 (+{CONTACT_URL}; national micro-credential marketplace)"


def origin_of(url: str) -> str:
    """scheme://host:port of a URL, the port always written, for comparing origins."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


class CrawlLimits(BaseModel):
    """Per-provider bounds and politeness. A provider may tighten them or, within the
    bounds here, loosen them for its own site."""

    model_config = ConfigDict(extra="forbid")

    max_depth: int = Field(6, ge=0, le=50, description="Links followed from a start URL.")
    max_pages: int = Field(5000, ge=1, le=200_000, description="Pages requested at most.")
    max_seconds: float = Field(3600.0, gt=0, le=86_400, description="Wall-clock time.")
    concurrency_per_host: int = Field(2, ge=1, le=4)
    download_delay: float = Field(
        0.0, ge=0, le=60, description="Least seconds between requests to one host."
    )
    autothrottle_start_delay: float = Field(1.0, ge=0, le=60)
    autothrottle_max_delay: float = Field(30.0, ge=0.1, le=300)
    download_timeout: float = Field(30.0, gt=0, le=300, description="Seconds per page.")
    max_page_bytes: int = Field(5 * 1024 * 1024, ge=10_000, le=50 * 1024 * 1024)
    follow_links: bool = Field(True, description="Follow links on the site's pages.")
    use_sitemaps: bool = Field(True, description="Read the sitemaps robots.txt lists.")


class CrawlArguments(BaseModel):
    """Everything one crawl needs. `allow_private` lifts the SSRF guard's address checks
    (development and tests); `trusted_origins` lift them for those origins only
    (the demo site `microcred up` serves itself on loopback)."""

    model_config = ConfigDict(extra="forbid")

    provider_id: str = Field(min_length=1, max_length=64)
    source_id: int | None = None
    start_urls: list[str] = Field(default_factory=list, max_length=50)
    site: SiteConfig | None = None
    limits: CrawlLimits = Field(default_factory=CrawlLimits)
    allow_private: bool = False
    trusted_origins: list[str] = Field(default_factory=list)
    cache_dir: str | None = Field(None, description="HTTP cache; None: no cache.")
    user_agent: str = USER_AGENT

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"start URL {url!r} is not an http(s) URL")
        return urls

    def all_start_urls(self) -> list[str]:
        """The start URLs, those of the site config after the ones given here."""
        urls = list(self.start_urls)
        if self.site is not None:
            urls += [u for u in (*self.site.start_urls, *self.site.sitemap_urls) if u not in urls]
        return urls

    def hosts(self) -> list[str]:
        """The hosts the crawl stays on: those of its start URLs."""
        # Every start URL has a host: both models' validators see to it.
        return sorted({urlsplit(url).hostname or "" for url in self.all_start_urls()})
