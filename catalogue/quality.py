"""Data quality per provider, over its active offerings (duplicates included: they are
still the provider's data).

1. Completeness against the elements of the EU Council Recommendation on micro-credentials
   (2022/C 243/02), Annex I, that apply to an offering rather than to an awarded credential
   (../shared/reference/crosswalks.md: the learner, the date of issuing and the grade do not
   apply to an offering; supervision and identity verification during assessment is not in
   our schema). Mandatory: title; country/region of the issuer; awarding body; learning
   outcomes; notional workload; level (EQF / a national framework) where applicable; type
   of assessment; form of participation; type of quality assurance. Optional:
   prerequisites; integration / stackability options; further information.
2. Completeness against our own fields: the required ones of feed format v1 (id, title)
   and the ones search and the result cards use.
3. The share of values the normaliser could not map, by field, from the issues stored with
   each offering's current document: a value is unmapped when the normaliser could not
   read it (`unparsed`) or read it but could not accept it (`invalid`); the other codes
   (ambiguous, no_crosswalk, ...) are counted by code beside it.
4. Offerings no feed has carried for N days (by last_seen).
5. Offerings whose page carries no schema.org Course markup, by the field search engines'
   course-info guidelines require that the offering lacks (catalogue.schema_org).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from catalogue.errors import NotFound
from catalogue.models import OfferingRow
from catalogue.schema_org import REQUIREMENTS, course, missing_requirements
from catalogue.stats.json_sql import JsonSql, json_sql_for
from catalogue.stats.offering_sql import OFFERINGS, Params
from catalogue.store import Catalogue
from normaliser.issues import IssueCode
from normaliser.normalise import FEED_FIELDS

UNMAPPED_CODES = (IssueCode.UNPARSED.value, IssueCode.INVALID.value)
# Codes that say something about a value; `defaulted` and `approximate` are notes, not faults.
REPORTED_CODES = UNMAPPED_CODES + (
    IssueCode.AMBIGUOUS.value,
    IssueCode.NO_CROSSWALK.value,
    IssueCode.MISSING.value,
)
DEFAULT_STALE_DAYS = 30
NOT_APPLICABLE = ("identification of the learner", "date of issuing", "grade achieved")
NOT_CAPTURED = ("supervision and identity verification during assessment",)


def _presence(json: JsonSql) -> dict[str, dict[str, str]]:
    """Per group, element -> SQL condition that an offering (o, provider p) has it."""
    j, d = json, "o.document"

    def some_run(*path) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {j.elements(d, 'qr', 'instances')} "
            f"WHERE {j.present('qr.value', *path)})"
        )

    def some_place_country() -> str:
        return (
            f"EXISTS (SELECT 1 FROM {j.elements(d, 'qp', 'places')} "
            f"WHERE {j.present('qp.value', 'country')})"
        )

    def listed(*path) -> str:
        return f"({j.array_length(d, *path)} > 0)"

    participation = f"({j.present(d, 'mode')} OR {some_run('mode')})"
    workload = (
        f"({j.present(d, 'credits', 'ects')} OR {j.present(d, 'credits', 'hours')} "
        f"OR {j.present(d, 'duration', 'hours')})"
    )
    level = f"({j.present(d, 'level', 'framework')} OR {j.present(d, 'level', 'eqf')})"
    return {
        "annex_i_mandatory": {
            "title": j.present(d, "title"),
            "country_of_issuer": f"(p.country IS NOT NULL OR {some_place_country()})",
            # The provider is the awarding body we know of; every offering has one.
            "awarding_body": "(p.name IS NOT NULL)",
            "learning_outcomes": listed("learning_outcomes"),
            "notional_workload": workload,
            "level": level,
            "type_of_assessment": j.present(d, "assessment"),
            "form_of_participation": participation,
            "type_of_quality_assurance": j.present(d, "quality_assurance"),
        },
        "annex_i_optional": {
            "prerequisites": j.present(d, "prerequisites"),
            "stackability": listed("stackable_into"),
            "further_information": j.present(d, "url"),
        },
        "required": {
            "id": j.present(d, "provider_offering_id"),
            "title": j.present(d, "title"),
        },
        "recommended": {
            "description": j.present(d, "description"),
            "url": j.present(d, "url"),
            "level": level,
            "eqf": j.present(d, "level", "eqf"),
            "credits": j.present(d, "credits"),
            "ects": j.present(d, "credits", "ects"),
            "mode": participation,
            "price": f"({j.present(d, 'price')} OR {some_run('price')})",
            "duration": j.present(d, "duration"),
            "start_dates": some_run("start_date"),
            "location": listed("places"),
            "language": listed("languages"),
            "subject": listed("subject", "isced"),
            "credential_type": j.present(d, "credential_type"),
        },
    }


@dataclass
class FieldIssues:
    given: int  # offerings whose record gave a value for the field
    unmapped: int  # offerings with an unparsed or invalid value in it
    by_code: dict[str, int] = field(default_factory=dict)

    @property
    def unmapped_share(self) -> float | None:
        return self.unmapped / self.given if self.given else None


@dataclass
class ProviderQuality:
    provider_id: str
    provider_name: str
    active_offerings: int
    # group -> element -> offerings that have it
    completeness: dict[str, dict[str, int]]
    unmapped: dict[str, FieldIssues]
    stale_days: int
    stale_offerings: int
    oldest_last_seen: datetime | None
    # Offerings with no Course markup on their page, by the required field they lack.
    course_markup_missing: dict[str, int] = field(default_factory=dict)
    course_markup_omitted: int = 0

    def share(self, present: int) -> float | None:
        return present / self.active_offerings if self.active_offerings else None

    @property
    def annex_i_score(self) -> float | None:
        """Mean share of the mandatory Annex I elements present."""
        elements = self.completeness["annex_i_mandatory"]
        if not self.active_offerings:
            return None
        return sum(elements.values()) / (len(elements) * self.active_offerings)


# What the report reads changes only with these: a new offering version (created, changed,
# withdrawn), a new ingest run (last_seen moves on), a provider registered. Three index or
# primary-key lookups, against seconds of JSON reading for the report itself.
STATE_SQL = (
    "SELECT (SELECT max(id) FROM offering_versions), (SELECT max(id) FROM ingest_runs), "
    "(SELECT count(*) FROM providers)"
)

MAX_CACHED_REPORTS = 64


class QualityReporter:
    """The report, computed in SQL; cached per catalogue state for `cache_seconds` (staleness
    moves on with the clock alone, so an entry also ages out); 0 turns the cache off."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        cache_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalogue = catalogue
        self.json = json_sql_for(catalogue.engine.dialect.name)
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[tuple, tuple[float, list[ProviderQuality]]] = {}
        self._lock = threading.Lock()

    def state(self) -> tuple:
        """A token that changes whenever what the report reads does."""
        with self.catalogue.engine.connect() as conn:
            return tuple(conn.execute(text(STATE_SQL)).one())

    def report(
        self,
        provider_id: str | None = None,
        *,
        stale_days: int = DEFAULT_STALE_DAYS,
        now: datetime | None = None,
    ) -> list[ProviderQuality]:
        """One entry per provider (every registered provider, or the one asked for)."""
        if now is not None or self.cache_seconds <= 0:
            return self.compute(provider_id, stale_days=stale_days, now=now)
        key = (provider_id, stale_days, self.state())
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and self._clock() - hit[0] < self.cache_seconds:
                return hit[1]
        report = self.compute(provider_id, stale_days=stale_days)
        with self._lock:
            # Entries of an older state can never answer again.
            self._cache = {k: v for k, v in self._cache.items() if k[2] == key[2]}
            while len(self._cache) >= MAX_CACHED_REPORTS:  # stale_days x providers asked
                del self._cache[next(iter(self._cache))]
            self._cache[key] = (self._clock(), report)
        return report

    def compute(
        self,
        provider_id: str | None = None,
        *,
        stale_days: int = DEFAULT_STALE_DAYS,
        now: datetime | None = None,
    ) -> list[ProviderQuality]:
        """The report, read from the catalogue now (no cache)."""
        providers = self._providers(provider_id)
        cutoff = (now or datetime.now(UTC)) - timedelta(days=stale_days)
        counts = self._completeness(provider_id, cutoff)
        given = {
            pid: {
                name.removeprefix("given."): int(value or 0)
                for name, value in row.items()
                if name.startswith("given.")
            }
            for pid, row in counts.items()
        }
        issues = self._issues(provider_id, given)
        markup = self._course_markup(provider_id)
        out = []
        for pid, name in providers:
            row = counts.get(pid, {})
            completeness = {
                group: {element: int(row.get(f"{group}.{element}", 0) or 0) for element in elements}
                for group, elements in _presence(self.json).items()
            }
            out.append(
                ProviderQuality(
                    provider_id=pid,
                    provider_name=name,
                    active_offerings=int(row.get("total", 0) or 0),
                    completeness=completeness,
                    unmapped=issues.get(pid, {}),
                    stale_days=stale_days,
                    stale_offerings=int(row.get("stale", 0) or 0),
                    oldest_last_seen=self.json.timestamp_result(row.get("oldest")),
                    course_markup_missing=dict(sorted(markup.get(pid, ({}, 0))[0].items())),
                    course_markup_omitted=markup.get(pid, ({}, 0))[1],
                )
            )
        return out

    def _course_markup(self, provider_id: str | None) -> dict[str, tuple[dict[str, int], int]]:
        """Per provider: offerings lacking each required Course field, and offerings whose
        page omits the markup. Built as the page builds it, so the two cannot disagree."""
        query = select(OfferingRow.id).where(OfferingRow.status == "active")
        if provider_id is not None:
            query = query.where(OfferingRow.provider_id == provider_id)
        with self.catalogue.engine.connect() as conn:
            ids = list(conn.execute(query.order_by(OfferingRow.id)).scalars())
        out: dict[str, tuple[dict[str, int], int]] = {}
        for start in range(0, len(ids), 500):
            for offering in self.catalogue.get_offerings(ids[start : start + 500]).values():
                missing = missing_requirements(course(offering, "/offerings/" + offering.id))
                counts, omitted = out.get(offering.provider.id, ({}, 0))
                for name in missing:
                    counts[name] = counts.get(name, 0) + 1
                out[offering.provider.id] = (counts, omitted + (1 if missing else 0))
        return out

    def _providers(self, provider_id: str | None) -> list[tuple[str, str]]:
        with self.catalogue.engine.connect() as conn:
            if provider_id is None:
                rows = conn.execute(text("SELECT id, name FROM providers ORDER BY id")).all()
            else:
                rows = conn.execute(
                    text("SELECT id, name FROM providers WHERE id = :id"), {"id": provider_id}
                ).all()
        if provider_id is not None and not rows:
            raise NotFound(
                f"No provider '{provider_id}'. List them with `microcred providers list`."
            )
        return [(r[0], r[1]) for r in rows]

    def _scope(self, provider_id: str | None, params: Params) -> str:
        where = "o.status = 'active'"
        if provider_id is not None:
            where += f" AND o.provider_id = {params.bind(provider_id)}"
        return where

    def _completeness(self, provider_id: str | None, cutoff: datetime) -> dict[str, dict]:
        params = Params()
        columns, names = ["count(*)"], ["total"]
        for group, elements in _presence(self.json).items():
            for element, condition in elements.items():
                columns.append(f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)")
                names.append(f"{group}.{element}")
        for name in FEED_FIELDS:  # offerings whose record gave each field: the denominators
            columns.append(
                f"sum(CASE WHEN {self.json.present('o.document', 'raw', name)} THEN 1 ELSE 0 END)"
            )
            names.append(f"given.{name}")
        stale_before = params.bind(self.json.timestamp_value(cutoff))
        columns.append(f"sum(CASE WHEN o.last_seen < {stale_before} THEN 1 ELSE 0 END)")
        names.append("stale")
        columns.append("min(o.last_seen)")
        names.append("oldest")
        sql = (
            f"SELECT o.provider_id, {', '.join(columns)} FROM {OFFERINGS} o "
            f"JOIN providers p ON p.id = o.provider_id WHERE {self._scope(provider_id, params)} "
            f"GROUP BY o.provider_id"
        )
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(text(sql), params.values).all()
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}

    def _issues(
        self, provider_id: str | None, given: dict[str, dict[str, int]]
    ) -> dict[str, dict[str, FieldIssues]]:
        j = self.json
        params = Params()
        issue_field, code = j.text("qi.value", "field"), j.text("qi.value", "code")
        sql = (
            f"SELECT o.provider_id, {issue_field} AS field, {code} AS code, "
            f"count(DISTINCT o.id) FROM {OFFERINGS} o, {j.elements('o.document', 'qi', 'issues')} "
            f"WHERE {self._scope(provider_id, params)} AND {code} IN "
            f"({params.many(REPORTED_CODES)}) GROUP BY o.provider_id, {issue_field}, {code}"
        )
        unmapped_sql = (
            f"SELECT o.provider_id, {issue_field} AS field, count(DISTINCT o.id) "
            f"FROM {OFFERINGS} o, {j.elements('o.document', 'qi', 'issues')} "
            f"WHERE {self._scope(provider_id, params)} AND {code} IN "
            f"({params.many(UNMAPPED_CODES)}) GROUP BY o.provider_id, {issue_field}"
        )
        out: dict[str, dict[str, FieldIssues]] = defaultdict(dict)
        with self.catalogue.engine.connect() as conn:
            by_code = conn.execute(text(sql), params.values).all()
            unmapped = conn.execute(text(unmapped_sql), params.values).all()
        for pid, name, count in unmapped:
            out[pid][name] = FieldIssues(given=given.get(pid, {}).get(name, 0), unmapped=count)
        for pid, name, issue_code, count in by_code:
            entry = out[pid].setdefault(
                name, FieldIssues(given=given.get(pid, {}).get(name, 0), unmapped=0)
            )
            entry.by_code[issue_code] = count
        return {pid: dict(sorted(fields.items())) for pid, fields in out.items()}


def _counts(present: dict[str, int], total: int) -> dict[str, dict]:
    return {
        name: {"present": n, "share": n / total if total else None} for name, n in present.items()
    }


def quality_as_dict(quality: ProviderQuality) -> dict:
    """The JSON shape of a provider's quality report (API and `microcred quality --json`)."""
    total = quality.active_offerings
    groups = quality.completeness
    return {
        "provider_id": quality.provider_id,
        "provider_name": quality.provider_name,
        "active_offerings": total,
        "annex_i": {
            "score": quality.annex_i_score,
            "mandatory": _counts(groups["annex_i_mandatory"], total),
            "optional": _counts(groups["annex_i_optional"], total),
            "not_applicable": list(NOT_APPLICABLE),
            "not_captured": list(NOT_CAPTURED),
        },
        "own_fields": {
            "required": _counts(groups["required"], total),
            "recommended": _counts(groups["recommended"], total),
        },
        "unmapped": {
            name: {
                "given": issue.given,
                "unmapped": issue.unmapped,
                "share": issue.unmapped_share,
                "by_code": issue.by_code,
            }
            for name, issue in quality.unmapped.items()
        },
        "stale": {
            "days": quality.stale_days,
            "offerings": quality.stale_offerings,
            "share": quality.stale_offerings / total if total else None,
            "oldest_last_seen": quality.oldest_last_seen.isoformat()
            if quality.oldest_last_seen
            else None,
        },
        "course_markup": {
            "omitted": quality.course_markup_omitted,
            "share_omitted": quality.course_markup_omitted / total if total else None,
            "missing": {
                name: {"offerings": n, "needs": REQUIREMENTS[name]}
                for name, n in quality.course_markup_missing.items()
            },
        },
    }
