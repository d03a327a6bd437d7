"""Credit values: '5 ECTS', '15 credits', '10 CATS points', '3 US credit hours', '40 notional hours'."""

from __future__ import annotations

import re

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised, memoised_parser
from normaliser.parsers.numeric import NUMBER_PATTERN, RANGE_JOIN_PATTERN, parse_number, tidy
from normaliser.schema import Credits, CreditSystem
from normaliser.text import clean, fold, shorten, words_to_digits
from normaliser.vocab.credit_systems import COUNTRY_DEFAULT_SYSTEM, CREDIT_SYSTEMS

# Unit words per system, most specific first; matched against folded text.
_UNIT_PATTERNS: list[tuple[CreditSystem | None, str]] = [
    (
        CreditSystem.ECTS,
        r"ects(?:[\s-]*(?:credits?|points?|cr|cp))?|european credits?"
        # National credits defined as ECTS credits, one for one (60 a year of
        # full-time study): Sweden's hogskolepoang, 'hp' (Higher Education
        # Ordinance SFS 1993:100, ch. 6 s. 17); Norway's studiepoeng, 'stp' or
        # 'sp' (Regulations on degrees, Universities and University Colleges
        # Act); Finland's opintopiste, 'op' (Government Decree on University
        # Degrees 794/2004, s. 5); the Netherlands' studiepunt, 'EC' (WHW art.
        # 7.4); Germany's Leistungspunkte or Kreditpunkte, 'LP', 'KP' (KMK
        # Landergemeinsame Strukturvorgaben); Spanish and Portuguese 'creditos
        # ECTS'.
        r"|hogskolepoang|hp|studiepoeng|stp|sp|opintopisteen"
        r"|opintopistetta|opintopiste|op|studiepunten|studiepunt|ec"
        r"|leistungspunkte|kreditpunkte|lp|kp|creditos?[\s-]*ects",
    ),
    (
        CreditSystem.NZ_CREDITS,
        r"(?:nzqa|nzqf|nzqcf|nz|new zealand)[\s-]*(?:level[\s-]*\d+[\s-]*)?(?:credits?|cr)",
    ),
    (CreditSystem.CATS, r"(?:uk[\s-]*)?cats(?:[\s-]*(?:credits?|points?))?|uk credits?"),
    (CreditSystem.SCQF, r"scqf(?:[\s-]*(?:credit[\s-]*)?(?:points?|credits?))?"),
    (
        CreditSystem.US_SCH,
        r"(?:us[\s-]*)?(?:semester[\s-]*)?credit[\s-]*hours?|(?:us[\s-]*)?semester[\s-]*hours?|sch|us[\s-]*credits?",
    ),
    (
        CreditSystem.HOURS,
        r"(?:(?:notional|learning|study|guided learning|total)[\s-]*)?(?:hours?|hrs?|h)"
        r"(?:[\s-]*(?:of[\s-]*)?(?:notional[\s-]*)?(?:learning|study|work|effort))?|glh",
    ),
    (None, r"credit[\s-]*points?|credits?|cr|cps?|points?|pts?"),
]
_UNIT_ALTERNATION = "|".join(f"(?P<u{i}>{p})" for i, (_, p) in enumerate(_UNIT_PATTERNS))
_AMOUNT = rf"(?P<n>{NUMBER_PATTERN})(?:{RANGE_JOIN_PATTERN}(?P<n2>{NUMBER_PATTERN}))?"
_NUMBER_THEN_UNIT_RE = re.compile(rf"(?<![\d.,]){_AMOUNT}\s*-?\s*(?:{_UNIT_ALTERNATION})(?![a-z])")
_UNIT_THEN_NUMBER_RE = re.compile(
    rf"(?<![a-z])(?:{_UNIT_ALTERNATION})\s*[:=]?\s*{_AMOUNT}(?![\d.,]?\d)"
)
_BARE_RE = re.compile(rf"^{_AMOUNT}$")
_UNIT_RE = re.compile(rf"(?:{_UNIT_ALTERNATION})")
_NO_CREDIT_RE = re.compile(r"\b(?:non|no|not|zero)[\s-]*credit(?:s|[\s-]*bearing)?\b")
_SYSTEM_NAMES = {s.value.lower(): s for s in CreditSystem}
# A framework named beside plain 'credits' ('15 credits (NZQF)') says whose credits they are:
# NZQF credits are NZ credits; SCQF credit points are SCQF's; England's and Wales's frameworks
# (RQF, FHEQ, the former QCF, CQFW) count credits of ten notional hours, the CATS convention.
# AQF, EQF and the Irish NFQ define no one credit system, so naming them settles nothing.
_FRAMEWORK_SYSTEMS = {
    "nzqf": CreditSystem.NZ_CREDITS,
    "nzqa": CreditSystem.NZ_CREDITS,
    "nzqcf": CreditSystem.NZ_CREDITS,
    "scqf": CreditSystem.SCQF,
    "rqf": CreditSystem.CATS,
    "fheq": CreditSystem.CATS,
    "qcf": CreditSystem.CATS,
    "cqfw": CreditSystem.CATS,
}
_FRAMEWORK_RE = re.compile(r"\b(" + "|".join(_FRAMEWORK_SYSTEMS) + r")\b")
_UNITS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * n
    for n, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2
    )
}
_NUMBER_WORD = "|".join([*_TENS, *_UNITS, "hundred", "and", "a", "half"])
_WORDS_RE = re.compile(rf"\b(?:{'|'.join([*_TENS, *_UNITS])})(?:[\s-]+(?:{_NUMBER_WORD})\b)*")

# Sizes beyond these are typing errors, not credentials (a doctorate is 180-240 ECTS).
_MAX_VALUE = {CreditSystem.HOURS: 20000.0}
_DEFAULT_MAX_VALUE = 1000.0


@memoised_parser
def parse_credits(
    raw: str | None, system_hint: str | CreditSystem | None = None, field: str = "credits"
) -> Parsed[Credits]:
    """Read a credit value and convert it to ECTS and notional hours by published convention.

    `system_hint` is either a credit system ('ECTS', 'NZ credits', a CreditSystem) given by
    the provider, or a two-letter provider country ('NZ', 'IE') used as a default when the
    value only says 'credits'.
    """
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = words_to_digits(_number_words_to_digits(fold(text)))
    issues: list[Issue] = []

    if _NO_CREDIT_RE.search(folded):
        return Parsed(Credits(value=0.0, ects=0.0, raw=str(raw)))

    found = _find_amount(folded)
    if found is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                "No credit value found; write a number and its system, e.g. '15 NZ credits' or '5 ECTS'.",
                value,
            )
        )
        return Parsed(None, issues)
    system, low, high = found
    if high is not None and high != low:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"A range of credits ({_fmt(min(low, high))} to {_fmt(max(low, high))}) was given; "
                "kept the lower. Give one credit value per offering.",
                value,
            )
        )
        low = min(low, high)

    if system is None:
        framework = _FRAMEWORK_RE.search(folded)
        if framework is not None:
            system = _FRAMEWORK_SYSTEMS[framework.group(1)]
            issues.append(
                Issue.info(
                    field,
                    IssueCode.DEFAULTED,
                    f"the value names the {framework.group(1).upper()} framework, not a credit "
                    f"system; read as {system} credits. Write e.g. '{_fmt(low)} {system}' to be "
                    "sure",
                    value,
                )
            )
    if system is None:
        system = _system_from_hint(system_hint, field, value, issues)
    if system is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"'{_fmt(low)} credits' does not say which credit system; write e.g. "
                f"'{_fmt(low)} ECTS' or '{_fmt(low)} NZ credits', or fill credit_system.",
                value,
            )
        )
        return Parsed(Credits(value=low, raw=str(raw)), issues)

    limit = _MAX_VALUE.get(system, _DEFAULT_MAX_VALUE)
    if low > limit:
        issues.append(
            Issue.error(
                field,
                IssueCode.INVALID,
                f"{_fmt(low)} {system} is far larger than any credential; check the number.",
                value,
            )
        )
        return Parsed(None, issues)

    info = CREDIT_SYSTEMS[system]
    credits = Credits(
        value=low,
        system=system,
        ects=tidy(low * info.ects_per_credit),
        hours=tidy(low * info.hours_per_credit),
        approximate=info.approximate,
        raw=str(raw),
    )
    if info.approximate:
        issues.append(
            Issue.info(
                field,
                IssueCode.APPROXIMATE,
                f"ECTS from {system} is approximate ({info.ects_source}). State ECTS as well if you "
                "know the official equivalence.",
                value,
            )
        )
    return Parsed(credits, issues)


@memoised
def credit_system_from_text(raw: object) -> CreditSystem | None:
    """The credit system a short text names: 'ECTS', 'NZ credits', 'CATS', 'US_SCH', 'hours'."""
    folded = fold(raw)
    if not folded:
        return None
    if folded in _SYSTEM_NAMES:
        return _SYSTEM_NAMES[folded]
    match = _UNIT_RE.fullmatch(folded)
    if match:
        return _system_of(match)
    if folded in ("nzqa", "nzqf", "nzqcf", "nz", "new zealand"):
        return CreditSystem.NZ_CREDITS
    return None


def _number_words_to_digits(folded: str) -> str:
    """'fifteen credits' -> '15 credits', 'one hundred and twenty' -> '120', 'seven and a
    half' -> '7.5': credit totals written in words, as some prospectuses do."""

    def value(match: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s-]+", match.group(0)) if w]
        total, last, used, half = 0, "", 0, False
        for index, word in enumerate(words):
            following = words[index + 1 : index + 3]
            if word in _UNITS and (
                last in ("", "hundred", "and")
                or (last == "tens" and _UNITS[word] < 10 and word != "zero")
            ):
                total, last = total + _UNITS[word], "unit"
            elif word in _TENS and last in ("", "hundred", "and"):
                total, last = total + _TENS[word], "tens"
            elif word == "hundred" and last == "unit" and 0 < total < 10:
                total, last = total * 100, "hundred"
            elif word == "and" and (last == "hundred" or following == ["a", "half"]):
                last = "and"
            elif word == "a" and last == "and" and following[:1] == ["half"]:
                last = "a"
            elif word == "half" and last == "a":
                half, last = True, "half"
            else:
                break
            used = index + 1
        if last in ("and", "a"):  # 'and' that led nowhere stays a word
            used -= 1 if last == "and" else 2
        number = f"{total}.5" if half else str(total)
        rest = " ".join(words[used:])
        return f"{number} {_number_words_to_digits(rest)}" if rest else number

    return _WORDS_RE.sub(value, folded)


def _find_amount(folded: str) -> tuple[CreditSystem | None, float, float | None] | None:
    """The amount to use: a named credit system first, then plain 'credits', then hours.

    '15 credits (150 hours)' is 15 credits: hours are often given beside credits as an
    explanation, so they only count when nothing else is written.
    """
    readings: list[tuple[int, int, CreditSystem | None, float, float | None]] = []
    for pattern in (_NUMBER_THEN_UNIT_RE, _UNIT_THEN_NUMBER_RE):
        for match in pattern.finditer(folded):
            low = parse_number(match.group("n"))
            high = parse_number(match.group("n2")) if match.group("n2") else None
            if low is not None:
                system = _system_of(match)
                rank = 2 if system is CreditSystem.HOURS else 1 if system is None else 0
                readings.append((rank, match.start(), system, low, high))
    if not readings:
        bare = _BARE_RE.match(folded)
        amount = parse_number(bare.group("n")) if bare else None
        if bare and amount is not None:
            high = parse_number(bare.group("n2")) if bare.group("n2") else None
            return None, amount, high
        return None
    _, _, system, low, high = min(readings, key=lambda r: (r[0], r[1]))
    return system, low, high


def _system_of(match: re.Match[str]) -> CreditSystem | None:
    for i, (system, _) in enumerate(_UNIT_PATTERNS):
        if match.group(f"u{i}"):
            return system
    return None


def _system_from_hint(
    hint: str | CreditSystem | None, field: str, value: str | None, issues: list[Issue]
) -> CreditSystem | None:
    if hint is None or (isinstance(hint, str) and not hint.strip()):
        return None
    if isinstance(hint, CreditSystem):
        return hint
    stripped = clean(hint)
    if stripped.upper() in COUNTRY_DEFAULT_SYSTEM:
        system: CreditSystem | None = COUNTRY_DEFAULT_SYSTEM[stripped.upper()]
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                f"Credit system {system} assumed from the provider's country ({stripped.upper()}); "
                "name the system in the value or in credit_system to be sure.",
                value,
            )
        )
        return system
    system = credit_system_from_text(stripped)
    if system is None and len(stripped) != 2:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                f"credit_system '{shorten(hint, 60)}' is not a system we know; use one of "
                f"{', '.join(s.value for s in CreditSystem)}.",
                shorten(hint),
            )
        )
    return system


def _fmt(number: float) -> str:
    return f"{number:g}"
