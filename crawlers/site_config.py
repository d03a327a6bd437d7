"""Declarative site configs: how to read a provider's course pages that carry no schema.org
markup, written as data (a TOML file, or the same object as JSON through the API), so that
adding such a provider needs no Python.

A config names the pages that are course pages (URL regular expressions), which links to
follow to find them, and for each field of feed format v1 a rule that finds its value on
the page: a CSS or XPath selector, a regular expression over the page URL, or a constant.
Runs (start dates, modes, places, prices) may be read from repeating elements. Every
selector and expression is compiled when the config is loaded, so a typo is reported at
registration, naming the field, not discovered on the first crawl. See crawlers/sites/.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from normaliser.normalise import FEED_FIELDS, INSTANCE_FIELDS

_TRANSLATOR = HTMLTranslator()
Pattern = Annotated[str, Field(min_length=1, max_length=500)]


class SiteConfigError(ValueError):
    """A site config that cannot be used; the message names the field and the fix."""


def _compile_regex(value: str, what: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{what} {value!r} is not a valid regular expression: {exc}") from None
    return value


def css_to_xpath(css: str) -> str:
    """Parsel's reading of a CSS selector (with its ::text and ::attr() extensions)."""
    return _TRANSLATOR.css_to_xpath(css)


class FieldRule(BaseModel):
    """Where one field's value is on a course page. Exactly one of `css`, `xpath`,
    `url_regex` (its first group, else the whole match, of the page URL) or `value` (a
    constant). `regex` then keeps, of each text found, its first group (or the match);
    `all` keeps every match as a list instead of the first; `join` joins every match into
    one text."""

    model_config = ConfigDict(extra="forbid")

    css: str | None = None
    xpath: str | None = None
    url_regex: str | None = None
    value: str | None = None
    regex: str | None = None
    all: bool = False
    join: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FieldRule:
        given = [
            name
            for name in ("css", "xpath", "url_regex", "value")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of css, xpath, url_regex or value"
                + (f" (not {' and '.join(given)})" if given else "")
            )
        if self.css is not None:
            try:
                css_to_xpath(self.css)
            except SelectorError as exc:
                raise ValueError(f"css {self.css!r} is not a valid selector: {exc}") from None
        if self.xpath is not None:
            try:
                etree.XPath(self.xpath)
            except etree.XPathSyntaxError as exc:
                raise ValueError(f"xpath {self.xpath!r} is not valid XPath: {exc}") from None
        if self.url_regex is not None:
            _compile_regex(self.url_regex, "url_regex")
        if self.regex is not None:
            _compile_regex(self.regex, "regex")
        if self.all and self.join is not None:
            raise ValueError("give `all` (a list) or `join` (one text), not both")
        return self


class InstanceRules(BaseModel):
    """Runs of a course: `css` or `xpath` selects one element per run; the field rules
    are then read inside that element (selectors relative to it)."""

    model_config = ConfigDict(extra="forbid")

    css: str | None = None
    xpath: str | None = None
    fields: dict[str, FieldRule]

    @model_validator(mode="after")
    def _check(self) -> InstanceRules:
        if (self.css is None) == (self.xpath is None):
            raise ValueError("instances need exactly one of css or xpath to select each run")
        FieldRule(css=self.css) if self.css else FieldRule(xpath=self.xpath)
        unknown = sorted(set(self.fields) - set(INSTANCE_FIELDS))
        if unknown:
            raise ValueError(
                f"instance fields {unknown} are not run fields; use {', '.join(INSTANCE_FIELDS)}"
            )
        return self


class SiteConfig(BaseModel):
    """How to crawl and read one provider's site."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Who this config is for.")
    start_urls: list[str] = Field(default_factory=list, max_length=50)
    sitemap_urls: list[str] = Field(default_factory=list, max_length=50)
    # Links are followed only when they match one of `follow` (all on the site when empty)
    # and none of `deny`.
    follow: list[Pattern] = Field(default_factory=list, max_length=50)
    deny: list[Pattern] = Field(default_factory=list, max_length=50)
    course_pages: list[Pattern] = Field(min_length=1, max_length=50)
    fields: dict[str, FieldRule]
    instances: InstanceRules | None = None

    @field_validator("follow", "deny", "course_pages")
    @classmethod
    def _regexes(cls, values: list[str]) -> list[str]:
        return [_compile_regex(value, "pattern") for value in values]

    @field_validator("start_urls", "sitemap_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        # The crawl stays on the hosts of its start URLs (CrawlArguments.hosts), so each needs one.
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"{url!r} is not an absolute http(s) URL, such as "
                    "'https://example.ac.nz/courses/'"
                )
        return urls

    @model_validator(mode="after")
    def _fields(self) -> SiteConfig:
        unknown = sorted(set(self.fields) - set(FEED_FIELDS))
        if unknown:
            raise ValueError(
                f"fields {unknown} are not fields of feed format v1; use {', '.join(FEED_FIELDS)}"
            )
        if "title" not in self.fields:
            raise ValueError(
                "a rule for `title` is required (every offering has one); "
                "`id` may be left out, and the page URL is then the id"
            )
        return self

    def is_course_page(self, url: str) -> bool:
        return any(re.search(pattern, url) for pattern in self.course_pages)


def parse_site_config(data: dict) -> SiteConfig:
    """Validate a site config given as an object; SiteConfigError says what is wrong."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'config'}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise SiteConfigError(f"the site config is not valid: {problems}") from None


def load_site_config(path: Path) -> SiteConfig:
    """Read a TOML site config file (crawlers/sites/*.toml)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_site_config(data)
