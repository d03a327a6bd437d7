"""Reading numbers as providers write them: '1,250.50', '2.450,00', '1 250', '2,5', '7.5'."""

from __future__ import annotations

import re

# A number token: digits with optional grouping or decimal separators ('.', ',', or a
# space or Swiss apostrophe before exactly three digits). parse_number decides which
# separator is which.
NUMBER_PATTERN = r"\d+(?:[.,]\d+)*(?:[ '\u2019]\d{3}(?!\d))*(?:[.,]\d+)?"
NUMBER_RE = re.compile(NUMBER_PATTERN)
_DIGIT_GROUPS_RE = re.compile(r"\d+(?:[.,]\d+)*")

# Range joiners between two numbers: hyphen (clean() has already turned en and em dashes
# into hyphens) or the word 'to'.
RANGE_JOIN_PATTERN = r"\s*(?:-|to)\s*"


def parse_number(token: str) -> float | None:
    """The value of one number token, or None when it is not a number.

    Conventions, chosen because both European and English writing reach us:
    - a space or apostrophe between digit groups is a thousands separator ('1 250', "1'250");
    - when both '.' and ',' occur, the last one is the decimal mark ('2.450,00', '1,250.50');
    - one separator repeated is a thousands separator ('1,000,000', '1.000.000');
    - one separator followed by exactly three digits, after one to three leading digits
      other than a lone zero, is a thousands separator ('1,250', '1.250'); otherwise it is
      the decimal mark ('2,5', '7.5', '0.125').
    """
    text = token.strip().replace(" ", "").replace("'", "").replace("\u2019", "")
    if not text or not _DIGIT_GROUPS_RE.fullmatch(text):
        return None
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        grouping = "," if decimal == "." else "."
        if text.count(decimal) > 1:
            return None
        return float(text.replace(grouping, "").replace(decimal, "."))
    separator = "." if dots else "," if commas else None
    if separator is None:
        return float(text)
    if text.count(separator) > 1:
        groups = text.split(separator)
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return float("".join(groups))
        return None
    head, tail = text.split(separator)
    if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
        return float(head + tail)
    return float(f"{head}.{tail}")


def tidy(value: float, places: int = 2) -> float:
    """Round a derived value so 7.499999 does not reach users, and drop '-0.0'."""
    rounded = round(value, places)
    return rounded + 0.0
