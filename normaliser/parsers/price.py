"""Prices: 'NZ$1,250', '€450', '1200 NZD incl. GST', 'GBP155.00', 'Free', '$500–$800', 'POA'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.parsers.numeric import NUMBER_RE, parse_number, tidy
from normaliser.rates import RateTable
from normaliser.schema import Audience, Price
from normaliser.text import clean, fold, shorten
from normaliser.vocab.currencies import (
    AMBIGUOUS_SYMBOLS,
    SYMBOLS,
    currency_code,
    currency_from_name,
    iso_codes,
)

_UNSTATED_RE = re.compile(
    r"(?<![a-z])(?:tbc|tba|tbd|poa|p\.o\.a\.?|price on (?:application|request)|on application"
    r"|(?:up)?on request|contact us|contact (?:us )?for (?:a )?(?:price|pricing|fees?)|enquire"
    r"|ask us|n/?a|varies|to be (?:confirmed|advised|announced)|see website)(?![a-z])"
)
_FREE_RE = re.compile(
    r"(?<![a-z])(?:free|no cost|no charge|fees?[\s-]*free|free of charge|gratis|no fees?"
    r"|zero fees?|complimentary|without charge)(?![a-z])"
)
# Funding schemes some learners qualify for, which are not the course's price: New Zealand's
# Fees Free (first-time tertiary learners, https://www.feesfree.govt.nz), Australia's FEE-HELP
# and HECS-HELP loans and VET Student Loans (studyassist.gov.au), Ireland's Springboard+ and
# Skillnet funding, NZ StudyLink student loans. Written as eligibility ('FEE-HELP eligible',
# 'eligible for Fees Free', 'free to eligible participants'), they say who may not pay, not
# that the course is free; FEE-HELP and the loans are never a price at all.
_SCHEME_NAMES = (
    r"fees?[\s-]*free|fee[\s-]*help|hecs[\s-]*help|vet[\s-]*student[\s-]*loans?"
    r"|student[\s-]*loans?|springboard\+?|skillnet|studylink"
)
_ELIGIBLE = r"(?:eligible|eligibility|approved|available)"
_SCHEME_RE = re.compile(
    rf"(?<![a-z])(?:{_ELIGIBLE}\s+(?:for\s+)?(?:the\s+)?)?\(?(?P<scheme>{_SCHEME_NAMES})\)?"
    rf"(?:\s*[(-]?\s*{_ELIGIBLE}\)?)?(?![a-z])"
    rf"|(?<![a-z])(?P<free_to>free\s+(?:to|for)\s+eligible\s+[a-z]+)"
)
# Schemes that are a scheme however they are written. 'Fees free' is one: New Zealand's Fees
# Free pays the fees of learners who qualify, so a course written as 'fees free' is free to
# some learners, not to all (an amount beside it, '$0 - fees free', is still the price).
_ALWAYS_SCHEMES = re.compile(
    r"fees?[\s-]*free|fee[\s-]*help|hecs|vet[\s-]*student|student[\s-]*loan|studylink"
)
_INCL_TAX_RE = re.compile(
    r"(?<![a-z])(?:incl?\.?|including|inclusive of|inc\.?|with)\s*(?:gst|vat|tax(?:es)?)(?![a-z])"
    r"|(?<![a-z])(?:gst|vat|tax)[\s-]*(?:incl?\.?|inclusive|included)(?![a-z])"
)
_EXCL_TAX_RE = re.compile(
    r"(?<![a-z])(?:excl?\.?|excluding|exclusive of|ex\.?|plus|before|without|\+)\s*(?:gst|vat|tax(?:es)?)(?![a-z])"
    r"|(?<![a-z])(?:gst|vat|tax)[\s-]*(?:excl?\.?|exclusive|excluded|extra|additional)(?![a-z])"
    r"|\+\s*(?:gst|vat)(?![a-z])"
)
_DOMESTIC_RE = re.compile(r"(?<![a-z])(?:domestic|home|local|resident|citizens?)(?![a-z])")
_INTERNATIONAL_RE = re.compile(r"(?<![a-z])(?:international|overseas|non[\s-]*resident)(?![a-z])")
_PER_UNIT_RE = re.compile(
    r"(?<![a-z])(?:per|a|each)\s+(credit|unit|hour|session|module|month|week|class|day|lesson)(?![a-z])"
    r"|/\s*(credit|unit|hour|hr|session|module|month|mth|week|wk|class|day)(?![a-z])"
)
# Numbers followed by these are sizes or dates, not money.
_NOT_MONEY_AFTER_RE = re.compile(
    r"\s*(?:%|percent|credits?|ects|cats|hours?|hrs?|h\b|weeks?|wks?|days?|months?|years?|yrs?"
    r"|students?|learners?|people|places|modules?|units?|sessions?|x\b|st\b|nd\b|rd\b|th\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)",
    re.IGNORECASE,
)
_CODE_BEFORE_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})\s?$")
_CODE_AFTER_RE = re.compile(r"^\s?([A-Za-z]{3})(?![A-Za-z])")
_RANGE_BETWEEN_RE = re.compile(
    r"^\s*(?:[A-Za-z]{3}\s*)?(?:-|to|and)\s*(?:[^\d\s]{1,4}\s*)?$", re.IGNORECASE
)
_THOUSANDS_SUFFIX_RE = re.compile(r"^\s?k(?![a-z])", re.IGNORECASE)
_SYMBOLS_LONGEST_FIRST = sorted([*SYMBOLS, *AMBIGUOUS_SYMBOLS], key=len, reverse=True)
# The same with each symbol's upper case, and the characters those can end or start with.
_SYMBOL_FORMS = [(symbol, symbol.upper()) for symbol in _SYMBOLS_LONGEST_FIRST]
_SYMBOL_LAST_CHARS = frozenset(upper[-1] for _, upper in _SYMBOL_FORMS)
_UNAMBIGUOUS_FORMS = [(s, upper) for s, upper in _SYMBOL_FORMS if s not in AMBIGUOUS_SYMBOLS]
_UNAMBIGUOUS_FIRST_CHARS = frozenset(upper[0] for _, upper in _UNAMBIGUOUS_FORMS)


@dataclass
class _Money:
    amount: float
    currency: str | None  # an ISO code when the text named one
    symbol: str | None  # an ambiguous symbol ('$', '¥') when that was all there was
    start: int
    amount_max: float | None = None


def _funding_schemes(folded: str) -> tuple[list[str], str]:
    """The funding schemes the text names as such, and the text without them."""
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        phrase = match.group(0).strip(" ()-")
        eligible = match.group("free_to") or re.search(_ELIGIBLE, phrase)
        if eligible or _ALWAYS_SCHEMES.search(phrase):
            found.append(phrase)
            return " "
        return match.group(0)

    rest = _SCHEME_RE.sub(take, folded)
    return found, rest


@memoised_parser
def parse_price(
    raw: str | None,
    default_currency: str | None = None,
    rates: RateTable | None = None,
    ref_currency: str | None = None,
    field: str = "price",
) -> Parsed[Price]:
    """Read one price; with `ref_currency`, also give it in that currency from a dated rate table.

    A lone '$' or a bare number takes `default_currency` (a DEFAULTED note), and is left
    without currency, with a warning, when there is none. Ranges keep the lowest amount in
    `amount` and the highest in `amount_max`.
    """
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = fold(text)
    issues: list[Issue] = []
    default = currency_code(default_currency) if default_currency else None

    moneys = _find_money(text)
    schemes, folded = _funding_schemes(folded)
    if schemes:
        issues.append(
            Issue.info(
                field,
                IssueCode.AMBIGUOUS,
                f"{'; '.join(repr(s) for s in schemes)} is a funding scheme some learners qualify "
                "for, not the price of the course: it does not make the course free. "
                + (
                    "The amount beside it was read as the price"
                    if moneys
                    else "Give the price itself as well"
                ),
                value,
            )
        )
    is_free = bool(_FREE_RE.search(folded)) or (bool(moneys) and all(m.amount == 0 for m in moneys))
    if not moneys and not is_free and schemes:
        return Parsed(None, issues)
    if not moneys and not is_free:
        stated = "No price stated" if _UNSTATED_RE.search(folded) else "No amount found"
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                f"{stated}; give an amount with its currency (e.g. 'NZ$1,250'), or 'Free'.",
                value,
            )
        )
        return Parsed(None, issues)

    includes_tax = None
    if "gst" in folded or "vat" in folded or "tax" in folded:  # in every tax phrase
        includes_tax = (
            True if _INCL_TAX_RE.search(folded) else False if _EXCL_TAX_RE.search(folded) else None
        )
    audience = _audience(folded)

    if is_free:
        paid = [m for m in moneys if m.amount > 0]
        if paid:
            issues.append(
                Issue.info(
                    field,
                    IssueCode.AMBIGUOUS,
                    f"Read as free; the other amount mentioned ({_fmt(paid[0].amount)}) was not "
                    "recorded. If the course itself costs money, give only that price.",
                    value,
                )
            )
        currency = next((m.currency for m in moneys if m.currency), None) or default
        price = Price(
            amount=0.0,
            currency=currency,
            is_free=True,
            includes_tax=includes_tax,
            audience=audience,
            raw=str(raw),
        )
        if ref_currency:
            price = price.model_copy(
                update={"amount_ref": 0.0, "ref_currency": ref_currency.upper()}
            )
        return Parsed(price, issues)

    first = moneys[0]
    if len(moneys) > 1:
        first, reason, segment = _headline(moneys, str(raw))
        if segment is not None:
            audience = _audience(fold(segment))
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Several prices are given; used {reason} ({_fmt(first.amount)}). Give one "
                "price per record, or a range such as '$500-$800'.",
                value,
            )
        )
    per_unit = _PER_UNIT_RE.search(folded)
    if per_unit:
        unit = per_unit.group(1) or per_unit.group(2)
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"The price is per {unit}, not for the whole offering; give the total price.",
                value,
            )
        )

    currency = _resolve_currency(first, moneys, default, field, value, issues)
    price = Price(
        amount=first.amount,
        amount_max=first.amount_max,
        currency=currency,
        includes_tax=includes_tax,
        audience=audience,
        raw=str(raw),
    )
    if ref_currency and currency:
        price = _with_reference(
            price, rates or RateTable.load_default(), ref_currency.upper(), field, value, issues
        )
    return Parsed(price, issues)


# What a price's own words say of it, when several are given. Fees that are not the price of
# the course (a yearly renewal or membership, an application fee, a deposit, an exam resit)
# are never the headline; of prices for different learners, the one anyone pays (the
# non-member, standard or full price) is, before reduced ones (members, students,
# concessions, early bird); of home and international fees, the home fee.
_OTHER_FEE_RE = re.compile(
    r"(?<![a-z])(?:renewal|membership|application fee|deposit|resit|re-sit|late fee"
    r"|annual fee|per year after|exam(?:ination)? fee)(?![a-z])"
)
_PUBLIC_PRICE_RE = re.compile(
    r"(?<![a-z])(?:non[\s-]*members?|public|standard|full(?:[\s-]*price| fee)?|general)(?![a-z])"
)
_REDUCED_PRICE_RE = re.compile(
    r"(?<![a-z])(?:members?|students?|concessions?|concessionary|early[\s-]*bird|discount(?:ed)?"
    r"|alumni|staff|unwaged|reduced|group)(?![a-z])"
)
_SEGMENT_SPLIT_RE = re.compile(r";|\||\n|,(?!\d{3})|\s/\s")


def _headline(moneys: list[_Money], text: str) -> tuple[_Money, str, str | None]:
    """The price to show when several are given, why it was chosen, and the words that go
    with it (None when the amounts cannot be told apart by their words)."""
    segments: list[tuple[int, int]] = []
    start = 0
    for separator in _SEGMENT_SPLIT_RE.finditer(text):
        segments.append((start, separator.start()))
        start = separator.end()
    segments.append((start, len(text)))
    labels: list[str] = []
    for money in moneys:
        owner = next(((a, b) for a, b in segments if a <= money.start < b), None)
        holding = [m for m in moneys if owner and owner[0] <= m.start < owner[1]]
        if owner is None or len(holding) != 1:
            return moneys[0], "the first", None
        labels.append(text[owner[0] : owner[1]].lower())
    candidates = [i for i, label in enumerate(labels) if not _OTHER_FEE_RE.search(label)]
    others = len(candidates) < len(moneys)
    candidates = candidates or list(range(len(moneys)))
    public = [
        i
        for i in candidates
        if _PUBLIC_PRICE_RE.search(labels[i])
        or (
            not _REDUCED_PRICE_RE.search(labels[i])
            and any(_REDUCED_PRICE_RE.search(labels[j]) for j in candidates if j != i)
        )
    ]
    if public:
        return moneys[public[0]], "the price anyone pays", labels[public[0]]
    home = [i for i in candidates if _DOMESTIC_RE.search(fold(labels[i]))]
    if home and any(_INTERNATIONAL_RE.search(fold(labels[j])) for j in candidates):
        return moneys[home[0]], "the home fee", labels[home[0]]
    if others:
        chosen = candidates[0]
        return moneys[chosen], "the course's price, not the other fees", labels[chosen]
    return moneys[0], "the first", labels[0]


def _find_money(text: str) -> list[_Money]:
    """Amounts with the currency marker written next to them; ranges folded into one."""
    found: list[_Money] = []
    previous_end = -1
    for match in NUMBER_RE.finditer(text):
        amount = parse_number(match.group(0))
        after = text[match.end() : match.end() + 40]  # a marker sits right beside its amount
        if amount is None or _NOT_MONEY_AFTER_RE.match(after):
            continue
        if _THOUSANDS_SUFFIX_RE.match(after):
            amount *= 1000
        currency, symbol = _marker_before(text[max(0, match.start() - 12) : match.start()])
        after_currency = _marker_after(after)
        if after_currency:
            currency = after_currency
        if (
            found
            and previous_end >= 0
            and found[-1].amount_max is None
            and _RANGE_BETWEEN_RE.match(text[previous_end : match.start()])
            and amount > found[-1].amount
        ):
            found[-1].amount_max = amount
            found[-1].currency = found[-1].currency or currency
        else:
            found.append(_Money(amount, currency, symbol, match.start()))
        previous_end = match.end()
    marked = [m for m in found if m.currency or m.symbol]
    return marked or found


def _marker_before(before: str) -> tuple[str | None, str | None]:
    tail = before.rstrip()
    tail_upper = tail.upper()
    for symbol, symbol_upper in _SYMBOL_FORMS if tail_upper[-1:] in _SYMBOL_LAST_CHARS else ():
        if tail_upper.endswith(symbol_upper):
            head = tail[: -len(symbol)]
            if symbol[0].isalpha() and head and head[-1].isalpha():
                continue
            if symbol in AMBIGUOUS_SYMBOLS:
                code = _CODE_BEFORE_RE.search(head.rstrip())
                if code and code.group(1).upper() in iso_codes():
                    return code.group(1).upper(), None
                return None, symbol
            return SYMBOLS[symbol], None
    code = _CODE_BEFORE_RE.search(before)
    if code and code.group(1).upper() in iso_codes():
        return code.group(1).upper(), None
    return None, None


def _marker_after(after: str) -> str | None:
    head = after.lstrip()
    if _THOUSANDS_SUFFIX_RE.match(head):
        head = head[1:].lstrip()
    head_upper = head.upper()
    for symbol, symbol_upper in (
        _UNAMBIGUOUS_FORMS if head_upper[:1] in _UNAMBIGUOUS_FIRST_CHARS else ()
    ):
        if head_upper.startswith(symbol_upper):
            return SYMBOLS[symbol]
    code = _CODE_AFTER_RE.match(head)
    if code and code.group(1).upper() in iso_codes():
        return code.group(1).upper()
    named = currency_from_name(head[:40])
    if named and named[1] == 0:
        return named[0]
    return None


def _resolve_currency(
    first: _Money,
    moneys: list[_Money],
    default: str | None,
    field: str,
    value: str | None,
    issues: list[Issue],
) -> str | None:
    if first.currency:
        return first.currency
    named_elsewhere = next((m.currency for m in moneys if m.currency), None)
    if named_elsewhere:  # '$500 - 800 NZD': the code belongs to the whole price
        return named_elsewhere
    if first.symbol:
        choices = AMBIGUOUS_SYMBOLS[first.symbol]
        if default in choices:
            issues.append(
                Issue.info(
                    field,
                    IssueCode.DEFAULTED,
                    f"'{first.symbol}' read as {default}, the provider's currency; write "
                    f"'{default} {_fmt(first.amount)}' to be explicit.",
                    value,
                )
            )
            return default
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"'{first.symbol}' could be any of {', '.join(choices[:4])}...; currency left empty. "
                "Write the ISO code, e.g. 'NZD 1,250', or set the provider's default currency.",
                value,
            )
        )
        return None
    if default:
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                f"No currency written; used the provider's currency {default}.",
                value,
            )
        )
        return default
    issues.append(
        Issue.warning(
            field,
            IssueCode.AMBIGUOUS,
            "No currency written; currency left empty. Add an ISO 4217 code (e.g. 'EUR 450') or "
            "fill the currency column.",
            value,
        )
    )
    return None


def _with_reference(
    price: Price, table: RateTable, ref: str, field: str, value: str | None, issues: list[Issue]
) -> Price:
    if price.currency == ref:
        return price.model_copy(update={"amount_ref": price.amount, "ref_currency": ref})
    converted = (
        table.convert(price.amount, price.currency, ref)
        if price.amount is not None and price.currency
        else None
    )
    if converted is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.NO_CROSSWALK,
                f"No exchange rate from {price.currency} to {ref} in the rate table of "
                f"{table.date.isoformat()}; the price is kept but cannot be compared across currencies.",
                value,
            )
        )
        return price
    return price.model_copy(
        update={
            "amount_ref": tidy(converted),
            "ref_currency": ref,
            "rate_date": table.date,
        }
    )


def _audience(folded: str) -> Audience:
    if not (
        "resident" in folded
        or "domestic" in folded
        or "home" in folded
        or "local" in folded
        or "citizen" in folded
        or "international" in folded
        or "overseas" in folded
    ):
        return Audience.ANY  # none of the words either pattern needs
    domestic = _DOMESTIC_RE.search(folded)
    international = _INTERNATIONAL_RE.search(folded)
    if domestic and international:
        return (
            Audience.DOMESTIC
            if domestic.start() < international.start()
            else Audience.INTERNATIONAL
        )
    if domestic:
        return Audience.DOMESTIC
    if international:
        return Audience.INTERNATIONAL
    return Audience.ANY


def _fmt(amount: float) -> str:
    return f"{amount:,.2f}".rstrip("0").rstrip(".")
