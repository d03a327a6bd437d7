"""The catalogue as one ELM v3 LOQ XML document, the upload format of Europass's
Qualifications Dataset Register (schema: ../shared/reference/elm-v3-loq/loq/loq.xsd, whose
two sample documents show the shape; the tests validate the whole sample catalogue with it).

Written with lxml's incremental writer (`etree.xmlfile`), a batch of offerings at a time, so
memory stays flat whatever the size of the export. The schema orders the document in
sections (every learning opportunity, then every learning achievement specification, then
every learning outcome, then the organisations, then the locations) linked by `idref`, so the
offerings are read once per section, all in one read transaction (REPEATABLE READ on
PostgreSQL, one deferred transaction on SQLite), which keeps every `idref` pointing at an
object of the same document even while an ingest commits.

Each offering becomes one `learningOpportunity` pointing to one
`learningAchievementSpecification` (what is learnt: ISCED-F codes, EQF level, ECTS, language,
outcomes). The vocabularies are the ones the per-offering ELM JSON-LD uses
(catalogue.elm_jsonld, normaliser.readers.elm_vocab; sources there). A value with no EU
counterpart is left out and counted, never invented: the counts are in a comment at the end
of the document (`<!-- microcred-elm-export ... -->`, after the last section), since a
streamed response has sent its headers before the last offering is read. An offering lacking
what the schema requires (an ISCED-F code, a learning outcome, a language, the provider's
country) is left out whole and counted by what it lacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pycountry
from lxml import etree
from sqlalchemy import Connection

from catalogue.elm_jsonld import ECTS, MODES, _iso_duration, _web_url
from catalogue.export_report import ExportReport
from normaliser.parsers.language import iso_639_language
from normaliser.readers.elm_vocab import (
    COUNTRY_PREFIX,
    CURRENCY_PREFIX,
    EQF_LEVEL_PREFIX,
    ISCED_F_PREFIX,
    LANGUAGE_PREFIX,
    MODE_PREFIX,
    NQF_LEVEL_PREFIX,
    NQF_LEVELS,
    OPPORTUNITY_TYPE_PREFIX,
)
from normaliser.readers.xml_flavours import LOQ_NAMESPACE
from normaliser.schema import Instance, Place, Price, Provider, StoredOffering

SKOS = "http://www.w3.org/2004/02/skos/core#"
NSMAP = {None: LOQ_NAMESPACE, "skos": SKOS}
COURSE = OPPORTUNITY_TYPE_PREFIX + "05053c1cbe"  # europass-learning-opportunity-types: Course
# loq/cv/nqf.xsd: our level ("NFQ Level 6") -> the national framework level's code.
NQF_CODES = {label: code for code, label in NQF_LEVELS.items()}
OMITTED_COMMENT = "microcred-elm-export"


def _q(name: str) -> str:
    return f"{{{LOQ_NAMESPACE}}}{name}"


def _sub(
    parent: etree._Element,
    name: str,
    value: str | None = None,
    *,
    uri: str | None = None,
    language: str | None = None,
    idref: str | None = None,
) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if uri is not None:
        element.set("uri", uri)
    if idref is not None:
        element.set("idref", idref)
    if language is not None:
        element.set("language", language)
    if value is not None:
        element.text = value
    return element


def _language_uri(code: str) -> str | None:
    """The EU language authority's URI of a language subtag: the authority names languages
    by their ISO 639-3 code, sign languages included ('nzs' -> .../language/NZS)."""
    found = iso_639_language(code)
    return LANGUAGE_PREFIX + found.alpha_3.upper() if found else None


def _country_uri(code: str | None) -> str | None:
    found = pycountry.countries.get(alpha_2=code) if code else None
    return COUNTRY_PREFIX + found.alpha_3 if found else None


def _datetime(day) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _amount(price: Price) -> str | None:
    if not price.currency or (price.amount is None and not price.is_free):
        return None
    return f"{0 if price.is_free else price.amount:.2f}"


@dataclass
class LoqForm:
    """One offering as the LOQ document needs it, with what it had to leave out."""

    offering: StoredOffering
    base: str
    language: str
    languages: list[str]
    country: str
    homepage: str
    omitted: list[str]

    def opportunity_id(self, run_number: int = 1) -> str:
        """The first run's learning opportunity carries the offering's own URN (the one an
        offering without runs has); each later run's its number after it."""
        return self.base if run_number == 1 else f"{self.base}:run:{run_number}"

    @property
    def specification_id(self) -> str:
        return self.base + ":specification"

    def outcome_id(self, number: int) -> str:
        return f"{self.base}:outcome:{number}"

    def runs(self) -> list[Instance | None]:
        """One learning opportunity per run (a LOQ opportunity has one temporal, one mode and
        its prices): every run, or one opportunity with none for an offering without."""
        return list(self.offering.instances) or [None]

    def places(self) -> list[tuple[str, Place, str]]:
        """(location id, place, country URI) of the places where it is taught: the runs',
        then the offering's own; the schema's location needs a country, so a place without
        one is left out (and counted by loq_form)."""
        found: list[Place] = []
        run_places = [run.place for run in self.offering.instances if run.place]
        for place in run_places + list(self.offering.places):
            if not place.online and place not in found:
                found.append(place)
        return [
            (f"{self.base}:place:{number}", place, country)
            for number, place in enumerate(found, start=1)
            if (country := _country_uri(place.country))
        ]

    def run_location_ids(self, run: Instance | None) -> list[str]:
        """The locations of one run's opportunity: its own place, else the offering's."""
        places = self.places()
        if run is not None and run.place is not None:  # an online run is taught nowhere
            return [location for location, place, _ in places if place == run.place]
        own = [place for place in self.offering.places if not place.online]
        return [location for location, place, _ in places if place in own]


def provider_ids(provider: Provider) -> tuple[str, str]:
    base = f"urn:microcred:provider:{provider.id}"
    return base, base + ":location"


def loq_form(offering: StoredOffering, page_base: str) -> tuple[LoqForm | None, list[str]]:
    """The offering's LOQ form, or None and what the schema requires that it lacks."""
    languages = [uri for code in offering.languages if (uri := _language_uri(code))]
    omitted = [
        f"language {code} (not in the EU language authority)"
        for code in offering.languages
        if not _language_uri(code)
    ]
    country = _country_uri(offering.provider.country) or next(
        (c for c in (_country_uri(p.country) for p in offering.places) if c), None
    )
    missing = [
        name
        for name, present in (
            ("no language", languages),
            ("no ISCED-F code", offering.subject and offering.subject.isced),
            ("no learning outcome", offering.learning_outcomes),
            ("no provider country", country),
        )
        if not present
    ]
    if missing or country is None:
        return None, missing
    homepage = _web_url(offering.url) or f"{page_base}/offerings/{offering.id}"
    form = LoqForm(
        offering,
        f"urn:microcred:offering:{offering.id}",
        offering.languages[0],
        languages,
        country,
        homepage,
        omitted,
    )
    _count_omitted(form)
    return form, []


def _count_omitted(form: LoqForm) -> None:
    offering, omitted = form.offering, form.omitted
    level = offering.level
    if level and level.framework and not level.eqf:
        omitted.append(f"level {level.framework.value} (no EQF referencing)")
    credits = offering.credits
    if credits and credits.value is not None and (credits.ects is None or credits.approximate):
        system = credits.system.value if credits.system else "no system"
        omitted.append(f"credits {system} (no exact ECTS)")
    if offering.pace or any(run.pace for run in offering.instances):
        omitted.append("pace (no Europass term for self-paced or scheduled)")
    if any(not p.online and not _country_uri(p.country) for p in offering.places):
        omitted.append("place without a country (a LOQ location needs one)")
    if offering.duration and offering.duration.hours and offering.duration.weeks:
        omitted.append("duration hours beside weeks (one xs:duration per opportunity)")


def _xs_duration(offering: StoredOffering) -> str | None:
    """Weeks as days: XML Schema 1.0's xs:duration has no W (ISO 8601's weeks). Hours alone
    only where no weeks are given."""
    duration = offering.duration
    if duration and duration.weeks:
        # A week that is not a whole number of days is rounded to the day.
        return f"P{max(1, round(duration.weeks * 7))}D"
    return _iso_duration(duration.hours, None) if duration else None


def opportunity_element(form: LoqForm, run: Instance | None, run_number: int) -> etree._Element:
    """The learning opportunity of one run, pointing at the offering's one specification."""
    offering = form.offering
    element = etree.Element(
        _q("learningOpportunity"), nsmap=NSMAP, id=form.opportunity_id(run_number)
    )
    _sub(element, "title", offering.title, language=form.language)
    if offering.description:
        _sub(element, "description", offering.description, language=form.language)
    _sub(element, "type", uri=COURSE)
    homepage = _sub(element, "homepage")
    _sub(homepage, "contentUrl", form.homepage)
    if run and (run.start_date or run.end_date):
        temporal = _sub(element, "temporal")
        if run.start_date:
            _sub(temporal, "startDate", _datetime(run.start_date))
        if run.end_date:
            _sub(temporal, "endDate", _datetime(run.end_date))
    iso = _xs_duration(offering)
    if iso:
        _sub(element, "duration", iso)
    mode = (run.mode if run else None) or offering.mode
    if mode:
        _sub(element, "mode", uri=MODE_PREFIX + MODES[mode.value][0])
    price = (run.price if run else None) or offering.price
    amount = _amount(price) if price else None
    if price and amount is not None:
        detail = _sub(element, "priceDetail")
        amount_element = _sub(detail, "amount")
        _sub(amount_element, "unit", uri=CURRENCY_PREFIX + str(price.currency))
        _sub(amount_element, "value", amount)
        label = etree.SubElement(detail, f"{{{SKOS}}}prefLabel", language=form.language)
        label.text = "Free" if price.is_free else "Fee"
    _sub(element, "providedBy", idref=provider_ids(offering.provider)[0])
    for location_id in form.run_location_ids(run):
        _sub(element, "location", idref=location_id)
    _sub(element, "learningAchievementSpecification", idref=form.specification_id)
    _sub(element, "defaultLanguage", uri=form.languages[0])
    return element


def specification_element(form: LoqForm) -> etree._Element:
    offering = form.offering
    element = etree.Element(
        _q("learningAchievementSpecification"), nsmap=NSMAP, id=form.specification_id
    )
    _sub(element, "title", offering.title, language=form.language)
    for code in offering.subject.isced if offering.subject else []:
        _sub(element, "ISCEDFCode", uri=ISCED_F_PREFIX + code)
    credits = offering.credits
    exact_ects = credits is not None and credits.ects is not None and not credits.approximate
    if credits and exact_ects and credits.hours:
        _sub(element, "volumeOfLearning", _iso_duration(credits.hours, None))
    if credits and exact_ects:
        credit = _sub(element, "creditPoint")
        _sub(credit, "framework", uri=ECTS)
        _sub(credit, "point", f"{credits.ects:g}")
    level = offering.level
    if level and level.eqf:
        _sub(element, "educationLevel", uri=f"{EQF_LEVEL_PREFIX}{level.eqf}")
        # A national level the LOQ vocabulary names (Ireland's NFQ, SCQF, RQF) goes beside
        # its EQF referencing, so a reader keeps the framework the provider used.
        national = NQF_CODES.get(
            f"{level.framework.value if level.framework else ''} Level {level.value}"
        )
        if national:
            _sub(element, "educationLevel", uri=NQF_LEVEL_PREFIX + national)
    for uri in form.languages:
        _sub(element, "language", uri=uri)
    if offering.prerequisites:
        note = _sub(element, "entryRequirement")
        _sub(note, "noteLiteral", offering.prerequisites, language=form.language)
    for number in range(1, len(offering.learning_outcomes) + 1):
        _sub(element, "learningOutcome", idref=form.outcome_id(number))
    return element


def outcome_elements(form: LoqForm) -> Iterator[etree._Element]:
    for number, outcome in enumerate(form.offering.learning_outcomes, start=1):
        element = etree.Element(_q("learningOutcome"), nsmap=NSMAP, id=form.outcome_id(number))
        _sub(element, "title", outcome, language=form.language)
        yield element


def organisation_element(provider: Provider, language: str) -> etree._Element:
    organisation_id, location_id = provider_ids(provider)
    element = etree.Element(_q("organisation"), nsmap=NSMAP, id=organisation_id)
    _sub(element, "legalName", provider.name, language=language)
    if _web_url(provider.url):
        homepage = _sub(element, "homepage")
        _sub(homepage, "contentUrl", _web_url(provider.url))
    _sub(element, "location", idref=location_id)
    return element


def place_elements(form: LoqForm) -> Iterator[etree._Element]:
    for location_id, place, country in form.places():
        element = etree.Element(_q("location"), nsmap=NSMAP, id=location_id)
        # The place as the provider wrote it, when it names the city: its region survives
        # a reader that parses the name ("Bunbury campus, WA").
        written = place.raw if place.raw and place.city and place.city in place.raw else None
        name = " ".join(written.split()) if written else (place.city or place.region)
        if name:
            _sub(element, "geographicName", name, language=form.language)
        address = _sub(element, "address")
        _sub(address, "countryCode", uri=country)
        yield element


def location_element(provider: Provider, country: str) -> etree._Element:
    element = etree.Element(_q("location"), nsmap=NSMAP, id=provider_ids(provider)[1])
    address = _sub(element, "address")
    _sub(address, "countryCode", uri=country)
    return element


class _Chunks:
    """A file for xmlfile that hands back what was written since the last take."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.parts.append(data)
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


SECTIONS = (
    "learningOpportunityReferences",
    "learningAchievementSpecificationReferences",
    "learningOutcomeReferences",
)


def loq_chunks(read_passes, page_base: str, report: ExportReport | None = None) -> Iterator[bytes]:
    """The LOQ document, a batch at a time. `read_passes()` is a context manager giving a
    function that yields the matching offerings in batches, each call a new pass over the
    same snapshot."""
    report = report if report is not None else ExportReport()
    out = _Chunks()
    with read_passes() as passes, etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("Courses"), nsmap=NSMAP, xsdVersion="3.1.0"):
            providers: dict[str, tuple[Provider, str, str]] = {}
            for number, section in enumerate(SECTIONS):
                with xf.element(_q(section)):
                    for batch in passes():
                        for offering in batch:
                            form, missing = loq_form(offering, page_base)
                            if number == 0:
                                report.matched += 1
                            if form is None:
                                if number == 0:
                                    report.skipped.update(missing)
                                continue
                            if number == 0:
                                report.exported += 1
                                report.omitted.update(form.omitted)
                                providers.setdefault(
                                    offering.provider.id,
                                    (offering.provider, form.language, form.country),
                                )
                                for run_number, run in enumerate(form.runs(), start=1):
                                    xf.write(opportunity_element(form, run, run_number))
                            elif number == 1:
                                xf.write(specification_element(form))
                            else:
                                for element in outcome_elements(form):
                                    xf.write(element)
                        yield out.take()
            if providers:
                with xf.element(_q("agentReferences")):
                    for provider, language, _country in providers.values():
                        xf.write(organisation_element(provider, language))
                with xf.element(_q("locationReferences")):
                    for provider, _language, country in providers.values():
                        xf.write(location_element(provider, country))
                    for batch in passes():  # the places of the offerings
                        for offering in batch:
                            form, _missing = loq_form(offering, page_base)
                            for element in place_elements(form) if form else ():
                                xf.write(element)
                        yield out.take()
            xf.write(etree.Comment(report.comment(OMITTED_COMMENT)))
    yield out.take()


def snapshot(conn: Connection) -> Connection:
    """One read snapshot for several queries: REPEATABLE READ on PostgreSQL; on SQLite a
    deferred transaction, whose first read fixes what later reads see (WAL mode)."""
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
    else:
        conn.exec_driver_sql("BEGIN DEFERRED")
    return conn
