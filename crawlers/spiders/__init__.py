"""The provider spiders: generic (schema.org markup) and declarative (a site config)."""

from __future__ import annotations

from crawlers.arguments import CrawlArguments
from crawlers.spiders.declarative import DeclarativeSpider
from crawlers.spiders.site import SiteSpider
from crawlers.spiders.structured import StructuredDataSpider


def spider_for(arguments: CrawlArguments) -> type[SiteSpider]:
    """A site config means the declarative spider; otherwise the markup is read."""
    return DeclarativeSpider if arguments.site is not None else StructuredDataSpider
