"""The European Learning Model (ELM v3) mapped to raw records, shared by its XML and JSON-LD readers.

Both serialisations describe the same graph: learning opportunities (an offering with its
dates, price, place and mode) that point to a learning achievement specification or a
qualification (what is learnt: level, credits, subject, language, outcomes), to the
organisations that provide them and to locations. The readers turn their syntax into
`ElmNode`s keyed by the ontology's local property names (`title`, `ISCEDFCode`,
`creditPoint`, ...; shared/reference/elm-v3-loq/ontology/ELM.ttl); this module maps the
nodes to feed-format-v1 fields, one record per learning opportunity, plus one per
specification no opportunity refers to (a QDR upload may list qualifications alone).

Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pycountry

from normaliser.issues import Issue, IssueCode
from normaliser.parsers.language import language_code
from normaliser.parsers.level import parse_level
from normaliser.readers import elm_vocab as vocab
from normaliser.readers.base import RECORD_FIELD, RawRecord, ReadLimits

# Local names of the node kinds, folded to lower case: the XML writes `learningOpportunity`,
# JSON-LD `LearningOpportunity`.
OPPORTUNITY_KINDS = frozenset({"learningopportunity"})
SPECIFICATION_KINDS = frozenset({"learningachievementspecification", "qualification"})
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_HOURS_ONLY_RE = re.compile(r"PT(\d+(?:[.,]\d+)?)H", re.IGNORECASE)
_ISO_DURATION_RE = re.compile(
    r"-?P(?=\d|T\d)(?:\d+(?:[.,]\d+)?[YMWD])*(?:T(?:\d+(?:[.,]\d+)?[HMS])+)?", re.IGNORECASE
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class ElmNode:
    """One value in an ELM document.

    A literal has `text` (and `language` for a language-tagged string); a concept or a
    reference has `uri` (a vocabulary term's URI, or the id of a node described elsewhere
    in the document); a described node has `props`, local property name to values, and its
    own `id` when it has one. `line` is where it starts, where the syntax has lines.
    """

    kind: str = ""
    id: str | None = None
    uri: str | None = None
    text: str | None = None
    language: str | None = None
    props: dict[str, list[ElmNode]] = field(default_factory=dict)
    line: int | None = None

    def values(self, name: str) -> list[ElmNode]:
        return self.props.get(name, [])

    def uris(self, name: str) -> list[str]:
        return [ref for value in self.values(name) if (ref := value.uri or value.id)]

    def plain(self, name: str) -> list[str]:
        return [
            value.text.strip() for value in self.values(name) if value.text and value.text.strip()
        ]


class ElmGraph:
    """Every described node with an id, so a reference (`idref`, a JSON-LD `@id`) is followed."""

    def __init__(self, nodes: Iterable[ElmNode]) -> None:
        self.nodes: list[ElmNode] = list(nodes)  # in document order, with or without an id
        self.by_id: dict[str, ElmNode] = {}
        for node in self.nodes:
            if node.id and node.id not in self.by_id:
                self.by_id[node.id] = node

    def resolve(self, value: ElmNode) -> ElmNode | None:
        """The node a value describes or refers to; None when it refers to nothing here."""
        if value.props:
            return value
        target = value.uri or value.id
        return self.by_id.get(target) if target else None

    def follow(self, node: ElmNode, name: str) -> list[ElmNode]:
        return [found for value in node.values(name) if (found := self.resolve(value))]


def pick_text(values: list[ElmNode], preferred: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The text in the first preferred language, else English, else the first; and its language."""
    written = [
        (value.text.strip(), (value.language or "").lower())
        for value in values
        if value.text and value.text.strip()
    ]
    if not written:
        return None, None
    for language in (*preferred, "en"):
        for text, tag in written:
            if tag and (tag == language or tag.split("-", 1)[0] == language):
                return text, tag
    text, tag = written[0]
    return text, tag or None


def map_elm_graph(
    graph: ElmGraph,
    locate: Callable[[ElmNode, int], tuple[str, int | None]],
    limits: ReadLimits,
    deadline: float,
) -> tuple[list[RawRecord], list[Issue]]:
    """One record per learning opportunity, then one per specification none of them uses."""
    notes = _Notes()
    nodes = graph.nodes
    opportunities = [node for node in nodes if node.kind.lower() in OPPORTUNITY_KINDS]
    used: set[int] = set()
    records: list[RawRecord] = []
    for first, *later in _courses(graph, opportunities):
        limits.check_count(len(records) + 1)
        limits.check_deadline(deadline)
        builder = _RecordBuilder(graph, notes)
        locator, line = locate(first, len(records) + 1)
        records.append(builder.opportunity(first, locator, line, later))
        used.update(id(spec) for spec in builder.specifications)
    for node in nodes:
        if node.kind.lower() in SPECIFICATION_KINDS and id(node) not in used:
            if _is_part_of_a_used_specification(graph, node, used):
                continue
            limits.check_count(len(records) + 1)
            limits.check_deadline(deadline)
            locator, line = locate(node, len(records) + 1)
            records.append(_RecordBuilder(graph, notes).specification_alone(node, locator, line))
    if not records:
        kinds = ", ".join(sorted({node.kind for node in nodes if node.kind})) or "nothing"
        notes.issues.append(
            Issue.warning(
                RECORD_FIELD,
                IssueCode.MISSING,
                "the document holds no learning opportunity and no qualification or learning "
                f"achievement specification (only {kinds}), so it has no offerings",
                None,
            )
        )
    return records, notes.issues


def _courses(graph: ElmGraph, opportunities: list[ElmNode]) -> list[list[ElmNode]]:
    """The opportunities grouped into courses, in document order: opportunities with the
    same specification, the same providers and the same title are runs of one course (ELM
    has no run of its own: each intake or cohort is a learning opportunity of the course's
    specification, with its own dates, place, mode and price)."""
    courses: list[list[ElmNode]] = []
    by_key: dict[tuple, list[ElmNode]] = {}
    for opportunity in opportunities:
        key = _course_key(graph, opportunity)
        if key is not None and key in by_key:
            by_key[key].append(opportunity)
            continue
        runs = [opportunity]
        courses.append(runs)
        if key is not None:
            by_key[key] = runs
    return courses


def _course_key(graph: ElmGraph, opportunity: ElmNode) -> tuple | None:
    """None when the opportunity is a course of its own whatever else shares its
    specification: it has no specification, or it is a part or a whole of another
    opportunity (a module is not a run)."""
    specifications = graph.follow(opportunity, "learningAchievementSpecification")
    if not specifications or opportunity.values("hasPart") or opportunity.values("isPartOf"):
        return None
    titles = sorted(
        ((title.text or "").strip(), title.language or "") for title in opportunity.values("title")
    )
    return (
        tuple(id(spec) for spec in specifications),
        tuple(opportunity.uris("providedBy")),
        tuple(titles),
    )


def _is_part_of_a_used_specification(graph: ElmGraph, node: ElmNode, used: set[int]) -> bool:
    """A part of a specification an opportunity already offers is described through that
    opportunity, not offered on its own; the link may be written on either side."""
    if any(id(parent) in used for parent in graph.follow(node, "isPartOf")):
        return True
    return any(
        id(whole) in used and any(part is node for part in graph.follow(whole, "hasPart"))
        for whole in graph.nodes
        if whole.kind.lower() in SPECIFICATION_KINDS
    )


class _Notes:
    """Feed-level issues, each unknown vocabulary term reported once."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._seen: set[tuple[str, str]] = set()

    def no_crosswalk(self, field_name: str, uri: str, why: str) -> None:
        if (field_name, uri) in self._seen:
            return
        self._seen.add((field_name, uri))
        self.issues.append(Issue.info(field_name, IssueCode.NO_CROSSWALK, why, uri))

    def unknown_term(self, field_name: str, uri: str, what: str) -> None:
        if (field_name, uri) in self._seen:
            return
        self._seen.add((field_name, uri))
        self.issues.append(
            Issue.info(
                field_name,
                IssueCode.UNPARSED,
                f"{uri!r} is not a term of the Europass {what} vocabulary (ELM v3), so it was left "
                "out",
                uri,
            )
        )


class _RecordBuilder:
    """One learning opportunity (or specification) read into feed-format-v1 fields."""

    def __init__(self, graph: ElmGraph, notes: _Notes) -> None:
        self.graph = graph
        self.notes = notes
        self.fields: dict[str, str | list[str]] = {}
        self.extra: dict[str, str | list[str]] = {}
        self.issues: list[Issue] = []
        self.specifications: list[ElmNode] = []
        self.preferred: tuple[str, ...] = ()
        self.where = ""

    # --- the two kinds of record ------------------------------------------------------

    def opportunity(
        self, node: ElmNode, locator: str, line: int | None, later_runs: list[ElmNode]
    ) -> RawRecord:
        """The record of a course from its first opportunity, with a run per opportunity
        (`later_runs`: the other opportunities of the same course, see `_courses`)."""
        self.where = f"the learning opportunity {node.id or '(no id)'} at {locator}"
        self.specifications = self._specifications(node)
        spec = self.specifications[0] if self.specifications else None
        self.preferred = self._declared_languages(node, spec)

        self._put("id", node.id)
        self._text("title", [node] + ([spec] if spec else []), "title")
        self._text("description", [node] + ([spec] if spec else []), "description")
        self._homepage([node] + ([spec] if spec else []))
        self._opportunity_types(node)
        self._specification_fields(spec)
        self._put_duration(node.plain("duration"), spec)
        self._schedule(node)
        self._notes_text(node, "admissionProcedure", "admission_procedure")
        deadlines = node.plain("applicationDeadline")
        if deadlines:
            self.extra["application_deadline"] = deadlines if len(deadlines) > 1 else deadlines[0]
        self._providers(node)
        self._locations(node)
        self._parts(node)
        where = self.where
        instances = []
        for run in [node, *later_runs]:  # a run's problem names its own opportunity
            self.where = f"the learning opportunity {run.id or '(no id)'} at {locator}"
            instances.append(self._instance(run, spec))
        self.where = where
        if later_runs:
            # Each run is taught where its own opportunity says.
            for run, instance in zip([node, *later_runs], instances, strict=True):
                places = self._places(run)
                if places:
                    instance["location"] = "\n".join(places)
        self._check_required(node)
        return RawRecord(
            locator=locator,
            fields=self.fields,
            line=line,
            issues=self.issues,
            extra=self.extra,
            instances=[instance for instance in instances if instance],
        )

    def specification_alone(self, node: ElmNode, locator: str, line: int | None) -> RawRecord:
        kind = (
            "qualification"
            if node.kind.lower() == "qualification"
            else "learning achievement specification"
        )
        self.where = f"the {kind} {node.id or '(no id)'} at {locator}"
        self.specifications = [node]
        self.preferred = self._declared_languages(None, node)
        self._put("id", node.id)
        self._text("title", [node], "title")
        self._text("description", [node], "description")
        self._homepage([node])
        self._specification_fields(node)
        self._put_duration([], node)
        self._put("mode", self._modes(node.uris("mode")))
        for awarding in node.values("awardingOpportunity"):
            self._providers(awarding, "awardingBody")
            self._locations(awarding)
        self._check_required(node)
        return RawRecord(
            locator=locator, fields=self.fields, line=line, issues=self.issues, extra=self.extra
        )

    # --- what the opportunity says ----------------------------------------------------

    def _specifications(self, node: ElmNode) -> list[ElmNode]:
        found = self.graph.follow(node, "learningAchievementSpecification")
        missing = [
            uri
            for uri in node.uris("learningAchievementSpecification")
            if uri not in self.graph.by_id
        ]
        for uri in missing:
            self.issues.append(
                Issue.warning(
                    "learningAchievementSpecification",
                    IssueCode.INVALID,
                    f"{self.where} refers to the specification {uri!r}, which the document does not "
                    "describe, so its level, credits and subject are unknown",
                    uri,
                )
            )
        return found

    def _declared_languages(self, node: ElmNode | None, spec: ElmNode | None) -> tuple[str, ...]:
        """The languages to read texts in: the opportunity's default language, then the
        specification's languages of instruction."""
        uris = (node.uris("defaultLanguage") if node else []) + (
            spec.uris("language") if spec else []
        )
        codes = [code for uri in uris if (code := _language_tag(uri))]
        return tuple(dict.fromkeys(codes))

    def _text(self, field_name: str, sources: list[ElmNode], prop: str) -> None:
        for source in sources:
            text, language = pick_text(source.values(prop), self.preferred)
            if text:
                self._put(field_name, text)
                if language:
                    self.extra[f"{field_name}_language"] = language
                return

    def _homepage(self, sources: list[ElmNode]) -> None:
        for source in sources:
            for page in source.values("homepage"):
                urls = page.plain("contentUrl") or page.uris("contentUrl")
                if not urls and page.uri:  # JSON-LD may give the page as a bare IRI
                    urls = [page.uri]
                if urls:
                    self._put("url", urls[0])
                    return

    def _opportunity_types(self, node: ElmNode) -> None:
        labels = []
        for uri in node.uris("type"):
            code = vocab.term(uri, vocab.OPPORTUNITY_TYPE_PREFIX)
            if code in vocab.OPPORTUNITY_TYPES:
                labels.append(vocab.OPPORTUNITY_TYPES[code])
            elif code is not None or "://" in uri:
                self.notes.unknown_term("type", uri, "learning opportunity type")
        if labels:
            self.extra["learning_opportunity_type"] = labels if len(labels) > 1 else labels[0]

    def _schedule(self, node: ElmNode) -> None:
        labels = []
        for uri in node.uris("learningSchedule"):
            code = vocab.term(uri, vocab.LEARNING_SCHEDULE_PREFIX)
            if code in vocab.LEARNING_SCHEDULES:
                labels.append(vocab.LEARNING_SCHEDULES[code])
            else:
                self.notes.unknown_term("learningSchedule", uri, "learning schedule")
        if labels:
            self.extra["learning_schedule"] = "; ".join(labels)
        self._notes_text(node, "scheduleInformation", "schedule_information")

    def _notes_text(self, node: ElmNode, prop: str, extra_key: str) -> str | None:
        texts = [text for note in node.values(prop) if (text := _note_text(note, self.preferred))]
        if texts:
            self.extra[extra_key] = "\n\n".join(texts)
        return "\n\n".join(texts) or None

    def _providers(self, node: ElmNode, prop: str = "providedBy") -> None:
        names = []
        for organisation in self.graph.follow(node, prop):
            name, _ = pick_text(
                organisation.values("legalName")
                or organisation.values("name")
                or organisation.values("prefLabel"),
                self.preferred,
            )
            if name:
                names.append(name)
        if names:
            self.extra["provider"] = names if len(names) > 1 else names[0]

    def _locations(self, node: ElmNode) -> None:
        places = self._places(node)
        if places:
            # The place parser reads one place per line.
            self._put("location", "\n".join(places))

    def _places(self, node: ElmNode) -> list[str]:
        return list(
            dict.fromkeys(
                place
                for location in self.graph.follow(node, "location")
                if (place := self._place(location))
            )
        )

    def _place(self, location: ElmNode) -> str | None:
        name, _ = pick_text(location.values("geographicName"), self.preferred)
        parts = [name] if name else []
        country = None
        for address in location.values("address"):
            for full in address.values("fullAddress"):
                text = _note_text(full, self.preferred) or full.text
                if text:
                    parts.append(" ".join(text.split()))
            for uri in address.uris("countryCode"):
                country = country or _country_name(uri)
        for uri in location.uris("spatialCode"):  # a country code where no address gives one
            country = country or _country_name(uri)
        if country:
            parts.append(country)
        return ", ".join(dict.fromkeys(part for part in parts if part)) or None

    def _parts(self, node: ElmNode) -> None:
        wholes = []
        for whole in self.graph.follow(node, "isPartOf"):
            title, _ = pick_text(whole.values("title"), self.preferred)
            if title:
                wholes.append(title)
        if wholes:
            self.fields["stackable_into"] = wholes

    def _instance(self, node: ElmNode, spec: ElmNode | None) -> dict[str, str | list[str]]:
        run: dict[str, str | list[str]] = {}
        for period in node.values("temporal"):
            starts, ends = period.plain("startDate"), period.plain("endDate")
            if starts and "start_date" not in run:
                run["start_date"] = _date_part(starts[0])
            if ends and "end_date" not in run:
                run["end_date"] = _date_part(ends[0])
        start, end = run.get("start_date"), run.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and start and end and end < start:
            self.issues.append(
                Issue.warning(
                    "end_date",
                    IssueCode.INVALID,
                    f"{self.where} ends ({end}) before it starts ({start}); "
                    "the end date was left out",
                    end,
                )
            )
            del run["end_date"]
        mode = self._modes(node.uris("mode") or (spec.uris("mode") if spec else []))
        if mode:
            run["mode"] = mode
        self._price(node, run)
        return run

    def _modes(self, uris: list[str]) -> str | None:
        words, labels = [], []
        for uri in uris:
            code = vocab.term(uri, vocab.MODE_PREFIX)
            if code not in vocab.MODES:
                self.notes.unknown_term("mode", uri, "mode of learning and assessment")
                continue
            label, delivery = vocab.MODES[code]
            labels.append(label)
            if delivery:
                words.append(delivery)
        if labels:
            self.extra["mode_of_learning"] = "; ".join(dict.fromkeys(labels))
        return "; ".join(dict.fromkeys(words)) or None

    def _price(self, node: ElmNode, run: dict[str, str | list[str]]) -> None:
        prices: list[tuple[str, str | None, str | None]] = []
        for detail in node.values("priceDetail"):
            label, _ = pick_text(detail.values("prefLabel"), self.preferred)
            for amount in detail.values("amount"):
                values = amount.plain("value") or ([amount.text] if amount.text else [])
                value = values[0].strip() if values else ""
                currency = _currency(amount.uris("unit"))
                if not _NUMBER_RE.fullmatch(value) or value.startswith("-"):
                    self.issues.append(
                        Issue.warning(
                            "price",
                            IssueCode.INVALID,
                            f"the price of {self.where} is {value!r}, which is not an amount of "
                            "money (a number, not negative), so it was left out",
                            value or None,
                        )
                    )
                    continue
                if currency == vocab.NO_CURRENCY:
                    self.issues.append(
                        Issue.warning(
                            "currency",
                            IssueCode.INVALID,
                            f"the price of {self.where} is in currency XXX ('no currency'), so "
                            "the amount cannot be compared; give its ISO 4217 currency",
                            vocab.CURRENCY_PREFIX + vocab.NO_CURRENCY,
                        )
                    )
                    currency = None
                prices.append((value.replace(",", "."), currency, label))
        if not prices:
            return
        value, currency, label = prices[0]
        run["price"] = value
        if currency:
            run["currency"] = currency
        if label:
            self.extra["price_label"] = label
        if len(prices) > 1:
            others = "; ".join(
                f"{v} {c or ''} ({lab or 'no label'})".replace("  ", " ")
                for v, c, lab in prices[1:]
            )
            self.extra["other_prices"] = others
            self.issues.append(
                Issue.info(
                    "price",
                    IssueCode.AMBIGUOUS,
                    f"{self.where} gives several prices; the first was used and the others are "
                    f"kept in the raw record: {others}",
                    others,
                )
            )

    # --- what the specification says --------------------------------------------------

    def _specification_fields(self, spec: ElmNode | None) -> None:
        if spec is None:
            return
        self._level(spec)
        self._credits(spec)
        codes = []
        for uri in spec.uris("ISCEDFCode") + spec.uris("thematicArea"):
            code = vocab.term(uri, vocab.ISCED_F_PREFIX)
            if code and code.isdigit():
                codes.append(code)
            else:
                self.notes.unknown_term("subject", uri, "ISCED-F")
        subjects = [
            label
            for subject in spec.values("educationSubject")
            if (label := pick_text(subject.values("prefLabel"), self.preferred)[0])
        ]
        if codes:
            self._put("subject", "; ".join(dict.fromkeys(codes)))
        if subjects:
            self.extra["education_subject"] = "; ".join(dict.fromkeys(subjects))
        languages = [tag for uri in spec.uris("language") if (tag := _language_code3(uri))]
        if languages:
            self._put("language", "; ".join(dict.fromkeys(languages)))
        settings = []
        for uri in spec.uris("learningSetting"):
            code = vocab.term(uri, vocab.LEARNING_SETTING_PREFIX)
            if code in vocab.LEARNING_SETTINGS:
                settings.append(vocab.LEARNING_SETTINGS[code])
            else:
                self.notes.unknown_term("learningSetting", uri, "learning setting")
        if settings:
            self.extra["learning_setting"] = "; ".join(settings)
        outcomes = []
        for outcome in self.graph.follow(spec, "learningOutcome"):
            title, _ = pick_text(outcome.values("title"), self.preferred)
            if title:
                outcomes.append(title)
        if not outcomes:
            outcomes = [
                text
                for note in spec.values("learningOutcomeSummary")
                if (text := _note_text(note, self.preferred))
            ]
        if outcomes:
            self.fields["learning_outcomes"] = list(dict.fromkeys(outcomes))
        requirements = [
            text
            for note in spec.values("entryRequirement")
            if (text := _note_text(note, self.preferred))
        ]
        if requirements:
            self._put("prerequisites", "\n\n".join(requirements))
        # "qualification" is no credential type of ours (a degree, a certificate, ...): the
        # kind of specification is kept, not guessed into one.
        self.extra["specification_type"] = (
            "qualification"
            if spec.kind.lower() == "qualification"
            else "learning achievement specification"
        )

    def _level(self, spec: ElmNode) -> None:
        eqf = [
            code
            for uri in spec.uris("EQFLevel") + spec.uris("educationLevel")
            if (code := vocab.term(uri, vocab.EQF_LEVEL_PREFIX)) and code in "12345678"
        ]
        national: list[str] = []
        # A LOQ learningAchievementSpecification has no NQFLevel, only educationLevel, which
        # may name a national framework's level from loq/cv/nqf.xsd beside the EQF level.
        for uri in spec.uris("NQFLevel") + [
            uri for uri in spec.uris("educationLevel") if vocab.term(uri, vocab.NQF_LEVEL_PREFIX)
        ]:
            code = vocab.term(uri, vocab.NQF_LEVEL_PREFIX)
            if code in vocab.NQF_LEVELS:
                national.append(vocab.NQF_LEVELS[code])
            else:
                # A framework itself, or a level of a framework we have no crosswalk for.
                self.notes.no_crosswalk(
                    "level",
                    uri,
                    f"NQFLevel {uri!r} is not a level of a framework microcred maps (Ireland's "
                    "NFQ, SCQF, RQF), or names a framework rather than a level; it is kept in "
                    "the raw record and the EQF level is used where given",
                )
                self.extra.setdefault("nqf_level", [])
                self.extra["nqf_level"].append(uri)  # type: ignore[union-attr]
        if national:
            # The national level is the more precise claim; its EQF level follows from the
            # framework's official referencing in the level parser.
            self._put("level", national[0])
            if eqf:
                self.extra["eqf_level"] = f"EQF {eqf[0]}"
                referenced = parse_level(national[0]).value
                if referenced and referenced.eqf and str(referenced.eqf) != eqf[0]:
                    self.issues.append(
                        Issue.warning(
                            "level",
                            IssueCode.AMBIGUOUS,
                            f"{self.where} gives {national[0]} and EQF level {eqf[0]}, but the "
                            f"framework's referencing puts {national[0]} at EQF {referenced.eqf}; "
                            "the national level was used",
                            f"EQF {eqf[0]}",
                        )
                    )
        elif eqf:
            self._put("level", f"EQF {eqf[0]}")
        if len(set(eqf)) > 1:
            self.issues.append(
                Issue.warning(
                    "level",
                    IssueCode.AMBIGUOUS,
                    f"{self.where} gives several EQF levels ({', '.join(eqf)}); the first was used",
                    eqf[0],
                )
            )

    def _credits(self, spec: ElmNode) -> None:
        readable: list[tuple[str, str]] = []
        for credit in spec.values("creditPoint"):
            points = credit.plain("point")
            frameworks = credit.uris("framework")
            point = points[0] if points else ""
            framework = frameworks[0] if frameworks else None
            code = vocab.term(framework, vocab.CREDIT_PREFIX)
            if not _NUMBER_RE.fullmatch(point):
                self.issues.append(
                    Issue.warning(
                        "credits",
                        IssueCode.INVALID,
                        f"a creditPoint of {self.where} has point {point!r}, which is not a number, "
                        "so it was left out",
                        point or None,
                    )
                )
                continue
            if framework is None or code not in vocab.CREDIT_SYSTEMS:
                self.issues.append(
                    Issue.warning(
                        "credit_system",
                        IssueCode.UNPARSED,
                        f"a creditPoint of {self.where} gives {point} points in framework "
                        f"{framework!r}, which is not in the Europass credit-point vocabulary "
                        "(ECTS or ECVET), so they were kept in the raw record only",
                        framework,
                    )
                )
                self.extra.setdefault("credit_points", [])
                self.extra["credit_points"].append(f"{point} {framework}")  # type: ignore[union-attr]
                continue
            system = vocab.CREDIT_SYSTEMS[code]
            if system is None:
                self.issues.append(
                    Issue.info(
                        "credit_system",
                        IssueCode.NO_CROSSWALK,
                        f"{self.where} gives {point} {vocab.CREDIT_SYSTEM_LABELS[code]} points, which "
                        "have no published conversion to ECTS or hours; kept in the raw record",
                        framework,
                    )
                )
                self.extra.setdefault("credit_points", [])
                self.extra["credit_points"].append(f"{point} ECVET")  # type: ignore[union-attr]
                continue
            readable.append((point.replace(",", "."), system))
        volumes = spec.plain("volumeOfLearning")
        if volumes:
            self.extra["volume_of_learning"] = volumes[0]
        if readable:
            self._put("credits", readable[0][0])
            self._put("credit_system", readable[0][1])
            if len(readable) > 1:
                others = ", ".join(f"{v} {s}" for v, s in readable[1:])
                self.issues.append(
                    Issue.info(
                        "credits",
                        IssueCode.AMBIGUOUS,
                        f"{self.where} gives several credit values; the first was used, not {others}",
                        others,
                    )
                )
        elif volumes and (hours := _HOURS_ONLY_RE.fullmatch(volumes[0].strip())):
            # The notional workload in hours is what Annex I asks for when there is no ECTS.
            self._put("credits", f"{hours.group(1)} hours")

    def _put_duration(self, durations: list[str], spec: ElmNode | None) -> None:
        written = durations or (spec.plain("volumeOfLearning") if spec else [])
        if not written:
            return
        value = written[0].strip()
        if not _ISO_DURATION_RE.fullmatch(value):
            self.issues.append(
                Issue.warning(
                    "duration",
                    IssueCode.INVALID,
                    f"{self.where} gives duration {value!r}, which is not an ISO 8601 duration "
                    "(such as P3M or PT150H), so it was left out",
                    value,
                )
            )
            return
        self._put("duration", value)

    # --- small helpers ----------------------------------------------------------------

    def _check_required(self, node: ElmNode) -> None:
        if "id" not in self.fields:
            self.issues.append(
                Issue.error(
                    "id",
                    IssueCode.MISSING,
                    f"{self.where} has no id; give it a stable URI so it can be updated and "
                    "withdrawn",
                    None,
                )
            )
        if "title" not in self.fields:
            self.issues.append(
                Issue.error(
                    "title",
                    IssueCode.MISSING,
                    f"{self.where} has no title, nor has its specification; give the offering's "
                    "name",
                    node.id,
                )
            )

    def _put(self, name: str, value: str | None) -> None:
        if value and value.strip():
            self.fields[name] = value.strip()


def _note_text(note: ElmNode, preferred: tuple[str, ...]) -> str | None:
    """An ELM Note's text (`noteLiteral`), or the node's own literal."""
    text, _ = pick_text(note.values("noteLiteral"), preferred)
    if text:
        return text
    return note.text.strip() if note.text and note.text.strip() else None


def _language_code3(uri: str) -> str | None:
    """An EU language authority URI as the code the language parser reads ('.../ENG' -> 'eng')."""
    code = vocab.term(uri, vocab.LANGUAGE_PREFIX)
    return code.lower() if code else None


def _language_tag(uri: str) -> str | None:
    code = _language_code3(uri)
    return language_code(code) if code else None


def _currency(uris: list[str]) -> str | None:
    for uri in uris:
        code = vocab.term(uri, vocab.CURRENCY_PREFIX)
        if code:
            return code.upper()
    return None


def _country_name(uri: str) -> str | None:
    """A country authority URI as the country's name, which the place parser reads."""
    code = vocab.term(uri, vocab.COUNTRY_PREFIX)
    if not code:
        return None
    country = (
        pycountry.countries.get(alpha_3=code.upper())
        if len(code) == 3
        else pycountry.countries.get(alpha_2=code.upper())
        if len(code) == 2
        else None
    )
    return country.name if country else None


def _date_part(value: str) -> str:
    """'2024-10-17T10:51:20Z' -> '2024-10-17': an offering starts on a day."""
    match = _DATE_RE.match(value.strip())
    return match.group(0) if match else value.strip()
