"""A course record from a page without markup, by the rules of a declarative site config
(crawlers.site_config). Pure: a page's URL and parsed HTML in, one raw record out; the
values stay as the page writes them, for the normaliser to map like any feed's."""

from __future__ import annotations

import re
from typing import cast

from parsel import Selector, SelectorList

from crawlers.site_config import FieldRule, SiteConfig
from crawlers.structured import PageRecords, page_locator
from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import RawRecord

_SPACE = re.compile(r"\s+")
# Fields whose HTML is worth keeping: the normaliser turns it into tidy text itself.
_HTML_FIELDS = frozenset({"description"})


def extract_with_config(selector: Selector, url: str, config: SiteConfig) -> PageRecords:
    """The course on the page at `url` (a course page of `config`)."""
    page = PageRecords()
    fields: dict[str, str | list[str]] = {}
    issues: list[Issue] = []
    for name, rule in config.fields.items():
        values = _apply(rule, selector, url, keep_html=name in _HTML_FIELDS)
        if values:
            fields[name] = values if rule.all and len(values) > 1 else values[0]
    if "id" not in fields:
        fields["id"] = url
        if "id" in config.fields:
            issues.append(
                Issue.warning(
                    "id",
                    IssueCode.DEFAULTED,
                    f"the id rule found nothing on {url}; the page URL is the id instead",
                    value=url,
                )
            )
    fields.setdefault("url", url)
    instances = []
    if config.instances is not None:
        rules = config.instances
        # InstanceRules holds one of css and xpath.
        runs = selector.css(rules.css) if rules.css else selector.xpath(cast(str, rules.xpath))
        for run in runs:
            instance: dict[str, str | list[str]] = {}
            for name, rule in rules.fields.items():
                values = _apply(rule, run, url, keep_html=False)
                if values:
                    instance[name] = values if rule.all and len(values) > 1 else values[0]
            if instance:
                instances.append(instance)
    page.records.append(
        RawRecord(locator=page_locator(url), fields=fields, issues=issues, instances=instances)
    )
    return page


def _apply(rule: FieldRule, selector: Selector, url: str, *, keep_html: bool) -> list[str]:
    if rule.value is not None:
        texts = [rule.value]
    elif rule.url_regex is not None:
        match = re.search(rule.url_regex, url)
        texts = [match.group(1) if match and match.groups() else match.group(0)] if match else []
    else:
        # FieldRule holds exactly one of css, xpath, url_regex and value.
        found = (
            selector.css(rule.css)
            if rule.css is not None
            else selector.xpath(cast(str, rule.xpath))
        )
        texts = _texts(found, keep_html)
    if rule.regex is not None:
        kept = []
        for text in texts:
            match = re.search(rule.regex, text)
            if match:
                kept.append(match.group(1) if match.groups() else match.group(0))
        texts = kept
    texts = [t for t in texts if t]
    if rule.join is not None and texts:
        return [rule.join.join(texts)]
    return texts


def _texts(found: SelectorList, keep_html: bool) -> list[str]:
    """Text of each selected node: a text or attribute node as it is, an element as its
    text content (or its HTML, for fields the normaliser reads HTML in)."""
    texts = []
    for node in found:
        if isinstance(node.root, str):
            text = node.root
        elif keep_html:
            text = node.get()
        else:
            text = " ".join(node.root.itertext())
        texts.append(_SPACE.sub(" ", text).strip())
    return texts
