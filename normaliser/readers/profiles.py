"""Mapping profiles: read a source whose columns are its own as feed-format-v1 records.

A MOOC catalogue export or a national dataset does not use the names of feed format v1
(shared/reference/feed-format-v1.md). Instead of Python per source, such a source gets a
profile: a TOML file saying which of its columns feeds which field, how its own words map
to ours, how to build a field from several columns, and what to assume where it says
nothing. `load_profile` validates one; `read_with_profile` reads a file with it into the
same `FeedReadResult` the feed-v1 readers give, so the normaliser and the ingest service
need nothing new. Profiles that ship with us live in `normaliser/profiles/<name>.toml`.

A field rule works on the cells it reads in this order: `pattern` (keep the part of a cell
the group `value` matches), `split` (a cell holding several values), `value_map` (the
source's words to ours, ignoring case), then `join` or `template` (several columns into one
value). `default` applies when the source gives nothing. Columns that neither the id nor a
field rule reads go to `RawRecord.extra` under the name the source wrote.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from normaliser.issues import Issue, IssueCode
from normaliser.normalise import NormaliseContext
from normaliser.parsers.credits import credit_system_from_text
from normaliser.parsers.language import language_code
from normaliser.parsers.level import framework_from_text
from normaliser.parsers.place import country_code
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    RECORD_FIELD,
    FeedFormatError,
    FeedReadResult,
    RawRecord,
    ReadLimits,
    with_context_defaults,
)
from normaliser.readers.feed_v1 import (
    FEED_V1_FIELDS,
    column_key,
    decode_json_feed,
    json_array_item_lines,
    json_member_offset,
    json_value_text,
    read_csv_rows,
)
from normaliser.readers.xlsx import as_sheet_rows, sheet_as_csv
from normaliser.text import shorten
from normaliser.vocab.currencies import currency_code

# Ids made from a hash start with this, so they can never be mistaken for (or collide with)
# an id the source wrote.
HASH_ID_PREFIX = "hash-"
# The name of the regex group a `pattern` keeps.
PATTERN_GROUP = "value"
_PROFILE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TEMPLATE_PART_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The fields a rule may fill: every feed-format-v1 field but `id`, which has its own table.
MAPPABLE_FIELDS: tuple[str, ...] = tuple(f for f in FEED_V1_FIELDS if f != "id")


class MappingProfileError(ValueError):
    """A profile file is not valid. The message names every profile key at fault."""


class UnknownProfileError(FeedFormatError):
    """No bundled profile has the name asked for; a feed named with it cannot be read."""


# --- the profile model ------------------------------------------------------------------


class _ProfilePart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_ProfilePart):
    """How to find the records and their columns in the source file."""

    format: Literal["csv", "json", "xlsx"] = "csv"
    # XLSX: the sheet to read, by its name; the first sheet without it.
    sheet: str | None = None
    # CSV: which non-blank row names the columns (rows above it, such as a title line, are
    # skipped); 0 when the file has no header row and `column_names` names the columns.
    header_row: int = Field(default=1, ge=0, le=100)
    column_names: tuple[str, ...] = ()
    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    # JSON: the top-level key holding the array of records; without it the document itself
    # must be the array.
    records_key: str | None = None

    @model_validator(mode="after")
    def _options_fit_the_format(self) -> SourceSpec:
        if self.sheet is not None and self.format != "xlsx":
            raise ValueError("sheet is for XLSX sources; remove it or set format = 'xlsx'")
        if self.format == "json":
            if self.header_row != 1 or self.column_names or self.delimiter != "auto":
                raise ValueError(
                    "header_row, column_names and delimiter are for CSV sources; "
                    "a JSON source names its columns by its keys"
                )
            return self
        if self.format == "xlsx" and self.delimiter != "auto":
            raise ValueError("delimiter is for CSV sources; a spreadsheet has cells")
        if self.records_key is not None:
            raise ValueError("records_key is for JSON sources; remove it or set format = 'json'")
        if self.header_row == 0 and (
            not self.column_names or (self.delimiter == "auto" and self.format == "csv")
        ):
            raise ValueError(
                "header_row = 0 says the file has no header row, so column_names "
                "must name its columns in order and delimiter must be given (it "
                "is told from the header names otherwise)"
            )
        if self.header_row and self.column_names:
            raise ValueError(
                "column_names is only for a file without a header row "
                "(header_row = 0); with a header row the file names its columns"
            )
        keys = [column_key(name) for name in self.column_names]
        if any(not key for key in keys) or len(set(keys)) != len(keys):
            raise ValueError("column_names must be non-empty and distinct")
        return self


def _check_pattern(pattern: str | None) -> str | None:
    if pattern is None:
        return None
    try:
        compiled = _compiled(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
    if PATTERN_GROUP not in compiled.groupindex:
        raise ValueError(
            f"{pattern!r} has no group named {PATTERN_GROUP!r}; mark the part of "
            f"the cell to keep with (?P<{PATTERN_GROUP}>...)"
        )
    return pattern


def _check_columns(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if not column_key(name):
            raise ValueError(f"{name!r} is not a column name: it has no letter or digit")
    return names


class IdRule(_ProfilePart):
    """Where a record's id comes from: a column (or part of it), else a hash of columns.

    A hash changes whenever one of its columns does, and then the catalogue sees a new
    offering and withdraws the old one; so hash columns should be ones that identify the
    course and rarely change (title and institution, never an enrolment count). A URL is
    better still, which is why `column` is tried first.
    """

    column: str | None = None
    pattern: str | None = None
    hash_columns: tuple[str, ...] = ()

    pattern_is_valid = field_validator("pattern")(_check_pattern)
    columns_are_named = field_validator("hash_columns")(_check_columns)

    @model_validator(mode="after")
    def _has_a_source(self) -> IdRule:
        if self.column is None and not self.hash_columns:
            raise ValueError(
                "give column (the source's own id, or a stable URL) or "
                "hash_columns (a hash of columns that identify a record)"
            )
        if self.pattern is not None and self.column is None:
            raise ValueError("pattern needs column: it extracts the id from that column")
        if self.column is not None:
            _check_columns((self.column,))
        return self


class RecordRule(_ProfilePart):
    """Which rows are records: each column in `require` must match its regex (re.search).

    For sources whose exports break records over several lines: a row that fails is
    reported as an error with its line, never read as an offering.
    """

    require: dict[str, str] = Field(default_factory=dict)
    hint: str | None = None  # what such a row usually is, told to whoever reads the report

    @field_validator("require")
    @classmethod
    def _patterns_compile(cls, require: dict[str, str]) -> dict[str, str]:
        _check_columns(tuple(require))
        for column, pattern in require.items():
            try:
                _compiled(pattern)
            except re.error as exc:
                raise ValueError(
                    f"{column}: {pattern!r} is not a valid regular expression: {exc}"
                ) from None
        return require


class Defaults(_ProfilePart):
    """What the source means where it says nothing; they fill the normaliser's context.

    Written in any form the normaliser reads ('US dollar', 'English', 'New Zealand') and
    kept as codes.
    """

    currency: str | None = None
    language: str | None = None
    country: str | None = None
    credit_system: str | None = None
    level_framework: str | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return _known(value, currency_code, "an ISO 4217 currency such as USD or NZD")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _known(
            value,
            language_code,
            "a language name or its ISO 639-1 (else ISO 639-3) code, e.g. 'en', 'nzs'",
        )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return _known(value, country_code, "an ISO 3166 country, e.g. 'NZ' or 'Ireland'")

    @field_validator("credit_system")
    @classmethod
    def _credit_system(cls, value: str | None) -> str | None:
        return _known(
            value,
            credit_system_from_text,
            "a credit system: ECTS, NZ_CREDITS, CATS, SCQF, US_SCH or HOURS",
        )

    @field_validator("level_framework")
    @classmethod
    def _level_framework(cls, value: str | None) -> str | None:
        return _known(value, framework_from_text, "a framework: EQF, NZQF, AQF, NFQ, SCQF, RQF")


def _known(value: str | None, lookup: Callable[[str], object], what: str) -> str | None:
    if value is None:
        return None
    found = lookup(value)
    if found is None:
        raise ValueError(f"{value!r} is not {what}")
    return str(found)


class FieldRule(_ProfilePart):
    """How one feed-format-v1 field is filled from the source's columns."""

    column: str | None = None
    columns: tuple[str, ...] = ()
    join: str | None = None
    # One template, or several tried in order: the first whose columns all have a value on
    # the row is used, so a row missing one column can still fill the field.
    template: str | tuple[str, ...] | None = None
    pattern: str | None = None
    value_map: dict[str, str] = Field(default_factory=dict)
    split: str | None = Field(default=None, min_length=1)
    default: str | list[str] | None = None
    _folded_map: dict[str, str] = PrivateAttr(default_factory=dict)
    _source_columns: tuple[str, ...] = PrivateAttr(default=())

    pattern_is_valid = field_validator("pattern")(_check_pattern)
    columns_are_named = field_validator("columns")(_check_columns)

    @field_validator("template")
    @classmethod
    def _template_names_columns(
        cls, template: str | tuple[str, ...] | None
    ) -> str | tuple[str, ...] | None:
        if template == ():
            raise ValueError("an empty list of templates; give at least one")
        for one in (template,) if isinstance(template, str) else template or ():
            names = template_columns(one)
            if not names:
                raise ValueError(
                    f"{one!r} names no column; write columns in braces, "
                    "e.g. '{Length} weeks', and a literal brace as '{{' or '}}'"
                )
            _check_columns(names)
        return template

    @field_validator("value_map")
    @classmethod
    def _keys_distinct_ignoring_case(cls, value_map: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for key in value_map:
            folded = _map_key(key)
            if folded in seen:
                raise ValueError(
                    f"{seen[folded]!r} and {key!r} are the same key (case and "
                    "spacing are ignored); keep one"
                )
            seen[folded] = key
        return value_map

    @model_validator(mode="after")
    def _one_source(self) -> FieldRule:
        sources = [
            name
            for name, given in (
                ("column", self.column is not None),
                ("columns", bool(self.columns)),
                ("template", self.template is not None),
            )
            if given
        ]
        if len(sources) > 1:
            raise ValueError(
                f"give one of column, columns or template, not {' and '.join(sources)}"
            )
        if not sources and self.default is None:
            raise ValueError(
                "give column, columns or template (where the value comes from), "
                "or default (a value for every record)"
            )
        if self.join is not None and not self.columns:
            raise ValueError("join says how to join several columns; it needs columns")
        if self.template is not None and self.split is not None:
            raise ValueError("a template builds one text; split cannot apply to it")
        if self.column is not None:
            _check_columns((self.column,))
        return self

    def templates(self) -> tuple[str, ...]:
        if self.template is None:
            return ()
        return (self.template,) if isinstance(self.template, str) else self.template

    def source_columns(self) -> tuple[str, ...]:
        """The columns the rule reads, as the profile writes them, each once."""
        return self._source_columns

    def model_post_init(self, context: object, /) -> None:
        # Worked out once here, as the rule is applied to every row of every feed.
        self._folded_map = {_map_key(key): value for key, value in self.value_map.items()}
        if self.column is not None:
            self._source_columns = (self.column,)
        elif self.template is not None:
            names = [name for one in self.templates() for name in template_columns(one)]
            self._source_columns = tuple(dict.fromkeys(names))
        else:
            self._source_columns = self.columns

    def mapped(self, value: str) -> str:
        """`value` through the value map (case and spacing ignored); unmapped values as given."""
        return self._folded_map.get(_map_key(value), value)


def _map_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class MappingProfile(_ProfilePart):
    """A source's columns mapped to feed format v1. See the module docstring for the rules."""

    name: str
    description: str = ""
    source: SourceSpec = Field(default_factory=SourceSpec)
    id: IdRule
    records: RecordRule = Field(default_factory=RecordRule)
    defaults: Defaults = Field(default_factory=Defaults)
    fields: dict[str, FieldRule]

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if not _PROFILE_NAME_RE.match(name):
            raise ValueError(
                f"{name!r} is not a profile name: use lower-case letters, digits, "
                "'-' and '_' (it is written as format=profile:<name>)"
            )
        return name

    @model_validator(mode="after")
    def _fields_are_feed_v1(self) -> MappingProfile:
        problems = []
        for name in self.fields:
            if name == "id":
                problems.append(
                    "fields.id: the id has its own table; write [id] with column or hash_columns"
                )
            elif name not in MAPPABLE_FIELDS:
                close = difflib.get_close_matches(name, MAPPABLE_FIELDS, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    f"fields.{name}: not a feed-format-v1 field{hint}; "
                    f"the fields are {', '.join(MAPPABLE_FIELDS)}"
                )
        if "title" not in self.fields:
            problems.append(
                "fields.title: missing; every record needs a title, so the profile "
                "must say which column holds it"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def column_uses(self) -> dict[str, str]:
        """Every column the profile reads (as matched) -> the first profile key that reads it."""
        uses: dict[str, str] = {}

        def add(column: str, key: str) -> None:
            uses.setdefault(column_key(column), key)

        if self.id.column is not None:
            add(self.id.column, "id.column")
        for column in self.id.hash_columns:
            add(column, "id.hash_columns")
        for column in self.records.require:
            add(column, f"records.require.{column}")
        for field_name, rule in self.fields.items():
            how = (
                "column" if rule.column is not None else "template" if rule.template else "columns"
            )
            for column in rule.source_columns():
                add(column, f"fields.{field_name}.{how}")
        return uses

    def field_columns(self) -> frozenset[str]:
        """Columns (as matched) the id or a field rule reads: the rest go to `extra`.

        Columns only hashed into the id or only tested by `records.require` still go to
        `extra`: no field holds their values.
        """
        read = [c for rule in self.fields.values() for c in rule.source_columns()]
        if self.id.column is not None:
            read.append(self.id.column)
        return frozenset(column_key(c) for c in read)

    def normalise_context(self, context: NormaliseContext) -> NormaliseContext:
        """`context` with the profile's defaults where it has none of its own.

        The provider's own settings win: a profile is shared by every provider whose source
        has this shape, the provider's settings are about that one provider.
        """
        return with_context_defaults(context, self.context_defaults())

    def context_defaults(self) -> dict[str, str]:
        """The profile's defaults that it sets, keyed by CONTEXT_DEFAULTS (what a
        FeedReadResult carries to the ingest service)."""
        given = self.defaults
        return {
            key: value
            for key, value in (
                ("default_currency", given.currency),
                ("default_language", given.language),
                ("default_country", given.country),
                ("credit_system", given.credit_system),
                ("level_framework", given.level_framework),
            )
            if value
        }


def template_columns(template: str) -> tuple[str, ...]:
    """The column names a template's `{...}` placeholders name, in order, each once."""
    names: list[str] = []
    for match in _TEMPLATE_PART_RE.finditer(template):
        part = match.group(0)
        if part in ("{", "}"):
            raise ValueError(
                f"{template!r} has an unmatched {part!r}; write a literal brace as '{{{{' or '}}}}'"
            )
        name = match.group(1)
        if name is not None:
            name = name.strip()
            if not name:
                raise ValueError(f"{template!r} has an empty placeholder '{{}}'")
            if name not in names:
                names.append(name)
    return tuple(names)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- loading -----------------------------------------------------------------------------


def load_profile(text: str | bytes, origin: str | None = None) -> MappingProfile:
    """Validate a profile written in TOML; MappingProfileError names every key at fault,
    with its line where the key is written, and `origin` (the file) when given."""
    where = f"{origin}: " if origin else ""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MappingProfileError(
                f"{where}the profile is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingProfileError(f"{where}the profile is not valid TOML: {exc}") from None
    name = document.get("name") if isinstance(document.get("name"), str) else None
    try:
        return MappingProfile.model_validate(document)
    except ValidationError as exc:
        title = f"mapping profile {name!r}" if name else "the mapping profile"
        lines = [_describe_error(error, key_line(text, error["loc"])) for error in exc.errors()]
        raise MappingProfileError(
            f"{where}{title} is not valid:\n" + "\n".join(f"- {line}" for line in lines)
        ) from None


_TOML_KEY_RE = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
    r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_TOML_TABLE_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _toml_key_path(dotted: str) -> list[str]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", dotted)
    return [next(p for p in part if p) if any(part) else "" for part in parts]


def key_line(text: str, loc: tuple[int | str, ...] | list[int | str]) -> int | None:
    """The line of `text` (a TOML document) where the key at `loc` is written: the line of
    the longest written key path that `loc` starts with. None when no line names it (a
    missing key, or one written inside an inline table spread over other keys)."""
    wanted = [str(part) for part in loc]
    table: list[str] = []
    best: tuple[int, int] | None = None  # (length of the key path matched, line)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE_RE.match(line)
        if header:
            table = _toml_key_path(header.group(1))
            path = table
        else:
            key = _TOML_KEY_RE.match(line)
            if not key:
                continue
            path = table + _toml_key_path(key.group(1))
        if path and wanted[: len(path)] == path and (best is None or len(path) > best[0]):
            best = (len(path), number)
    return best[1] if best else None


# Keys a profile table may hold, for 'did you mean' on a misspelt one.
_PROFILE_KEYS = sorted(
    {
        *MappingProfile.model_fields,
        *SourceSpec.model_fields,
        *IdRule.model_fields,
        *RecordRule.model_fields,
        *Defaults.model_fields,
        *FieldRule.model_fields,
    }
)


def _describe_error(error: Mapping, line: int | None = None) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if key and line is not None:
        key = f"{key} (line {line})"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        last = str(error["loc"][-1])
        close = difflib.get_close_matches(last, _PROFILE_KEYS, n=1, cutoff=0.6)
        message = "not a profile key" + (f"; did you mean {close[0]!r}?" if close else "")
    elif error["type"] == "missing":
        message = "missing; this key is required"
    return f"{key}: {message}" if key else message


def is_profile_name(name: str) -> bool:
    """Whether `name` can name a profile (lower-case letters, digits, '-' and '_')."""
    return bool(_PROFILE_NAME_RE.match(name))


def bundled_profile_names() -> list[str]:
    """The names of the profiles shipped in normaliser/profiles, sorted."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _bundled_dir().iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )


@functools.cache
def bundled_profile(name: str) -> MappingProfile:
    """The shipped profile called `name` (as in format=profile:<name>)."""
    wanted = name.strip().lower()
    if not _PROFILE_NAME_RE.match(wanted) or wanted not in bundled_profile_names():
        known = ", ".join(bundled_profile_names()) or "none"
        raise UnknownProfileError(
            f"there is no mapping profile called {name!r}; the profiles are: {known}"
        )
    profile = load_profile(_bundled_dir().joinpath(f"{wanted}.toml").read_bytes())
    if profile.name != wanted:
        raise MappingProfileError(
            f"normaliser/profiles/{wanted}.toml says name = "
            f"{profile.name!r}; a bundled profile's name is its file name"
        )
    return profile


def _bundled_dir():  # -> importlib.resources.abc.Traversable
    return resources.files("normaliser").joinpath("profiles")


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    number: int  # 1-based position (CSV) or order of first appearance (JSON)
    written: str
    key: str  # column_key(written); '' for an unnamed column


@dataclass
class _Row:
    line: int | None
    locator: str
    cells: dict[str, str | list[str]]  # column key -> value, non-empty values only
    stray: list[str] = dataclasses.field(default_factory=list)  # values in unnamed cells
    problems: list[Issue] = dataclasses.field(default_factory=list)
    not_a_record: Issue | None = None  # set when the row is an item that cannot be a record


def read_with_profile(
    data: bytes, profile: MappingProfile, limits: ReadLimits = DEFAULT_LIMITS
) -> FeedReadResult:
    """Read a source file through its profile into feed-format-v1 raw records.

    Whole-file problems (not UTF-8, broken quoting, a column the profile reads but the file
    lacks) raise FeedFormatError. Otherwise every non-blank row comes back in file order:
    as a record, or, when it fails the profile's `records.require`, as a record holding
    only an error that names its line.
    """
    deadline = limits.deadline()
    sheet = None
    if profile.source.format == "xlsx":
        sheet = sheet_as_csv(data, limits, profile.source.sheet)
        columns, rows, feed_issues = _csv_source(sheet.csv, profile, delimiter=",")
    elif profile.source.format == "csv":
        columns, rows, feed_issues = _csv_source(data, profile)
    else:
        columns, rows, feed_issues = _json_source(data, profile)
    extra_names = _extra_names(columns, profile.field_columns())
    # Info, not a warning as in feed format v1: a profile leaves columns out on purpose. Said
    # once per feed, so a column the source adds later is noticed.
    feed_issues += [
        Issue.info(
            name,
            IssueCode.UNKNOWN_FIELD,
            f"{name!r} is not read by mapping profile {profile.name!r}, so its values are kept "
            "as written (in extra) but not normalised",
        )
        for name in extra_names.values()
    ]
    records: list[RawRecord] = []
    for row in rows:
        limits.check_deadline(deadline)
        records.append(_record(row, profile, extra_names))
        limits.check_count(len(records))
    result = FeedReadResult(records=records, issues=feed_issues)
    return as_sheet_rows(result, sheet) if sheet is not None else result


def _extra_names(columns: list[_Column], field_columns: frozenset[str]) -> dict[str, str]:
    """Column key -> the name its values are kept under in `extra`: as first written."""
    names: dict[str, str] = {}
    for column in columns:
        if column.key and column.key not in field_columns:
            names.setdefault(column.key, column.written)
    return names


def _check_columns_present(
    profile: MappingProfile, columns: list[_Column], where: str, line: int | None = None
) -> None:
    present = {column.key for column in columns if column.key}
    missing = [(key, use) for key, use in profile.column_uses().items() if key not in present]
    if missing:
        found = ", ".join(repr(c.written) for c in columns if c.key) or "none"
        named = "; ".join(f"{use} reads {_written_name(profile, key)!r}" for key, use in missing)
        raise FeedFormatError(
            f"the source has no column the mapping profile {profile.name!r} needs: {named}. "
            f"Columns in the {where}: {found}. Fix the profile or the export",
            line=line,
        )


def _written_name(profile: MappingProfile, key: str) -> str:
    """The column name as the profile writes it, for messages."""
    candidates = [
        profile.id.column,
        *profile.id.hash_columns,
        *profile.records.require,
        *(c for rule in profile.fields.values() for c in rule.source_columns()),
    ]
    return next((c for c in candidates if c is not None and column_key(c) == key), key)


def _duplicate_columns(
    profile: MappingProfile, columns: list[_Column], line: int | None
) -> list[Issue]:
    """Refuse two columns of one name when the profile reads it; else keep the first."""
    uses = profile.column_uses()
    seen: dict[str, _Column] = {}
    issues: list[Issue] = []
    for column in columns:
        if not column.key:
            continue
        first = seen.setdefault(column.key, column)
        if first is column:
            continue
        if column.key in uses:
            raise FeedFormatError(
                f"columns {first.number} ({first.written!r}) and {column.number} "
                f"({column.written!r}) have the same name, and the mapping profile "
                f"{profile.name!r} reads it ({uses[column.key]}), so it cannot tell which; "
                "rename one of them",
                line=line,
            )
        issues.append(
            Issue.warning(
                column.written,
                IssueCode.AMBIGUOUS,
                f"column {column.number} ({column.written!r}) has the same name as column "
                f"{first.number}; only column {first.number}'s values are kept",
            )
        )
    return issues


def _csv_source(
    data: bytes,
    profile: MappingProfile,
    delimiter: str | None = None,
) -> tuple[list[_Column], Iterator[_Row], list[Issue]]:
    source = profile.source
    known = set(profile.column_uses())
    table = read_csv_rows(
        data,
        header_hint=f"as mapping profile {profile.name!r} expects ("
        f"{', '.join(sorted({_written_name(profile, k) for k in known}))})",
        names_a_column=lambda cell: column_key(cell) in known,
        delimiter=delimiter or (None if source.delimiter == "auto" else source.delimiter),
        sniff_lines=max(source.header_row, 1),
    )
    rows = table.rows

    header_line: int | None = None
    if source.header_row == 0:
        written_names = list(source.column_names)
    else:
        seen_rows = 0
        header_cells: list[str] | None = None
        for line_number, cells in rows:
            if any(cell.strip() for cell in cells):
                seen_rows += 1
                if seen_rows == source.header_row:
                    header_cells, header_line = cells, line_number
                    break
        if header_cells is None:
            raise FeedFormatError(
                f"mapping profile {profile.name!r} says the header is non-blank row "
                f"{source.header_row} (source.header_row), but the file has only {seen_rows} "
                "non-blank row(s)"
            )
        written_names = header_cells
    columns = [
        _Column(number, name.strip(), column_key(name))
        for number, name in enumerate(written_names, start=1)
    ]
    where = f"header row (line {header_line})" if header_line else "profile's source.column_names"
    _check_columns_present(profile, columns, where, header_line)
    issues = _duplicate_columns(profile, columns, header_line)
    return columns, _csv_rows(rows, columns, table.delimiter), issues


def _csv_rows(
    rows: Iterator[tuple[int, list[str]]], columns: list[_Column], delimiter: str
) -> Iterator[_Row]:
    for line_number, raw_cells in rows:
        cells = [cell.strip() for cell in raw_cells]
        if not any(cells):
            continue
        row = _Row(line=line_number, locator=f"line {line_number}", cells={})
        for index, value in enumerate(cells):
            if not value:
                continue  # spreadsheets export trailing unnamed, empty columns: no news
            column = columns[index] if index < len(columns) else None
            if column is None or not column.key:
                row.stray.append(value)
                continue
            # One line-break convention, as the feed-v1 reader has, so CRLF and LF exports
            # of the same sheet give the same record.
            row.cells.setdefault(column.key, _LINE_BREAK.sub("\n", value))
        if row.stray:
            row.problems.append(
                Issue.warning(
                    RECORD_FIELD,
                    IssueCode.INVALID,
                    f"line {line_number} has {len(row.stray)} value(s) in cells without a column "
                    f"name, which were ignored; a value containing the separator ({delimiter!r}) "
                    "must be quoted",
                    value=shorten(delimiter.join(row.stray)),
                )
            )
        yield row


def _json_source(
    data: bytes,
    profile: MappingProfile,
) -> tuple[list[_Column], Iterator[_Row], list[Issue]]:
    document, text = decode_json_feed(data)
    key = profile.source.records_key
    if key is None:
        if not isinstance(document, list):
            raise FeedFormatError(
                f"mapping profile {profile.name!r} expects the JSON document to be an array of "
                "records; if the array is under a key, set source.records_key to that key"
            )
        items, start = document, len(text) - len(text.lstrip(" \t\r\n"))
    else:
        if not isinstance(document, dict) or key not in document:
            raise FeedFormatError(
                f"mapping profile {profile.name!r} expects a JSON object with the key {key!r} "
                "(source.records_key) holding the array of records"
            )
        items = document[key]
        if not isinstance(items, list):
            raise FeedFormatError(f"{key!r} must be an array of records (source.records_key)")
        start = json_member_offset(text, key)
    lines = json_array_item_lines(text, start)

    columns: list[_Column] = []
    known_keys: set[str] = set()
    for item in items:
        for name in item if isinstance(item, dict) else ():
            name_key = column_key(name)
            if name_key and name_key not in known_keys:
                known_keys.add(name_key)
                columns.append(_Column(len(columns) + 1, name, name_key))
    if any(isinstance(item, dict) for item in items):
        _check_columns_present(profile, columns, "JSON records' keys")
    return columns, _json_rows(items, lines), []


def _json_rows(items: list[object], lines: list[int]) -> Iterator[_Row]:
    for index, item in enumerate(items, start=1):
        line = lines[index - 1] if index - 1 < len(lines) else None
        row = _Row(line=line, locator=f"item {index}", cells={})
        if not isinstance(item, dict):
            row.not_a_record = Issue.error(
                RECORD_FIELD,
                IssueCode.INVALID,
                f"item {index} is not a JSON object, so it cannot be a record",
                value=shorten(str(item)),
            )
            yield row
            continue
        for name, raw in item.items():
            value, problem = json_value_text(raw)
            if problem:
                row.problems.append(
                    Issue.warning(
                        RECORD_FIELD,
                        IssueCode.UNPARSED,
                        f"{name!r} in item {index}: {problem}",
                        value=shorten(json.dumps(raw, ensure_ascii=False, default=str)),
                    )
                )
            if value is not None:
                row.cells.setdefault(column_key(name), value)
        yield row


def _record(row: _Row, profile: MappingProfile, extra_names: dict[str, str]) -> RawRecord:
    if row.not_a_record is not None:
        return RawRecord(locator=row.locator, fields={}, line=row.line, issues=[row.not_a_record])
    refusal = _refusal(row, profile)
    if refusal is not None:
        return RawRecord(locator=row.locator, fields={}, line=row.line, issues=[refusal])

    issues = list(row.problems)
    fields: dict[str, str | list[str]] = {}
    record_id = _record_id(row, profile, issues)
    if record_id:
        fields["id"] = record_id
    for field_name, rule in profile.fields.items():
        value = _field_value(field_name, rule, row, issues)
        if value:
            fields[field_name] = value
    extra = {name: row.cells[key] for key, name in extra_names.items() if key in row.cells}
    return RawRecord(locator=row.locator, fields=fields, line=row.line, issues=issues, extra=extra)


def _refusal(row: _Row, profile: MappingProfile) -> Issue | None:
    for column, pattern in profile.records.require.items():
        value = _text(row.cells.get(column_key(column)))
        if value is not None and _compiled(pattern).search(value):
            continue
        said = "is empty" if value is None else f"is {shorten(value, 60)!r}"
        hint = f"; {profile.records.hint}" if profile.records.hint else ""
        return Issue.error(
            RECORD_FIELD,
            IssueCode.INVALID,
            f"{row.locator} is not a record of this source: mapping profile {profile.name!r} "
            f"wants its {column!r} to match {pattern!r} (records.require), but it {said}{hint}",
            value=shorten(" | ".join(_text(v) or "" for v in row.cells.values())),
        )
    return None


def _record_id(row: _Row, profile: MappingProfile, issues: list[Issue]) -> str | None:
    rule = profile.id
    if rule.column is not None:
        value = _text(row.cells.get(column_key(rule.column)))
        if value is not None and rule.pattern is not None:
            match = _compiled(rule.pattern).search(value)
            if match is None or not (match.group(PATTERN_GROUP) or "").strip():
                issues.append(
                    Issue.warning(
                        "id",
                        IssueCode.UNPARSED,
                        f"{rule.column!r} does not match the profile's id.pattern"
                        + ("; the id is a hash instead" if rule.hash_columns else ""),
                        value=shorten(value),
                    )
                )
                value = None
            else:
                value = match.group(PATTERN_GROUP).strip()
        if value is not None:
            return value
    if not rule.hash_columns:
        return None
    parts = [_text(row.cells.get(column_key(column))) or "" for column in rule.hash_columns]
    if not any(parts):
        return None
    if rule.column is not None:
        issues.append(
            Issue.info(
                "id",
                IssueCode.DEFAULTED,
                f"no usable {rule.column!r}, so the id is a hash of "
                f"{', '.join(rule.hash_columns)}; it changes if any of them does",
            )
        )
    return stable_hash_id(parts)


def stable_hash_id(values: list[str]) -> str:
    """An id for a record from the values that identify it, the same on every read.

    Ids are stored, so this must never change: NFC, case folded and whitespace runs made
    one space, so a re-export that only changes those keeps the id; 64 bits of SHA-256,
    for which a collision among a million records has odds below one in ten million.
    """
    canonical = "\x1f".join(
        " ".join(unicodedata.normalize("NFC", value).casefold().split()) for value in values
    )
    return HASH_ID_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _field_value(
    field_name: str, rule: FieldRule, row: _Row, issues: list[Issue]
) -> str | list[str] | None:
    said_something = gave_a_list = False
    per_column: dict[str, list[str]] = {}
    for column in rule.source_columns():
        raw = row.cells.get(column_key(column))
        gave_a_list = gave_a_list or isinstance(raw, list)  # a JSON array: already split
        pieces: list[str] = []
        for cell in [raw] if isinstance(raw, str) else raw or []:
            if not cell.strip():
                continue
            said_something = True
            pieces.extend(_cell_items(field_name, rule, column, cell, issues))
        per_column[column] = pieces

    value: str | list[str] | None = None
    if rule.template is not None:
        filled = {column: "; ".join(items) for column, items in per_column.items() if items}
        usable = next(
            (t for t in rule.templates() if all(c in filled for c in template_columns(t))), None
        )
        if usable is not None:
            value = _render(usable, filled)
        elif filled:
            empty = [c for c in rule.source_columns() if c not in filled]
            issues.append(
                Issue.warning(
                    field_name,
                    IssueCode.MISSING,
                    f"no template of fields.{field_name}.template has all its columns on this row "
                    f"({', '.join(repr(c) for c in empty)} empty), so {field_name} was left empty",
                    shorten("; ".join(filled.values())),
                )
            )
    elif rule.split is not None or gave_a_list:
        value = [item for items in per_column.values() for item in items] or None
    else:
        texts = ["; ".join(items) for items in per_column.values() if items]
        value = (" " if rule.join is None else rule.join).join(texts) or None
    if value is None and not said_something:
        return rule.default
    return value


def _cell_items(
    field_name: str, rule: FieldRule, column: str, cell: str, issues: list[Issue]
) -> list[str]:
    """One cell's values for a field: the pattern's part of it, split, mapped."""
    text = cell.strip()
    if rule.pattern is not None:
        match = _compiled(rule.pattern).search(text)
        part = (match.group(PATTERN_GROUP) or "").strip() if match else ""
        if not part:
            issues.append(
                Issue.warning(
                    field_name,
                    IssueCode.UNPARSED,
                    f"{column!r} does not match the profile's pattern for {field_name} "
                    f"(fields.{field_name}.pattern), so this value was not used",
                    shorten(text),
                )
            )
            return []
        text = part
    items = [p.strip() for p in text.split(rule.split)] if rule.split is not None else [text]
    values: list[str] = []
    for item in items:
        if not item:
            continue
        mapped = rule.mapped(item) if rule.value_map else item
        if mapped.strip():
            values.append(mapped.strip())
    return values


def _render(template: str, values: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        part = match.group(0)
        if part == "{{":
            return "{"
        if part == "}}":
            return "}"
        return values[match.group(1).strip()]

    return _TEMPLATE_PART_RE.sub(substitute, template).strip()


def _text(value: str | list[str] | None) -> str | None:
    if value is None:
        return None
    text = "; ".join(value) if isinstance(value, list) else value
    return text if text.strip() else None
