"""Duplicate offerings: found, linked, and kept out of search once.

An offering that reached us twice (a provider's feed and a MOOC platform's listing of it; a
crawl and a feed of one provider) is linked to the listing that stays visible, its primary.
Both stay in the catalogue with their own provenance; the secondary is left out of the
search index and of agency statistics, so public search shows the offering once, and the
offering's sources (GET /v1/offerings/{id}/sources) list both.

Detection runs after every applied submission for the offerings it changed (and repairs
links to offerings withdrawn since), and on demand over the whole catalogue
(`microcred duplicates detect`). Candidates come from blocking keys kept in
offering_match_keys, so a run looks at a handful of offerings, never the whole catalogue;
the evidence rules are in catalogue.duplicate_rules.

Keeping the index in step: the catalogue's index reads (Catalogue.offering_documents,
iter_active_offering_documents) leave secondaries out, so the indexer never indexes one.
Linking or unlinking makes a new version of the secondary (same content) with an outbox
entry, a delete or an upsert, so the index applies it in order with every other change and
retries it if the engine is away.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Text, cast, delete, func, insert, or_, select, update

from catalogue.changes import number_changes
from catalogue.duplicate_rules import (
    BLOCKING_KINDS,
    MatchRecord,
    compare,
    may_match,
    primary_rank,
)
from catalogue.models import (
    OfferingDuplicateRow,
    OfferingMatchKeyRow,
    OfferingRow,
    OfferingVersionRow,
    OutboxRow,
    ProviderRow,
    SubmissionRow,
)
from catalogue.store import Catalogue, as_utc, chunks, utcnow

log = logging.getLogger(__name__)

# A key shared by more offerings than this says nothing about any one of them (a title
# such as "First Aid" offered everywhere): its offerings are not compared through it.
MAX_KEY_GROUP = 50
# A course page more offerings than this point at is a listing page, not one course's.
MAX_URL_GROUP = 2
MAX_COMPONENT = 200


@dataclass
class DetectionReport:
    compared: int = 0
    links: int = 0  # links in force among the offerings looked at
    hidden: list[str] = field(default_factory=list)  # became secondaries
    released: list[str] = field(default_factory=list)  # no longer secondaries


class DuplicateService:
    def __init__(self, catalogue: Catalogue, drain_index=None) -> None:
        """`drain_index`: runs the indexer, so a change of links reaches the search index
        at once (without it, the index catches up at its next drain)."""
        self.catalogue = catalogue
        self.drain_index = drain_index

    # --- reading ---------------------------------------------------------------------------
    def _records(self, conn, ids: Iterable[str]) -> dict[str, MatchRecord]:
        """Active offerings as duplicate detection sees them. Offerings are read by their
        primary key alone (no joins), which keeps PostgreSQL on the key's index whatever
        its statistics say; the providers and sources are looked up beside."""
        out = {}
        names: dict[str, str] | None = None
        sources: dict[int, int | None] = {}
        for chunk in chunks(sorted(set(ids))):
            rows = conn.execute(
                select(
                    OfferingRow.id,
                    OfferingRow.provider_id,
                    OfferingRow.channel,
                    OfferingRow.submission_id,
                    OfferingRow.first_seen,
                    OfferingRow.source_url,
                    OfferingRow.status,
                    cast(OfferingRow.document, Text).label("document"),
                ).where(OfferingRow.id.in_(chunk))
            ).all()
            rows = [row for row in rows if row.status == "active"]
            if not rows:
                continue
            if names is None:
                names = dict(conn.execute(select(ProviderRow.id, ProviderRow.name)).all())
            wanted = {row.submission_id for row in rows} - set(sources) - {None}
            if wanted:
                sources.update(
                    conn.execute(
                        select(SubmissionRow.id, SubmissionRow.source_id).where(
                            SubmissionRow.id.in_(wanted)
                        )
                    ).all()
                )
            for row in rows:
                out[row.id] = MatchRecord.build(
                    id=row.id,
                    provider_id=row.provider_id,
                    provider_name=names[row.provider_id],
                    channel=row.channel,
                    source_id=sources.get(row.submission_id),
                    first_seen=as_utc(row.first_seen),
                    source_url=row.source_url,
                    document=orjson.loads(row.document),
                )
        return out

    def _linked(self, conn, ids: set[str]) -> list:
        """Links that touch any of `ids`, and every link of the clusters they are in."""
        if not ids:
            return []
        primaries: set[str] = set()
        for chunk in chunks(sorted(ids)):
            for primary, _secondary in conn.execute(
                select(OfferingDuplicateRow.primary_id, OfferingDuplicateRow.secondary_id).where(
                    or_(
                        OfferingDuplicateRow.primary_id.in_(chunk),
                        OfferingDuplicateRow.secondary_id.in_(chunk),
                    )
                )
            ):
                primaries.add(primary)
        links = []
        for chunk in chunks(sorted(primaries)):
            links.extend(
                conn.execute(
                    select(OfferingDuplicateRow).where(OfferingDuplicateRow.primary_id.in_(chunk))
                ).all()
            )
        return links

    # --- keys --------------------------------------------------------------------------------
    def _write_keys(self, conn, ids: list[str], records: dict[str, MatchRecord]) -> None:
        for chunk in chunks(ids):
            conn.execute(
                delete(OfferingMatchKeyRow).where(OfferingMatchKeyRow.offering_id.in_(chunk))
            )
        rows = [
            dict(
                kind=kind,
                key=key,
                offering_id=record.id,
                provider_id=record.provider_id,
                origin=record.origin,
                names_institution=record.institution is not None,
            )
            for record in records.values()
            for kind, key in record.keys()
        ]
        for batch in chunks(rows):
            conn.execute(insert(OfferingMatchKeyRow), batch)

    @staticmethod
    def _worth_comparing(
        pair_kinds: dict[tuple[str, str], set[str]], about: dict[str, tuple[str, str, bool]]
    ) -> set[tuple[str, str]]:
        """The pairs the evidence rules could link (catalogue.duplicate_rules.compare): two
        offerings of one provider from two sources; of two providers, only where one record
        names an institution or both point at the same page."""
        out = set()
        for (a, b), kinds in pair_kinds.items():
            provider_a, origin_a, institution_a = about[a]
            provider_b, origin_b, institution_b = about[b]
            if not may_match(provider_a, origin_a, provider_b, origin_b):
                continue
            if (
                provider_a != provider_b
                and "url" not in kinds
                and not (institution_a or institution_b)
            ):
                continue
            out.add((a, b) if a < b else (b, a))
        return out

    @staticmethod
    def _members(conn, keys_by_kind: dict[str, list[str]], groups: dict, about: dict) -> None:
        """Fill groups[(kind, key)] with the offerings holding each key, and `about` with
        their (provider, origin, names an institution)."""
        for kind, keys in keys_by_kind.items():
            for chunk in chunks(keys):
                for row in conn.execute(
                    select(
                        OfferingMatchKeyRow.key,
                        OfferingMatchKeyRow.offering_id,
                        OfferingMatchKeyRow.provider_id,
                        OfferingMatchKeyRow.origin,
                        OfferingMatchKeyRow.names_institution,
                    ).where(OfferingMatchKeyRow.kind == kind, OfferingMatchKeyRow.key.in_(chunk))
                ):
                    groups[(kind, row.key)].add(row.offering_id)
                    about[row.offering_id] = (
                        row.provider_id,
                        row.origin,
                        bool(row.names_institution),
                    )

    def _candidates(
        self, conn, records: dict[str, MatchRecord]
    ) -> tuple[dict[str, set[str]], frozenset[str]]:
        """Per offering, the others sharing a discriminating key that the rules could link
        it with; and the URLs that are listing pages."""
        wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for record in records.values():
            for kind, key in record.keys():
                if kind in BLOCKING_KINDS:
                    wanted[(kind, key)].add(record.id)
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in wanted:
            by_kind[kind].append(key)
        members: dict[tuple[str, str], set[str]] = defaultdict(set)
        about: dict[str, tuple[str, str, bool]] = {}
        self._members(conn, by_kind, members, about)
        pair_kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
        for (kind, key), group in members.items():
            if len(group) > MAX_KEY_GROUP:
                continue
            for offering_id in wanted[(kind, key)] & group:
                for other in group - {offering_id}:
                    pair_kinds[(offering_id, other)].add(kind)
        candidates: dict[str, set[str]] = defaultdict(set)
        for a, b in self._worth_comparing(pair_kinds, about):
            if a in records:
                candidates[a].add(b)
            if b in records:
                candidates[b].add(a)
        generic = frozenset(
            url
            for (kind, key), group in members.items()
            if kind == "url" and len(group) > MAX_URL_GROUP
            for i in wanted[(kind, key)]
            if i in records and (url := records[i].url)
        )
        return candidates, generic

    # --- detection ----------------------------------------------------------------------------
    def refresh(self, offering_ids: Iterable[str]) -> DetectionReport:
        """Bring the links of these offerings (and of every offering they are linked or
        linkable with) in line with the evidence."""
        ids = set(offering_ids)
        report = DetectionReport()
        if not ids:
            return report
        with self.catalogue.engine.begin() as conn:
            records = self._records(conn, ids)
            self._write_keys(conn, sorted(ids), records)
            old_links: dict[int, object] = {}
            edges: dict[tuple[str, str], object] = {}
            component: set[str] = set()
            frontier = set(ids)
            # Grow the group to look at: the offerings asked about, everything linked with
            # them, everything that matches any of those, and so on, to a fixed bound.
            while frontier and len(component) <= MAX_COMPONENT:
                for link in self._linked(conn, frontier):
                    old_links[link.id] = link
                    frontier |= {link.primary_id, link.secondary_id}
                frontier -= component
                component |= frontier
                records.update(self._records(conn, frontier - set(records)))
                batch = {i: records[i] for i in frontier if i in records}
                candidates, generic = self._candidates(conn, batch)
                others = set().union(*candidates.values()) if candidates else set()
                records.update(self._records(conn, others - set(records)))
                frontier = set()
                for offering_id, near in candidates.items():
                    for other in near:
                        first, second = sorted((offering_id, other))
                        pair = (first, second)
                        if other not in records or pair in edges:
                            continue
                        report.compared += 1
                        edges[pair] = compare(
                            records[pair[0]], records[pair[1]], generic_urls=generic
                        )
                        if edges[pair] is not None and other not in component:
                            frontier.add(other)
            if frontier:
                log.warning(
                    "duplicate detection stopped growing a group at %d offerings", len(component)
                )
            self._relink(
                conn,
                component,
                records,
                {p: m for p, m in edges.items() if m},
                list(old_links.values()),
                report,
            )
        self._sync_index(report)
        return report

    def after_submission(self, submission_id: int) -> DetectionReport:
        """The offerings a submission created, changed or withdrew, and any link that now
        points at a withdrawn offering (withdrawn one at a time, say, since the last run)."""
        with self.catalogue.engine.connect() as conn:
            changed = set(
                conn.execute(
                    select(OfferingVersionRow.offering_id)
                    .distinct()
                    .where(OfferingVersionRow.submission_id == submission_id)
                ).scalars()
            )
            changed |= self._broken_links(conn)
        return self.refresh(changed)

    @staticmethod
    def _broken_links(conn) -> set[str]:
        out = set()
        for column in (OfferingDuplicateRow.primary_id, OfferingDuplicateRow.secondary_id):
            out |= set(
                conn.execute(
                    select(column)
                    .join(OfferingRow, OfferingRow.id == column)
                    .where(OfferingRow.status != "active")
                ).scalars()
            )
        return out

    def detect_all(self) -> DetectionReport:
        """Rebuild every key and every link from the whole catalogue."""
        with self.catalogue.engine.connect() as conn:
            active = list(
                conn.execute(
                    select(OfferingRow.id)
                    .where(OfferingRow.status == "active")
                    .order_by(OfferingRow.id)
                ).scalars()
            )
        with self.catalogue.engine.begin() as conn:
            conn.execute(delete(OfferingMatchKeyRow))
            for chunk in chunks(active, 2000):
                self._write_keys(conn, [], self._records(conn, chunk))
        report = DetectionReport()
        with self.catalogue.engine.connect() as conn:
            pairs, generic_keys = self._all_candidate_pairs(conn)
        with self.catalogue.engine.begin() as conn:
            ids = {i for pair in pairs for i in pair}
            records = self._records(conn, ids)
            generic = frozenset(
                r.url for r in records.values() if r.url and ("url", _url_key(r)) in generic_keys
            )
            edges = {}
            for a, b in sorted(pairs):
                if a in records and b in records:
                    report.compared += 1
                    match = compare(records[a], records[b], generic_urls=generic)
                    if match is not None:
                        edges[(a, b)] = match
            old_links = conn.execute(select(OfferingDuplicateRow)).all()
            component = (
                ids
                | {link.primary_id for link in old_links}
                | {link.secondary_id for link in old_links}
            )
            records.update(self._records(conn, component - set(records)))
            self._relink(conn, component, records, edges, old_links, report)
        self._sync_index(report)
        return report

    def _all_candidate_pairs(self, conn) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        sizes = dict(
            ((kind, key), n)
            for kind, key, n in conn.execute(
                select(OfferingMatchKeyRow.kind, OfferingMatchKeyRow.key, func.count())
                .where(OfferingMatchKeyRow.kind.in_(BLOCKING_KINDS))
                .group_by(OfferingMatchKeyRow.kind, OfferingMatchKeyRow.key)
                .having(func.count() > 1)
            )
        )
        generic = {k for k, n in sizes.items() if k[0] == "url" and n > MAX_URL_GROUP}
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in (k for k, n in sizes.items() if n <= MAX_KEY_GROUP):
            by_kind[kind].append(key)
        groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        about: dict[str, tuple[str, str, bool]] = {}
        self._members(conn, by_kind, groups, about)
        pair_kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
        for (kind, _key), members in groups.items():
            ordered = sorted(members)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    pair_kinds[(a, b)].add(kind)
        return self._worth_comparing(pair_kinds, about), generic

    def _relink(
        self,
        conn,
        component: set[str],
        records: dict[str, MatchRecord],
        edges: dict,
        old_links: Sequence[Any],
        report: DetectionReport,
    ) -> None:
        """Replace the links within `component` by those the accepted `edges` give: each
        connected group of offerings gets one primary, the best by primary_rank."""
        parent = {i: i for i in component if i in records}

        def root(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in edges:
            if a in parent and b in parent:
                parent[root(a)] = root(b)
        clusters: dict[str, list[str]] = defaultdict(list)
        for offering_id in parent:
            clusters[root(offering_id)].append(offering_id)
        new_links = []
        now = utcnow()
        for members in clusters.values():
            if len(members) < 2:
                continue
            member_records = [records[m] for m in members]
            primary = min(member_records, key=lambda r: primary_rank(r, member_records)).id
            for secondary in members:
                if secondary == primary:
                    continue
                match = edges.get(tuple(sorted((primary, secondary)))) or next(
                    edges[pair]
                    for pair in sorted(edges)
                    if secondary in pair and pair[0] in members and pair[1] in members
                )
                new_links.append(
                    dict(
                        primary_id=primary,
                        secondary_id=secondary,
                        reasons=",".join(match.reasons),
                        title_similarity=round(match.title_similarity, 4),
                        evidence=match.evidence,
                        detected_at=now,
                    )
                )
        old_secondaries = {link.secondary_id for link in old_links}
        new_secondaries = {link["secondary_id"] for link in new_links}
        unchanged = {(link.primary_id, link.secondary_id) for link in old_links} == {
            (link["primary_id"], link["secondary_id"]) for link in new_links
        }
        report.links = len(new_links)
        if unchanged:
            return
        touched = sorted(component | old_secondaries | {link.primary_id for link in old_links})
        for chunk in chunks(touched):
            conn.execute(
                delete(OfferingDuplicateRow).where(
                    or_(
                        OfferingDuplicateRow.primary_id.in_(chunk),
                        OfferingDuplicateRow.secondary_id.in_(chunk),
                    )
                )
            )
        if new_links:
            conn.execute(insert(OfferingDuplicateRow), new_links)
        hidden = sorted(new_secondaries - old_secondaries)
        released = sorted(old_secondaries - new_secondaries)
        # Every provider lock first, then the change numbers (catalogue.changes): a lock
        # taken after numbering could deadlock with an ingest waiting to number its own.
        self._lock_providers(conn, hidden + released)
        report.hidden = self._new_versions(conn, hidden, "delete", now)
        report.released = self._new_versions(conn, released, "upsert", now)

    @staticmethod
    def _lock_providers(conn, offering_ids: list[str]) -> None:
        # The lock ingest takes first (catalogue.ingest._lock_provider): no version is
        # handed out twice. On SQLite this transaction holds the write lock already.
        if offering_ids and conn.dialect.name == "postgresql":
            conn.execute(
                select(ProviderRow.id)
                .where(
                    ProviderRow.id.in_(
                        select(OfferingRow.provider_id).where(OfferingRow.id.in_(offering_ids))
                    )
                )
                .order_by(ProviderRow.id)
                .with_for_update()
            )

    @staticmethod
    def _new_versions(conn, offering_ids: list[str], op: str, now) -> list[str]:
        """Hiding or showing a listing is a change of the offering: a new version (same
        content) and an outbox entry, so the index applies it in version order like any
        other change. (An engine keeps a deleted document's version for a while and refuses
        older writes; only a newer version brings the listing back.) Withdrawn offerings
        need nothing: their withdrawal took them out of the index already."""
        if not offering_ids:
            return []
        changed = []
        for offering_id in offering_ids:
            row = conn.execute(
                update(OfferingRow)
                .where(OfferingRow.id == offering_id, OfferingRow.status == "active")
                .values(version=OfferingRow.version + 1)
                .returning(OfferingRow.version, OfferingRow.content_hash, OfferingRow.document)
            ).first()
            if row is None:
                continue
            conn.execute(
                insert(OutboxRow).values(
                    offering_id=offering_id, version=row.version, op=op, created_at=now
                )
            )
            change = dict(
                offering_id=offering_id,
                version=row.version,
                status="active",
                content_hash=row.content_hash,
                document=row.document,
                submission_id=None,
                recorded_at=now,
            )
            number_changes(conn, [change])
            conn.execute(insert(OfferingVersionRow).values(**change))
            changed.append(offering_id)
        return changed

    def _sync_index(self, report: DetectionReport) -> None:
        if self.drain_index is not None and (report.hidden or report.released):
            self.drain_index()

    # --- listing --------------------------------------------------------------------------------
    def links(
        self, *, provider_id: str | None = None, limit: int = 100, after: int | None = None
    ) -> list[dict]:
        """Links, oldest first, with both listings; `after` is the id of the last one seen."""
        primary, secondary = OfferingRow.__table__.alias("pri"), OfferingRow.__table__.alias("sec")
        query = (
            select(
                OfferingDuplicateRow,
                primary.c.provider_id.label("primary_provider"),
                secondary.c.provider_id.label("secondary_provider"),
            )
            .join(primary, primary.c.id == OfferingDuplicateRow.primary_id)
            .join(secondary, secondary.c.id == OfferingDuplicateRow.secondary_id)
            .order_by(OfferingDuplicateRow.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(OfferingDuplicateRow.id > after)
        if provider_id is not None:
            query = query.where(
                or_(primary.c.provider_id == provider_id, secondary.c.provider_id == provider_id)
            )
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(query).all()
            listings = self._listings(
                conn, [r.primary_id for r in rows] + [r.secondary_id for r in rows]
            )
        return [
            {
                "id": r.id,
                "primary": listings.get(r.primary_id),
                "secondary": listings.get(r.secondary_id),
                "reasons": r.reasons.split(","),
                "title_similarity": r.title_similarity,
                "evidence": r.evidence,
                "detected_at": as_utc(r.detected_at),
            }
            for r in rows
        ]

    def sources_of(self, offering_id: str) -> dict:
        """The offering and every listing of it: the one shown in search first."""
        self.catalogue.get_offering(offering_id)  # NotFound for an unknown id
        with self.catalogue.engine.connect() as conn:
            primary = (
                conn.execute(
                    select(OfferingDuplicateRow.primary_id).where(
                        OfferingDuplicateRow.secondary_id == offering_id
                    )
                ).scalar()
                or offering_id
            )
            links = conn.execute(
                select(OfferingDuplicateRow)
                .where(OfferingDuplicateRow.primary_id == primary)
                .order_by(OfferingDuplicateRow.id)
            ).all()
            listings = self._listings(conn, [primary] + [link.secondary_id for link in links])
        sources = [dict(listings[primary], role="primary", reasons=[])]
        sources += [
            dict(listings[link.secondary_id], role="secondary", reasons=link.reasons.split(","))
            for link in links
            if link.secondary_id in listings
        ]
        return {"id": offering_id, "shown_as": primary, "sources": sources}

    @staticmethod
    def _listings(conn, ids: list[str]) -> dict[str, dict]:
        out = {}
        for chunk in chunks(sorted(set(ids))):
            for row in conn.execute(
                select(
                    OfferingRow.id,
                    OfferingRow.provider_id,
                    ProviderRow.name,
                    OfferingRow.provider_offering_id,
                    OfferingRow.channel,
                    OfferingRow.source_url,
                    OfferingRow.status,
                    OfferingRow.first_seen,
                    OfferingRow.last_seen,
                    OfferingRow.document,
                )
                .join(ProviderRow, ProviderRow.id == OfferingRow.provider_id)
                .where(OfferingRow.id.in_(chunk))
            ):
                document = (
                    row.document if isinstance(row.document, dict) else orjson.loads(row.document)
                )
                out[row.id] = {
                    "id": row.id,
                    "provider": {"id": row.provider_id, "name": row.name},
                    "provider_offering_id": row.provider_offering_id,
                    "title": document.get("title"),
                    "url": document.get("url"),
                    "channel": row.channel,
                    "source_url": row.source_url,
                    "status": row.status,
                    "first_seen": as_utc(row.first_seen),
                    "last_seen": as_utc(row.last_seen),
                }
        return out


def _url_key(record: MatchRecord) -> str:
    return next(key for kind, key in record.keys() if kind == "url")
