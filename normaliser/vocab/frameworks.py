"""Qualification frameworks: their levels, the words providers use for them, and EQF referencing.

An `eqf` value is only given where a national referencing to the European
Qualifications Framework has been published. Everything else stays empty so that
search never shows a guessed equivalence as fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from normaliser.schema import Framework

ENTRY = "Entry"  # RQF's level below 1, written 'Entry level' or 'Entry 1'..'Entry 3'


@dataclass(frozen=True)
class FrameworkInfo:
    framework: Framework
    name: str
    levels: tuple[str, ...]  # native level names, lowest first
    to_eqf: Mapping[str, int]  # native level -> EQF level; absent = no referencing
    confidence: str  # how sure we are of to_eqf: high, medium, none
    source: str
    aliases: tuple[str, ...] = field(default=())  # folded words that name this framework


def _levels(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1))


FRAMEWORKS: Mapping[Framework, FrameworkInfo] = MappingProxyType(
    {
        Framework.EQF: FrameworkInfo(
            framework=Framework.EQF,
            name="European Qualifications Framework",
            levels=_levels(1, 8),
            to_eqf=MappingProxyType({str(n): n for n in range(1, 9)}),
            confidence="high",
            source="Identity: EQF levels 1-8 (Council Recommendation of 22 May 2017 on the EQF).",
            aliases=("eqf", "european qualifications framework"),
        ),
        Framework.NZQF: FrameworkInfo(
            framework=Framework.NZQF,
            name="New Zealand Qualifications and Credentials Framework",
            levels=_levels(1, 10),
            # NZQA and European Commission Joint Technical Report (2016), as summarised on
            # NZQA's EU and Ireland comparison pages. NZQF level 8 (postgraduate certificates
            # and diplomas, bachelor honours) was deliberately not levelled against the EQF.
            to_eqf=MappingProxyType(
                {
                    "1": 2,
                    "2": 3,
                    "3": 4,
                    "4": 4,
                    "5": 5,
                    "6": 5,
                    "7": 6,
                    "9": 7,
                    "10": 8,
                }
            ),
            confidence="high",
            source="NZQA-European Commission Joint Technical Report (2016); NZQA EU comparison pages.",
            aliases=(
                "nzqf",
                "nzqcf",
                "nzqa",
                "nz qf",
                "new zealand qualifications framework",
                "new zealand qualifications and credentials framework",
            ),
        ),
        Framework.AQF: FrameworkInfo(
            framework=Framework.AQF,
            name="Australian Qualifications Framework",
            levels=_levels(1, 10),
            # A 2016 joint technical report compared the AQF and the EQF but no
            # level-by-level referencing has been confirmed, so nothing is mapped.
            to_eqf=MappingProxyType({}),
            confidence="none",
            source="education.gov.au, 'Improving Australian and European mobility' (no level mapping published).",
            aliases=("aqf", "australian qualifications framework"),
        ),
        Framework.NFQ: FrameworkInfo(
            framework=Framework.NFQ,
            name="National Framework of Qualifications (Ireland)",
            levels=_levels(1, 10),
            to_eqf=MappingProxyType(
                {
                    "1": 1,
                    "2": 1,
                    "3": 2,
                    "4": 3,
                    "5": 4,
                    "6": 5,
                    "7": 6,
                    "8": 6,
                    "9": 7,
                    "10": 8,
                }
            ),
            confidence="high",
            source="Ireland's EQF referencing report (QQI); NZQA-QQI comparison table.",
            aliases=("nfq", "qqi", "irish nfq", "national framework of qualifications"),
        ),
        Framework.SCQF: FrameworkInfo(
            framework=Framework.SCQF,
            name="Scottish Credit and Qualifications Framework",
            levels=_levels(1, 12),
            # SCQF levels 1 and 2 have no EQF counterpart in the UK/Ireland correspondence table.
            to_eqf=MappingProxyType(
                {
                    "3": 1,
                    "4": 2,
                    "5": 3,
                    "6": 4,
                    "7": 5,
                    "8": 5,
                    "9": 6,
                    "10": 6,
                    "11": 7,
                    "12": 8,
                }
            ),
            confidence="medium",
            source="'Qualifications can cross boundaries' (UK and Ireland framework correspondence leaflet); scqf.org.uk.",
            aliases=("scqf", "scottish credit and qualifications framework"),
        ),
        Framework.RQF: FrameworkInfo(
            framework=Framework.RQF,
            name="Regulated Qualifications Framework (England and Northern Ireland; FHEQ levels 4-8)",
            levels=(ENTRY, *_levels(1, 8)),
            # Referencing the Qualifications Frameworks of England and Northern Ireland to the
            # EQF (2019), Annex 2, and the UK/Ireland correspondence leaflet: RQF 4 and 5 both
            # sit at EQF 5, so from level 6 up the numbers coincide (bachelor's = RQF 6 = EQF 6).
            to_eqf=MappingProxyType(
                {
                    ENTRY: 1,
                    "1": 2,
                    "2": 3,
                    "3": 4,
                    "4": 5,
                    "5": 5,
                    "6": 6,
                    "7": 7,
                    "8": 8,
                }
            ),
            confidence="medium",
            source="ENI EQF referencing report (2019), Annex 2; 'Qualifications can cross boundaries' leaflet.",
            aliases=(
                "rqf",
                "fheq",
                "qcf",
                "cqfw",
                "regulated qualifications framework",
                "framework for higher education qualifications",
                "qualifications and credit framework",
                "credit and qualifications framework for wales",
            ),
        ),
    }
)


def framework_aliases() -> list[tuple[str, Framework]]:
    """(folded alias, framework), longest alias first so 'nzqf' wins over a shorter overlap."""
    pairs = [(alias, info.framework) for info in FRAMEWORKS.values() for alias in info.aliases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))
