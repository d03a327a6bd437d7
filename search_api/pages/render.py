"""The Jinja2 environment, human labels for vocabulary values, and the page response."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from normaliser.parsers.language import language_name
from search_api.context import ApiContext
from search_api.pages.assets import Assets

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# No page loads anything from another origin, and no page runs inline script or style:
# a script injected into a page (say, through a provider's text) would not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

MODE_LABELS = {
    "online": "Online",
    "in_person": "In person",
    "blended": "Blended",
    "self_paced": "Self-paced",
    "scheduled": "Scheduled",
}
BAND_LABELS = {
    "free": "Free",
    "under_100": "Under 100",
    "100_500": "100–500",
    "500_1000": "500–1,000",
    "1000_2500": "1,000–2,500",
    "2500_plus": "2,500 and over",
    "under_1": "Under 1",
    "1_5": "1–5",
    "5_10": "5–10",
    "10_20": "10–20",
    "20_plus": "20 and over",
}
CREDIT_SYSTEM_LABELS: dict[str | None, str] = {
    "NZ_CREDITS": "NZ credits",
    "US_SCH": "US credit hours",
    "HOURS": "hours",
    "CATS": "CATS",
    "SCQF": "SCQF credits",
    "ECTS": "ECTS",
}
CREDENTIAL_LABELS = {"micro-credential": "Micro-credential"}
# Names spelled as their speakers spell them, where ISO 639's English list does not.
LANGUAGE_NAMES = {"mi": "Māori"}


def number(value: Any, decimals: int = 0) -> str:
    """1,250 or 7.5: thousands separated, no trailing zeros."""
    if value is None:
        return ""
    value = float(value)
    if decimals == 0 and value != int(value):
        decimals = 1 if abs(value * 10 - round(value * 10)) < 1e-9 else 2
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def web_url(url: Any) -> str | None:
    """A provider's URL if it is an http(s) one; anything else (javascript:, data:) is
    never made a link."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def money(amount: Any, currency: str | None) -> str:
    if amount is None:
        return ""
    amount = float(amount)
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text


class Labels:
    """Human names for vocabulary values, from the vocabularies the API serves."""

    def __init__(self, context: ApiContext) -> None:
        self.context = context
        vocab = context.vocabularies()
        self._names = {
            "isced": {c["code"]: c["name"] for c in vocab.get("isced_f", {}).get("codes", [])},
            "language": {c["code"]: c["name"] for c in vocab.get("languages", {}).get("codes", [])}
            | LANGUAGE_NAMES,
            "country": {c["code"]: c["name"] for c in vocab.get("countries", {}).get("codes", [])},
        }
        self.provider_names: dict[str, str] = {}

    def value(self, facet: str, value: Any) -> str:
        if value is None:
            return "Not stated"
        value = str(value)
        if facet in ("mode", "pace"):
            return MODE_LABELS.get(value, value)
        if facet == "free":
            return "Free" if value == "true" else "Paid"
        if facet == "price_band":
            label = BAND_LABELS.get(value, value)
            return label if value == "free" else f"{label} {self.context.reference_currency}"
        if facet == "credits_band":
            return f"{BAND_LABELS.get(value, value)} ECTS"
        if facet == "eqf":
            return f"EQF level {value}"
        if facet.startswith("subject"):
            return self._names["isced"].get(value, value)
        if facet == "language":
            return self._names["language"].get(value) or language_name(value) or value
        if facet == "country":
            return self._names[facet].get(value, value)
        if facet == "provider":
            return self.provider_names.get(value, value)
        if facet == "credit_system":
            return CREDIT_SYSTEM_LABELS.get(value, value)
        if facet == "credential_type":
            return CREDENTIAL_LABELS.get(value, value[:1].upper() + value[1:])
        return value

    def refresh_providers(self) -> None:
        """Provider names change rarely; read them once per page, not once per facet value."""
        self.provider_names = {p.id: p.name for p, _ in self.context.catalogue.list_providers()}


class Renderer:
    def __init__(self, assets: Assets) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "svg"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["asset"] = assets.url
        self.env.filters["number"] = number
        self.env.globals["money"] = money
        self.env.globals["web_url"] = web_url

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("section", "search")
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
