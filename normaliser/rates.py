"""A dated exchange-rate table, used to put prices in one reference currency for filtering."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Any


class RateTableError(ValueError):
    """A rate table file is not in the expected shape; the message says what to fix."""


@dataclass(frozen=True, eq=False)
class RateTable:
    """Units of each currency per one unit of `base`, as published on `date`."""

    base: str
    date: date
    rates: Mapping[str, float]
    source: str
    indicative: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateTable:
        """Build from the JSON shape of normaliser/data/rates.json."""
        for key in ("base", "date", "rates", "source"):
            if key not in data:
                raise RateTableError(
                    f"rate table has no '{key}'; add it (see normaliser/data/rates.json)"
                )
        try:
            as_of = date.fromisoformat(str(data["date"]))
        except ValueError as exc:
            raise RateTableError(f"rate table date {data['date']!r} is not YYYY-MM-DD") from exc
        rates: dict[str, float] = {}
        for code, rate in dict(data["rates"]).items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
                raise RateTableError(f"rate for {code!r} must be a positive number, not {rate!r}")
            rates[str(code).upper()] = float(rate)
        base = str(data["base"]).upper()
        rates.setdefault(base, 1.0)
        return cls(
            base=base,
            date=as_of,
            rates=MappingProxyType(rates),
            source=str(data["source"]),
            indicative=bool(data.get("indicative", False)),
        )

    def __reduce__(self):
        # mappingproxy does not pickle; rebuild it, so tables can go to worker processes.
        return (_rebuild, (self.base, self.date, dict(self.rates), self.source, self.indicative))

    @classmethod
    def load_default(cls) -> RateTable:
        """The table shipped in normaliser/data/rates.json, read once per process."""
        return _default_table()

    def currencies(self) -> list[str]:
        return sorted(self.rates)

    def convert(self, amount: float, from_ccy: str, to_ccy: str) -> float | None:
        """`amount` in `from_ccy` expressed in `to_ccy`, via the base; None when a rate is missing."""
        source, target = from_ccy.upper(), to_ccy.upper()
        if source == target:
            return float(amount)
        if source not in self.rates or target not in self.rates:
            return None
        return float(amount) / self.rates[source] * self.rates[target]


@functools.cache
def _default_table() -> RateTable:
    text = resources.files("normaliser").joinpath("data/rates.json").read_text(encoding="utf-8")
    return RateTable.from_dict(json.loads(text))


def _rebuild(
    base: str, as_of: date, rates: dict[str, float], source: str, indicative: bool
) -> RateTable:
    return RateTable(
        base=base, date=as_of, rates=MappingProxyType(rates), source=source, indicative=indicative
    )
