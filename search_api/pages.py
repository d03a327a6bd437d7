"""Server-rendered pages: they work without JavaScript and keep all state in the URL."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import QueryParams

from catalogue.errors import InvalidRequest, NotFound
from catalogue.search.query import SortKey
from search_api.context import ApiContext
from search_api.params import ParameterErrors, search_query_from_params

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

FACET_TITLES = {
    "mode": "Delivery", "pace": "Pace", "framework": "Framework", "eqf": "EQF level",
    "subject_broad": "Field of study", "subject_narrow": "Field (narrow)", "subject": "Field (detailed)",
    "provider": "Provider", "credential_type": "Credential", "language": "Language",
    "country": "Country", "free": "Cost", "price_band": "Price", "credits_band": "Size (ECTS)",
    "credit_system": "Credit system",
}
FILTER_FOR_FACET = {"eqf": None, "subject_broad": "subject", "subject_narrow": "subject",
                    "price_band": None, "credits_band": None}
SORT_LABELS = {SortKey.RELEVANCE: "Best match", SortKey.START_DATE: "Starting soonest",
               SortKey.PRICE: "Price: low to high", SortKey.PRICE_DESC: "Price: high to low",
               SortKey.CREDITS: "Credits: fewest", SortKey.CREDITS_DESC: "Credits: most",
               SortKey.NEWEST: "Newest", SortKey.TITLE: "Title A–Z"}
MODE_LABELS = {"online": "Online", "in_person": "In person", "blended": "Blended",
               "self_paced": "Self-paced", "scheduled": "Scheduled"}
BAND_LABELS = {"free": "Free", "under_100": "Under 100", "100_500": "100–500",
               "500_1000": "500–1,000", "1000_2500": "1,000–2,500", "2500_plus": "2,500 and over",
               "under_1": "Under 1", "1_5": "1–5", "5_10": "5–10", "10_20": "10–20",
               "20_plus": "20 and over"}


@lru_cache
def _asset_version(name: str) -> str:
    """A content hash in asset URLs, so browsers cache them until they change."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals["asset"] = lambda name: f"/static/{name}?v={_asset_version(name)}"
    return env


class Labels:
    """Human names for vocabulary values, from the vocabularies the API serves."""

    def __init__(self, context: ApiContext) -> None:
        self.context = context
        vocab = context.vocabularies()
        self._names = {
            "isced": {c["code"]: c["name"] for c in vocab.get("isced_f", {}).get("codes", [])},
            "language": {c["code"]: c["name"] for c in vocab.get("languages", {}).get("codes", [])},
            "country": {c["code"]: c["name"] for c in vocab.get("countries", {}).get("codes", [])},
        }
        self.provider_names: dict[str, str] = {}

    def value(self, facet: str, value: str) -> str:
        if facet in ("mode", "pace"):
            return MODE_LABELS.get(value, value)
        if facet == "free":
            return "Free" if value == "true" else "Paid"
        if facet == "price_band":
            label = BAND_LABELS.get(value, value)
            return label if value == "free" else f"{label} {self.context.reference_currency}"
        if facet == "credits_band":
            return BAND_LABELS.get(value, value)
        if facet == "eqf":
            return f"EQF {value}"
        if facet.startswith("subject"):
            return self._names["isced"].get(value, value)
        if facet in ("language", "country"):
            return self._names[facet].get(value, value)
        if facet == "provider":
            return self.provider_names.get(value, value)
        if facet == "credential_type":
            return value[:1].upper() + value[1:]
        return value

    def refresh_providers(self) -> None:
        """Provider names change rarely; read them once per page, not once per facet value."""
        self.provider_names = {p.id: p.name for p, _ in self.context.catalogue.list_providers()}


def _url(params: list[tuple[str, str]], **changes) -> str:
    kept = [(k, v) for k, v in params if k not in changes and k != "cursor"]
    for key, value in changes.items():
        if value is not None:
            kept.append((key, value))
    return "/?" + urlencode(kept) if kept else "/"


def install_pages(app: FastAPI, context: ApiContext) -> None:
    env = _environment()
    labels = Labels(context)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def render(name: str, status: int = 200, **values) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**values), status_code=status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        params = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
        clean = QueryParams(params)
        problems: list[str] = []
        try:
            query = search_query_from_params(clean)
            result = context.backend.search(query)
        except ParameterErrors as exc:
            problems = [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors]
            query, result = None, None
        except InvalidRequest as exc:
            problems = [str(exc)]
            query, result = None, None
        selected: dict[str, set[str]] = {}
        for key, value in params:
            selected.setdefault(key, set()).update(v.strip() for v in value.split(","))
        facet_groups = []
        labels.refresh_providers()
        if result is not None:
            for facet, buckets in result.facets.items():
                filter_name = FILTER_FOR_FACET.get(facet, facet)
                if not buckets or filter_name is None:
                    continue
                facet_groups.append({
                    "name": facet, "title": FACET_TITLES.get(facet, facet), "param": filter_name,
                    "buckets": [{"value": b.value, "count": b.count,
                                 "label": labels.value(facet, b.value),
                                 "checked": b.value in selected.get(filter_name, set())}
                                for b in buckets]})
        return render(
            "search.html", request=request, query=query, result=result, problems=problems,
            params=dict(clean), selected=selected, facet_groups=facet_groups,
            sort_labels=SORT_LABELS, labels=labels,
            next_url=(_url(params, cursor=result.next_cursor) if result and result.next_cursor else None),
            clear_url="/", reference_currency=context.reference_currency)

    @app.get("/offerings/{offering_id}", response_class=HTMLResponse, include_in_schema=False)
    def offering_page(offering_id: str) -> HTMLResponse:
        try:
            offering = context.catalogue.get_offering(offering_id)
        except NotFound:
            return render("not_found.html", status=404, what=f"offering {offering_id}")
        return render("offering.html", offering=offering, labels=labels,
                      reference_currency=context.reference_currency)
