"""How many values of real feeds the readers and the normaliser get right, by field and by
source, against labels written by hand (benchmarks/fidelity/*.jsonl).

Each label names a source, a record, a field path into the normalised offering
(`instances[0].start_date`, `price.amount`), the value as the source wrote it, the value a
careful reader takes from it (`null`: nothing should be stated, e.g. a placeholder date or a
contradiction) and why. The sources are feeds none of us wrote:

- `edx`: the edX catalogue export, ../shared/data/catalogues/edx-courses.csv (read with the
  bundled `edx` profile);
- `cornwall`: Cornwall College's XCRI-CAP feed, ../shared/data/xcri-cap/cornwall-college-2017.xml
  (Open Government Licence; its levels read on England's RQF, as the college would declare);
- `ctdl`: Credential Engine's published CTDL examples, ../shared/data/ctdl/*.json;
- `ou`: The Open University's XCRI-CAP example feed (2011), from
  github.com/BarbaraHarris/xcricap-validator, excerpt in benchmarks/fidelity/sources/;
- `wychwolf`: Wychwolf.com's XCRI-CAP feed (2012, Open Government Licence), from
  github.com/k-int/XCRI-Aggregator, in benchmarks/fidelity/sources/;
- `adam-smith`: Adam Smith College's XCRI-CAP feed (2012), from
  github.com/k-int/XCRI-Aggregator, excerpt in benchmarks/fidelity/sources/.

The shared files are read in place (they may not be copied into the project); the three
excerpts name their origin in their first comment.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedReadResult, RawRecord, ReadLimits
from normaliser.readers.ctdl import read_ctdl
from normaliser.readers.profiles import bundled_profile, read_with_profile
from normaliser.readers.xcri_cap import read_xcri_cap

HERE = Path(__file__).parent / "fidelity"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LIMITS = ReadLimits(max_records=100_000)
# A duration in weeks is right within half a week (nine months is 39.1 weeks, give or take).
WEEKS_TOLERANCE = 0.5
_STEP_RE = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Source:
    name: str
    files: Callable[[], list[Path]]
    read: Callable[[bytes], FeedReadResult]
    context: NormaliseContext


def _edx_context() -> NormaliseContext:
    return bundled_profile("edx").normalise_context(
        NormaliseContext(provider_id="edx", default_currency="USD")
    )


def _uk(provider_id: str, level_framework: str | None = None) -> NormaliseContext:
    return NormaliseContext(
        provider_id=provider_id,
        default_currency="GBP",
        default_country="GB",
        level_framework=level_framework,
    )


SOURCES = {
    "edx": Source(
        "edx",
        lambda: [SHARED_DATA / "catalogues" / "edx-courses.csv"],
        lambda data: read_with_profile(data, bundled_profile("edx"), LIMITS),
        _edx_context(),
    ),
    "cornwall": Source(
        "cornwall",
        lambda: [SHARED_DATA / "xcri-cap" / "cornwall-college-2017.xml"],
        lambda data: read_xcri_cap(data, LIMITS),
        _uk("cornwall-college", "RQF"),
    ),
    "ctdl": Source(
        "ctdl",
        lambda: sorted((SHARED_DATA / "ctdl").glob("*.json")),
        lambda data: read_ctdl(data, LIMITS),
        NormaliseContext(provider_id="credential-engine-examples", default_country="US"),
    ),
    "ou": Source(
        "ou",
        lambda: [HERE / "sources" / "ou-2011.xml"],
        lambda data: read_xcri_cap(data, LIMITS),
        _uk("open-university"),
    ),
    "wychwolf": Source(
        "wychwolf",
        lambda: [HERE / "sources" / "wychwolf-2012.xml"],
        lambda data: read_xcri_cap(data, LIMITS),
        _uk("wychwolf"),
    ),
    "adam-smith": Source(
        "adam-smith",
        lambda: [HERE / "sources" / "adam-smith-college-2012.xml"],
        lambda data: read_xcri_cap(data, LIMITS),
        _uk("adam-smith-college", "SCQF"),
    ),
}


@dataclass
class Miss:
    source: str
    record: str
    field: str
    written: Any
    expected: Any
    got: Any


@dataclass
class FidelityReport:
    right: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, field)
    total: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    @property
    def overall(self) -> float:
        return sum(self.right.values()) / max(1, sum(self.total.values()))

    def by(self, part: int) -> dict[str, tuple[int, int]]:
        """(right, total) by source (part 0) or by field (part 1)."""
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for key, n in self.total.items():
            total[key[part]] += n
            right[key[part]] += self.right[key]
        return {name: (right[name], total[name]) for name in sorted(total)}

    def as_dict(self) -> dict:
        return {
            "values": sum(self.total.values()),
            "right": sum(self.right.values()),
            "overall": round(self.overall, 4),
            "by_source": {k: {"right": r, "of": t} for k, (r, t) in self.by(0).items()},
            "by_field": {k: {"right": r, "of": t} for k, (r, t) in self.by(1).items()},
            "misses": [m.__dict__ for m in self.misses],
        }


def labels() -> Iterator[dict]:
    for path in sorted(HERE.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def field_family(path: str) -> str:
    """`instances[2].start_date` -> `instances.start_date`: misses are counted by field."""
    return re.sub(r"\[\d+\]", "", path)


def value_at(document: Any, path: str) -> Any:
    for step in path.split("."):
        match = _STEP_RE.fullmatch(step)
        if match is None or not isinstance(document, dict):
            return None
        document = document.get(match.group(1))
        if match.group(2) is not None:
            index = int(match.group(2))
            if not isinstance(document, list) or index >= len(document):
                return None
            document = document[index]
    return document


def agrees(path: str, expected: Any, got: Any) -> bool:
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        if not isinstance(got, int | float) or isinstance(got, bool):
            return False
        tolerance = WEEKS_TOLERANCE if path.endswith("weeks") else 0.005
        return abs(float(got) - float(expected)) <= tolerance
    return got == expected


def _record_key(record: RawRecord) -> set[str]:
    keys = {record.record_id or ""}
    for value in (record.fields.get("id"), record.extra.get("ctid")):
        if isinstance(value, str):
            keys.add(value)
    return keys


def normalised_offerings(source: Source) -> dict[str, dict]:
    """Every record of the source that normalises, by each of its keys, as JSON."""
    offerings: dict[str, dict] = {}
    for path in source.files():
        try:
            result = source.read(path.read_bytes())
        except FeedFormatError:  # a credential or an organization: no offering to label
            continue
        for record in result.records:
            if not record.fields:
                continue
            offering, _issues = normalise_record(record.fields, source.context, record.instances)
            if offering is None:
                continue
            dumped = offering.model_dump(mode="json")
            for key in _record_key(record):
                offerings.setdefault(key, dumped)
    return offerings


def _find(offerings: dict[str, dict], record: str) -> dict | None:
    if record in offerings:
        return offerings[record]
    # A CTDL record is keyed by its @id; the label names its CTID, which the @id ends with.
    return next((o for key, o in offerings.items() if key.endswith(record)), None)


def measure() -> FidelityReport:
    report = FidelityReport()
    cache: dict[str, dict[str, dict]] = {}
    for label in labels():
        source = SOURCES[label["source"]]
        if source.name not in cache:
            cache[source.name] = normalised_offerings(source)
        offering = _find(cache[source.name], label["record"])
        got = value_at(offering, label["field"]) if offering is not None else "(record not read)"
        key = (source.name, field_family(label["field"]))
        report.total[key] += 1
        if offering is not None and agrees(label["field"], label["expected"], got):
            report.right[key] += 1
        else:
            report.misses.append(
                Miss(
                    source.name,
                    label["record"],
                    label["field"],
                    label["written"],
                    label["expected"],
                    got,
                )
            )
    return report
