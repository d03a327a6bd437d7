"""The catalogue as one XCRI-CAP 1.2 feed (the UK's course advertising format: a `catalog` of
`provider`s, each with its `course`s, each course with its `presentation`s, its runs),
written with lxml's incremental writer a batch at a time.

Element order follows the XCRI-CAP 1.2 binding (Cetis/xcri, bindings/xcri_cap_1_2.xsd:
commonElements, then the descriptive elements, then mlo:level, mlo:qualification, mlo:credit
and the presentations; a presentation's mlo:start, end, mlo:duration, attendanceMode,
mlo:languageOfInstruction, mlo:cost). That binding includes schemas the public copies do not
carry (types.xsd, the mlo profile, the Dublin Core bindings), so the document cannot be
validated with it here; the tests check it with our own XCRI-CAP reader
(normaliser.readers.xcri_cap) and that the order above holds.

What goes where: the level as the framework names it ("NFQ Level 6", "EQF Level 5") in the
qualification's dcterms:educationLevel with the credential type as its dc:type; the credits
in mlo:credit (credit:scheme, credit:value); ISCED-F codes in dc:subject with their names
("0613 Software and applications development and analysis"); each run as a presentation
(dates in @dtf, the mode as an XCRI attendanceMode code: ON online, CM campus, MM mixed
mode; the run's price in mlo:cost; the offering's duration as mlo:duration/@interval and
its languages as mlo:languageOfInstruction, which XCRI-CAP gives per presentation). XCRI-CAP
has no term for a pace (self-paced, scheduled), so it is left out and counted in a comment
closing the document. A run's place is its venue (an organisation named after the town,
with the town in its mlo:location).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby

from lxml import etree

from catalogue.elm_loq import _Chunks
from catalogue.export_report import ExportReport
from normaliser.readers.xcri_cap import XCRI_CAP_12_NAMESPACE
from normaliser.schema import Instance, Mode, Price, Provider, StoredOffering
from normaliser.vocab.isced import isced_name

MLO = "http://purl.org/net/mlo"  # CEN EN 15982, Metadata for Learning Opportunities
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CREDIT = "http://purl.org/net/cm"  # CEN CWA 16077, Educational Credit Information Model
NSMAP = {None: XCRI_CAP_12_NAMESPACE, "mlo": MLO, "dc": DC, "dcterms": DCTERMS, "credit": CREDIT}
# XCRI-CAP 1.2 attendanceMode vocabulary (xcri_cap_terms_1_2): code and label.
ATTENDANCE = {
    Mode.ONLINE: ("ON", "Online (no attendance)"),
    Mode.IN_PERSON: ("CM", "Campus"),
    Mode.BLENDED: ("MM", "Mixed mode"),
}
OMITTED_COMMENT = "microcred-xcri-export"


def _el(
    parent: etree._Element | None,
    namespace: str,
    name: str,
    text: str | None = None,
    **attributes: str,
) -> etree._Element:
    tag = f"{{{namespace}}}{name}"
    element = etree.Element(tag, nsmap=NSMAP) if parent is None else etree.SubElement(parent, tag)
    for key, value in attributes.items():
        element.set(key, value)
    if text is not None:
        element.text = text
    return element


def _cost(price: Price | None) -> str | None:
    if not price or not price.currency or (price.amount is None and not price.is_free):
        return None
    return f"{0 if price.is_free else price.amount:.2f} {price.currency}"


def _interval(offering: StoredOffering) -> str | None:
    # ISO 8601 lets the last component carry a decimal fraction ("P21.67W", "PT7.5H").
    duration = offering.duration
    if duration and duration.weeks:
        return f"P{duration.weeks:g}W"
    if duration and duration.hours:
        return f"PT{duration.hours:g}H"
    return None


def course_element(
    offering: StoredOffering, page_base: str, omitted: Counter[str]
) -> etree._Element:
    course = _el(None, XCRI_CAP_12_NAMESPACE, "course")
    if offering.description:
        _el(course, DC, "description", offering.description)
    _el(course, DC, "identifier", f"{page_base}/offerings/{offering.id}")
    for code in offering.subject.isced if offering.subject else []:
        _el(course, DC, "subject", f"{code} {isced_name(code) or ''}".strip())
    _el(course, DC, "title", offering.title)
    if offering.url:
        _el(course, MLO, "url", offering.url)
    if offering.assessment:
        _el(course, MLO, "assessment", offering.assessment)
    for outcome in offering.learning_outcomes:
        _el(course, XCRI_CAP_12_NAMESPACE, "learningOutcome", outcome)
    if offering.prerequisites:
        _el(course, MLO, "prerequisite", offering.prerequisites)
    level = offering.level
    if (level and level.framework and level.value) or offering.credential_type:
        qualification = _el(course, MLO, "qualification")
        if offering.credential_type:
            _el(qualification, DC, "type", offering.credential_type)
        if level and level.framework and level.value:
            name = (
                f"EQF {level.value}"
                if level.framework.value == "EQF"
                else f"{level.framework.value} Level {level.value}"
            )
            _el(qualification, DCTERMS, "educationLevel", name)
    credits = offering.credits
    if credits and credits.value is not None and credits.system:
        credit = _el(course, MLO, "credit")
        _el(credit, CREDIT, "scheme", credits.system.value)
        _el(credit, CREDIT, "value", f"{credits.value:g}")
    elif credits and credits.value is not None:
        omitted["credits without a system"] += 1
    for run in offering.instances:
        _presentation(course, offering, run)
    if offering.pace or any(run.pace for run in offering.instances):
        omitted["pace (no XCRI-CAP term for self-paced or scheduled)"] += 1
    if any(
        run.place and not run.place.online and not (run.place.city or run.place.region)
        for run in offering.instances
    ):
        omitted["places of runs named by their country alone (no venue to write)"] += 1
    if offering.duration and offering.duration.hours and offering.duration.weeks:
        omitted["duration hours beside weeks (one interval)"] += 1
    if not offering.instances and (offering.languages or offering.duration):
        omitted[
            "languages and duration of an offering without runs (XCRI-CAP gives them "
            "per presentation)"
        ] += 1
    return course


def _presentation(course: etree._Element, offering: StoredOffering, run: Instance) -> None:
    presentation = _el(course, XCRI_CAP_12_NAMESPACE, "presentation")
    if run.start_date:
        _el(presentation, MLO, "start", run.start_date.isoformat(), dtf=run.start_date.isoformat())
    if run.end_date:
        _el(
            presentation,
            XCRI_CAP_12_NAMESPACE,
            "end",
            run.end_date.isoformat(),
            dtf=run.end_date.isoformat(),
        )
    interval = _interval(offering)
    if interval:
        _el(presentation, MLO, "duration", interval, interval=interval)
    mode = run.mode or offering.mode
    if mode:
        code, label = ATTENDANCE[mode]
        _el(presentation, XCRI_CAP_12_NAMESPACE, "attendanceMode", label, identifier=code)
    for language in offering.languages:
        _el(presentation, MLO, "languageOfInstruction", language)
    cost = _cost(run.price)
    if cost:
        _el(presentation, MLO, "cost", cost)
    place = run.place
    if place and not place.online and (place.city or place.region):
        # A venue is an organisation with a location (venueDType: one provider); the town
        # is what a reader takes as the place.
        venue = _el(presentation, XCRI_CAP_12_NAMESPACE, "venue")
        organisation = _el(venue, XCRI_CAP_12_NAMESPACE, "provider")
        _el(organisation, DC, "title", place.city or place.region)
        if place.city:
            # The town as the provider wrote the place ("Bunbury campus, Western Australia"),
            # so its region survives a reader that takes the town as the whole place.
            written = place.raw if place.raw and place.city in place.raw else None
            location = _el(organisation, MLO, "location")
            _el(location, MLO, "town", " ".join((written or place.city).split()))


def _write_provider_head(xf, provider: Provider) -> None:
    xf.write(_el(None, DC, "identifier", provider.url or f"urn:microcred:provider:{provider.id}"))
    xf.write(_el(None, DC, "title", provider.name))


def _with_batch_ends(
    batches: Iterator[list[StoredOffering]],
) -> Iterator[tuple[StoredOffering, bool]]:
    for batch in batches:
        for number, offering in enumerate(batch, start=1):
            yield offering, number == len(batch)


def xcri_chunks(passes, page_base: str, report: ExportReport | None = None) -> Iterator[bytes]:
    """The feed, providers in id order, each with its courses; `passes` gives the offerings
    ordered by provider."""
    report = report if report is not None else ExportReport()
    out = _Chunks()
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    with passes() as one_pass, etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{XCRI_CAP_12_NAMESPACE}}}catalog", nsmap=NSMAP, generated=stamp):
            # Each provider's element is opened and closed by a `with`, so a stream closed
            # early (the client went away) unwinds them in order.
            for _provider_id, group in groupby(
                _with_batch_ends(one_pass()), key=lambda item: item[0].provider.id
            ):
                with xf.element(f"{{{XCRI_CAP_12_NAMESPACE}}}provider"):
                    for number, (offering, batch_end) in enumerate(group):
                        if number == 0:
                            _write_provider_head(xf, offering.provider)
                        xf.write(course_element(offering, page_base, report.omitted))
                        report.matched += 1
                        report.exported += 1
                        if batch_end:
                            yield out.take()
            xf.write(etree.Comment(report.comment(OMITTED_COMMENT)))
    yield out.take()
