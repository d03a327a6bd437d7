"""Bulk export of offerings as CSV or JSON Lines, with the search filters, streamed: rows are
read from the catalogue with a server-side cursor in batches and written out batch by batch,
so memory stays flat whatever the size of the export.

The columns (EXPORT_COLUMNS) are a stable contract: new columns are only ever added at the
end. Values that an offering has several of (modes, languages, ...) are lists in JSON Lines
and "; "-joined in CSV; derived values (the lowest price of any run in the reference
currency, modes and countries over the runs) are computed exactly as the search index
computes them (catalogue.search.documents.build_document).

CSV follows RFC 4180 (CRLF line ends, double quotes doubled, text cells quoted) and is made
safe to open in a spreadsheet: a text cell that begins with =, +, -, @, a tab or a carriage
return is prefixed with a single quote, so it is shown as text and never run as a formula
(OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import func, select, text

from catalogue.ctdl_export import ctdl_chunks
from catalogue.elm_loq import loq_chunks, snapshot
from catalogue.export_report import ExportReport
from catalogue.models import ChangeCounterRow, OfferingDuplicateRow
from catalogue.publication import PublicationRule, PublicationRules, published
from catalogue.search.documents import build_document
from catalogue.search.query import Filters
from catalogue.stats.json_sql import JsonSql, json_sql_for
from catalogue.stats.offering_sql import OFFERINGS, OfferingSql, Params, catalogue_conditions
from catalogue.store import Catalogue, stored_offering_from_row
from catalogue.xcri_export import xcri_chunks
from normaliser.schema import Provider, StoredOffering

# (name, meaning). Append only: clients read these by name and position.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "our offering id, stable for the provider and the provider's own id"),
    ("provider_id", "the provider's id in the marketplace"),
    ("provider_name", "the provider's name"),
    ("provider_offering_id", "the provider's own id of the offering"),
    ("title", "title"),
    ("url", "the offering's page"),
    ("framework", "qualifications framework of the level: EQF, NZQF, AQF, NFQ, SCQF, RQF"),
    ("level", "the level as the framework names it"),
    ("eqf", "EQF level, only where an official referencing exists"),
    ("credits", "credits as given, in credit_system"),
    ("credit_system", "ECTS, NZ_CREDITS, CATS, SCQF, US_SCH, HOURS"),
    ("ects", "credits in ECTS"),
    ("hours", "notional learning hours (from the credits, else the duration)"),
    ("weeks", "duration in weeks"),
    ("price_amount", "the offering's price as given (the lowest of a range)"),
    ("price_currency", "ISO 4217 currency of price_amount"),
    ("price_ref", "the lowest price of any run in the reference currency; 0 when free"),
    ("reference_currency", "the deployment's reference currency"),
    ("free", "true when any run is free"),
    ("modes", "online, in_person, blended: of any run"),
    ("paces", "self_paced, scheduled: of any run"),
    ("countries", "ISO 3166-1 alpha-2 countries of the places and runs"),
    ("regions", "regions of the places and runs"),
    ("languages", "languages of instruction, BCP 47 subtags (ISO 639-1, else ISO 639-3)"),
    ("subjects", "ISCED-F 2013 codes"),
    ("credential_type", "micro-credential, digital badge, certificate, ..."),
    ("start_dates", "ISO start dates of the runs"),
    ("learning_outcomes", "learning outcomes"),
    ("assessment", "type of assessment"),
    ("quality_assurance", "type of quality assurance"),
    ("prerequisites", "prerequisites"),
    ("stackable_into", "what it counts towards"),
    ("channel", "how it reached us: push, pull, crawl, cli"),
    ("source_url", "where the record was read"),
    ("first_seen", "when it first reached us (UTC, ISO 8601)"),
    ("last_seen", "when a feed last carried it (UTC, ISO 8601)"),
    ("updated_at", "when it last changed (UTC, ISO 8601)"),
    ("version", "catalogue version; goes up with every change"),
    ("duplicate_of", "id of the offering this one is a second listing of, if any"),
)
COLUMN_NAMES = tuple(name for name, _ in EXPORT_COLUMNS)
LIST_SEPARATOR = "; "
# OWASP CSV Injection: the first characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 500


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    ELM_LOQ = "elm-loq"
    CTDL = "ctdl"
    XCRI_CAP = "xcri-cap"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8; header=present",
    ExportFormat.JSONL: "application/jsonl; charset=utf-8",
    ExportFormat.ELM_LOQ: "application/xml; charset=utf-8",
    ExportFormat.CTDL: "application/ld+json",
    ExportFormat.XCRI_CAP: "application/xml; charset=utf-8",
}
FILE_SUFFIXES = {
    ExportFormat.CSV: "csv",
    ExportFormat.JSONL: "jsonl",
    ExportFormat.ELM_LOQ: "loq.xml",
    ExportFormat.CTDL: "ctdl.jsonld",
    ExportFormat.XCRI_CAP: "xcri.xml",
}


FEDERATION_WRITERS = {
    ExportFormat.ELM_LOQ: loq_chunks,
    ExportFormat.CTDL: ctdl_chunks,
    ExportFormat.XCRI_CAP: xcri_chunks,
}
FEDERATION_FORMATS = tuple(FEDERATION_WRITERS)


def neutralise_formula(cell: str) -> str:
    """A text cell a spreadsheet will show as written, never evaluate."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _iso(value) -> str | None:
    value = JsonSql.timestamp_result(value)
    return value.isoformat() if value else None


def _timestamped(row: Any) -> SimpleNamespace:
    """A row of text SQL with its timestamps as datetimes (SQLite gives them as text)."""
    values = row._asdict()
    for name in ("first_seen", "last_seen", "updated_at"):
        values[name] = JsonSql.timestamp_result(values[name])
    return SimpleNamespace(**values)


def export_row(row: Any, document: dict, reference_currency: str) -> dict[str, Any]:
    """One export row from the catalogue columns of an offering and its stored document."""
    document.update(
        id=row.id,
        version=row.version,
        provider={"id": row.provider_id, "name": row.provider_name},
        provenance={"status": "active", "first_seen": _iso(row.first_seen)},
    )
    index = build_document(document)
    level, credits = document.get("level") or {}, document.get("credits") or {}
    price, duration = document.get("price") or {}, document.get("duration") or {}
    places = (document.get("places") or []) + [
        run["place"] for run in document.get("instances") or [] if run.get("place")
    ]
    return {
        "id": row.id,
        "provider_id": row.provider_id,
        "provider_name": row.provider_name,
        "provider_offering_id": document.get("provider_offering_id"),
        "title": document.get("title"),
        "url": document.get("url"),
        "framework": level.get("framework"),
        "level": level.get("value"),
        "eqf": level.get("eqf"),
        "credits": credits.get("value"),
        "credit_system": credits.get("system"),
        "ects": credits.get("ects"),
        "hours": index.hours,
        "weeks": duration.get("weeks"),
        "price_amount": price.get("amount"),
        "price_currency": price.get("currency"),
        "price_ref": index.price_ref,
        "reference_currency": reference_currency,
        "free": index.is_free,
        "modes": index.keywords["mode"],
        "paces": index.keywords["pace"],
        "countries": index.keywords["country"],
        "regions": sorted({p["region"] for p in places if p.get("region")}),
        "languages": index.keywords["language"],
        "subjects": (document.get("subject") or {}).get("isced") or [],
        "credential_type": document.get("credential_type"),
        "start_dates": index.summary["start_dates"],
        "learning_outcomes": document.get("learning_outcomes") or [],
        "assessment": document.get("assessment"),
        "quality_assurance": document.get("quality_assurance"),
        "prerequisites": document.get("prerequisites"),
        "stackable_into": document.get("stackable_into") or [],
        "channel": row.channel,
        "source_url": row.source_url,
        "first_seen": _iso(row.first_seen),
        "last_seen": _iso(row.last_seen),
        "updated_at": _iso(row.updated_at),
        "version": row.version,
        "duplicate_of": row.duplicate_of,
    }


class Exporter:
    def __init__(
        self, catalogue: Catalogue, reference_currency: str, batch_rows: int = BATCH_ROWS
    ) -> None:
        self.catalogue = catalogue
        self.reference_currency = reference_currency
        self.batch_rows = batch_rows
        self.json = json_sql_for(catalogue.engine.dialect.name)
        self.rules = PublicationRules(catalogue.engine)
        # Target reports by (target, page base), with the catalogue state and rule they were
        # made from: the agency's targets page shows three of them on every view.
        self._reports: dict[tuple[ExportFormat, str], tuple[tuple, ExportReport]] = {}

    def _where(self, filters: Filters, include_duplicates: bool) -> tuple[str, Params]:
        params = Params()
        where = " AND ".join(
            catalogue_conditions(
                OfferingSql(self.json), filters, params, include_duplicates=include_duplicates
            )
        )
        return where, params

    def batches(
        self, filters: Filters, *, include_duplicates: bool = False
    ) -> Iterator[list[dict]]:
        """Active offerings matching the filters, in id order, a batch of rows at a time.
        Secondary listings of duplicates are left out unless asked for."""
        where, params = self._where(filters, include_duplicates)
        sql = (
            f"SELECT o.id, o.provider_id, p.name AS provider_name, o.version, o.channel, "
            f"o.source_url, o.first_seen, o.last_seen, o.updated_at, "
            f"{self.json.document_text('o.document')} AS doc, dup.primary_id AS duplicate_of "
            f"FROM {OFFERINGS} o JOIN providers p ON p.id = o.provider_id "
            f"LEFT JOIN offering_duplicates dup ON dup.secondary_id = o.id "
            f"WHERE {where} ORDER BY o.id"
        )
        with self.catalogue.engine.connect() as conn:
            # A server-side cursor on PostgreSQL; SQLite's cursor reads rows as they are asked for.
            result = conn.execution_options(
                stream_results=True, max_row_buffer=self.batch_rows
            ).execute(text(sql), params.values)
            for partition in result.partitions(self.batch_rows):
                yield [
                    export_row(row, orjson.loads(row.doc), self.reference_currency)
                    for row in partition
                ]

    @contextmanager
    def offering_passes(
        self, filters: Filters, *, include_duplicates: bool = False, by_provider: bool = False
    ) -> Iterator[Callable[[], Iterator[list[StoredOffering]]]]:
        """A function giving the matching offerings (as models) in id order (or by provider,
        then id), a batch at a time, as often as it is called, every time from the same read
        snapshot."""
        where, params = self._where(filters, include_duplicates)
        sql = (
            f"SELECT o.id, o.provider_id, o.version, o.status, o.content_hash, o.channel, "
            f"o.source_url, o.submission_id, o.first_seen, o.last_seen, o.updated_at, "
            f"{self.json.document_text('o.document')} AS document_json, "
            f"p.name AS provider_name, p.country AS provider_country, "
            f"p.url AS provider_url, p.default_currency AS provider_currency "
            f"FROM {OFFERINGS} o JOIN providers p ON p.id = o.provider_id "
            f"WHERE {where} ORDER BY {'o.provider_id, ' if by_provider else ''}o.id"
        )
        with self.catalogue.engine.connect() as conn:
            conn = snapshot(conn)

            def one_pass() -> Iterator[list[StoredOffering]]:
                result = conn.execution_options(
                    stream_results=True, max_row_buffer=self.batch_rows
                ).execute(text(sql), params.values)
                providers: dict[str, Provider] = {}
                for partition in result.partitions(self.batch_rows):
                    yield [
                        stored_offering_from_row(
                            _timestamped(row),
                            providers.setdefault(
                                row.provider_id,
                                Provider(
                                    id=row.provider_id,
                                    name=row.provider_name,
                                    country=row.provider_country,
                                    url=row.provider_url,
                                    default_currency=row.provider_currency,
                                ),
                            ),
                            row.document_json,
                        )
                        for row in partition
                    ]

            try:
                yield one_pass
            finally:
                conn.rollback()

    @contextmanager
    def _published_passes(
        self,
        rule: PublicationRule,
        report: ExportReport,
        filters: Filters,
        *,
        include_duplicates: bool,
        by_provider: bool,
    ) -> Iterator[Callable[[], Iterator[list[StoredOffering]]]]:
        """offering_passes with the agency's rule for the target applied; what it keeps back
        is counted once, on the first pass."""
        with self.offering_passes(
            filters, include_duplicates=include_duplicates, by_provider=by_provider
        ) as one_pass:
            passes = 0

            def published_pass() -> Iterator[list[StoredOffering]]:
                nonlocal passes
                passes += 1
                return published(rule, one_pass(), report if passes == 1 else None)

            yield published_pass

    def stream(
        self,
        filters: Filters,
        export_format: ExportFormat,
        *,
        include_duplicates: bool = False,
        page_base: str = "",
        report: ExportReport | None = None,
    ) -> Iterator[bytes]:
        """The export, chunk by chunk. A federation format applies the agency's publication
        rule for it and fills `report` with what was left out, once the stream has ended."""
        writer = FEDERATION_WRITERS.get(export_format)
        if writer is not None:
            counted = report if report is not None else ExportReport()
            rule = self.rules.get(export_format.value)
            return writer(
                lambda: self._published_passes(
                    rule,
                    counted,
                    filters,
                    include_duplicates=include_duplicates,
                    by_provider=export_format is ExportFormat.XCRI_CAP,
                ),
                page_base,
                counted,
            )
        batches = self.batches(filters, include_duplicates=include_duplicates)
        if export_format is ExportFormat.JSONL:
            return jsonl_chunks(batches)
        return csv_chunks(batches)

    def target_report(self, export_format: ExportFormat, page_base: str = "") -> ExportReport:
        """What an export of the whole catalogue to a federation target would leave out,
        and why. Made by writing the export and throwing it away, so it costs what the
        export costs; kept until the catalogue, its duplicates or the target's rule change,
        so only the first view after a change pays."""
        state = (self._catalogue_state(), self.rules.get(export_format.value))
        kept = self._reports.get((export_format, page_base))
        if kept is not None and kept[0] == state:
            return kept[1]
        report = ExportReport()
        for _chunk in self.stream(Filters(), export_format, page_base=page_base, report=report):
            pass
        self._reports[(export_format, page_base)] = (state, report)
        return report

    def _catalogue_state(self) -> tuple:
        """What an export depends on, cheaply: the last change number (every created,
        updated and withdrawn offering takes one, catalogue.changes) and the duplicate
        listings left out of exports (their count and newest row)."""
        with self.catalogue.engine.connect() as conn:
            changes = conn.execute(select(ChangeCounterRow.value)).scalar()
            duplicates = conn.execute(select(func.count(), func.max(OfferingDuplicateRow.id))).one()
        return (changes, tuple(duplicates))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    return neutralise_formula(str(value))


def csv_chunks(batches) -> Iterator[bytes]:
    buffer = io.StringIO()
    # RFC 4180: CRLF after every record; QUOTE_NONNUMERIC quotes every text cell (and
    # doubles the quotes inside it) and leaves numbers bare.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMN_NAMES)
    for batch in batches:
        for row in batch:
            writer.writerow([_csv_cell(row[name]) for name in COLUMN_NAMES])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def jsonl_chunks(batches) -> Iterator[bytes]:
    for batch in batches:
        yield b"".join(
            orjson.dumps({name: row[name] for name in COLUMN_NAMES}) + b"\n" for row in batch
        )
