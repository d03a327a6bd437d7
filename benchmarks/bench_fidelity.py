"""Fidelity of the readers and the normaliser on real feeds: how many hand-labelled values
(benchmarks/fidelity/*.jsonl, over six sources none of us wrote; see
benchmarks.fidelity_check) come out right, by field and by source.

    .venv/bin/python -m benchmarks.bench_fidelity

Prints the figures and every miss; writes benchmarks/results/fidelity.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.fidelity_check import measure

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    report = measure().as_dict()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fidelity.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{report['right']} of {report['values']} values right: {report['overall']:.1%}")
    for part in ("by_source", "by_field"):
        print(part.replace("_", " ") + ":")
        for name, figure in report[part].items():
            print(f"  {name}: {figure['right']}/{figure['of']}")
    for miss in report["misses"]:
        print(
            f"miss: {miss['source']} {miss['record']} {miss['field']}: "
            f"expected {miss['expected']!r}, got {miss['got']!r}"
        )


if __name__ == "__main__":
    main()
