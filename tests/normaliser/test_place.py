"""parse_place: cities, regions, countries, online, several places, coordinates from the gazetteer."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.place import country_code, parse_place
from normaliser.vocab.places import CITIES

AMB, DEF, UNP = IssueCode.AMBIGUOUS, IssueCode.DEFAULTED, IssueCode.UNPARSED
ONLINE = ("online",)

# raw, default_country, expected places as (country, region, city, has_coordinates) or ONLINE, codes
CASES = [
    ("Wellington, New Zealand", None, [("NZ", "Greater Wellington", "Wellington", True)], []),
    ("Wellington", None, [("NZ", "Greater Wellington", "Wellington", True)], []),
    ("Wellington, NZ", None, [("NZ", "Greater Wellington", "Wellington", True)], []),
    ("Auckland", None, [("NZ", "Auckland", "Auckland", True)], []),
    ("Auckland, Aotearoa", None, [("NZ", "Auckland", "Auckland", True)], []),
    ("Tāmaki Makaurau", None, [("NZ", "Auckland", "Auckland", True)], []),
    ("Christchurch", None, [("NZ", "Canterbury", "Christchurch", True)], []),
    (
        "Palmerston North, New Zealand",
        None,
        [("NZ", "Manawatū-Whanganui", "Palmerston North", True)],
        [],
    ),
    ("Hamilton, New Zealand", None, [("NZ", "Waikato", "Hamilton", True)], []),
    ("Whangarei", None, [("NZ", "Northland", "Whangārei", True)], []),
    ("Whangārei", None, [("NZ", "Northland", "Whangārei", True)], []),
    ("Dunedin, Otago", None, [("NZ", "Otago", "Dunedin", True)], []),
    ("Lower Hutt, Wellington", None, [("NZ", "Greater Wellington", "Lower Hutt", True)], []),
    (
        "123 Queen Street, Auckland CBD, Auckland 1010",
        None,
        [("NZ", "Auckland", "Auckland", True)],
        [],
    ),
    ("Auckland City Campus", None, [("NZ", "Auckland", "Auckland", True)], []),
    ("Timaru, New Zealand", None, [("NZ", None, "Timaru", False)], []),
    ("Timaru", "NZ", [("NZ", None, "Timaru", False)], [DEF]),
    ("Timaru", None, [(None, None, "Timaru", False)], [AMB]),
    ("Canterbury, New Zealand", None, [("NZ", "Canterbury", None, False)], []),
    ("Wellington Region", None, [("NZ", "Greater Wellington", None, False)], []),
    ("New Zealand", None, [("NZ", None, None, False)], []),
    ("Aotearoa New Zealand", None, [("NZ", None, None, False)], []),
    # Australia
    ("Sydney NSW", None, [("AU", "New South Wales", "Sydney", True)], []),
    ("Sydney, NSW 2000", None, [("AU", "New South Wales", "Sydney", True)], []),
    ("Melbourne, VIC, Australia", None, [("AU", "Victoria", "Melbourne", True)], []),
    ("Brisbane QLD", None, [("AU", "Queensland", "Brisbane", True)], []),
    ("Perth, Australia", None, [("AU", "Western Australia", "Perth", True)], []),
    ("Perth WA", None, [("AU", "Western Australia", "Perth", True)], []),
    ("Perth", "AU", [("AU", "Western Australia", "Perth", True)], []),
    ("Canberra ACT", None, [("AU", "Australian Capital Territory", "Canberra", True)], []),
    ("Newcastle, NSW", None, [("AU", "New South Wales", "Newcastle", True)], []),
    ("Sydney, Australia", "NZ", [("AU", "New South Wales", "Sydney", True)], []),
    ("NSW", None, [("AU", "New South Wales", None, False)], []),
    ("Queensland", None, [("AU", "Queensland", None, False)], []),
    ("Australia", None, [("AU", None, None, False)], []),
    # Ireland
    ("Dublin", None, [("IE", "Dublin", "Dublin", True)], []),
    ("Dublin 2, Ireland", None, [("IE", "Dublin", "Dublin", True)], []),
    ("Dublin D02 X285", None, [("IE", "Dublin", "Dublin", True)], []),
    ("Cork, Ireland", None, [("IE", "Cork", "Cork", True)], []),
    ("Galway, Éire", None, [("IE", "Galway", "Galway", True)], []),
    ("Limerick, Republic of Ireland", None, [("IE", "Limerick", "Limerick", True)], []),
    ("Maynooth, Co. Kildare", None, [("IE", "Kildare", "Maynooth", True)], []),
    ("Ireland", None, [("IE", None, None, False)], []),
    # United Kingdom
    ("Glasgow, Scotland", None, [("GB", "Scotland", "Glasgow", True)], []),
    ("Glasgow, United Kingdom", None, [("GB", "Scotland", "Glasgow", True)], []),
    ("Glasgow, UK", None, [("GB", "Scotland", "Glasgow", True)], []),
    ("Inverness, United Kingdom", None, [("GB", "Scotland", "Inverness", True)], []),
    ("London, United Kingdom", None, [("GB", "England", "London", True)], []),
    ("London", None, [("GB", "England", "London", True)], []),
    ("Edinburgh EH1 1YZ", None, [("GB", "Scotland", "Edinburgh", True)], []),
    ("Cardiff, Wales", None, [("GB", "Wales", "Cardiff", True)], []),
    ("Caerdydd", None, [("GB", "Wales", "Cardiff", True)], []),
    ("Belfast, Northern Ireland", None, [("GB", "Northern Ireland", "Belfast", True)], []),
    ("Derry/Londonderry", None, [("GB", "Northern Ireland", "Derry", True)], []),
    ("Perth, Scotland", None, [("GB", "Scotland", "Perth", True)], []),
    ("Newcastle upon Tyne", None, [("GB", "England", "Newcastle upon Tyne", True)], []),
    ("Cambridge", "GB", [("GB", "England", "Cambridge", True)], []),
    ("Scotland", None, [("GB", "Scotland", None, False)], []),
    ("Stornoway, Scotland", None, [("GB", "Scotland", "Stornoway", False)], []),
    ("England", None, [("GB", "England", None, False)], []),
    # United States
    ("Boston, MA", None, [("US", "Massachusetts", "Boston", True)], []),
    ("Cambridge, MA", None, [("US", "Massachusetts", "Cambridge", True)], []),
    ("Austin, TX", None, [("US", "Texas", "Austin", True)], []),
    ("New York, NY", None, [("US", "New York", "New York", True)], []),
    ("New York City", None, [("US", "New York", "New York", True)], []),
    ("Washington, D.C.", None, [("US", "District of Columbia", "Washington, D.C.", True)], []),
    ("Seattle, Washington", None, [("US", "Washington", "Seattle", True)], []),
    ("Springfield, IL", "US", [("US", "Illinois", "Springfield", False)], []),
    ("Springfield, Illinois", None, [("US", "Illinois", "Springfield", False)], []),
    ("Springfield, IL", None, [(None, None, "Springfield", False)], [AMB]),
    ("USA", None, [("US", None, None, False)], []),
    ("United States", None, [("US", None, None, False)], []),
    # elsewhere: country from pycountry, no coordinates
    ("Berlin, Germany", None, [("DE", None, "Berlin", False)], []),
    ("Paris, France", None, [("FR", None, "Paris", False)], []),
    ("Singapore", None, [("SG", None, None, False)], []),
    ("Trinidad and Tobago", None, [("TT", None, None, False)], []),
    ("Perth, Germany", None, [("DE", None, "Perth", False)], []),
    ("Berlin, DE", None, [(None, None, "Berlin", False)], [AMB]),
    # online
    ("Online", None, [ONLINE], []),
    ("online", None, [ONLINE], []),
    ("Online (Zoom)", None, [ONLINE], []),
    ("Virtual", None, [ONLINE], []),
    ("Remote", None, [ONLINE], []),
    ("Distance learning", None, [ONLINE], []),
    ("Anywhere", None, [ONLINE], []),
    ("Online / anywhere", None, [ONLINE], []),
    # several places
    ("Auckland; Online", None, [("NZ", "Auckland", "Auckland", True), ONLINE], []),
    ("Online; Auckland", None, [ONLINE, ("NZ", "Auckland", "Auckland", True)], []),
    ("Online and Auckland campus", None, [ONLINE, ("NZ", "Auckland", "Auckland", True)], []),
    (
        "Auckland, Wellington, Christchurch",
        None,
        [
            ("NZ", "Auckland", "Auckland", True),
            ("NZ", "Greater Wellington", "Wellington", True),
            ("NZ", "Canterbury", "Christchurch", True),
        ],
        [],
    ),
    (
        "Auckland | Wellington",
        None,
        [("NZ", "Auckland", "Auckland", True), ("NZ", "Greater Wellington", "Wellington", True)],
        [],
    ),
    (
        "Auckland or Hamilton",
        None,
        [("NZ", "Auckland", "Auckland", True), ("NZ", "Waikato", "Hamilton", True)],
        [],
    ),
    (
        "Sydney & Melbourne",
        None,
        [("AU", "New South Wales", "Sydney", True), ("AU", "Victoria", "Melbourne", True)],
        [],
    ),
    ("Dublin\nCork", None, [("IE", "Dublin", "Dublin", True), ("IE", "Cork", "Cork", True)], []),
    ("Auckland; Auckland", None, [("NZ", "Auckland", "Auckland", True)], []),
    # cannot tell
    ("Perth", None, [(None, None, "Perth", False)], [AMB]),
    ("Cambridge", None, [(None, None, "Cambridge", False)], [AMB]),
    ("WA", None, [], [AMB]),
    ("TBC", None, [], [UNP]),
    ("Various locations", None, [], [UNP]),
    ("🙂", None, [], [UNP]),
    ("12345", None, [], [UNP]),
    (
        "Wellington\u00a0,\u00a0New Zealand",
        None,
        [("NZ", "Greater Wellington", "Wellington", True)],
        [],
    ),
]


def _shape(place):
    if place.online:
        return ONLINE
    return (
        place.country,
        place.region,
        place.city,
        place.lat is not None and place.lon is not None,
    )


@pytest.mark.parametrize(("raw", "default", "expected", "codes"), CASES)
def test_parse_place(raw, default, expected, codes) -> None:
    parsed = parse_place(raw, default_country=default)
    assert [_shape(p) for p in parsed.value] == expected
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", "  ", None, ";", "\n"])
def test_empty_place(raw) -> None:
    assert (parse_place(raw).value, parse_place(raw).issues) == ([], [])


def test_list_input_and_raw_kept() -> None:
    parsed = parse_place(["Wellington, New Zealand", "Online"])
    assert [p.raw for p in parsed.value] == ["Wellington, New Zealand", "Online"]


def test_coordinates_come_from_the_gazetteer() -> None:
    wellington = parse_place("Wellington").value[0]
    assert (wellington.lat, wellington.lon) == (-41.29, 174.78)


def test_gazetteer_covers_the_countries_we_serve() -> None:
    for country in ("NZ", "AU", "IE", "GB", "US"):
        cities = [c for c in CITIES if c.country == country]
        assert len(cities) >= 15, country
        for city in cities:
            assert -90 <= city.lat <= 90 and -180 <= city.lon <= 180
            assert round(city.lat, 2) == city.lat and round(city.lon, 2) == city.lon
    # southern hemisphere for NZ and AU, northern for the rest; east of Greenwich for NZ and AU
    assert all(c.lat < 0 and c.lon > 100 for c in CITIES if c.country in ("NZ", "AU"))
    assert all(c.lat > 0 for c in CITIES if c.country in ("IE", "GB", "US"))
    assert all(c.lon < 0 for c in CITIES if c.country in ("IE", "US"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("New Zealand", "NZ"),
        ("nz", "NZ"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Scotland", "GB"),
        ("IRL", "IE"),
        ("Ireland", "IE"),
        ("USA", "US"),
        ("Australia", "AU"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_code(text, code) -> None:
    assert country_code(text) == code
