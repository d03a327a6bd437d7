"""normalise_record: a feed-format-v1 record to an Offering, with issues; and the small parsers it uses."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.normalise import FEED_FIELDS, NormaliseContext, normalise_record
from normaliser.parsers.credential_type import parse_credential_type
from normaliser.parsers.credits import parse_credits
from normaliser.parsers.dates import parse_dates
from normaliser.parsers.duration import parse_duration
from normaliser.parsers.html_text import html_to_text
from normaliser.parsers.language import parse_languages
from normaliser.parsers.level import parse_level
from normaliser.parsers.mode import parse_mode
from normaliser.parsers.place import parse_place
from normaliser.parsers.price import parse_price
from normaliser.parsers.subject import parse_subject
from normaliser.parsers.url import parse_url
from normaliser.rates import RateTable
from normaliser.schema import Audience, CreditSystem, Framework, Mode, Pace
from normaliser.vocab import vocabularies
from normaliser.vocab.credential_types import CREDENTIAL_TYPES

TABLE = RateTable.from_dict(
    {
        "base": "EUR",
        "date": "2026-01-02",
        "source": "test",
        "rates": {"EUR": 1, "NZD": 2, "GBP": 0.8},
    }
)
NZ = NormaliseContext(
    provider_id="kotuku",
    default_currency="NZD",
    default_country="NZ",
    default_language="en",
    rates=TABLE,
)
BARE = NormaliseContext(provider_id="bare", rates=TABLE)


def record(**fields):
    return {"id": "MC-1", "title": "Introduction to Data Science", **fields}


def issue_codes(issues, field=None):
    return [(i.field, i.code) for i in issues if field is None or i.field == field]


# --- required fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"title": "Something"}, ["id"]),
        ({"id": "X-1"}, ["title"]),
        ({}, ["id", "title"]),
        ({"id": "  ", "title": "Something"}, ["id"]),
        ({"id": "X-1", "title": "\u00a0"}, ["title"]),
        ({"id": "X-1", "title": "<p> </p>"}, ["title"]),
        ({"id": ["X-1"], "title": []}, ["title"]),
        ({"id": None, "title": None}, ["id", "title"]),
    ],
)
def test_missing_id_or_title_rejects_the_record(fields, missing) -> None:
    offering, issues = normalise_record(fields, NZ)
    assert offering is None
    assert [(i.field, i.code, i.severity) for i in issues] == [
        (name, IssueCode.MISSING, Severity.ERROR) for name in missing
    ]


def test_minimal_record_lands() -> None:
    offering, issues = normalise_record({"id": " MC-1 ", "title": "  Welding  basics "}, BARE)
    assert (offering.provider_offering_id, offering.title) == ("MC-1", "Welding basics")
    assert offering.instances == [] and offering.places == [] and offering.languages == []
    assert offering.raw == {"id": " MC-1 ", "title": "  Welding  basics "}
    assert issue_codes(issues) == [("subject", IssueCode.APPROXIMATE)]
    assert offering.subject.isced == ["0715"]


# --- each field through the record, table-driven ------------------------------------------

# fields, (attribute path, expected value), expected (field, code) issues for that field
FIELD_CASES = [
    ({"level": "NZQF Level 5"}, ("level.eqf", 5), []),
    ({"level": "5", "level_framework": "NFQ"}, ("level.eqf", 4), []),
    (
        {"level": "5", "level_framework": "Galactic"},
        ("level.framework", None),
        [("level_framework", IssueCode.UNPARSED), ("level", IssueCode.AMBIGUOUS)],
    ),
    ({"level": "NZQF Level 11"}, ("level", None), [("level", IssueCode.INVALID)]),
    ({"level": "AQF 6"}, ("level.framework", Framework.AQF), [("level", IssueCode.NO_CROSSWALK)]),
    (
        {"credits": "15 credits"},
        ("credits.system", CreditSystem.NZ_CREDITS),
        [("credits", IssueCode.DEFAULTED)],
    ),
    ({"credits": "15", "credit_system": "NZ credits"}, ("credits.ects", 7.5), []),
    ({"credits": "8", "credit_system": "SCQF"}, ("credits.hours", 80), []),
    ({"credits": "10", "credit_system": "ECTS"}, ("credits.ects", 10), []),
    ({"credits": "5 ECTS"}, ("credits.system", CreditSystem.ECTS), []),
    ({"credits": "lots"}, ("credits", None), [("credits", IssueCode.UNPARSED)]),
    (
        {"credits": "10", "credit_system": "bananas"},
        ("credits.system", CreditSystem.NZ_CREDITS),
        [("credit_system", IssueCode.UNPARSED), ("credits", IssueCode.DEFAULTED)],
    ),
    ({"mode": "Online (self-paced)"}, ("pace", Pace.SELF_PACED), []),
    ({"mode": "Hybrid"}, ("mode", Mode.BLENDED), []),
    ({"mode": "Sometimes"}, ("mode", None), [("mode", IssueCode.UNPARSED)]),
    ({"price": "NZ$1,250"}, ("price.amount_ref", 625.0), []),
    ({"price": "$500"}, ("price.currency", "NZD"), [("price", IssueCode.DEFAULTED)]),
    (
        {"price": "2400", "currency": "AUD"},
        ("price.currency", "AUD"),
        [("price", IssueCode.NO_CROSSWALK)],
    ),
    ({"price": "450", "currency": "Euro"}, ("price.amount_ref", 450.0), []),
    (
        {"price": "450", "currency": "Doubloons"},
        ("price.currency", "NZD"),
        [("currency", IssueCode.UNPARSED), ("price", IssueCode.DEFAULTED)],
    ),
    # '$0' is the price; Fees Free (a scheme for eligible learners) is noted beside it.
    ({"price": "$0 - fees free"}, ("price.is_free", True), [("price", IssueCode.AMBIGUOUS)]),
    ({"price": "ask us"}, ("price", None), [("price", IssueCode.UNPARSED)]),
    ({"price": "Domestic NZ$1,000"}, ("price.audience", Audience.DOMESTIC), []),
    ({"duration": "3 months part-time"}, ("duration.weeks", 13), []),
    ({"duration": "PT40H"}, ("duration.hours", 40), []),
    ({"duration": "one semester"}, ("duration", None), [("duration", IssueCode.AMBIGUOUS)]),
    ({"location": "Online"}, ("places.0.online", True), []),
    ({"location": "Timaru"}, ("places.0.country", "NZ"), [("location", IssueCode.DEFAULTED)]),
    ({"location": "Perth"}, ("places.0.city", "Perth"), [("location", IssueCode.AMBIGUOUS)]),
    ({"language": "English and Te Reo Māori"}, ("languages", ["en", "mi"]), []),
    ({"language": ["en", "ga"]}, ("languages", ["en", "ga"]), []),
    ({}, ("languages", ["en"]), [("language", IssueCode.DEFAULTED)]),
    ({"language": "Elvish"}, ("languages", []), [("language", IssueCode.UNPARSED)]),
    ({"subject": "0613"}, ("subject.isced", ["0613"]), []),
    (
        {"subject": "0699"},
        ("subject.isced", ["0542", "0613"]),
        [("subject", IssueCode.INVALID), ("subject", IssueCode.APPROXIMATE)],
    ),
    ({"credential_type": "Micro-credential"}, ("credential_type", "micro-credential"), []),
    (
        {"credential_type": "Trophy"},
        ("credential_type", None),
        [("credential_type", IssueCode.UNPARSED)],
    ),
    (
        {"url": "https://provider.example/courses/ds101"},
        ("url", "https://provider.example/courses/ds101"),
        [],
    ),
    (
        {"url": "provider.example/ds101"},
        ("url", "https://provider.example/ds101"),
        [("url", IssueCode.DEFAULTED)],
    ),
    ({"url": "javascript:alert(1)"}, ("url", None), [("url", IssueCode.INVALID)]),
    ({"start_dates": "1 March 2027; 2027-07-01"}, ("instances.1.start_date", date(2027, 7, 1)), []),
    (
        {"start_dates": "1 March 2027; 31 February 2027"},
        ("instances.0.start_date", date(2027, 3, 1)),
        [("start_dates", IssueCode.INVALID)],
    ),
    (
        {"start_dates": ["2027-01-18", "2027-09-13"]},
        ("instances.0.start_date", date(2027, 1, 18)),
        [],
    ),
    (
        {"learning_outcomes": "Clean data; Build a model;  ; Explain it"},
        ("learning_outcomes", ["Clean data", "Build a model", "Explain it"]),
        [],
    ),
    (
        {"learning_outcomes": ["Clean data", " Build a model ", "", "Clean data"]},
        ("learning_outcomes", ["Clean data", "Build a model"]),
        [],
    ),
    (
        {"learning_outcomes": "One\nTwo\r\nThree"},
        ("learning_outcomes", ["One", "Two", "Three"]),
        [],
    ),
    (
        {"stackable_into": "NZ Diploma in Data Analytics (Level 6)"},
        ("stackable_into", ["NZ Diploma in Data Analytics (Level 6)"]),
        [],
    ),
    (
        {"stackable_into": ["MSc Data Governance", "PGDip"]},
        ("stackable_into", ["MSc Data Governance", "PGDip"]),
        [],
    ),
    ({"assessment": "  Project  "}, ("assessment", "Project"), []),
    ({"prerequisites": "None - open entry"}, ("prerequisites", "None - open entry"), []),
    ({"quality_assurance": "<b>NZQA</b> approved"}, ("quality_assurance", "NZQA approved"), []),
    (
        {"description": "<p>One &amp; two</p><p>Three</p>"},
        ("description", "One & two\n\nThree"),
        [],
    ),
    ({"description": "   "}, ("description", None), []),
]


def _get(offering, path):
    value = offering
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value


# A hint field's issues are checked with the field it qualifies.
RELATED = {"level_framework": "level", "credit_system": "credits", "currency": "price"}


@pytest.mark.parametrize(("fields", "check", "codes"), FIELD_CASES)
def test_field(fields, check, codes) -> None:
    offering, issues = normalise_record({**record(subject="Data science"), **fields}, NZ)
    assert offering is not None
    path, expected = check
    assert _get(offering, path) == expected
    touched = set(fields) | {RELATED[f] for f in fields if f in RELATED} or {"language"}
    assert [(i.field, i.code) for i in issues if i.field in touched] == codes
    assert all(i.severity is not Severity.ERROR for i in issues)
    assert offering.issues == issues


def test_field_errors_become_warnings_and_the_record_lands() -> None:
    offering, issues = normalise_record(
        record(level="NZQF Level 11", start_dates="31 February 2027", subject="0699"), NZ
    )
    assert offering is not None and offering.level is None
    assert {(i.field, i.code, i.severity) for i in issues} >= {
        ("level", IssueCode.INVALID, Severity.WARNING),
        ("start_dates", IssueCode.INVALID, Severity.WARNING),
        ("subject", IssueCode.INVALID, Severity.WARNING),
    }


def test_explicit_currency_is_not_reported_as_defaulted() -> None:
    _, issues = normalise_record(record(price="450", currency="GBP"), NZ)
    assert not [i for i in issues if i.field == "price"]


# --- instances ----------------------------------------------------------------------------


def test_one_instance_per_start_date_sharing_mode_price_and_first_place() -> None:
    offering, _ = normalise_record(
        record(
            mode="Online, live sessions",
            price="NZ$1,000",
            start_dates="2027-07-19; 15 March 2027",
            location="Auckland; Online",
        ),
        NZ,
    )
    assert [i.start_date for i in offering.instances] == [date(2027, 3, 15), date(2027, 7, 19)]
    for instance in offering.instances:
        assert (instance.mode, instance.pace) == (Mode.ONLINE, Pace.SCHEDULED)
        assert instance.price == offering.price
        assert instance.place == offering.places[0]
        assert instance.place.city == "Auckland"


@pytest.mark.parametrize(
    ("fields", "count"),
    [
        ({"mode": "Online"}, 1),
        ({"price": "Free"}, 1),
        ({"location": "Dublin"}, 1),
        ({"duration": "6 weeks"}, 0),
        ({}, 0),
        ({"start_dates": "TBC", "mode": "Online"}, 1),
        ({"start_dates": "2027-01-01; 2027-02-01; 2027-03-01"}, 3),
    ],
)
def test_undated_instance_only_when_there_is_something_to_hold(fields, count) -> None:
    offering, _ = normalise_record(record(**fields), BARE)
    assert len(offering.instances) == count
    if fields.get("mode") == "Online" and count == 1:
        assert offering.instances[0].start_date is None


# --- raw, hostile input -------------------------------------------------------------------


def test_raw_keeps_the_record_as_given_with_lists_joined() -> None:
    fields = record(
        learning_outcomes=["A", "B"], start_dates=["2027-01-01"], extra_column="x", credits=None
    )
    offering, _ = normalise_record(fields, BARE)
    assert offering.raw == {
        "id": "MC-1",
        "title": "Introduction to Data Science",
        "learning_outcomes": "A; B",
        "start_dates": "2027-01-01",
        "extra_column": "x",
    }


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "\u00a0",
        "\u200b",
        "🙂🙂🙂",
        "x" * 20000,
        "<script>alert(1)</script>",
        "\x00",
        "— – -",
        "NULL",
        "None",
        "0",
    ],
)
def test_hostile_values_in_every_field_never_raise(value) -> None:
    fields = {name: value for name in FEED_FIELDS}
    fields.update(id="H-1", title="Hostile")
    offering, issues = normalise_record(fields, NZ)
    assert offering is not None
    assert all(i.severity is not Severity.ERROR for i in issues)
    assert all(i.value is None or len(i.value) <= 200 for i in issues)
    json.dumps(offering.model_dump(mode="json"))


def test_the_realworld_shape_of_a_full_record() -> None:
    offering, issues = normalise_record(
        {
            "id": "MC-TR-110",
            "title": "Te Reo Māori mō te Wāhi Mahi",
            "level": "4",
            "level_framework": "NZQF",
            "credits": "10",
            "credit_system": "NZ credits",
            "price": "$0 - fees free",
            "mode": "Face to face",
            "duration": "40 hours",
            "start_dates": "1 March 2027",
            "location": "Wellington, New Zealand",
            "language": "Te Reo Māori",
            "subject": "0231",
            "credential_type": "micro-credential",
            "quality_assurance": "NZQA approved",
            "assessment": "Portfolio",
            "learning_outcomes": "Mihi and introduce yourself; Use everyday phrases with colleagues",
        },
        NZ,
    )
    # The one note: Fees Free beside the $0 is a scheme, kept as what it is.
    assert [(i.field, i.code) for i in issues] == [("price", IssueCode.AMBIGUOUS)]
    dumped = offering.model_dump(mode="json")
    assert dumped["level"] == {"framework": "NZQF", "value": "4", "eqf": 4, "raw": "4"}
    assert dumped["credits"]["ects"] == 5 and dumped["credits"]["hours"] == 100
    assert dumped["price"]["is_free"] and dumped["price"]["currency"] == "NZD"
    assert dumped["mode"] == "in_person" and dumped["duration"]["hours"] == 40
    assert dumped["instances"][0]["start_date"] == "2027-03-01"
    assert dumped["places"][0]["city"] == "Wellington" and dumped["languages"] == ["mi"]
    assert dumped["subject"]["isced"] == ["0231"]


# --- credential types, HTML, URLs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("micro-credential", "micro-credential"),
        ("Micro-credential", "micro-credential"),
        ("Microcredential", "micro-credential"),
        ("micro credential", "micro-credential"),
        ("NZQA micro-credential", "micro-credential"),
        ("MicroMasters", "micro-credential"),
        ("Micro-credential with digital badge", "micro-credential"),
        ("digital badge", "digital badge"),
        ("Open Badge", "digital badge"),
        ("Badge", "digital badge"),
        ("Credly badge", "digital badge"),
        ("certificate of completion", "certificate"),
        ("Certificate of Achievement", "certificate"),
        ("Certificate", "certificate"),
        ("Professional Certificate", "certificate"),
        ("Graduate Certificate", "certificate"),
        ("Statement of Attainment", "statement of attainment"),
        ("Skill set", "statement of attainment"),
        ("Postgraduate Diploma", "diploma"),
        ("Diploma", "diploma"),
        ("Masters degree", "degree"),
        ("Short course", "short course"),
        ("Workshop", "short course"),
        ("CPD", "short course"),
        ("Trophy", None),
        ("🏆", None),
        ("", None),
        (None, None),
    ],
)
def test_credential_type(raw, expected) -> None:
    parsed = parse_credential_type(raw)
    assert parsed.value == expected
    assert expected in CREDENTIAL_TYPES or expected is None
    has_text = bool(raw and raw.strip())
    assert [i.code for i in parsed.issues] == (
        [IssueCode.UNPARSED] if has_text and expected is None else []
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Start <strong>now</strong>.</p>", "Start now."),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<ul><li>A</li><li>B</li></ul>", "- A\n- B"),
        ("Line one<br>Line two", "Line one\nLine two"),
        ("Line one<br/>Line two", "Line one\nLine two"),
        ("Fish &amp; chips &lt;3", "Fish & chips <3"),
        ("AT&T rocks", "AT&T rocks"),
        ("Caf&eacute; &#8211; m&#257;ori", "Café – māori"),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("<style>p{color:red}</style><p>Shown</p>", "Shown"),
        ("<!-- hidden --><p>Shown</p>", "Shown"),
        ("Plain text\n\nwith paragraphs", "Plain text\n\nwith paragraphs"),
        ("Plain   text\r\nnext line", "Plain text\nnext line"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>Unclosed <b>bold", "Unclosed bold"),
        ("<div><p>Nested</p></div>\n\n\n<p>gap</p>", "Nested\n\ngap"),
        ("<p>&nbsp;</p>", None),
        ("", None),
        (None, None),
    ],
)
def test_html_to_text(raw, expected) -> None:
    assert html_to_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected", "codes"),
    [
        ("https://provider.example/courses/ds101", "https://provider.example/courses/ds101", []),
        ("http://provider.example", "http://provider.example", []),
        ("  https://provider.example/x  ", "https://provider.example/x", []),
        (
            "www.provider.example/courses",
            "https://www.provider.example/courses",
            [IssueCode.DEFAULTED],
        ),
        ("provider.example", "https://provider.example", [IssueCode.DEFAULTED]),
        ("ftp://provider.example/file", None, [IssueCode.INVALID]),
        ("javascript:alert(1)", None, [IssueCode.INVALID]),
        ("/courses/ds101", None, [IssueCode.INVALID]),
        ("see our website", None, [IssueCode.INVALID]),
        ("https://", None, [IssueCode.INVALID]),
        ("https://exa mple.com", None, [IssueCode.INVALID]),
        ("", None, []),
    ],
)
def test_parse_url(raw, expected, codes) -> None:
    parsed = parse_url(raw)
    assert parsed.value == expected
    assert [i.code for i in parsed.issues] == codes


# --- vocabularies -------------------------------------------------------------------------


def test_vocabularies_is_json_and_complete() -> None:
    vocab = json.loads(json.dumps(vocabularies()))
    assert {f["code"] for f in vocab["frameworks"]} == {f.value for f in Framework}
    nzqf = next(f for f in vocab["frameworks"] if f["code"] == "NZQF")
    assert nzqf["eqf"]["5"] == 5 and "8" not in nzqf["eqf"] and nzqf["levels"][-1] == "10"
    systems = {s["code"]: s for s in vocab["credit_systems"]}
    assert set(systems) == {s.value for s in CreditSystem}
    assert systems["NZ_CREDITS"]["ects_per_credit"] == 0.5
    assert systems["US_SCH"]["approximate"] is True
    assert vocab["modes"] == ["online", "in_person", "blended"]
    assert vocab["paces"] == ["self_paced", "scheduled"]
    codes = {c["code"]: c for c in vocab["isced_f"]["codes"]}
    assert codes["0613"]["level"] == "detailed" and codes["06"]["level"] == "broad"
    assert vocab["credential_types"] == list(CREDENTIAL_TYPES)
    assert vocab["currencies"]["base"] == "EUR" and "NZD" in vocab["currencies"]["codes"]


# --- seeded junk: no parser may raise, whatever it is given ----------------------------

_ATOMS = [
    "1",
    "0",
    "5",
    ",",
    ".",
    "-",
    "\u2013",
    " ",
    "\u00a0",
    "$",
    "€",
    "£",
    "NZ$",
    "level",
    "NZQF",
    "ECTS",
    "credits",
    "hours",
    "per",
    "week",
    "months",
    "to",
    "and",
    "/",
    ";",
    "\n",
    "P",
    "T",
    "H",
    "W",
    "Online",
    "campus",
    "Free",
    "GST",
    "Auckland",
    "NSW",
    "MA",
    "2027",
    "March",
    "01/03/",
    "<p>",
    "&amp;",
    "🙂",
    "(",
    ")",
    "'",
    "k",
    "Entry",
    "0613",
    "Māori",
    "en-NZ",
    "semester",
    "\u200b",
    "\x00",
]


def _junk(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 25)))


@pytest.mark.parametrize("seed", range(40))
def test_seeded_junk_never_raises(seed) -> None:
    text = _junk(seed)
    for parse in (
        parse_level,
        parse_credits,
        parse_mode,
        parse_price,
        parse_duration,
        parse_dates,
        parse_languages,
        parse_subject,
        parse_place,
        parse_credential_type,
        parse_url,
    ):
        parsed = parse(text)
        assert all(issue.message for issue in parsed.issues)
    offering, _ = normalise_record(
        {name: text for name in FEED_FIELDS} | {"id": "J", "title": "J"}, NZ
    )
    assert offering is not None


def test_runs_given_by_the_reader_keep_their_own_values_and_fall_back_to_the_record():
    offering, issues = normalise_record(
        {"id": "R1", "title": "Runs", "mode": "Online", "currency": "GBP"},
        NormaliseContext(provider_id="p", default_country="GB"),
        [
            {"start_date": "2027-01-05", "price": "£100", "location": "Truro"},
            {
                "start_date": "5 March 2027",
                "mode": "Face to face",
                "price": "250",
                "end_date": "soon",
            },
        ],
    )
    first, second = offering.instances
    assert (first.start_date.isoformat(), first.mode, first.price.amount) == (
        "2027-01-05",
        "online",
        100,
    )
    assert first.place.city == "Truro"
    assert (second.start_date.isoformat(), second.mode, second.price.currency) == (
        "2027-03-05",
        "in_person",
        "GBP",
    )
    assert second.end_date is None
    assert offering.price.amount == 100  # the "from" price
    assert offering.raw["run 2 end_date"] == "soon"
    bad_end = [i for i in issues if i.field == "end_date"]
    assert len(bad_end) == 1 and bad_end[0].message.startswith("Run 2:")


def test_offering_mode_comes_from_runs_only_when_they_agree():
    ctx = NormaliseContext(provider_id="p")
    same, _ = normalise_record(
        {"id": "a", "title": "A"}, ctx, [{"mode": "Online"}, {"mode": "online"}]
    )
    mixed, _ = normalise_record(
        {"id": "b", "title": "B"}, ctx, [{"mode": "Online"}, {"mode": "On campus"}]
    )
    assert same.mode == "online"
    assert mixed.mode is None and {i.mode for i in mixed.instances} == {"online", "in_person"}
