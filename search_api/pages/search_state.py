"""The search page's URL taken apart and put back together: search parameters, where the
page is in the results (a trail of cursors) and the offerings picked to compare. Every
state is in the URL, so links can be shared and the back button works."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import QueryParams

from catalogue.search.query import MAX_PAGE_SIZE
from search_api.params import search_parameters, split_values

MAX_COMPARE = 4
# Parameters of the page that the search API does not take: where the page is in the
# results (the cursors of the pages before it) and the offerings picked to compare.
PAGE_ONLY = ("trail", "compare")


def _within_page_size(name: str, value: str) -> str:
    if name == "size" and value.isdigit() and int(value) > MAX_PAGE_SIZE:
        return str(MAX_PAGE_SIZE)
    return value


@dataclass
class SearchState:
    """The page's URL, taken apart: search parameters, page trail and compare list."""

    items: list[tuple[str, str]]  # the search parameters, as given, without cursor
    cursor: str | None
    trail: list[str]  # cursors of pages 2 .. n-1
    compare: list[str]

    @classmethod
    def from_params(cls, params: QueryParams) -> SearchState:
        """Parameters the search does not know are left out: a link shared from social media
        or a newsletter carries `fbclid`, `utm_source` and the like, and the page must show
        the search, not an error (the API still refuses them). A `size` over the largest
        page is the largest page."""
        known = search_parameters() | set(PAGE_ONLY)
        items = [
            (k, _within_page_size(k, v.strip()))
            for k, v in params.multi_items()
            if v.strip() and k in known
        ]
        compare: list[str] = []
        for key, value in items:
            if key == "compare":
                compare += [v for v in split_values(value) if v not in compare]
        trail = next((v for k, v in items if k == "trail"), "")
        return cls(
            items=[(k, v) for k, v in items if k not in PAGE_ONLY and k != "cursor"],
            cursor=next((v for k, v in items if k == "cursor"), None),
            trail=[t for t in trail.split(".") if t],
            compare=compare[:MAX_COMPARE],
        )

    @property
    def page(self) -> int:
        return len(self.trail) + 2 if self.cursor else 1

    def get(self, name: str) -> str:
        return next((v for k, v in self.items if k == name), "")

    def values(self, name: str) -> set[str]:
        return {x for k, v in self.items if k == name for x in split_values(v)}

    def query_params(self) -> QueryParams:
        return QueryParams(self.items + ([("cursor", self.cursor)] if self.cursor else []))

    def url(
        self,
        items: Iterable[tuple[str, str]] | None = None,
        *,
        cursor: str | None = None,
        trail: list[str] | None = None,
        compare: list[str] | None = None,
    ) -> str:
        """The search page with these parameters; page 1 unless a cursor is given."""
        parts = list(self.items if items is None else items)
        if cursor:
            parts.append(("cursor", cursor))
            if trail:
                parts.append(("trail", ".".join(trail)))
        compare = self.compare if compare is None else compare
        if compare:
            parts.append(("compare", ",".join(compare)))
        return "/?" + urlencode(parts) if parts else "/"

    def here(self, compare: list[str]) -> str:
        """This very page, with another compare list."""
        return self.url(cursor=self.cursor, trail=self.trail, compare=compare)

    def without(self, name: str, value: str | None = None) -> str:
        kept = []
        for key, raw in self.items:
            if key != name:
                kept.append((key, raw))
            elif value is not None:
                rest = [v for v in split_values(raw) if v != value]
                if rest:
                    kept.append((key, ",".join(rest)))
        return self.url(kept)

    def dropping(self, names: Iterable[str]) -> SearchState:
        """The same state without these search parameters (values the search refused)."""
        gone = set(names)
        return SearchState(
            items=[(k, v) for k, v in self.items if k not in gone],
            cursor=None if gone else self.cursor,
            trail=[] if gone else self.trail,
            compare=self.compare,
        )

    def with_only(self, **values: str) -> str:
        kept = [(k, v) for k, v in self.items if k not in values] + list(values.items())
        return self.url(kept)

    def search_query_string(self) -> str:
        """What an offering or compare page needs to link back to these results."""
        return urlencode(
            self.items
            + ([("cursor", self.cursor)] if self.cursor else [])
            + ([("trail", ".".join(self.trail))] if self.trail and self.cursor else [])
        )


def back_to_search(from_qs: str | None, compare: list[str]) -> str:
    """The results page a detail page came from. Only ever a path on this site: the query
    string is parsed and rebuilt, never used as a URL."""
    items = [(k, v) for k, v in parse_qsl(from_qs or "") if k != "compare"]
    if compare:
        items.append(("compare", ",".join(compare)))
    return "/?" + urlencode(items) if items else "/"
