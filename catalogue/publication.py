"""The agency's publication rules: per federation target (an export format: `elm-loq` for
Europass, `ctdl` for Credential Engine, `xcri-cap` for UK aggregators), the providers whose
offerings are not published there and the fields withheld from it. No rule for a target
means every active offering goes to it whole.

`published` applies a rule to the offerings an export reads: an excluded provider's
offerings are left out and counted, a withheld field is emptied and counted, so the export's
report says what the agency kept back beside what the standard cannot say.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from catalogue.errors import InvalidRequest
from catalogue.export_report import ExportReport
from catalogue.models import ProviderRow, PublicationRuleRow
from catalogue.store import utcnow
from normaliser.schema import StoredOffering

TARGETS = ("elm-loq", "ctdl", "xcri-cap")
# Fields an agency may withhold from a target, and what withholding empties.
WITHHOLDABLE: dict[str, str] = {
    "description": "the description",
    "url": "the provider's page for the offering",
    "price": "the price of the offering and of every run",
    "credits": "the credits",
    "level": "the level",
    "duration": "the duration",
    "learning_outcomes": "the learning outcomes",
    "prerequisites": "the entry requirements",
    "assessment": "the assessment",
}


@dataclass(frozen=True)
class PublicationRule:
    target: str
    excluded_providers: frozenset[str] = frozenset()
    withheld_fields: frozenset[str] = frozenset()

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "excluded_providers": sorted(self.excluded_providers),
            "withheld_fields": sorted(self.withheld_fields),
        }


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise InvalidRequest(
            f"no federation target {target!r}; the targets are {', '.join(TARGETS)}",
            parameter="target",
        )
    return target


class PublicationRules:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, target: str) -> PublicationRule:
        with Session(self.engine) as session:
            row = session.get(PublicationRuleRow, check_target(target))
            if row is None:
                return PublicationRule(target)
            return PublicationRule(
                target, frozenset(row.excluded_providers), frozenset(row.withheld_fields)
            )

    def put(
        self, target: str, excluded_providers: list[str], withheld_fields: list[str]
    ) -> PublicationRule:
        check_target(target)
        unknown_fields = sorted(set(withheld_fields) - set(WITHHOLDABLE))
        if unknown_fields:
            raise InvalidRequest(
                f"{', '.join(unknown_fields)} cannot be withheld; the fields "
                f"are {', '.join(WITHHOLDABLE)}",
                parameter="withheld_fields",
            )
        with Session(self.engine) as session, session.begin():
            known = set(
                session.scalars(
                    select(ProviderRow.id).where(ProviderRow.id.in_(excluded_providers))
                )
            )
            unknown = sorted(set(excluded_providers) - known)
            if unknown:
                raise InvalidRequest(
                    f"no provider {', '.join(map(repr, unknown))}; list them "
                    "with GET /v1/providers",
                    parameter="excluded_providers",
                )
            row = session.get(PublicationRuleRow, target) or PublicationRuleRow(target=target)
            row.excluded_providers = sorted(set(excluded_providers))
            row.withheld_fields = sorted(set(withheld_fields))
            row.updated_at = utcnow()
            session.add(row)
        return self.get(target)


def _withhold(offering: StoredOffering, fields: frozenset[str]) -> StoredOffering:
    update: dict = {
        name: ([] if name == "learning_outcomes" else None) for name in fields if name != "price"
    }
    if "price" in fields:
        update["price"] = None
        update["instances"] = [run.model_copy(update={"price": None}) for run in offering.instances]
    return offering.model_copy(update=update)


def published(
    rule: PublicationRule, batches: Iterator[list[StoredOffering]], report: ExportReport | None
) -> Iterator[list[StoredOffering]]:
    """The offerings the rule lets through, withheld fields emptied; what it kept back is
    counted in `report` (None: not counted, for a second pass over the same offerings)."""
    for batch in batches:
        kept = []
        for offering in batch:
            if offering.provider.id in rule.excluded_providers:
                if report is not None:
                    report.matched += 1
                    report.skipped["provider not published to this target by the agency"] += 1
                continue
            if rule.withheld_fields:
                if report is not None:
                    report.omitted.update(
                        f"{name} withheld by the agency"
                        for name in rule.withheld_fields
                        if _has(offering, name)
                    )
                offering = _withhold(offering, rule.withheld_fields)
            kept.append(offering)
        yield kept


def _has(offering: StoredOffering, name: str) -> bool:
    if name == "price":
        return offering.price is not None or any(run.price for run in offering.instances)
    return bool(getattr(offering, name))
