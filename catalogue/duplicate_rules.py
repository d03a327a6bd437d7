"""When two offerings are one: the evidence rules of duplicate detection. Pure: records in,
a verdict out. catalogue.duplicates runs them over the catalogue.

Only strong evidence links two offerings, because a false link hides a real offering from
public search:
- the same provider, reaching us by two different ways (a crawl and a feed, two feeds):
  the same specific course page (URL) with closely similar titles, or a shared course code
  with similar titles, or near-identical titles;
- two providers (a MOOC platform listing an institution's course): the record of one names
  the other as its institution (edX keeps it in `raw.institution`), and the titles are
  near-identical or they share a course code or course page; or, without an institution,
  the same specific course page and near-identical titles.
Never linked, whatever else matches: titles with different numbers ("Data Science I" and
"... II", "Excel 2019" and "Excel 2021"), different EQF levels, ECTS credits more than 10%
apart, or two offerings of one provider from the same source (a feed lists distinct
offerings, even when two share a title: campuses, intakes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit

TITLE_MATCH = 0.9  # title similarity alone, across providers (with an institution)
SAME_PROVIDER_TITLE_MATCH = 0.95  # title similarity alone, one provider by two ways
URL_TITLE_MATCH = 0.8  # with the same course page
CODE_TITLE_MATCH = 0.5  # with a shared course code
MAX_ECTS_DIFFERENCE = 0.1

# "s" is what is left of a possessive ("CS50's") once punctuation splits words.
_STOP_WORDS = frozenset("a an the and of to in for with on at by from your s".split())
_SYNONYMS = {"intro": "introduction", "mgmt": "management", "&": "and"}
# Course words that say little about the subject: left out of the blocking key only.
_GENERIC_COURSE_WORDS = frozenset(
    "introduction course certificate micro credential microcredential fundamentals basics "
    "essentials professional online program programme module workshop".split()
)
_ROMAN = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())
_GENERIC_ORGANISATION_WORDS = frozenset(
    "university college institute institution school academy polytechnic of and the "
    "technology online open learning centre center".split()
)
_ACRONYM_SKIP = frozenset("of and the for".split())
_CODE = re.compile(r"^(?=(?:.*[A-Z]){2})(?=(?:.*\d){2})[A-Z0-9]{4,20}$")
_TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref")
# Keys of `raw` where a platform's record names the institution behind a course, and where
# a record gives its course code.
INSTITUTION_KEYS = (
    "institution",
    "university",
    "organisation",
    "organization",
    "school",
    "partner",
    "provider",
)
CODE_KEYS = ("course_code", "course code", "code", "module_code", "module code", "unit_code")
CHANNEL_RANK = {"push": 0, "pull": 1, "cli": 2, "crawl": 3}
BLOCKING_KINDS = ("url", "code", "title")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z&]+", _fold(text)) if w]


def title_tokens(title: str) -> tuple[str, ...]:
    words = [_SYNONYMS.get(w, w) for w in _words(title)]
    return tuple(w for w in words if w not in _STOP_WORDS)


def title_key(tokens: tuple[str, ...]) -> str | None:
    """Blocking key: the title's subject words, in any order."""
    core = sorted({t for t in tokens if t not in _GENERIC_COURSE_WORDS})
    return " ".join(core) if core else None


def numbers_in(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t for t in tokens if t.isdigit() or t in _ROMAN)


def title_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The larger of the word-set overlap (order-free) and the character similarity of the
    word sequences (tolerates a typo or a plural), 0..1."""
    if not a or not b:
        return 0.0
    jaccard = len(set(a) & set(b)) / len(set(a) | set(b))
    sequence = SequenceMatcher(None, " ".join(a), " ".join(b), autojunk=False).ratio()
    return max(jaccard, sequence)


def normalise_url(url: str | None) -> str | None:
    """Host and path of a course page, the same however it was written: scheme, `www.`,
    default ports, trailing slashes, fragments and tracking parameters dropped. None for a
    site's home page, which says nothing about one course."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:
        return None
    path = re.sub(r"/+", "/", parts.path).rstrip("/")
    if not host or not path:
        return None
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING_PARAMETERS)
    )
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def course_codes(*values: str | None) -> frozenset[str]:
    """Course codes in ids, code fields and URL path ends: letters and digits, at least two of
    each (`MC-DS-101`, `COMP101`), written without separators and in upper case."""
    codes = set()
    for value in values:
        if not value:
            continue
        candidate = value.rstrip("/").rsplit("/", 1)[-1]
        squeezed = re.sub(r"[\s._-]+", "", candidate).upper()
        if _CODE.match(squeezed):
            codes.add(squeezed)
    return frozenset(codes)


def _organisation_words(name: str) -> list[str]:
    words = [w for w in _words(name) if w != "&"]
    # edX names an institution's course programme with an X: HarvardX, MITx, DelftX.
    if len(words) == 1 and len(words[0]) > 3 and words[0].endswith("x"):
        words = [words[0][:-1]]
    return words


def institution_matches(institution: str | None, provider_name: str | None) -> bool:
    """The institution a record names is this provider: the same name; its distinctive
    words with only generic words beside them in the provider's name ("HarvardX" and
    "Harvard University", not "Michigan" and "Michigan State University"); or its acronym
    ("MITx" and "Massachusetts Institute of Technology")."""
    if not institution or not provider_name:
        return False
    named, provider = _organisation_words(institution), _organisation_words(provider_name)
    if not named or not provider:
        return False
    if named == provider:
        return True
    distinctive = set(named) - _GENERIC_ORGANISATION_WORDS
    if (
        distinctive
        and set(named) <= set(provider)
        and set(provider) - set(named) <= _GENERIC_ORGANISATION_WORDS
    ):
        return True
    acronym = "".join(w[0] for w in provider if w not in _ACRONYM_SKIP)
    return len(named) == 1 and len(acronym) >= 2 and named[0] == acronym


@dataclass(frozen=True)
class MatchRecord:
    """What duplicate detection knows of one offering."""

    id: str
    provider_id: str
    provider_name: str
    channel: str
    source_id: int | None
    title: str
    first_seen: datetime
    url: str | None = None  # normalised
    codes: frozenset[str] = frozenset()
    institution: str | None = None
    eqf: int | None = None
    ects: float | None = None
    tokens: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(
        cls,
        *,
        id: str,
        provider_id: str,
        provider_name: str,
        channel: str,
        source_id: int | None,
        first_seen: datetime,
        source_url: str | None,
        document: dict,
    ) -> MatchRecord:
        raw = {str(k).strip().casefold(): v for k, v in (document.get("raw") or {}).items()}
        level, credits = document.get("level") or {}, document.get("credits") or {}
        url = document.get("url") or (source_url if channel == "crawl" else None)
        codes = course_codes(
            document.get("provider_offering_id"), url, *(raw.get(k) for k in CODE_KEYS)
        )
        institution = next((raw[k] for k in INSTITUTION_KEYS if raw.get(k)), None)
        title = document.get("title") or ""
        return cls(
            id=id,
            provider_id=provider_id,
            provider_name=provider_name,
            channel=channel,
            source_id=source_id,
            title=title,
            first_seen=first_seen,
            url=normalise_url(url),
            codes=codes,
            institution=institution,
            eqf=level.get("eqf"),
            ects=credits.get("ects"),
            tokens=title_tokens(title),
        )

    @property
    def origin(self) -> str:
        return origin_of(self.channel, self.source_id)

    def keys(self) -> set[tuple[str, str]]:
        """Blocking keys (kind, hashed value): offerings sharing none are never compared."""
        out = set()
        if self.url:
            out.add(("url", _digest(self.url)))
        out.update(("code", _digest(code)) for code in self.codes)
        key = title_key(self.tokens)
        if key:
            out.add(("title", _digest(key)))
        return out


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Match:
    reasons: tuple[str, ...]  # url, course_code, title, institution
    title_similarity: float
    evidence: dict


def _conflict(a: MatchRecord, b: MatchRecord) -> bool:
    if numbers_in(a.tokens) != numbers_in(b.tokens):
        return True
    if a.eqf is not None and b.eqf is not None and a.eqf != b.eqf:
        return True
    if a.ects and b.ects and abs(a.ects - b.ects) > MAX_ECTS_DIFFERENCE * max(a.ects, b.ects):
        return True
    return False


def _institution_link(a: MatchRecord, b: MatchRecord) -> str | None:
    if institution_matches(a.institution, b.provider_name):
        return a.institution
    if institution_matches(b.institution, a.provider_name):
        return b.institution
    if (
        a.institution
        and b.institution
        and _organisation_words(a.institution) == _organisation_words(b.institution)
    ):
        return a.institution
    return None


def origin_of(channel: str, source_id: int | None) -> str:
    """How an offering reached us: the channel and the registered source, if any."""
    return f"{channel}:{source_id if source_id is not None else '-'}"


def may_match(provider_a: str, origin_a: str, provider_b: str, origin_b: str) -> bool:
    """Whether two offerings can be one at all, from where they came alone: not two
    offerings of one provider from one source."""
    return not (provider_a == provider_b and origin_a == origin_b)


def compare(
    a: MatchRecord, b: MatchRecord, *, generic_urls: frozenset[str] = frozenset()
) -> Match | None:
    """The evidence that `a` and `b` are one offering, or None. `generic_urls` are pages
    too many offerings point at to say anything about one of them."""
    if a.id == b.id or not may_match(a.provider_id, a.origin, b.provider_id, b.origin):
        return None
    same_url = a.url is not None and a.url == b.url and a.url not in generic_urls
    institution = None
    if a.provider_id == b.provider_id:  # reached us by two different ways
        title_needed = SAME_PROVIDER_TITLE_MATCH
    else:
        title_needed = TITLE_MATCH
        institution = _institution_link(a, b)
        if institution is None and not same_url:
            return None
    if _conflict(a, b):
        return None
    similarity = title_similarity(a.tokens, b.tokens)
    if institution is None and a.provider_id != b.provider_id and similarity < TITLE_MATCH:
        return None  # no institution named: only the same page with near-identical titles
    shared_codes = sorted(a.codes & b.codes)
    reasons: list[str] = []
    evidence: dict = {"title_similarity": round(similarity, 4)}
    if same_url and similarity >= URL_TITLE_MATCH:
        reasons.append("url")
        evidence["url"] = a.url
    if shared_codes and similarity >= CODE_TITLE_MATCH:
        reasons.append("course_code")
        evidence["course_codes"] = shared_codes
    if similarity >= title_needed:
        reasons.append("title")
    if not reasons:
        return None
    if institution is not None:
        reasons.append("institution")
        evidence["institution"] = institution
    return Match(reasons=tuple(reasons), title_similarity=similarity, evidence=evidence)


def primary_rank(record: MatchRecord, members: list[MatchRecord]) -> tuple:
    """Lower is better: the institution's own listing before a platform's listing of it,
    then a feed before a crawl, then the first to reach us."""
    named_by_other = any(
        institution_matches(m.institution, record.provider_name)
        for m in members
        if m.id != record.id
    )
    return (
        0 if named_by_other else 1,
        CHANNEL_RANK.get(record.channel, 9),
        record.first_seen,
        record.id,
    )
