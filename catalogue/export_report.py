"""What a federation export (ELM LOQ, CTDL, XCRI-CAP) left out, and why: offerings left out
whole (the agency's rules, a value the standard requires) and values left out of the
offerings exported (no counterpart in the standard, withheld by the agency)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ExportReport:
    matched: int = 0
    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # offerings left out, by reason
    omitted: Counter[str] = field(default_factory=Counter)  # values left out, by reason

    def comment(self, name: str) -> str:
        """The report as the text of an XML comment closing the document."""
        parts = [
            f"{name}: {self.matched} offerings matched, {self.exported} exported, "
            f"{self.matched - self.exported} left out"
        ]
        parts += [f"offering left out, {reason}: {n}" for reason, n in sorted(self.skipped.items())]
        parts += [f"value left out, {reason}: {n}" for reason, n in sorted(self.omitted.items())]
        # "--" may not appear inside an XML comment.
        return " " + "; ".join(parts).replace("--", "- -") + " "

    def as_dict(self) -> dict:
        return {
            "matched": self.matched,
            "exported": self.exported,
            "left_out": dict(sorted(self.skipped.items())),
            "values_left_out": dict(sorted(self.omitted.items())),
        }
