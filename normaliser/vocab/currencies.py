"""Currency symbols and names as providers write them, mapped to ISO 4217 codes.

Codes and official names come from pycountry (its ISO 4217 tables); the symbol and
common-name lists below are ours, from how course pages write prices.
"""

from __future__ import annotations

import functools
import re

import pycountry

from normaliser.parsers.memo import memoised
from normaliser.text import fold

# Prefixed dollar signs first: '$' alone is resolved by the caller's default currency.
SYMBOLS: dict[str, str] = {
    "NZD$": "NZD",
    "NZ$": "NZD",
    "AUD$": "AUD",
    "AU$": "AUD",
    "A$": "AUD",
    "USD$": "USD",
    "US$": "USD",
    "CAD$": "CAD",
    "CA$": "CAD",
    "C$": "CAD",
    "SGD$": "SGD",
    "S$": "SGD",
    "HK$": "HKD",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "₱": "PHP",
    "₺": "TRY",
    "₪": "ILS",
    "zł": "PLN",
    "Kč": "CZK",
}
GENERIC_DOLLAR = "$"
# '¥' is both yen and yuan; it is ambiguous like '$' and needs a default.
AMBIGUOUS_SYMBOLS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "NZD", "AUD", "CAD", "SGD", "HKD", "FJD", "TWD", "MXN"),
    "¥": ("JPY", "CNY"),
}

# Everyday names not in ISO 4217's official names (folded; plurals handled by the matcher).
_COMMON_NAMES: dict[str, str] = {
    "euro": "EUR",
    "eur": "EUR",
    "sterling": "GBP",
    "pound": "GBP",
    "pounds sterling": "GBP",
    "british pound": "GBP",
    "uk pound": "GBP",
    "gbp": "GBP",
    "us dollar": "USD",
    "american dollar": "USD",
    "usd": "USD",
    "dollars us": "USD",
    "nz dollar": "NZD",
    "new zealand dollar": "NZD",
    "kiwi dollar": "NZD",
    "australian dollar": "AUD",
    "aussie dollar": "AUD",
    "canadian dollar": "CAD",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupee": "INR",
    "indian rupee": "INR",
    "swiss franc": "CHF",
    "rand": "ZAR",
}


# ISO 4217 codes that are not money a course is priced in: precious metals, fund and
# settlement units, test codes. Their names ('Gold', 'Silver') are ordinary words.
_NOT_TENDER = frozenset(
    {
        "XAU",
        "XAG",
        "XPT",
        "XPD",
        "XDR",
        "XTS",
        "XXX",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XSU",
        "XUA",
        "BOV",
        "CHE",
        "CHW",
        "CLF",
        "COU",
        "MXV",
        "USN",
        "UYI",
        "UYW",
    }
)


@functools.cache
def currency_names() -> dict[str, str]:
    """Folded currency name -> ISO 4217 code: pycountry's names plus our common names."""
    names = {fold(c.name): c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in _NOT_TENDER}
    names.update(_COMMON_NAMES)
    return names


@functools.cache
def iso_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in _NOT_TENDER)


@functools.cache
def _name_re() -> re.Pattern[str]:
    alternatives = sorted(currency_names(), key=len, reverse=True)
    body = "|".join(re.escape(n) for n in alternatives)
    return re.compile(rf"(?<![a-z])(?:{body})(?:e?s)?(?![a-z])")


_PLURAL_END_RE = re.compile(r"(?:e?s)$")


def currency_from_name(text: str) -> tuple[str, int] | None:
    """The first currency name in `text` and where it starts: ('NZD', 12) for '... New Zealand dollars'."""
    match = _name_re().search(fold(text))
    if not match:
        return None
    stem = _PLURAL_END_RE.sub("", match.group(0))
    names = currency_names()
    code = names.get(match.group(0)) or names.get(stem) or names.get(match.group(0)[:-1])
    return (code, match.start()) if code else None


@memoised
def currency_code(raw: object) -> str | None:
    """An ISO 4217 code for a short currency text: 'nzd', 'US Dollar', 'Euro', '€', 'NZ$'."""
    text = str(raw or "").strip()
    if not text:
        return None
    if text.upper() in iso_codes():
        return text.upper()
    if text in SYMBOLS:
        return SYMBOLS[text]
    if text.upper() in SYMBOLS:
        return SYMBOLS[text.upper()]
    found = currency_from_name(text)
    return found[0] if found else None
