"""One feed-format-v1 record in, one Offering (or None) and its issues out.

Contract: the offering is None exactly when the record cannot be accepted (no id or
no title); those issues are errors. Any other field that cannot be read is left
empty and reported as a warning, even where its parser calls the value an error, so
that one bad field never costs a provider the whole record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

from normaliser.issues import Issue, IssueCode, Parsed, Severity
from normaliser.parsers.credential_type import parse_credential_type
from normaliser.parsers.credits import credit_system_from_text, parse_credits
from normaliser.parsers.dates import DateReading, parse_date_readings, parse_dates
from normaliser.parsers.duration import parse_duration
from normaliser.parsers.html_text import html_to_text
from normaliser.parsers.language import language_code, parse_languages
from normaliser.parsers.level import framework_from_text, parse_level
from normaliser.parsers.memo import memoised, memoised_parser
from normaliser.parsers.mode import parse_mode
from normaliser.parsers.place import parse_place
from normaliser.parsers.price import parse_price
from normaliser.parsers.subject import parse_subject
from normaliser.parsers.url import parse_url
from normaliser.rates import RateTable
from normaliser.schema import Instance, Offering
from normaliser.text import clean, shorten
from normaliser.vocab.currencies import currency_code

FEED_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "url",
    "level",
    "level_framework",
    "credits",
    "credit_system",
    "mode",
    "price",
    "currency",
    "duration",
    "start_dates",
    "location",
    "language",
    "subject",
    "learning_outcomes",
    "assessment",
    "prerequisites",
    "credential_type",
    "quality_assurance",
    "stackable_into",
)
LIST_FIELDS: frozenset[str] = frozenset({"learning_outcomes", "start_dates", "stackable_into"})
# What a reader may give per run of an offering (an XCRI-CAP presentation, a schema.org
# CourseInstance). A value missing from a run falls back to the record's own field.
INSTANCE_FIELDS: tuple[str, ...] = (
    "start_date",
    "end_date",
    "mode",
    "price",
    "currency",
    "location",
)
_LIST_SPLIT_RE = re.compile(r"\s*(?:;|\n|\r)+\s*")
_NEWLINE_RE = re.compile(r"\s*\n\s*")
# Free-text fields kept as written, but as one tidy paragraph and never unbounded.
_MAX_TEXT = 5000


@dataclass
class NormaliseContext:
    """What the normaliser knows about the provider beyond the record itself."""

    provider_id: str
    default_currency: str | None = None
    default_country: str | None = None
    default_language: str | None = None
    ref_currency: str = "EUR"
    rates: RateTable | None = None
    # What the provider's bare numbers mean ("5" in the level column), when it has told us.
    level_framework: str | None = None
    credit_system: str | None = None


def normalise_record(
    fields: dict[str, str | list[str]],
    ctx: NormaliseContext,
    instances: list[dict[str, str | list[str]]] | None = None,
) -> tuple[Offering | None, list[Issue]]:
    """Map one record to the common schema; say per field what could not be mapped.

    `instances` are the record's runs as the reader found them, keyed by INSTANCE_FIELDS;
    without them, runs come from the record's `start_dates`.
    """
    record = _Record(fields)
    issues: list[Issue] = []

    offering_id = clean(record.text("id"))
    title = clean(html_to_text(record.text("title")) or "")
    if not offering_id:
        issues.append(
            Issue.error(
                "id",
                IssueCode.MISSING,
                "The record has no id; give each offering a stable identifier such as 'MC-DS-101'.",
                None,
            )
        )
    if not title:
        issues.append(
            Issue.error(
                "title",
                IssueCode.MISSING,
                "The record has no title; give the offering's name.",
                shorten(offering_id) or None,
            )
        )
    if issues:
        return None, issues

    def take(parsed: Parsed):  # field errors become warnings: the record still lands
        if parsed.issues:
            issues.extend(map(_as_warning, parsed.issues))
        return parsed.value

    description = html_to_text(record.text("description"))
    level = take(parse_level(record.text("level"), _framework_hint(record, ctx, issues)))
    credits = take(parse_credits(record.text("credits"), _credit_hint(record, ctx, issues)))
    mode_pace = take(parse_mode(record.text("mode")))
    price = take(_price(record, ctx, issues))
    duration = take(parse_duration(record.text("duration")))
    start_dates = take(parse_date_readings(record.items("start_dates"))) or []
    places = take(parse_place(record.text("location"), ctx.default_country)) or []
    languages = take(_languages(record, ctx))
    subject = take(parse_subject(record.text("subject"), title, description))
    credential_type = take(parse_credential_type(record.text("credential_type")))
    url = take(parse_url(record.text("url")))

    mode = mode_pace.mode if mode_pace else None
    pace = mode_pace.pace if mode_pace else None
    first_place = places[0] if places else None
    if instances:
        runs = [
            _instance(run, number, record, ctx, mode_pace, price, first_place, issues)
            for number, run in enumerate(instances, start=1)
        ]
        mode = mode or _only({r.mode for r in runs})
        pace = pace or _only({r.pace for r in runs})
        price = price or _lowest_price([r.price for r in runs if r.price])
        for run in runs:
            if run.place and run.place not in places:
                places.append(run.place)
    else:
        runs = [
            Instance(**_start(d), mode=mode, pace=pace, place=first_place, price=price)
            for d in start_dates
        ]
        if not runs and (mode or pace or price or first_place):
            runs = [Instance(mode=mode, pace=pace, place=first_place, price=price)]

    try:
        offering = Offering(
            provider_offering_id=offering_id,
            title=title,
            description=description[: _MAX_TEXT * 4] if description else None,
            url=url,
            level=level,
            credits=credits,
            mode=mode,
            pace=pace,
            price=price,
            duration=duration,
            subject=subject,
            languages=languages or [],
            places=places,
            instances=runs,
            learning_outcomes=record.items("learning_outcomes"),
            assessment=_plain(record.text("assessment")),
            prerequisites=_plain(record.text("prerequisites")),
            credential_type=credential_type,
            quality_assurance=_plain(record.text("quality_assurance")),
            stackable_into=record.items("stackable_into"),
            raw=record.raw() | _raw_instances(instances),
            issues=issues,
        )
    except ValidationError as exc:  # a parser produced something the schema refuses: report it
        issues.append(
            Issue.error(
                str(exc.errors()[0].get("loc", ("record",))[0]),
                IssueCode.INVALID,
                f"The record could not be built ({exc.errors()[0].get('msg')}); this is a normaliser "
                "bug, please report it with the record.",
                None,
            )
        )
        return None, issues
    return offering, issues


class _Record:
    """Access to the raw fields: text for scalar fields, lists for list fields, the raw copy."""

    def __init__(self, fields: dict[str, str | list[str]]) -> None:
        self._fields = fields or {}

    def text(self, name: str) -> str | None:
        value = self._fields.get(name)
        if value is None:
            return None
        if type(value) is str:
            return value if value.strip() else None
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value if v is not None and str(v).strip()) or None
        text = str(value)
        return text if text.strip() else None

    def items(self, name: str) -> list[str]:
        value = self._fields.get(name)
        if value is None:
            return []
        pieces = value if isinstance(value, list | tuple) else _LIST_SPLIT_RE.split(str(value))
        seen: list[str] = []
        for piece in pieces:
            text = _plain(None if piece is None else str(piece))
            if text and text not in seen:
                seen.append(text)
        return seen

    def raw(self) -> dict[str, str]:
        raw: dict[str, str] = {}
        for key, value in self._fields.items():
            if value is None:
                continue
            if type(value) is str and type(key) is str:
                raw[key] = value
            elif isinstance(value, list | tuple):
                raw[str(key)] = "; ".join("" if v is None else str(v) for v in value)
            else:
                raw[str(key)] = str(value)
        return raw


def _start(reading: DateReading) -> dict:
    """An instance's start fields; the precision and wording only when not a full date."""
    if reading.precision is None:
        return {"start_date": reading.day}
    return {
        "start_date": reading.day,
        "start_precision": reading.precision,
        "start_written": reading.written,
    }


def _instance(
    run_fields: dict[str, str | list[str]],
    number: int,
    record: _Record,
    ctx: NormaliseContext,
    record_mode,
    record_price,
    record_place,
    issues: list[Issue],
) -> Instance:
    """One run; what it does not say is taken from the record."""
    run = _Record(run_fields)

    def take(parsed: Parsed):
        for issue in parsed.issues:
            issues.append(
                _as_warning(issue.model_copy(update={"message": f"Run {number}: {issue.message}"}))
            )
        return parsed.value

    start = take(parse_date_readings(run.items("start_date"), "start_date")) or []
    end = take(parse_dates(run.items("end_date"), "end_date")) or []
    mode_pace = take(parse_mode(run.text("mode"))) if run.text("mode") else record_mode
    if run.text("price") or run.text("currency"):
        currency_source = run if run.text("currency") else record
        price = (
            take(
                _price(
                    _Record(
                        {
                            "price": run.text("price") or "",
                            "currency": currency_source.text("currency") or "",
                        }
                    ),
                    ctx,
                    issues,
                )
            )
            or record_price
        )
    else:
        price = record_price
    place = record_place
    if run.text("location"):
        run_places = take(parse_place(run.text("location"), ctx.default_country)) or []
        place = run_places[0] if run_places else record_place
    end_date = end[-1] if end else None
    if end_date is not None and start and end_date < start[0].day:
        # A run cannot end before it starts: one of the two is wrong, and which one cannot be
        # told, so the end is left out rather than kept (Wychwolf.com's feed: a start of
        # 1 Aug 2012 and an end written "31 August 2011").
        issues.append(
            Issue.warning(
                "end_date",
                IssueCode.INVALID,
                f"Run {number} ends ({end_date.isoformat()}) before it starts "
                f"({start[0].day.isoformat()}); the end date was left out.",
                end_date.isoformat(),
            )
        )
        end_date = None
    return Instance(
        **(_start(start[0]) if start else {}),
        end_date=end_date,
        mode=mode_pace.mode if mode_pace else None,
        pace=mode_pace.pace if mode_pace else None,
        place=place,
        price=price,
    )


def _only(values: set):
    values.discard(None)
    return values.pop() if len(values) == 1 else None


def _lowest_price(prices: list) -> object | None:
    """The 'from' price of an offering whose runs cost different amounts."""
    if not prices:
        return None
    return min(
        prices,
        key=lambda p: (
            0 if p.is_free else 1,
            p.amount_ref if p.amount_ref is not None else float("inf"),
            p.amount if p.amount is not None else float("inf"),
        ),
    )


def _raw_instances(instances: list[dict[str, str | list[str]]] | None) -> dict[str, str]:
    raw: dict[str, str] = {}
    for number, run in enumerate(instances or (), start=1):
        for key, value in _Record(run).raw().items():
            raw[f"run {number} {key}"] = value
    return raw


def _framework_hint(record: _Record, ctx: NormaliseContext, issues: list[Issue]) -> str | None:
    hint = record.text("level_framework")
    if hint and framework_from_text(hint) is None:
        issues.append(
            Issue.warning(
                "level_framework",
                IssueCode.UNPARSED,
                "Not a framework we know; use EQF, NZQF, AQF, NFQ, SCQF or RQF.",
                shorten(hint),
            )
        )
        return ctx.level_framework
    return hint or ctx.level_framework


def _credit_hint(record: _Record, ctx: NormaliseContext, issues: list[Issue]) -> str | None:
    hint = record.text("credit_system")
    if hint:
        if credit_system_from_text(hint) is not None:
            return hint
        issues.append(
            Issue.warning(
                "credit_system",
                IssueCode.UNPARSED,
                "Not a credit system we know; use ECTS, NZ_CREDITS, CATS, SCQF, US_SCH or HOURS.",
                shorten(hint),
            )
        )
    return ctx.credit_system or ctx.default_country


def _price(record: _Record, ctx: NormaliseContext, issues: list[Issue]) -> Parsed:
    written = record.text("currency")
    stated = currency_code(written) if written else None
    if written and stated is None:
        issues.append(
            Issue.warning(
                "currency",
                IssueCode.UNPARSED,
                "Not a currency we know; use an ISO 4217 code such as NZD, EUR or GBP.",
                shorten(written),
            )
        )
    parsed = parse_price(
        record.text("price"),
        default_currency=stated or ctx.default_currency,
        rates=ctx.rates,
        ref_currency=ctx.ref_currency,
    )
    if stated:  # the provider named the currency: filling it in is not a default
        parsed.issues = [i for i in parsed.issues if i.code is not IssueCode.DEFAULTED]
    return parsed


def _languages(record: _Record, ctx: NormaliseContext) -> Parsed:
    written = record.text("language")
    if written:
        return parse_languages(written, country=ctx.default_country)
    return _default_language(ctx.default_language)


@memoised_parser
def _default_language(default_language: str | None) -> Parsed:
    default = language_code(default_language) if default_language else None
    if not default:
        return Parsed([])
    return Parsed(
        [default],
        [
            Issue.info(
                "language",
                IssueCode.DEFAULTED,
                f"No language given; used the provider's default, {default}.",
                None,
            )
        ],
    )


@memoised
def _plain(raw: str | None) -> str | None:
    text = html_to_text(raw)
    if not text:
        return None
    if "\n" in text:
        text = _NEWLINE_RE.sub(" ", text).strip()
    return text[:_MAX_TEXT] or None


def _as_warning(issue: Issue) -> Issue:
    if issue.severity is not Severity.ERROR:
        return issue
    return Issue.warning(issue.field, issue.code, issue.message, issue.value)
