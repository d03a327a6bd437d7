"""Places: 'Wellington, New Zealand', 'Online', 'Dublin', 'Glasgow, Scotland', 'Sydney NSW', 'Auckland; Online'.

Several places are separated by ';', '|', new lines, ' / ', 'or', 'and', '&'; a comma
list made only of known cities ('Auckland, Wellington') is several places too.
A city in the gazetteer fills region, country and coordinates. When a city name is
in the gazetteer for one country only, that country is used even if the provider's
default country differs (a provider may teach abroad); the default only breaks ties
('Perth', 'Cambridge') and fills the country of cities we do not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised, memoised_parser
from normaliser.schema import Place
from normaliser.text import clean, fold, shorten
from normaliser.vocab.places import (
    AU_STATE_ABBREVIATIONS,
    COUNTRY_ALIASES,
    City,
    cities_by_name,
    regions_by_name,
)

_SEGMENT_SPLIT_RE = re.compile(
    r"\s*(?:[;\n\r|]+|\s/\s|(?<![a-z])(?:or|and)(?![a-z])|&)\s*", re.IGNORECASE
)
_ONLINE_RE = re.compile(
    r"(?<![a-z])(?:online|on[\s-]line|virtual|virtually|remote|remotely|distance|distance learning"
    r"|web|web[\s-]based|internet|zoom|via zoom|anywhere|e[\s-]?learning|livestream|live[\s-]stream"
    r"|everywhere|worldwide|from home|at home|mooc)(?![a-z])"
)
_ONLINE_FILLER_RE = re.compile(
    r"(?<![a-z])(?:learning|study|studies|delivery|delivered|only|course|classes|based|via"
    r"|platform|teams|microsoft|sessions?|live|self[\s-]*paced)(?![a-z])"
)
_NOISE_RE = re.compile(
    r"(?<![a-z])(?:campus|main campus|city campus|cbd|city centre|city center|central|centre|center"
    r"|city|town|area|metro|metropolitan|delivered in|based in|in|at|near|the|venue)(?![a-z])"
)
# Postcodes, Eircodes, street and district numbers: any word with a digit in it.
_POSTCODE_RE = re.compile(r"(?<![a-z0-9])[a-z]*\d[a-z\d]*(?![a-z0-9])")
_NOT_A_PLACE_RE = re.compile(
    r"^(?:tbc|tba|tbd|n/?a|none|various|various locations|multiple locations|several locations"
    r"|to be (?:confirmed|advised|announced)|see website|nationwide|national|flexible)$"
)
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_DC_RE = re.compile(r"washington,?\s*d\.?\s*c\.?", re.IGNORECASE)
_LINE_SPLIT_RE = re.compile(r"[\n\r;|]+")
_LETTER_RE = re.compile(r"[a-z]")


@dataclass
class _Part:
    text: str  # as written (cleaned), for city names we do not know
    key: str  # folded, without noise words and postcodes
    cities: tuple[City, ...] = ()
    regions: tuple[tuple[str, str], ...] = ()
    countries: tuple[tuple[str, str | None], ...] = ()
    sub: list[_Part] = field(default_factory=list)


@memoised_parser
def parse_place(
    raw: str | list[str] | None, default_country: str | None = None, field: str = "location"
) -> Parsed[list[Place]]:
    """Read one or more places into country (ISO 3166-1 alpha-2), region, city and coordinates."""
    pieces = raw if isinstance(raw, list) else [raw]
    places: list[Place] = []
    issues: list[Issue] = []
    default = (default_country or "").strip().upper() or None
    seen: list[dict] = []
    for piece in pieces:
        for segment in _segments(str(piece or "")):
            for place in _parse_segment(segment, default, field, issues):
                key = place.model_dump(exclude={"raw"})
                if key not in seen:  # 'Online / anywhere' is one online place
                    seen.append(key)
                    places.append(place)
    return Parsed(places, issues)


@memoised
def country_code(raw: object) -> str | None:
    """ISO 3166-1 alpha-2 for a country name or code ('New Zealand', 'UK', 'IRL', 'nz'), or None."""
    found = _country(fold(raw), str(raw or "").strip())
    return found[0][0] if found else None


def _segments(raw: str) -> list[str]:
    segments: list[str] = []
    for line in _LINE_SPLIT_RE.split(raw):
        text = _DC_RE.sub("Washington DC", clean(line))
        if not text:
            continue
        if _country(fold(text), text):
            segments.append(text)
        else:
            segments.extend(clean(s) for s in _SEGMENT_SPLIT_RE.split(text) if s and s.strip())
    return segments


def _parse_segment(
    segment: str, default: str | None, field: str, issues: list[Issue]
) -> list[Place]:
    value = shorten(segment)
    folded = fold(_BRACKETS_RE.sub(" ", segment))
    if _ONLINE_RE.search(folded):
        rest = clean(_ONLINE_FILLER_RE.sub(" ", _NOISE_RE.sub(" ", _ONLINE_RE.sub(" ", folded))))
        if not _LETTER_RE.search(rest):
            return [Place(online=True, raw=segment)]

    if _NOT_A_PLACE_RE.match(clean(folded)):
        issues.append(_unread(field, value))
        return []
    parts = [p for p in (_classify(t) for t in segment.split(",")) if p is not None]
    if not parts:
        issues.append(_unread(field, value))
        return []

    # 'Auckland, Wellington, Christchurch': each part a city, none a qualifier of another.
    city_parts = [p for p in parts if p.cities]
    if len(city_parts) == len(parts) > 1 and not any(
        _qualifies(p, city_parts[0]) for p in city_parts[1:]
    ):
        places: list[Place] = []
        for part in city_parts:
            places.extend(_build([part], default, field, value, issues))
        return places
    return _build(parts, default, field, value, issues)


def _classify(text: str) -> _Part | None:
    written = clean(_BRACKETS_RE.sub(" ", text))
    key = clean(_POSTCODE_RE.sub(" ", fold(written)))
    bare = clean(_NOISE_RE.sub(" ", key))
    if not _LETTER_RE.search(bare):
        return None
    part = _lookup(bare, written)
    if part.cities or part.regions or part.countries:
        return part
    # 'Sydney NSW', 'Glasgow Scotland', 'Boston MA': split off trailing region or country words.
    words = bare.split()
    for cut in range(len(words) - 1, 0, -1):
        head = _lookup(" ".join(words[:cut]), " ".join(written.split()[:cut]))
        tail = _lookup(" ".join(words[cut:]), " ".join(written.split()[cut:]))
        if (tail.regions or tail.countries) and (head.cities or head.regions):
            part = _Part(text=written, key=bare)
            part.sub = [head, tail]
            return part
    return part


def _lookup(key: str, written: str) -> _Part:
    if "/" in key:  # 'Derry/Londonderry': two names for one place
        for side, side_written in zip(key.split("/"), written.split("/"), strict=False):
            part = _lookup(clean(side), clean(side_written))
            if part.cities or part.regions or part.countries:
                return _Part(
                    text=written,
                    key=key,
                    cities=part.cities,
                    regions=part.regions,
                    countries=part.countries,
                )
    return _Part(
        text=written,
        key=key,
        cities=cities_by_name().get(key, ()),
        regions=_regions(key, written),
        countries=tuple(_country(key, written)),
    )


def _regions(key: str, written: str) -> tuple[tuple[str, str], ...]:
    found = regions_by_name().get(key, ())
    if len(key) <= 3:
        # Abbreviations only count in capitals as written ('NSW', 'MA'), not as ordinary words.
        if written.strip().upper() != written.strip() or not written.strip():
            return ()
        if key.upper() not in AU_STATE_ABBREVIATIONS:
            found = tuple(r for r in found if r[0] == "US")
    return found


def _country(key: str, written: str) -> list[tuple[str, str | None]]:
    if not key:
        return []
    if key in COUNTRY_ALIASES:
        return [COUNTRY_ALIASES[key]]
    if len(key) <= 3:
        if written.strip().upper() != written.strip():
            return []
        found = (
            pycountry.countries.get(alpha_2=key.upper())
            if len(key) == 2
            else pycountry.countries.get(alpha_3=key.upper())
        )
        return [(found.alpha_2, None)] if found else []
    code = _country_by_name(key)
    return [(code, None)] if code else []


@memoised
def _country_by_name(key: str) -> str | None:
    """pycountry's lookup by name; slow when nothing matches (it tries every country)."""
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


def _qualifies(part: _Part, city_part: _Part) -> bool:
    """True when `part` names the region of the city in `city_part` ('Lower Hutt, Wellington')."""
    regions = {name for _, name in part.regions} | {c.region for c in part.cities}
    return any(c.region in regions for c in city_part.cities) and bool(part.regions)


def _flatten(parts: list[_Part]) -> list[_Part]:
    flat: list[_Part] = []
    for part in parts:
        flat.extend(part.sub or [part])
    return flat


def _build(
    parts: list[_Part], default: str | None, field: str, value: str | None, issues: list[Issue]
) -> list[Place]:
    parts = _flatten(parts)
    city_part = next((p for p in parts if p.cities), None)
    others = [p for p in parts if p is not city_part and (p.countries or p.regions)]

    if city_part:
        candidates = list(city_part.cities)
        for other in others:  # 'Perth, WA', 'Cambridge, MA': keep cities the other parts allow
            candidates = [c for c in candidates if c.country in _countries_allowed(other)]
        if len(candidates) > 1 and default:
            candidates = [c for c in candidates if c.country == default] or candidates
        if len(candidates) == 1:
            city = candidates[0]
            return [
                Place(
                    country=city.country,
                    region=city.region,
                    city=city.name,
                    lat=city.lat,
                    lon=city.lon,
                    raw=_raw(parts),
                )
            ]
        if len(candidates) > 1:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.AMBIGUOUS,
                    f"'{city_part.text}' is a city in several countries "
                    f"({', '.join(sorted({c.country for c in candidates}))}); add the country, "
                    f"e.g. '{city_part.text}, {candidates[0].country}'.",
                    value,
                )
            )
            return [Place(city=city_part.cities[0].name, raw=_raw(parts))]
        # A known city name in another country than the one written: a namesake we do not know.

    # Every reading of each qualifying part: (country, region or None).
    readings = [set(p.countries) | set(p.regions) for p in others]
    country, region = _agree(readings, default)
    if country is None and any(readings):
        choices = sorted({c for r in readings for c, _ in r})
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"'{_raw(others)}' could mean {' or '.join(choices)}; write the country name.",
                value,
            )
        )
    unknown_city = (
        city_part.text
        if city_part
        else next((p.text for p in parts if not (p.regions or p.countries)), None)
    )

    if country is None and not any(readings) and default and unknown_city:
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                f"No country written; used the provider's country {default}.",
                value,
            )
        )
        country = default
    if country is None and unknown_city is None:
        if not any(readings):
            issues.append(_unread(field, value))
        return []
    if country is None and not any(readings):
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Could not tell which country '{unknown_city}' is in; add the country, "
                f"e.g. '{unknown_city}, New Zealand'.",
                value,
            )
        )
    return [Place(country=country, region=region, city=unknown_city, raw=_raw(parts))]


def _countries_allowed(part: _Part) -> set[str]:
    return {c for c, _ in part.countries} | {c for c, _ in part.regions}


def _agree(
    readings: list[set[tuple[str, str | None]]], default: str | None
) -> tuple[str | None, str | None]:
    """The one country all parts allow, and the region named for it; (None, None) when unclear."""
    readings = [r for r in readings if r]
    if not readings:
        return None, None
    common = set.intersection(*({c for c, _ in r} for r in readings))
    if len(common) > 1 and default in common:
        common = {default}
    if len(common) != 1:
        return None, None
    country = common.pop()
    regions = [name for r in readings for c, name in r if c == country and name]
    return country, regions[0] if regions else None


def _raw(parts: list[_Part]) -> str:
    return ", ".join(p.text for p in parts)


def _unread(field: str, value: str | None) -> Issue:
    return Issue.warning(
        field,
        IssueCode.UNPARSED,
        "No place recognised; write 'City, Country' (e.g. 'Wellington, New Zealand') or 'Online'.",
        value,
    )
