"""The catalogue as CTDL JSON-LD (Credential Engine's Credential Transparency Description
Language, https://credreg.net/ctdl/terms), one `@graph` document, streamed a batch at a time.

The shape is the one Credential Engine's publishing tools ingest: "Publish graphs in CTDL"
with string ids for relationships, blank node identifiers allowed
(https://credentialengine.github.io/credential-registry-ingest-examples/LearningProgram),
every top-level resource with its CTID (`ceterms:ctid`, "ce-" and a UUID: Registry handbook,
https://credreg.org/registry/handbook; ours is a UUID 5 of the offering id, so it is stable)
and a `ceterms:subjectWebpage`. An offering that leads to a micro-credential is a
`ceterms:LearningProgram` (CTDL: "a set of learning opportunities that leads to an outcome,
usually a credential"; ceterms:MicroCredential is one of its credential classes); any other
(a course ending in a certificate or a badge) is a `ceterms:Course`. Each has:

- `ceterms:estimatedCost`: a `ceterms:CostProfile` (`ceterms:price`, `ceterms:currency`,
  `ceterms:directCostType` costType:Tuition), the offering's lowest price; 0 when free;
- `ceterms:creditValue`: a `ceterms:ValueProfile` (`schema:value`, `ceterms:creditUnitType`
  from the CreditUnit scheme, https://credreg.net/ctdl/terms/CreditUnit). US semester hours
  are creditUnit:SemesterHour; ECTS, NZ, CATS and SCQF credits have no concept of their own
  there, so they are creditUnit:DegreeCredit with the system named in the profile's
  `schema:description`; notional learning hours have no CTDL unit and are left out;
- `ceterms:estimatedDuration`: a `ceterms:DurationProfile` with an ISO 8601
  `ceterms:exactDuration`;
- `ceterms:deliveryType` (deliveryType:OnlineOnly, InPerson, BlendedDelivery:
  https://credreg.net/ctdl/terms/Delivery), `ceterms:inLanguage`, `ceterms:subject` (ISCED-F
  codes as alignment objects with `ceterms:codedNotation`), `ceterms:teaches` (learning
  outcomes), `ceterms:entryCondition` (prerequisites), `ceterms:availableAt` (the places,
  `ceterms:Place` with locality, region and country), `ceterms:lifeCycleStatusType`
  (lifecycle:Active), `ceterms:offeredBy` (the provider, a `ceterms:CredentialOrganization`
  node at the end of the graph).

CTDL has no qualifications-framework level for a learning opportunity (its audience levels
say who a course is for), so the level is left out. Runs are left out too: CTDL's
`ceterms:ScheduledOffering` (through `ceterms:hasOffering`) carries a run's delivery type,
place and cost but has no property for its dates, and writing them as scheduled offerings
is not done yet. Both are counted, with every other value left out, in
`microcred:exportReport` after the graph.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
import pycountry

from catalogue.elm_jsonld import _web_url
from catalogue.export_report import ExportReport
from normaliser.schema import CreditSystem, Mode, Place, Provider, StoredOffering
from normaliser.vocab.isced import isced_name

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CTID_NAMESPACE = uuid.UUID("6b1f0c52-7f0e-4d38-9a51-6d6963726f63")
ISCED_F = "http://data.europa.eu/snb/isced-f/25831c2"  # the EU's ISCED-F 2013 scheme
DELIVERY = {
    Mode.ONLINE: "deliveryType:OnlineOnly",
    Mode.IN_PERSON: "deliveryType:InPerson",
    Mode.BLENDED: "deliveryType:BlendedDelivery",
}
# Our credit system -> (CreditUnit concept, the words our credit parser reads the system by).
CREDIT_UNITS: dict[CreditSystem, tuple[str, str | None]] = {
    CreditSystem.US_SCH: ("creditUnit:SemesterHour", None),
    CreditSystem.ECTS: ("creditUnit:DegreeCredit", "ECTS"),
    CreditSystem.NZ_CREDITS: ("creditUnit:DegreeCredit", "NZ credits"),
    CreditSystem.CATS: ("creditUnit:DegreeCredit", "CATS"),
    CreditSystem.SCQF: ("creditUnit:DegreeCredit", "SCQF credits"),
}
REPORT_KEY = "microcred:exportReport"


def ctid(kind: str, our_id: str) -> str:
    return f"ce-{uuid.uuid5(CTID_NAMESPACE, f'{kind}:{our_id}')}"


def _alignment(
    target: str | None = None, name: str | None = None, language: str = "en", **more: Any
) -> dict:
    node: dict[str, Any] = {"@type": "ceterms:CredentialAlignmentObject"}
    if target:
        node["ceterms:targetNode"] = target
    if name:
        node["ceterms:targetNodeName"] = {language: name}
    return node | more


def _duration(offering: StoredOffering) -> str | None:
    duration = offering.duration
    if not duration:
        return None
    # ISO 8601 lets the last component carry a decimal fraction ("P21.67W", "PT7.5H").
    if duration.weeks:
        return f"P{duration.weeks:g}W"
    if duration.hours:
        return f"PT{duration.hours:g}H"
    return None


def _place(place: Place, language: str) -> dict:
    node: dict[str, Any] = {"@type": "ceterms:Place"}
    country = pycountry.countries.get(alpha_2=place.country) if place.country else None
    for name, value in (
        ("addressLocality", place.city),
        ("addressRegion", place.region),
        ("addressCountry", country.name if country else place.country),
    ):
        if value:
            node[f"ceterms:{name}"] = {language: value}
    return node


def ctdl_node(offering: StoredOffering, page_base: str, omitted: Counter[str]) -> dict:
    """One offering as a CTDL Course or LearningProgram; what it cannot say goes in
    `omitted`."""
    language = offering.languages[0] if offering.languages else "en"
    kind = (
        "ceterms:LearningProgram"
        if offering.credential_type == "micro-credential"
        else "ceterms:Course"
    )
    page = f"{page_base}/offerings/{offering.id}"
    node: dict[str, Any] = {
        "@id": page,
        "@type": kind,
        "ceterms:ctid": ctid("offering", offering.id),
        "ceterms:name": {language: offering.title},
        "ceterms:subjectWebpage": _web_url(offering.url) or page,
        "ceterms:lifeCycleStatusType": _alignment(
            "lifecycle:Active",
            "Active",
            language,
            **{"ceterms:framework": "https://credreg.net/ctdl/terms/LifeCycleStatus"},
        ),
        "ceterms:offeredBy": [{"@id": f"_:provider-{offering.provider.id}"}],
    }
    if offering.description:
        node["ceterms:description"] = {language: offering.description}
    if offering.languages:
        node["ceterms:inLanguage"] = list(offering.languages)
    price = offering.price
    if price and price.currency and (price.amount is not None or price.is_free):
        node["ceterms:estimatedCost"] = [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:currency": price.currency,
                "ceterms:price": 0 if price.is_free else price.amount,
                "ceterms:directCostType": _alignment("costType:Tuition", "Tuition", language),
            }
        ]
    credits = offering.credits
    unit = CREDIT_UNITS.get(credits.system) if credits and credits.system else None
    if credits and credits.value is not None and unit:
        profile: dict[str, Any] = {
            "@type": "ceterms:ValueProfile",
            "schema:value": credits.value,
            "ceterms:creditUnitType": [_alignment(unit[0])],
        }
        if unit[1]:
            profile["schema:description"] = {language: unit[1]}
        node["ceterms:creditValue"] = [profile]
    elif credits and credits.value is not None:
        system = credits.system.value if credits.system else "no system"
        omitted[f"credits {system} (no CTDL credit unit)"] += 1
    duration = _duration(offering)
    if duration:
        node["ceterms:estimatedDuration"] = [
            {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": duration}
        ]
        if offering.duration and offering.duration.hours and offering.duration.weeks:
            omitted["duration hours beside weeks (one exactDuration)"] += 1
    if offering.mode:
        node["ceterms:deliveryType"] = [
            _alignment(
                DELIVERY[offering.mode],
                None,
                language,
                **{"ceterms:framework": "https://credreg.net/ctdl/terms/Delivery"},
            )
        ]
    elif {run.mode for run in offering.instances if run.mode}:
        omitted["mode (runs differ; a CTDL resource has one set of delivery types)"] += 1
    codes = offering.subject.isced if offering.subject else []
    if codes:
        node["ceterms:subject"] = [
            _alignment(
                None,
                isced_name(code) or code,
                language,
                **{
                    "ceterms:codedNotation": code,
                    "ceterms:framework": ISCED_F,
                    "ceterms:frameworkName": {language: "ISCED-F 2013"},
                },
            )
            for code in codes
        ]
    if offering.learning_outcomes:
        node["ceterms:teaches"] = [
            _alignment(None, outcome, language) for outcome in offering.learning_outcomes
        ]
    if offering.prerequisites:
        node["ceterms:entryCondition"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": {language: offering.prerequisites},
            }
        ]
    places = [p for p in offering.places if not p.online and (p.city or p.region or p.country)]
    if places:
        # https://credreg.net/ctdl/terms/availableAt: ceterms:Place with its address parts.
        node["ceterms:availableAt"] = [_place(place, language) for place in places]
    if offering.level and offering.level.framework:
        omitted[f"level {offering.level.framework.value} (CTDL has no framework level)"] += 1
    if any(run.start_date or run.end_date for run in offering.instances):
        omitted["run dates (no date on a CTDL scheduled offering)"] += 1
    return node


def organization_node(provider: Provider, page_base: str) -> dict:
    node: dict[str, Any] = {
        "@id": f"_:provider-{provider.id}",
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": ctid("provider", provider.id),
        "ceterms:name": {"en": provider.name},
        "ceterms:subjectWebpage": _web_url(provider.url)
        or f"{page_base}/search?provider={provider.id}",
    }
    return node


def ctdl_chunks(passes, page_base: str, report: ExportReport | None = None) -> Iterator[bytes]:
    """The @graph document: the offerings in id order, then their providers, then the
    report of what was left out."""
    report = report if report is not None else ExportReport()
    providers: dict[str, Provider] = {}
    yield b'{"@context":' + orjson.dumps(CONTEXT) + b',"@graph":['
    first = True
    with passes() as one_pass:
        for batch in one_pass():
            parts = []
            for offering in batch:
                parts.append(orjson.dumps(ctdl_node(offering, page_base, report.omitted)))
                providers.setdefault(offering.provider.id, offering.provider)
                report.matched += 1
                report.exported += 1
            if parts:
                yield (b"" if first else b",\n") + b",\n".join(parts)
                first = False
    for provider in providers.values():
        yield (b"" if first else b",\n") + orjson.dumps(organization_node(provider, page_base))
        first = False
    yield b"],\n" + orjson.dumps(REPORT_KEY) + b":" + orjson.dumps(report.as_dict()) + b"}\n"
