"""A small gazetteer for the countries we serve (NZ, AU, IE, GB, US), and place-name aliases.

City coordinates: city-centre latitude and longitude as listed by GeoNames
(geonames.org), rounded to 2 decimal places (about 1 km) and transcribed by hand.
Region names are the ISO 3166-2 subdivision names as shipped in pycountry (for
GB, the four countries of the UK), so regions from the gazetteer and from text agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pycountry

from normaliser.text import fold


@dataclass(frozen=True)
class City:
    name: str
    country: str  # ISO 3166-1 alpha-2
    region: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


CITIES: tuple[City, ...] = (
    # New Zealand (regions: ISO 3166-2:NZ names)
    City("Auckland", "NZ", "Auckland", -36.85, 174.76, ("tamaki makaurau",)),
    City("Wellington", "NZ", "Greater Wellington", -41.29, 174.78, ("te whanganui-a-tara",)),
    City("Christchurch", "NZ", "Canterbury", -43.53, 172.64, ("otautahi",)),
    City("Hamilton", "NZ", "Waikato", -37.79, 175.28, ("kirikiriroa",)),
    City("Tauranga", "NZ", "Bay of Plenty", -37.69, 176.17),
    City("Dunedin", "NZ", "Otago", -45.87, 170.50, ("otepoti",)),
    City("Palmerston North", "NZ", "Manawatū-Whanganui", -40.36, 175.61, ("palmy",)),
    City("Napier", "NZ", "Hawke's Bay", -39.49, 176.91),
    City("Hastings", "NZ", "Hawke's Bay", -39.64, 176.84),
    City("Nelson", "NZ", "Nelson", -41.27, 173.28, ("whakatu",)),
    City("Rotorua", "NZ", "Bay of Plenty", -38.14, 176.25),
    City("New Plymouth", "NZ", "Taranaki", -39.06, 174.08),
    City("Whangārei", "NZ", "Northland", -35.73, 174.32),
    City("Invercargill", "NZ", "Southland", -46.41, 168.35),
    City("Lower Hutt", "NZ", "Greater Wellington", -41.21, 174.91),
    City("Queenstown", "NZ", "Otago", -45.03, 168.66),
    City("Whanganui", "NZ", "Manawatū-Whanganui", -39.93, 175.05, ("wanganui",)),
    City("Gisborne", "NZ", "Gisborne", -38.66, 178.02),
    # Australia (regions: ISO 3166-2:AU names)
    City("Sydney", "AU", "New South Wales", -33.87, 151.21),
    City("Melbourne", "AU", "Victoria", -37.81, 144.96),
    City("Brisbane", "AU", "Queensland", -27.47, 153.03),
    City("Perth", "AU", "Western Australia", -31.95, 115.86),
    City("Adelaide", "AU", "South Australia", -34.93, 138.60),
    City("Canberra", "AU", "Australian Capital Territory", -35.28, 149.13),
    City("Hobart", "AU", "Tasmania", -42.88, 147.33),
    City("Darwin", "AU", "Northern Territory", -12.46, 130.84),
    City("Gold Coast", "AU", "Queensland", -28.02, 153.40),
    City("Newcastle", "AU", "New South Wales", -32.93, 151.78),
    City("Wollongong", "AU", "New South Wales", -34.42, 150.89),
    City("Geelong", "AU", "Victoria", -38.15, 144.36),
    City("Townsville", "AU", "Queensland", -19.26, 146.82),
    City("Cairns", "AU", "Queensland", -16.92, 145.77),
    City("Toowoomba", "AU", "Queensland", -27.56, 151.95),
    City("Ballarat", "AU", "Victoria", -37.56, 143.85),
    # Ireland (regions: ISO 3166-2:IE county names)
    City("Dublin", "IE", "Dublin", 53.35, -6.26, ("baile atha cliath",)),
    City("Cork", "IE", "Cork", 51.90, -8.47, ("corcaigh",)),
    City("Galway", "IE", "Galway", 53.27, -9.05, ("gaillimh",)),
    City("Limerick", "IE", "Limerick", 52.66, -8.63, ("luimneach",)),
    City("Waterford", "IE", "Waterford", 52.26, -7.11),
    City("Drogheda", "IE", "Louth", 53.72, -6.35),
    City("Dundalk", "IE", "Louth", 54.00, -6.40),
    City("Sligo", "IE", "Sligo", 54.27, -8.47),
    City("Athlone", "IE", "Westmeath", 53.42, -7.94),
    City("Kilkenny", "IE", "Kilkenny", 52.65, -7.25),
    City("Letterkenny", "IE", "Donegal", 54.95, -7.73),
    City("Tralee", "IE", "Kerry", 52.27, -9.70),
    City("Carlow", "IE", "Carlow", 52.84, -6.93),
    City("Maynooth", "IE", "Kildare", 53.38, -6.59),
    City("Tallaght", "IE", "Dublin", 53.29, -6.37),
    # United Kingdom (regions: England, Scotland, Wales, Northern Ireland)
    City("London", "GB", "England", 51.51, -0.13),
    City("Birmingham", "GB", "England", 52.49, -1.89),
    City("Manchester", "GB", "England", 53.48, -2.24),
    City("Leeds", "GB", "England", 53.80, -1.55),
    City("Liverpool", "GB", "England", 53.41, -2.98),
    City("Bristol", "GB", "England", 51.45, -2.59),
    City("Sheffield", "GB", "England", 53.38, -1.47),
    City("Newcastle upon Tyne", "GB", "England", 54.98, -1.61, ("newcastle",)),
    City("Nottingham", "GB", "England", 52.95, -1.15),
    City("Oxford", "GB", "England", 51.75, -1.26),
    City("Cambridge", "GB", "England", 52.21, 0.12),
    City("Edinburgh", "GB", "Scotland", 55.95, -3.19),
    City("Glasgow", "GB", "Scotland", 55.86, -4.25),
    City("Aberdeen", "GB", "Scotland", 57.15, -2.09),
    City("Dundee", "GB", "Scotland", 56.46, -2.97),
    City("Inverness", "GB", "Scotland", 57.48, -4.22),
    City("Stirling", "GB", "Scotland", 56.12, -3.94),
    City("Perth", "GB", "Scotland", 56.40, -3.43),
    City("Cardiff", "GB", "Wales", 51.48, -3.18, ("caerdydd",)),
    City("Swansea", "GB", "Wales", 51.62, -3.94, ("abertawe",)),
    City("Belfast", "GB", "Northern Ireland", 54.60, -5.93),
    City("Derry", "GB", "Northern Ireland", 55.00, -7.31, ("londonderry",)),
    # United States (regions: ISO 3166-2:US names)
    City("New York", "US", "New York", 40.71, -74.01, ("new york city", "nyc")),
    City("Los Angeles", "US", "California", 34.05, -118.24),
    City("Chicago", "US", "Illinois", 41.88, -87.63),
    City("Houston", "US", "Texas", 29.76, -95.37),
    City("Phoenix", "US", "Arizona", 33.45, -112.07),
    City("Philadelphia", "US", "Pennsylvania", 39.95, -75.17),
    City("San Francisco", "US", "California", 37.77, -122.42),
    City("Seattle", "US", "Washington", 47.61, -122.33),
    City("Boston", "US", "Massachusetts", 42.36, -71.06),
    City(
        "Washington, D.C.",
        "US",
        "District of Columbia",
        38.91,
        -77.04,
        ("washington dc", "washington d c", "washington d.c.", "dc"),
    ),
    City("Atlanta", "US", "Georgia", 33.75, -84.39),
    City("Miami", "US", "Florida", 25.76, -80.19),
    City("Denver", "US", "Colorado", 39.74, -104.99),
    City("Austin", "US", "Texas", 30.27, -97.74),
    City("San Diego", "US", "California", 32.72, -117.16),
    City("Pittsburgh", "US", "Pennsylvania", 40.44, -80.00),
    City("Cambridge", "US", "Massachusetts", 42.37, -71.11),
)

# Countries written in ways pycountry does not know, and UK nations that are a region of GB.
COUNTRY_ALIASES: dict[str, tuple[str, str | None]] = {
    "uk": ("GB", None),
    "u.k.": ("GB", None),
    "great britain": ("GB", None),
    "britain": ("GB", None),
    "united kingdom": ("GB", None),
    "england": ("GB", "England"),
    "scotland": ("GB", "Scotland"),
    "wales": ("GB", "Wales"),
    "cymru": ("GB", "Wales"),
    "northern ireland": ("GB", "Northern Ireland"),
    "usa": ("US", None),
    "u.s.a.": ("US", None),
    "u.s.": ("US", None),
    "us": ("US", None),
    "america": ("US", None),
    "united states of america": ("US", None),
    "nz": ("NZ", None),
    "aotearoa": ("NZ", None),
    "aotearoa new zealand": ("NZ", None),
    "new zealand aotearoa": ("NZ", None),
    "aus": ("AU", None),
    "republic of ireland": ("IE", None),
    "eire": ("IE", None),
    "roi": ("IE", None),
    "south korea": ("KR", None),
    "korea": ("KR", None),
}

# Countries whose subdivisions we resolve from text ('Sydney NSW', 'Austin, TX').
REGION_COUNTRIES = ("NZ", "AU", "US", "IE")
# Australian state abbreviations as written in addresses (Australia Post).
AU_STATE_ABBREVIATIONS = ("NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT")


@functools.cache
def cities_by_name() -> dict[str, tuple[City, ...]]:
    """Folded city name or alias -> the cities of that name (several for Perth, Cambridge...)."""
    index: dict[str, list[City]] = {}
    for city in CITIES:
        for name in (city.name, *city.aliases):
            index.setdefault(fold(name), []).append(city)
    return {name: tuple(found) for name, found in index.items()}


@functools.cache
def regions_by_name() -> dict[str, tuple[tuple[str, str], ...]]:
    """Folded region name or code -> ((country, region name), ...)."""
    index: dict[str, list[tuple[str, str]]] = {}

    def add(key: str, country: str, name: str) -> None:
        entry = (country, name)
        bucket = index.setdefault(fold(key), [])
        if entry not in bucket:
            bucket.append(entry)

    for country in REGION_COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=country):
            name = sub.name.split(" [")[0]
            add(name, country, name)
            if country in ("US", "AU"):
                add(sub.code.split("-", 1)[1], country, name)
            if name.startswith("Greater "):  # 'Wellington Region' and 'Wellington' as a region
                add(name.removeprefix("Greater "), country, name)
                add(name.removeprefix("Greater ") + " Region", country, name)
    for nation in ("England", "Scotland", "Wales", "Northern Ireland"):
        add(nation, "GB", nation)
    return {key: tuple(found) for key, found in index.items()}
