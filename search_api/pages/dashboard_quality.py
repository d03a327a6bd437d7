"""The dashboard's data quality per provider and the offerings that reached us twice: the
answers of `/v1/quality` and `/v1/duplicates` (catalogue.quality, catalogue.duplicates),
drawn as a chart and tables (search_api.pages.dashboard renders them)."""

from __future__ import annotations

from typing import Any

from catalogue.quality import quality_as_dict
from search_api.context import AgencyContext
from search_api.pages import charts
from search_api.pages.render import number
from search_api.pages.value_text import NOT_STATED

# The dashboard lists this many links; the API pages through all of them.
DUPLICATES_SHOWN = 10
# Counted up to this many links; beyond it the page says "more than".
DUPLICATES_COUNTED = 1000


def _share(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else NOT_STATED


def quality_figure(agency: AgencyContext | None, providers: list[str]) -> dict[str, Any]:
    """Annex I completeness per provider as a chart, and per provider the values we could
    not map and the offerings not seen lately, as its table. `providers`: the ones the
    filters name (all when empty)."""
    figure: dict[str, Any] = {
        "id": "quality",
        "title": "Data quality by provider: Annex I elements present",
        "svg": None,
        "rows": [],
        "error": None,
        "note": None,
        "columns": (
            "Provider",
            "Active offerings",
            "Annex I elements present",
            "Values not mapped",
            "Not seen lately",
        ),
    }
    if agency is None:
        figure["error"] = "data quality is not available in this deployment"
        return figure
    report = [
        quality_as_dict(q)
        for q in agency.quality.report()
        if not providers or q.provider_id in providers
    ]
    report = [q for q in report if q["active_offerings"]]
    report.sort(key=lambda q: (q["annex_i"]["score"] or 0, q["provider_name"]))
    bars = [
        charts.Bar(q["provider_name"], round(100 * (q["annex_i"]["score"] or 0))) for q in report
    ]
    if bars:
        figure["svg"] = charts.horizontal_bars(
            figure["title"], bars, unit="% of the mandatory elements", suffix="%", top=100
        )
    for q in report:
        unmapped = sum(v["unmapped"] for v in q["unmapped"].values())
        worst = max(q["unmapped"].items(), key=lambda kv: kv[1]["unmapped"], default=None)
        where = (
            f" (most in {worst[0]}: {number(worst[1]['unmapped'])})" if worst and unmapped else ""
        )
        stale = q["stale"]
        figure["rows"].append(
            (
                q["provider_name"],
                number(q["active_offerings"]),
                _share(q["annex_i"]["score"]),
                f"{number(unmapped)}{where}",
                f"{number(stale['offerings'])} (over {stale['days']} days)",
            )
        )
    figure["note"] = (
        "Each bar is the share of the EU Council Recommendation's mandatory Annex I elements "
        "that a provider's active offerings give. Data quality does not follow the filters, "
        "except the provider."
    )
    return figure


def duplicates_view(agency: AgencyContext | None, providers: list[str]) -> dict[str, Any]:
    """How many offerings reached us twice, and the first links with both listings."""
    if agency is None:
        return {"error": "duplicate links are not available in this deployment", "links": []}
    provider = providers[0] if len(providers) == 1 else None
    links = agency.duplicates.links(provider_id=provider, limit=DUPLICATES_COUNTED)
    if len(providers) > 1:
        links = [
            link
            for link in links
            if {
                (link["primary"] or {}).get("provider", {}).get("id"),
                (link["secondary"] or {}).get("provider", {}).get("id"),
            }
            & set(providers)
        ]
    count = (
        number(len(links))
        if len(links) < DUPLICATES_COUNTED
        else f"more than {number(DUPLICATES_COUNTED - 1)}"
    )
    return {
        "error": None,
        "count": count,
        "total": len(links),
        "links": [
            {
                "shown": _listing(link["primary"]),
                "also": _listing(link["secondary"]),
                "why": ", ".join(r.replace("_", " ") for r in link["reasons"]),
            }
            for link in links[:DUPLICATES_SHOWN]
        ],
    }


def _listing(listing: dict | None) -> dict:
    if not listing:
        return {"title": NOT_STATED, "provider": "", "href": None}
    return {
        "title": listing.get("title") or listing.get("provider_offering_id") or NOT_STATED,
        "provider": (listing.get("provider") or {}).get("name", ""),
        "href": f"/offerings/{listing['id']}",
    }
