"""Readers for provider feed format v1, CSV and JSON: bytes in, raw records and issues out.

The format (shared/reference/feed-format-v1.md) is the one a provider can always use: one
record per offering, the field names below, values as the provider naturally writes them.
These readers only find the records and their fields; mapping the values to the common
schema is the normaliser's job. Nothing here does I/O.

What the readers promise:

- A feed that cannot be read as a whole (not UTF-8, binary, broken quoting, invalid JSON,
  no `id` or `title` column) raises `FeedFormatError` with the line, column and byte offset
  (0-based, counted in the bytes as given, BOM included) of the problem.
- Otherwise every record comes back, in feed order, with its own issues; feed-level issues
  (unknown columns or keys) are in `FeedReadResult.issues`.
- Empty values (blank cells, `""`, `null`, `[]`) are left out of `RawRecord.fields`, so a
  field is either absent or has text in it.
- Lines are counted from 1; `\\r\\n`, `\\n` and a lone `\\r` each end a line.
"""

from __future__ import annotations

import bisect
import csv
import difflib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    RECORD_FIELD,
    FeedFormatError,
    FeedReadResult,
    RawRecord,
    ReadLimits,
)
from normaliser.readers.jsonld import decode_within_depth

FEED_V1_FIELDS: tuple[str, ...] = (
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

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title")

FEED_V1_FORMATS: tuple[str, ...] = ("csv", "json")

# Other names providers give the same columns, in the form `column_key` produces. Only names
# that cannot mean anything else are here: "code" or "NFQ level" would carry meaning (which
# identifier, which framework) that a plain alias would silently drop.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("identifier", "course_id", "offering_id", "provider_id_of_offering"),
    "title": ("name", "course_title", "course_name", "offering_title", "offering_name"),
    "description": ("course_description", "summary", "overview"),
    "url": ("link", "web_page", "webpage", "website", "course_url", "course_page", "more_info_url"),
    "level": ("qualification_level", "course_level", "study_level"),
    "level_framework": ("framework", "qualification_framework", "level_system"),
    "credits": ("credit", "credit_value", "credit_points", "credits_value"),
    "credit_system": ("credit_type", "credit_scheme", "credits_system"),
    "mode": (
        "delivery_mode",
        "mode_of_delivery",
        "delivery",
        "study_mode",
        "course_mode",
        "attendance_mode",
    ),
    "price": ("fee", "fees", "cost", "course_fee", "course_fees", "tuition", "tuition_fee"),
    "currency": ("price_currency", "fee_currency"),
    "duration": ("length", "course_length", "course_duration"),
    "start_dates": (
        "start_date",
        "start",
        "starts",
        "start_dates_s",
        "intake",
        "intakes",
        "intake_dates",
    ),
    "location": ("locations", "place", "venue", "campus", "delivery_location"),
    "language": ("languages", "language_of_instruction", "teaching_language", "lang"),
    "subject": ("subjects", "subject_area", "field_of_study", "discipline"),
    "learning_outcomes": ("learning_outcome", "outcomes"),
    "assessment": ("assessments", "assessment_type", "assessment_method"),
    "prerequisites": ("prerequisite", "pre_requisites", "entry_requirements"),
    "credential_type": ("credential", "award_type"),
    "quality_assurance": ("qa", "quality_assured_by", "accreditation"),
    "stackable_into": ("stacks_into", "stackability", "counts_towards"),
}

_NAME_TO_FIELD: dict[str, str] = {name: name for name in FEED_V1_FIELDS}
for _field, _aliases in _FIELD_ALIASES.items():
    for _alias in _aliases:
        _NAME_TO_FIELD[_alias] = _field

_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")

# Leading bytes of files providers upload by mistake, and what to tell them.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook is one; "
        "export the sheet as 'CSV UTF-8' instead)",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel .xls (or other Office) file; export the sheet as 'CSV UTF-8' instead",
    ),
    (b"\x1f\x8b", "gzip-compressed data; decompress it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def feed_v1_field_name(name: str) -> str | None:
    """The feed-format-v1 field a column or key name stands for, or None if it is unknown.

    Matching ignores case, surrounding whitespace, a trailing required-marker `*`, and
    whether words are joined by spaces, hyphens or underscores: `Start Dates`, `start date`
    and `START_DATES` all give `start_dates`.
    """
    return _NAME_TO_FIELD.get(column_key(name))


def sniff_feed_v1_format(data: bytes) -> str:
    """'json' if the first character after a BOM and whitespace is `[` or `{`, else 'csv'."""
    start = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    start = start.lstrip(b" \t\r\n")
    return "json" if start[:1] in (b"[", b"{") else "csv"


def read_feed_v1(
    data: bytes, format: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> FeedReadResult:
    """Read a feed-format-v1 feed; `format` is 'csv', 'json', or None to sniff it."""
    chosen = sniff_feed_v1_format(data) if format is None else format.strip().lower()
    if chosen == "csv":
        return read_feed_v1_csv(data, limits)
    if chosen == "json":
        return read_feed_v1_json(data, limits)
    # FeedFormatError, so every channel reports it like any other unreadable feed.
    raise FeedFormatError(
        f"unknown feed format {format!r}: use one of "
        f"{', '.join(FEED_V1_FORMATS)}, or leave it out to detect it"
    )


# --- CSV -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    number: int  # 1-based, as a spreadsheet user counts
    written: str  # the header cell as written, stripped
    field: str | None  # the feed-format-v1 field, None for an unknown or unnamed column


def read_feed_v1_csv(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a feed-format-v1 CSV file: UTF-8 (BOM tolerated), separated by `,`, `;` or tab.

    Each record's `locator` is 'line N' and `line` is N, the physical line where the record
    starts (a quoted value may span several lines). Reading stops at record
    `limits.max_records` + 1 (FeedLimitExceeded), not after the whole file.
    """
    table = read_csv_rows(data, header_hint=f"at least {' and '.join(REQUIRED_FIELDS)}")
    rows = table.rows

    header: list[str] | None = None
    header_line_number = 0
    for line_number, cells in rows:
        if any(cell.strip() for cell in cells):
            header, header_line_number = cells, line_number
            break
    if header is None:  # cannot happen after the check above, but never read on without one
        raise FeedFormatError("the CSV feed has no header row: every line is blank")

    columns, feed_issues = _read_header(header, header_line_number)

    records: list[RawRecord] = []
    for line_number, cells in rows:
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            continue
        records.append(_csv_record(columns, stripped, line_number, table.delimiter))
        if len(records) > limits.max_records:
            limits.check_count(len(records))
    return FeedReadResult(records=records, issues=feed_issues)


@dataclass
class CsvRows:
    """A CSV file as rows of cells, before any meaning is given to them.

    `rows` yields every row, blank ones included, as (the physical line it starts on, its
    cells as written); it raises FeedFormatError where the quoting breaks, so consume it
    once, in order.
    """

    delimiter: str
    rows: Iterator[tuple[int, list[str]]]


# The longest value one cell may hold. Python's csv module refuses a longer field by stopping
# the whole file (its field_size_limit, 131,072 characters by default), which sank every
# record of a feed for one over-long description. So the module is let read whole values up
# to a bound no accepted feed reaches (the feed itself is bounded in bytes before reading),
# and a value over MAX_VALUE_CHARACTERS rejects only its own record, naming line and column.
MAX_VALUE_CHARACTERS = 131_072
_CSV_MODULE_FIELD_LIMIT = 256 * 1024 * 1024
if csv.field_size_limit() < _CSV_MODULE_FIELD_LIMIT:
    csv.field_size_limit(_CSV_MODULE_FIELD_LIMIT)


def _is_feed_v1_column(name: str) -> bool:
    return feed_v1_field_name(name) is not None


def read_csv_rows(
    data: bytes,
    *,
    header_hint: str,
    names_a_column: Callable[[str], bool] = _is_feed_v1_column,
    delimiter: str | None = None,
    sniff_lines: int = 1,
) -> CsvRows:
    """Open a UTF-8 CSV file (BOM tolerated) the way the feed readers do, for any header.

    Text that is not CSV (binary, not UTF-8, HTML, JSON) and an empty file raise
    FeedFormatError; `header_hint` finishes the sentence "it needs a header row naming its
    columns, ...". Without `delimiter`, the separator (`,`, `;` or tab) is the one that makes
    the first `sniff_lines` non-blank lines name the most columns `names_a_column` knows.
    """
    text = _decode_utf8(data, "CSV")
    _refuse_text_that_is_not_csv(text)

    first_lines = _first_non_blank_lines(text, sniff_lines)
    if not first_lines:
        what = "is empty" if not text.strip() else "has no header row (no line names a column)"
        raise FeedFormatError(
            f"the CSV feed {what}: it needs a header row naming its columns, {header_hint}"
        )
    chosen = delimiter or _sniff_delimiter(first_lines, names_a_column)

    # strict: a quote left open or a stray character after a closing quote means the record
    # boundaries after it cannot be trusted, so the whole feed is refused rather than
    # silently merged into one huge value.
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=chosen,
        quotechar='"',
        doublequote=True,
        skipinitialspace=True,
        strict=True,
    )
    return CsvRows(delimiter=chosen, rows=_rows_with_start_lines(reader))


def _rows_with_start_lines(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each CSV row with the physical line it starts on; csv errors become FeedFormatError."""
    while True:
        start_line = reader.line_num + 1  # type: ignore[attr-defined]
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(exc, start_line, reader.line_num) from exc  # type: ignore[attr-defined]
        yield start_line, cells


def _csv_error(exc: csv.Error, start_line: int, current_line: int) -> FeedFormatError:
    reason = str(exc)
    if "unexpected end of data" in reason:
        return FeedFormatError(
            f"unterminated quoted value: the record starting at line {start_line} opens a "
            'quote (") that is never closed, so the file ended inside it; close the quote, '
            'and write a quote inside a quoted value as two ("")',
            line=start_line,
        )
    if "field larger than field limit" in reason:
        return FeedFormatError(
            f"a value in the record starting at line {start_line} is longer than "
            f"{csv.field_size_limit():,} characters",
            line=start_line,
        )
    if "expected after" in reason:
        return FeedFormatError(
            f"bad quoting in the record starting at line {start_line}: {reason}; a quote "
            'inside a quoted value must be written as two ("")',
            line=current_line,
        )
    return FeedFormatError(f"the CSV could not be read: {reason}", line=current_line)


def _read_header(header: list[str], line_number: int) -> tuple[list[_Column], list[Issue]]:
    columns: list[_Column] = []
    issues: list[Issue] = []
    seen: dict[str, _Column] = {}
    for number, cell in enumerate(header, start=1):
        written = cell.strip()
        field = feed_v1_field_name(written) if written else None
        column = _Column(number=number, written=written, field=field)
        columns.append(column)
        if not written:
            continue  # spreadsheets often export trailing unnamed, empty columns
        key = field or column_key(written)
        if key in seen:
            first = seen[key]
            raise FeedFormatError(
                f"duplicate column: column {first.number} ({first.written!r}) and column "
                f"{number} ({written!r}) both name {key!r}; remove or rename one of them",
                line=line_number,
            )
        seen[key] = column
        if field is None:
            issues.append(_unknown_name_issue(written, f"column {number}"))

    named = {column.field for column in columns}
    missing = [name for name in REQUIRED_FIELDS if name not in named]
    if missing:
        found = ", ".join(repr(c.written) for c in columns if c.written) or "none"
        raise FeedFormatError(
            f"the header row has no column for the required field(s) {', '.join(missing)}; "
            f"feed format v1 needs {' and '.join(REQUIRED_FIELDS)}. Columns found: {found}",
            line=line_number,
        )
    return columns, issues


def _csv_record(
    columns: list[_Column], cells: list[str], line_number: int, delimiter: str
) -> RawRecord:
    fields: dict[str, str | list[str]] = {}
    extra: dict[str, str | list[str]] = {}
    stray: list[str] = []
    issues: list[Issue] = []
    for index, value in enumerate(cells):
        if not value:
            continue
        if len(value) > MAX_VALUE_CHARACTERS:
            column_name = (
                columns[index].field or columns[index].written if index < len(columns) else ""
            )
            issues.append(
                Issue.error(
                    column_name or RECORD_FIELD,
                    IssueCode.INVALID,
                    f"line {line_number}, column {index + 1}"
                    f"{f' ({column_name})' if column_name else ''}: the value is {len(value):,} "
                    f"characters long, more than the {MAX_VALUE_CHARACTERS:,} a value may hold; "
                    'shorten it (if it should be short, a quote (") may have been left open)',
                    value=value[:200],
                )
            )
            continue
        if index >= len(columns):
            stray.append(value)
            continue
        column = columns[index]
        # One line-break convention inside values, so a CRLF and an LF export of the same
        # sheet give the same record (and the same content hash downstream).
        value = _LINE_BREAK.sub("\n", value)
        if column.field is not None:
            fields[column.field] = value
        elif column.written:
            extra[column.written] = value
        else:
            stray.append(value)

    if stray:
        shown = delimiter.join(stray)
        issues.append(
            Issue.warning(
                RECORD_FIELD,
                IssueCode.INVALID,
                f"line {line_number} has {len(stray)} value(s) in cells without a column name, "
                "which were ignored; a value containing the separator "
                f"{_describe_delimiter(delimiter)} must be quoted",
                value=shown[:200],
            )
        )
    return RawRecord(
        locator=f"line {line_number}", fields=fields, line=line_number, issues=issues, extra=extra
    )


def _first_non_blank_lines(text: str, count: int) -> list[str]:
    """The first `count` lines with a letter or digit: a line of bare separators names no column."""
    found: list[str] = []
    for line in _LINE_BREAK.split(text):
        if len(found) >= count:
            break
        if any(char.isalnum() for char in line):
            found.append(line)
    return found


def _sniff_delimiter(lines: list[str], names_a_column: Callable[[str], bool]) -> str:
    """The separator that splits these lines into the most known column names.

    csv.Sniffer is not used: it guesses from the data rows, where free-text descriptions full
    of commas mislead it. A header of column names is a far better witness. Ties go to the
    comma, the default of the format.
    """
    best, best_score = ",", (-1, -1)
    for candidate in (",", ";", "\t"):
        known = cell_count = 0
        for line in lines:
            cells = next(csv.reader([line], delimiter=candidate, skipinitialspace=True))
            known += sum(1 for cell in cells if names_a_column(cell))
            cell_count += len(cells)
        score = (known, cell_count)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _describe_delimiter(delimiter: str) -> str:
    return {"\t": "(tab)", ",": "(,)", ";": "(;)"}.get(delimiter, repr(delimiter))


def _refuse_text_that_is_not_csv(text: str) -> None:
    body = text.lstrip()
    start = body[:64].lower()
    line, column = _line_and_column(text[: len(text) - len(body)])
    markup = _describe_markup(start)
    if markup:
        raise FeedFormatError(f"not a CSV feed: this is {markup}", line=line, column=column)
    if start.startswith("{\\rtf"):
        raise FeedFormatError(
            "this is an RTF document, not a CSV feed; save the table as 'CSV UTF-8'",
            line=line,
            column=column,
        )
    if start[:1] in ("[", "{"):
        raise FeedFormatError(
            "this looks like JSON, not CSV; read it with format 'json'", line=line, column=column
        )


def _describe_markup(start: str) -> str | None:
    """What a feed that starts with markup really is, and what to do instead."""
    if start.startswith(("<!doctype html", "<html")):
        return (
            "an HTML web page; register the address of the feed file itself, or have "
            "the site crawled"
        )
    if start.startswith("<"):
        return "an XML or HTML document; an XCRI-CAP feed needs the XCRI-CAP reader"
    return None


# --- JSON ------------------------------------------------------------------------------


class _JsonNumber(str):
    """A JSON number kept as the provider wrote it: `7.50` stays '7.50', not 7.5."""


class _JsonObject(dict):
    """A JSON object that also remembers every key/value pair, duplicates included."""

    pairs: list[tuple[str, object]]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        obj = cls(pairs)
        obj.pairs = pairs
        return obj


def read_feed_v1_json(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a feed-format-v1 JSON file: an array of objects, or `{"offerings": [...]}`.

    Each record's `locator` is 'item N' (1-based position in the array) and `line` is the
    line where the item starts. Values may be strings, numbers (kept as written), booleans
    or arrays of those.
    """
    document, text = decode_json_feed(data, limits)
    items, array_start = _offerings_array(document, text)
    limits.check_count(len(items))
    item_lines = json_array_item_lines(text, array_start)

    feed_issues: list[Issue] = []
    unknown_keys_reported: set[str] = set()
    records: list[RawRecord] = []
    for index, item in enumerate(items, start=1):
        line = item_lines[index - 1] if index - 1 < len(item_lines) else None
        if not isinstance(item, _JsonObject):  # the decoder makes every object one
            records.append(
                RawRecord(
                    locator=f"item {index}",
                    fields={},
                    line=line,
                    issues=[
                        Issue.error(
                            RECORD_FIELD,
                            IssueCode.INVALID,
                            f"item {index} is {_json_type_name(item)}, not an object; each offering "
                            'must be a JSON object such as {"id": "MC-101", "title": "..."}',
                            value=_preview(item),
                        )
                    ],
                )
            )
            continue
        records.append(_json_record(item, index, line, feed_issues, unknown_keys_reported))
    return FeedReadResult(records=records, issues=feed_issues)


def decode_json_feed(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[object, str]:
    """The JSON document of a feed and its text (without BOM), or FeedFormatError saying where.

    Numbers come back as text subclasses, exactly as written; objects are dicts that also keep
    every key/value pair in `.pairs`, duplicates included. Nesting deeper than
    `limits.max_depth` is refused (FeedLimitExceeded) with its line and column.
    """
    text = _decode_utf8(data, "JSON")
    bom_length = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    decoder = json.JSONDecoder(
        object_pairs_hook=_JsonObject.from_pairs,
        parse_int=_JsonNumber,
        parse_float=_JsonNumber,
        parse_constant=_JsonNumber,
    )
    try:
        return decode_within_depth(decoder, text, limits.max_depth, "the JSON feed"), text
    except json.JSONDecodeError as exc:
        markup = _describe_markup(text.lstrip()[:64].lower())
        hint = f"; not a JSON feed: this is {markup}" if markup else ""
        raise FeedFormatError(
            f"invalid JSON: {exc.msg}{hint}",
            line=exc.lineno,
            column=exc.colno,
            offset=bom_length + len(text[: exc.pos].encode("utf-8")),
        ) from exc


def _offerings_array(document: object, text: str) -> tuple[list[object], int]:
    """The offerings array and the character offset of its `[`."""
    if isinstance(document, list):
        return document, _skip_json_whitespace(text, 0)
    if isinstance(document, _JsonObject):
        keys = [key for key, _ in document.pairs if column_key(key) == "offerings"]
        if len(keys) > 1:
            raise FeedFormatError(
                'the feed has more than one "offerings" key; keep one array '
                "with all offerings in it"
            )
        if not keys:
            looks_like_offering = any(
                feed_v1_field_name(key) in REQUIRED_FIELDS for key in document
            )
            hint = (
                "; it looks like a single offering: wrap it in [ ]"
                if looks_like_offering
                else f"; its keys are {', '.join(repr(k) for k in list(document)[:10])}"
            )
            raise FeedFormatError(
                'the top-level JSON object has no "offerings" array: a feed '
                'is an array of offerings or {"offerings": [...]}' + hint,
                line=1,
                column=1,
            )
        offerings = document[keys[0]]
        if not isinstance(offerings, list):
            raise FeedFormatError(
                f'"offerings" must be an array of objects, but it is {_json_type_name(offerings)}'
            )
        return offerings, json_member_offset(text, keys[0])
    start = _skip_json_whitespace(text, 0)
    line, column = _line_and_column(text[:start])
    raise FeedFormatError(
        f"the top level of the JSON feed is {_json_type_name(document)}; a feed is an array "
        'of offerings or {"offerings": [...]}',
        line=line,
        column=column,
        offset=len(text[:start].encode("utf-8")),
    )


def _json_record(
    item: _JsonObject,
    index: int,
    line: int | None,
    feed_issues: list[Issue],
    unknown_keys_reported: set[str],
) -> RawRecord:
    fields: dict[str, str | list[str]] = {}
    extra: dict[str, str | list[str]] = {}
    issues: list[Issue] = []
    source_key: dict[str, str] = {}
    for key, raw_value in item.pairs:
        field = feed_v1_field_name(key)
        value, problem = json_value_text(raw_value)
        if field is None:
            if key not in unknown_keys_reported:
                unknown_keys_reported.add(key)
                feed_issues.append(_unknown_name_issue(key, f"key first seen in item {index}"))
            if value is not None:
                extra[key] = value
            continue
        if problem:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    f"{key!r} in item {index}: {problem}",
                    value=_preview(raw_value),
                )
            )
        if value is None:
            continue
        if field in fields:
            if fields[field] != value:
                issues.append(
                    Issue.error(
                        field,
                        IssueCode.AMBIGUOUS,
                        f"item {index} gives {field} twice with different values, as "
                        f"{source_key[field]!r} and {key!r}; kept the first, remove one",
                        value=_preview(raw_value),
                    )
                )
            continue
        fields[field] = value
        source_key[field] = key
    return RawRecord(locator=f"item {index}", fields=fields, line=line, issues=issues, extra=extra)


def json_value_text(value: object) -> tuple[str | list[str] | None, str | None]:
    """Text (or a list of texts) for one JSON value, and why anything was dropped."""
    if isinstance(value, list):
        texts: list[str] = []
        dropped = 0
        for element in value:
            if isinstance(element, (list, dict)):
                dropped += 1
                continue
            text = _json_scalar_text(element)
            if text is not None:
                texts.append(text)
        problem = (
            f"{dropped} nested array(s) or object(s) inside the list were dropped; "
            "a list holds plain values"
            if dropped
            else None
        )
        return (texts or None), problem
    if isinstance(value, dict):
        return None, (
            "a nested object is not a feed-format-v1 value and was dropped; give the value as text"
        )
    return _json_scalar_text(value), None


def _json_scalar_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):  # before str/number: JSON true must not become "1"
        return "true" if value else "false"
    text = _LINE_BREAK.sub("\n", str(value)).strip()
    return text or None


def _json_type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, _JsonNumber):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _preview(value: object) -> str:
    """Short JSON text of a value for an issue, numbers shown as numbers."""
    text = json.dumps(_plain_json(value), ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


def _plain_json(value: object) -> object:
    if isinstance(value, _JsonNumber):
        return json.loads(value)
    if isinstance(value, list):
        return [_plain_json(element) for element in value]
    if isinstance(value, dict):
        return {key: _plain_json(element) for key, element in value.items()}
    return value


def _skip_json_whitespace(text: str, position: int) -> int:
    return _JSON_WHITESPACE.match(text, position).end()  # type: ignore[union-attr]


def json_member_offset(text: str, wanted_key: str) -> int:
    """Offset of the value of top-level member `wanted_key` in an already validated object."""
    scanner = json.JSONDecoder()
    position = _skip_json_whitespace(text, 0) + 1  # past "{"
    while True:
        position = _skip_json_whitespace(text, position)
        key, position = scanner.raw_decode(text, position)
        position = _skip_json_whitespace(text, position) + 1  # past ":"
        position = _skip_json_whitespace(text, position)
        if key == wanted_key:
            return position
        _, position = scanner.raw_decode(text, position)
        position = _skip_json_whitespace(text, position) + 1  # past "," ("}" cannot come first)


def json_array_item_lines(text: str, array_start: int) -> list[int]:
    """The line each item of an already validated array starts on.

    json gives no positions for what it parsed, so the array is walked once more with
    raw_decode, which returns where each item ends.
    """
    scanner = json.JSONDecoder()
    line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
    lines: list[int] = []
    position = _skip_json_whitespace(text, array_start + 1)  # past "["
    if text[position] == "]":
        return lines
    while True:
        lines.append(bisect.bisect_right(line_starts, position))
        _, position = scanner.raw_decode(text, position)
        position = _skip_json_whitespace(text, position)
        if text[position] == "]":
            return lines
        position = _skip_json_whitespace(text, position + 1)  # past ","


# --- shared ----------------------------------------------------------------------------


def column_key(name: str) -> str:
    """A column or key name reduced for matching: 'Start Date(s) *' -> 'start_date_s'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().rstrip("*").casefold()).strip("_")


def _unknown_name_issue(name: str, where: str) -> Issue:
    suggestion = difflib.get_close_matches(column_key(name), FEED_V1_FIELDS, n=1, cutoff=0.75)
    hint = f"; did you mean {suggestion[0]!r}?" if suggestion else ""
    return Issue.warning(
        name,
        IssueCode.UNKNOWN_FIELD,
        f"{name!r} ({where}) is not a feed-format-v1 field, so its values are kept as written "
        f"but not normalised{hint}",
    )


def _decode_utf8(data: bytes, format_name: str) -> str:
    """The feed as text, without its BOM; anything that is not UTF-8 text is refused."""
    _refuse_binary(data, format_name)
    bom_length = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[bom_length:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom_length + exc.start
        line, column = _line_and_column(data[bom_length:offset].decode("utf-8"))
        bad = data[offset : offset + min(exc.end - exc.start, 4)].hex(" ").upper()
        raise FeedFormatError(
            f"the {format_name} feed is not valid UTF-8: byte(s) {bad} ({exc.reason}); the file "
            "was probably saved as Windows-1252 or Latin-1. Save it as UTF-8 (in Excel: "
            "'CSV UTF-8')",
            line=line,
            column=column,
            offset=offset,
        ) from exc


def _refuse_binary(data: bytes, format_name: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FeedFormatError(
            f"the {format_name} feed is UTF-16 encoded; save it as UTF-8", offset=0
        )
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise FeedFormatError(f"this is {description}, not a {format_name} feed", offset=0)
    nul = data.find(b"\x00")
    if nul >= 0:
        prefix = data[:nul]
        line = len(_LINE_BREAK_BYTES.findall(prefix)) + 1
        last_break = max(prefix.rfind(b"\n"), prefix.rfind(b"\r"))
        column = len(prefix[last_break + 1 :].decode("utf-8", errors="replace")) + 1
        raise FeedFormatError(
            f"the {format_name} feed contains a NUL byte, so it is binary data (or UTF-16 "
            "text), not a UTF-8 text feed",
            line=line,
            column=column,
            offset=nul,
        )


def _line_and_column(prefix: str) -> tuple[int, int]:
    """1-based line and column of the character just after `prefix`."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(prefix):
        line += 1
        line_start = match.end()
    return line, len(prefix) - line_start + 1
