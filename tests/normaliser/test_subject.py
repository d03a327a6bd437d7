"""parse_subject and the ISCED-F 2013 table: codes validated, free text mapped by keywords."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.parsers.subject import match_keywords, parse_subject
from normaliser.vocab.isced import ISCED_F, isced_level, isced_name
from normaliser.vocab.isced_keywords import ISCED_KEYWORDS

APX, INV, UNP = IssueCode.APPROXIMATE, IssueCode.INVALID, IssueCode.UNPARSED

# subject, title, expected codes (None = no Subject at all), issue codes
CASES = [
    # codes as written
    ("0613", None, ["0613"], []),
    ("061", None, ["061"], []),
    ("06", None, ["06"], []),
    ("0231", None, ["0231"], []),
    ("1022", None, ["1022"], []),
    ("1041", None, ["1041"], []),
    ("0688", None, ["0688"], []),
    ("9999", None, ["9999"], []),
    ("0613 Software and applications development and analysis", None, ["0613"], []),
    ("ISCED 0613", None, ["0613"], []),
    ("ISCED-F 2013: 0412", None, ["0412"], []),
    ("ISCED-F 0913 Nursing", None, ["0913"], []),
    ("0613; 0611", None, ["0613", "0611"], []),
    ("0613, 0613", None, ["0613"], []),
    ("0610", None, ["0610"], []),
    ("0619", None, ["0619"], []),
    ("0699", "Introduction to Python", ["0613"], [INV, APX]),
    ("0614", None, [], [INV]),
    ("0189", None, [], [INV]),
    ("11", None, [], [UNP]),
    ("0613; 0699", None, ["0613"], [INV]),
    # free text in the subject field
    ("Data science", None, ["0542", "0613"], []),
    ("Law", None, ["0421"], []),
    ("Nursing", None, ["0913"], []),
    ("Agriculture", None, ["0811"], []),
    ("Statistics", None, ["0542"], []),
    ("Finance", None, ["0412"], []),
    ("Management", None, ["0413"], []),
    ("Information management", None, ["0322"], []),
    ("Environmental management", None, ["0521"], []),
    ("Waste management", None, ["0712"], []),
    ("Project management", None, ["0413"], []),
    ("Cyber security", None, ["0612"], []),
    ("Cybersecurity", None, ["0612"], []),
    ("Software development", None, ["0613"], []),
    ("Python programming", None, ["0613"], []),
    ("Computing", None, ["0613"], []),
    ("Digital marketing", None, ["0414"], []),
    ("Accounting", None, ["0411"], []),
    ("Bookkeeping", None, ["0411"], []),
    ("Māori studies", None, ["0314"], []),
    ("Te reo Māori", None, ["0231"], []),
    ("Irish language", None, ["0231"], []),
    ("Sign language", None, ["0231"], []),
    ("Automotive engineering", None, ["0716"], []),
    ("Sustainable construction", None, ["0732"], []),
    ("Building and construction", None, ["0732"], []),
    ("Horticulture", None, ["0812"], []),
    ("Forestry", None, ["0821"], []),
    ("Aquaculture", None, ["0831"], []),
    ("Veterinary nursing", None, ["0841"], []),
    ("Early childhood education", None, ["0112"], []),
    ("Hospitality", None, ["1013"], []),
    ("Barista skills", None, ["1013"], []),
    ("Health and safety", None, ["1022"], []),
    ("Workplace health and safety", None, ["1022"], []),
    ("Aged care", None, ["0921"], []),
    ("Social work", None, ["0923"], []),
    ("Counselling", None, ["0923"], []),
    ("Tourism", None, ["1015"], []),
    ("Psychology", None, ["0313"], []),
    ("Economics", None, ["0311"], []),
    ("Electrical engineering", None, ["0713"], []),
    ("Renewable energy", None, ["0713"], []),
    ("Robotics", None, ["0714"], []),
    ("Welding", None, ["0715"], []),
    ("Food safety", None, ["0721"], []),
    ("Graphic design", None, ["0212"], []),
    ("Photography", None, ["0211"], []),
    ("Music", None, ["0215"], []),
    ("History", None, ["0222"], []),
    ("Philosophy", None, ["0223"], []),
    ("Creative writing", None, ["0232"], []),
    ("Journalism", None, ["0321"], []),
    ("Pharmacy", None, ["0916"], []),
    ("Dental assisting", None, ["0911"], []),
    ("Physiotherapy", None, ["0915"], []),
    ("Hairdressing", None, ["1012"], []),
    ("Sports coaching", None, ["1014"], []),
    ("Forklift operation", None, ["1041"], []),
    ("Excel for beginners", None, ["0611"], []),
    ("Literacy and numeracy", None, ["0021"], []),
    ("Mathematics", None, ["0541"], []),
    ("Physics", None, ["0533"], []),
    ("Chemistry", None, ["0531"], []),
    ("Biology", None, ["0511"], []),
    ("Architecture", None, ["0731"], []),
    ("Climate change", None, ["0521"], []),
    ("Leadership", None, ["0413"], []),
    ("Evaluation", None, [], [UNP]),
    ("Team building", None, [], [UNP]),
    ("Miscellaneous", None, [], [UNP]),
    ("🧪", None, [], [UNP]),
    # nothing in the subject: fall back to the title, noted as approximate
    (None, "Introduction to Data Science", ["0542", "0613"], [APX]),
    ("", "Python for Everyday Automation", ["0613", "0714"], [APX]),
    (None, "Cloud Security Fundamentals", ["0612"], [APX]),
    (None, "Site Safety Supervision", ["1022"], [APX]),
    (None, "Leading Clinical Teams", None, [UNP]),
    (None, "Sustainable Dairy Farming", ["0811"], [APX]),
    (None, "Data Protection Law for Practitioners", ["0421"], [APX]),
    (None, "Electric Vehicle Servicing", ["0716"], [APX]),
    (None, None, None, []),
    ("Evaluation", "Introduction to Accounting", ["0411"], [APX]),
]


@pytest.mark.parametrize(("raw", "title", "expected", "codes"), CASES)
def test_parse_subject(raw, title, expected, codes) -> None:
    parsed = parse_subject(raw, title=title)
    if expected is None:
        assert parsed.value is None
    else:
        assert parsed.value.isced == expected
        assert parsed.value.raw == (raw if raw else None)
    assert [i.code for i in parsed.issues] == codes


def test_description_is_the_last_resort() -> None:
    parsed = parse_subject(
        None,
        title="Kaitiaki Skills",
        description="Hands-on beekeeping and apiculture for small holders.",
    )
    assert parsed.value.isced == ["0811"]
    assert parsed.value.raw is None
    assert [i.code for i in parsed.issues] == [APX]
    assert "description" in parsed.issues[0].message


def test_invalid_code_is_an_error_with_examples() -> None:
    issue = parse_subject("0699").issues[0]
    assert issue.severity is Severity.ERROR
    assert "0613" in issue.message


def test_unmatched_free_text_keeps_the_providers_words() -> None:
    parsed = parse_subject("Evaluation")
    assert parsed.value.raw == "Evaluation"
    assert parsed.value.isced == []
    assert parsed.issues[0].severity is Severity.WARNING


def test_at_most_three_fields() -> None:
    codes = match_keywords("Law, nursing, welding, music and forestry")
    assert len(codes) == 3


def test_longer_keyword_wins_over_the_word_inside_it() -> None:
    assert match_keywords("waste management") == ["0712"]
    assert match_keywords("confidence building") == ["0031"]


# --- the ISCED-F table itself -----------------------------------------------------------


def test_isced_table_has_the_published_shape() -> None:
    broad = [c for c in ISCED_F if len(c) == 2 and c != "99"]
    narrow = [c for c in ISCED_F if len(c) == 3 and not c.endswith("8") and c != "999"]
    detailed = [c for c in ISCED_F if len(c) == 4 and not c.endswith("88") and c != "9999"]
    assert len(broad) == 11
    assert len(narrow) == 29
    assert len(detailed) == 80


@pytest.mark.parametrize("code", sorted(ISCED_F))
def test_every_code_has_its_parents(code) -> None:
    assert code[:2] in ISCED_F
    if len(code) == 4:
        assert code[:3] in ISCED_F


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0613", "Software and applications development and analysis"),
        ("0231", "Language acquisition"),
        ("1022", "Occupational health and safety"),
        ("0610", "Information and Communication Technologies (ICTs) not further defined"),
        ("0619", "Information and Communication Technologies (ICTs) not elsewhere classified"),
        ("050", "Natural sciences, mathematics and statistics not further defined"),
        ("0699", None),
        ("0889", None),
        ("12", None),
        ("", None),
    ],
)
def test_isced_name(code, name) -> None:
    assert isced_name(code) == name


def test_keyword_lists_are_big_enough_and_point_at_detailed_fields() -> None:
    assert len(ISCED_KEYWORDS) >= 40
    for code, keywords in ISCED_KEYWORDS.items():
        assert isced_level(code) == "detailed" and code in ISCED_F
        assert len(keywords) >= 5, code
