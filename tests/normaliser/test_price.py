"""parse_price and RateTable: symbols, codes, names, separators, free, ranges, tax, conversion."""

from __future__ import annotations

import json
from datetime import date

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.parsers.price import parse_price
from normaliser.rates import RateTable, RateTableError
from normaliser.schema import Audience
from normaliser.vocab.currencies import currency_code

AMB, DEF, NOX, UNP = (
    IssueCode.AMBIGUOUS,
    IssueCode.DEFAULTED,
    IssueCode.NO_CROSSWALK,
    IssueCode.UNPARSED,
)
DOM, INTL, ANY = Audience.DOMESTIC, Audience.INTERNATIONAL, Audience.ANY

# A fixed table so expected conversions do not move when the shipped table is refreshed.
TABLE = RateTable.from_dict(
    {
        "base": "EUR",
        "date": "2026-01-02",
        "source": "test table",
        "rates": {"EUR": 1.0, "NZD": 2.0, "GBP": 0.8, "USD": 1.25, "AUD": 1.6},
    }
)

# raw, default_currency, expected (amount, amount_max, currency, is_free, includes_tax), codes
CASES = [
    # symbols and codes
    ("NZ$1,250", None, (1250, None, "NZD", False, None), []),
    ("NZ$ 1,250", None, (1250, None, "NZD", False, None), []),
    ("NZD$1,250.00", None, (1250, None, "NZD", False, None), []),
    ("A$1,950", None, (1950, None, "AUD", False, None), []),
    ("AU$ 800", None, (800, None, "AUD", False, None), []),
    ("AUD 2400", None, (2400, None, "AUD", False, None), []),
    ("US$49", None, (49, None, "USD", False, None), []),
    ("USD 49", None, (49, None, "USD", False, None), []),
    ("49 USD", None, (49, None, "USD", False, None), []),
    ("49 usd", None, (49, None, "USD", False, None), []),
    ("C$300", None, (300, None, "CAD", False, None), []),
    ("S$500", None, (500, None, "SGD", False, None), []),
    ("€450", None, (450, None, "EUR", False, None), []),
    ("€ 450", None, (450, None, "EUR", False, None), []),
    ("450€", None, (450, None, "EUR", False, None), []),
    ("450 €", None, (450, None, "EUR", False, None), []),
    ("EUR 450", None, (450, None, "EUR", False, None), []),
    ("£300", None, (300, None, "GBP", False, None), []),
    ("£1,250", None, (1250, None, "GBP", False, None), []),
    ("GBP155.00", None, (155, None, "GBP", False, None), []),
    ("GBP 95.50", None, (95.5, None, "GBP", False, None), []),
    ("₹25,000", None, (25000, None, "INR", False, None), []),
    ("CHF 1'200", None, (1200, None, "CHF", False, None), []),
    ("CHF 1’200.–", None, (1200, None, "CHF", False, None), []),
    ("1200 NZD incl. GST", None, (1200, None, "NZD", False, True), []),
    ("$1,250 NZD", None, (1250, None, "NZD", False, None), []),
    ("$500 AUD", "NZD", (500, None, "AUD", False, None), []),
    # currency names
    ("500 US Dollars", None, (500, None, "USD", False, None), []),
    ("500 US Dollar", None, (500, None, "USD", False, None), []),
    ("450 euros", None, (450, None, "EUR", False, None), []),
    ("450 Euro", None, (450, None, "EUR", False, None), []),
    ("1250 New Zealand dollars", None, (1250, None, "NZD", False, None), []),
    ("300 pounds", None, (300, None, "GBP", False, None), []),
    ("300 pounds sterling", None, (300, None, "GBP", False, None), []),
    ("900 Australian dollars", None, (900, None, "AUD", False, None), []),
    ("1000 Swiss francs", None, (1000, None, "CHF", False, None), []),
    # thousands and decimal separators of both conventions
    ("2.450,00 €", None, (2450, None, "EUR", False, None), []),
    ("€2.450", None, (2450, None, "EUR", False, None), []),
    ("€12,50", None, (12.5, None, "EUR", False, None), []),
    ("1,250.50 NZD", None, (1250.5, None, "NZD", False, None), []),
    ("NZD 1 250", None, (1250, None, "NZD", False, None), []),
    ("NZD 1\u00a0250", None, (1250, None, "NZD", False, None), []),
    ("NZD 1\u202f250,00", None, (1250, None, "NZD", False, None), []),
    ("€1.234.567,89", None, (1234567.89, None, "EUR", False, None), []),
    ("$1,234,567", "USD", (1234567, None, "USD", False, None), [DEF]),
    ("€1.5k", None, (1500, None, "EUR", False, None), []),
    # a bare '$' or number takes the default currency, else stays empty with a warning
    ("$500", "NZD", (500, None, "NZD", False, None), [DEF]),
    ("$500", "AUD", (500, None, "AUD", False, None), [DEF]),
    ("$500", None, (500, None, None, False, None), [AMB]),
    ("$500", "EUR", (500, None, None, False, None), [AMB]),
    ("500", "NZD", (500, None, "NZD", False, None), [DEF]),
    ("500", None, (500, None, None, False, None), [AMB]),
    ("2400", "AUD", (2400, None, "AUD", False, None), [DEF]),
    ("¥50000", None, (50000, None, None, False, None), [AMB]),
    ("¥50000", "JPY", (50000, None, "JPY", False, None), [DEF]),
    # tax
    ("NZ$1,150 incl GST", None, (1150, None, "NZD", False, True), []),
    ("NZ$1,150 inc. GST", None, (1150, None, "NZD", False, True), []),
    ("NZ$1,150 (GST inclusive)", None, (1150, None, "NZD", False, True), []),
    ("NZ$1,000 + GST", None, (1000, None, "NZD", False, False), []),
    ("NZ$1,000 +GST", None, (1000, None, "NZD", False, False), []),
    ("NZ$1,000 excl. GST", None, (1000, None, "NZD", False, False), []),
    ("£250 excl. VAT", None, (250, None, "GBP", False, False), []),
    ("£250 plus VAT", None, (250, None, "GBP", False, False), []),
    ("£300 including VAT", None, (300, None, "GBP", False, True), []),
    ("€500 VAT included", None, (500, None, "EUR", False, True), []),
    ("A$990 ex GST", None, (990, None, "AUD", False, False), []),
    # free
    ("Free", None, (0, None, None, True, None), []),
    ("FREE", None, (0, None, None, True, None), []),
    ("free", "NZD", (0, None, "NZD", True, None), []),
    ("No cost", None, (0, None, None, True, None), []),
    ("No charge", None, (0, None, None, True, None), []),
    ("Free of charge", None, (0, None, None, True, None), []),
    # New Zealand's Fees Free (feesfree.govt.nz) pays the fees of learners who qualify: a
    # scheme, not a price; an amount beside it is the price.
    ("Fees-free", None, None, [AMB]),
    ("fees free", None, None, [AMB]),
    ("Fee free", None, None, [AMB]),
    ("$0 - fees free", "NZD", (0, None, "NZD", True, None), [AMB]),
    ("$0", None, (0, None, None, True, None), []),
    ("NZ$0.00", None, (0, None, "NZD", True, None), []),
    ("0", None, (0, None, None, True, None), []),
    ("Free (certificate $49)", None, (0, None, None, True, None), [AMB]),
    ("Free to audit, certificate US$49", None, (0, None, "USD", True, None), [AMB]),
    ("Complimentary", None, (0, None, None, True, None), []),
    ("Gratis", None, (0, None, None, True, None), []),
    # ranges, 'from', several prices
    ("$500–$800", "NZD", (500, 800, "NZD", False, None), [DEF]),
    ("$500 - $800", "NZD", (500, 800, "NZD", False, None), [DEF]),
    ("$500-800", "NZD", (500, 800, "NZD", False, None), [DEF]),
    ("€500 to €800", None, (500, 800, "EUR", False, None), []),
    ("500 - 800 EUR", None, (500, 800, "EUR", False, None), []),
    ("NZ$1,200—NZ$1,500", None, (1200, 1500, "NZD", False, None), []),
    ("From £99", None, (99, None, "GBP", False, None), []),
    ("from €1.200", None, (1200, None, "EUR", False, None), []),
    ("Up to £500", None, (500, None, "GBP", False, None), []),
    # several prices for different learners: the one anyone pays is the headline
    ("£99 early bird, £149 standard", None, (149, None, "GBP", False, None), [AMB]),
    ("Members £450; non-members £600", None, (600, None, "GBP", False, None), [AMB]),
    ("€1,200; annual renewal fee €150", None, (1200, None, "EUR", False, None), [AMB]),
    ("€450 (early bird until 1 March 2027)", None, (450, None, "EUR", False, None), []),
    ("NZ$300 per credit", None, (300, None, "NZD", False, None), [AMB]),
    ("£50/hour", None, (50, None, "GBP", False, None), [AMB]),
    ("€800 for 5 ECTS", None, (800, None, "EUR", False, None), []),
    # nothing to read
    ("TBC", None, None, [UNP]),
    ("POA", None, None, [UNP]),
    ("Price on application", None, None, [UNP]),
    ("Contact us for pricing", None, None, [UNP]),
    ("ask us", "NZD", None, [UNP]),
    ("Varies", None, None, [UNP]),
    ("€", None, None, [UNP]),
    ("💰💰", None, None, [UNP]),
    ("expensive" * 400, None, None, [UNP]),
]


@pytest.mark.parametrize(("raw", "default", "expected", "codes"), CASES)
def test_parse_price(raw, default, expected, codes) -> None:
    parsed = parse_price(raw, default_currency=default)
    if expected is None:
        assert parsed.value is None
    else:
        p = parsed.value
        assert (p.amount, p.amount_max, p.currency, p.is_free, p.includes_tax) == expected
        assert p.raw == raw
        assert p.amount_ref is None and p.ref_currency is None
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize(
    ("raw", "audience"),
    [
        ("Domestic NZ$1,250", DOM),
        ("International students: NZ$3,000", INTL),
        ("Domestic NZ$1,250; International NZ$3,000", DOM),
        # the home fee is the headline, whichever is written first
        ("International NZ$3,000 / domestic NZ$1,250", DOM),
        ("Overseas fee £9,000", INTL),
        ("Home students £1,250", DOM),
        ("NZ$1,250", ANY),
        ("Free for domestic learners", DOM),
    ],
)
def test_audience(raw, audience) -> None:
    assert parse_price(raw).value.audience is audience


@pytest.mark.parametrize(
    ("raw", "default", "ref", "amount_ref", "codes"),
    [
        ("NZ$1,000", None, "EUR", 500.0, []),
        ("€450", None, "EUR", 450.0, []),
        ("£80", None, "EUR", 100.0, []),
        ("US$125", None, "NZD", 200.0, []),
        ("£100", None, "usd", 156.25, []),
        ("Free", None, "EUR", 0.0, []),
        ("$500", "AUD", "EUR", 312.5, [DEF]),
        ("JPY 10000", None, "EUR", None, [NOX]),
        ("500", None, "EUR", None, [AMB]),
    ],
)
def test_reference_amount(raw, default, ref, amount_ref, codes) -> None:
    parsed = parse_price(raw, default_currency=default, rates=TABLE, ref_currency=ref)
    price = parsed.value
    assert price.amount_ref == amount_ref
    assert [i.code for i in parsed.issues] == codes
    if amount_ref is not None:
        assert price.ref_currency == ref.upper()
    if amount_ref is not None and price.currency not in (None, ref.upper()) and not price.is_free:
        assert price.rate_date == date(2026, 1, 2)


def test_reference_uses_shipped_table_by_default() -> None:
    price = parse_price("NZ$1,000", ref_currency="EUR").value
    table = RateTable.load_default()
    assert price.rate_date == table.date
    assert price.amount_ref == round(1000 / table.rates["NZD"], 2)


@pytest.mark.parametrize("raw", ["", "   ", None, "\u00a0"])
def test_empty_price(raw) -> None:
    assert (parse_price(raw).value, parse_price(raw).issues) == (None, [])


def test_unparsed_message_says_how_to_fix() -> None:
    issue = parse_price("POA").issues[0]
    assert issue.severity is Severity.WARNING
    assert "Free" in issue.message and "NZ$1,250" in issue.message


# --- the rate table ----------------------------------------------------------------------


def test_shipped_table_is_dated_sourced_and_euro_based() -> None:
    table = RateTable.load_default()
    assert table.base == "EUR"
    assert table.rates["EUR"] == 1.0
    assert date(2025, 1, 1) <= table.date <= date(2026, 12, 31)
    assert "ECB" in table.source and "ndicative" in table.source
    assert {"NZD", "AUD", "GBP", "USD", "EUR"} <= set(table.currencies())
    assert RateTable.load_default() is table  # cached


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (100, "EUR", "NZD", 200.0),
        (200, "NZD", "EUR", 100.0),
        (100, "GBP", "USD", 156.25),
        (100, "nzd", "aud", 80.0),
        (42, "XYZ", "EUR", None),
        (42, "EUR", "XYZ", None),
        (42, "XYZ", "XYZ", 42.0),
    ],
)
def test_convert(amount, source, target, expected) -> None:
    result = TABLE.convert(amount, source, target)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"date": "2026-01-01", "rates": {}, "source": "x"}, "base"),
        ({"base": "EUR", "date": "01/01/2026", "rates": {}, "source": "x"}, "YYYY-MM-DD"),
        ({"base": "EUR", "date": "2026-01-01", "rates": {"USD": -1}, "source": "x"}, "positive"),
        ({"base": "EUR", "date": "2026-01-01", "rates": {"USD": "1.1"}, "source": "x"}, "positive"),
    ],
)
def test_bad_rate_table(data, words) -> None:
    with pytest.raises(RateTableError, match=words):
        RateTable.from_dict(data)


def test_shipped_file_is_plain_json() -> None:
    from importlib import resources

    data = json.loads(resources.files("normaliser").joinpath("data/rates.json").read_text("utf-8"))
    assert set(data) >= {"base", "date", "source", "rates"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NZD", "NZD"),
        ("nzd", "NZD"),
        ("US Dollar", "USD"),
        ("Euro", "EUR"),
        ("euros", "EUR"),
        ("New Zealand dollars", "NZD"),
        ("Pound Sterling", "GBP"),
        ("€", "EUR"),
        ("NZ$", "NZD"),
        ("£", "GBP"),
        ("Gold", None),
        ("$", None),
        ("", None),
        ("dollars", None),
    ],
)
def test_currency_code(text, code) -> None:
    assert currency_code(text) == code
