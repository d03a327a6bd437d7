"""The feed template providers download: feed format v1's fields
(shared/reference/feed-format-v1.md, normaliser.readers.feed_v1), what to write in each and
the values the normaliser accepts, with example courses that fill every field. Pure: bytes
out, nothing read or written.

- CSV: the header row and the example courses, UTF-8 with a BOM (so Excel opens macrons
  as written; our reader skips the BOM).
- XLSX: the same rows on the first sheet (the one our reader reads), and a second sheet,
  "Fields", with each field's guide and accepted values.

Both import as they are, every example accepted with no issue (tests/normaliser check it
through our own readers and normaliser).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from normaliser.readers.feed_v1 import FEED_V1_FIELDS, REQUIRED_FIELDS
from normaliser.schema import CreditSystem, Mode, Pace
from normaliser.vocab.credential_types import CREDENTIAL_TYPES
from normaliser.vocab.credit_systems import CREDIT_SYSTEMS
from normaliser.vocab.frameworks import FRAMEWORKS

CSV_NAME = "microcred-feed-template.csv"
XLSX_NAME = "microcred-feed-template.xlsx"


@dataclass(frozen=True)
class FieldGuide:
    name: str
    required: bool
    what: str
    accepted: str


def _frameworks() -> str:
    return "; ".join(f"{code.value} ({info.name})" for code, info in FRAMEWORKS.items())


def _credit_systems() -> str:
    return "; ".join(f"{s.value} ({CREDIT_SYSTEMS[s].name})" for s in CreditSystem)


def field_guides() -> list[FieldGuide]:
    """Every field of feed format v1, in the format's order."""
    what = {
        "id": ("Your own stable identifier for the course; never reuse one.", "Any text"),
        "title": ("The course's name as learners see it.", "Any text"),
        "description": ("What the course is about.", "Free text; simple HTML is kept as text"),
        "url": ("The course's page on your website.", "A full https:// address"),
        "level": (
            "Its level in a qualifications framework, with the framework's name.",
            "e.g. NZQF Level 5, EQF 4, Level 7 (NFQ), AQF 6, SCQF level 8, RQF 3; or a bare "
            "number with level_framework. Frameworks: " + _frameworks(),
        ),
        "level_framework": (
            "The framework of a bare level number.",
            ", ".join(code.value for code in FRAMEWORKS),
        ),
        "credits": (
            "Its credit value, with the credit system.",
            "e.g. 15 NZ credits, 5 ECTS, 10 CATS points, 3 US credit hours; or a bare number "
            "with credit_system. Systems: " + _credit_systems(),
        ),
        "credit_system": (
            "The credit system of a bare credits number.",
            ", ".join(s.value for s in CreditSystem),
        ),
        "mode": (
            "How it is taught, and at what pace.",
            "Online, Face to face (In person, On campus), Blended (Hybrid), Distance; add "
            "'self-paced' or 'scheduled'. Stored as: "
            + ", ".join(m.value for m in Mode)
            + "; pace "
            + ", ".join(p.value for p in Pace),
        ),
        "price": (
            "What a learner pays, with the currency.",
            "e.g. NZ$1,250, €450, 1200 NZD incl. GST, Free; or a bare amount with currency",
        ),
        "currency": ("The currency of a bare price.", "An ISO 4217 code: NZD, AUD, EUR, GBP, USD"),
        "duration": (
            "How long it takes.",
            "e.g. 6 weeks, 40 hours, 3 months part-time, 2-3 hours per week, PT40H",
        ),
        "start_dates": (
            "When it starts; several separated by ;",
            "ISO dates (2027-03-01), 1 March 2027, or a month (September 2027)",
        ),
        "location": ("Where it is taught.", "City and country (Wellington, New Zealand), Online"),
        "language": (
            "The language it is taught in.",
            "A name (English, Te Reo Māori) or ISO 639-1 code (en, mi)",
        ),
        "subject": (
            "Its field of study.",
            "An ISCED-F 2013 code (0613) or words (data science); see /v1/vocabularies",
        ),
        "learning_outcomes": (
            "What a learner can do after it; several separated by ;",
            "Free text",
        ),
        "assessment": ("How learners are assessed.", "e.g. Project, Exam, Portfolio"),
        "prerequisites": ("What a learner needs before starting.", "Free text"),
        "credential_type": ("What a learner receives.", ", ".join(CREDENTIAL_TYPES)),
        "quality_assurance": ("Who assures its quality.", "e.g. NZQA approved, QQI validated"),
        "stackable_into": ("A qualification it counts towards.", "Its name or code"),
    }
    return [FieldGuide(name, name in REQUIRED_FIELDS, *what[name]) for name in FEED_V1_FIELDS]


# Two courses that fill every field between them: the first with the bare numbers and
# their companion fields, the second as providers usually write them.
EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "id": "MC-DS-101",
        "title": "Introduction to Data Science",
        "description": "Python, statistics and charts for people who work with data.",
        "url": "https://provider.example/courses/ds101",
        "level": "5",
        "level_framework": "NZQF",
        "credits": "15",
        "credit_system": "NZ_CREDITS",
        "mode": "Online (self-paced)",
        "price": "1250",
        "currency": "NZD",
        "duration": "6 weeks",
        "start_dates": "2027-03-01; 2027-07-05",
        "location": "Online",
        "language": "English",
        "subject": "0613",
        "learning_outcomes": "Clean a data set; Fit and explain a linear model",
        "assessment": "Project",
        "prerequisites": "Secondary school mathematics",
        "credential_type": "micro-credential",
        "quality_assurance": "NZQA approved",
        "stackable_into": "Graduate Certificate in Data Analytics",
    },
    {
        "id": "MC-MR-201",
        "title": "Te Reo Māori for the Workplace",
        "description": "Everyday te reo Māori for meetings, mihi and email.",
        "url": "https://provider.example/courses/mr201",
        "level": "NZQF Level 3",
        "credits": "10 NZ credits",
        "mode": "Blended",
        "price": "NZ$450",
        "duration": "40 hours",
        "start_dates": "1 March 2027",
        "location": "Wellington, New Zealand",
        "language": "Te Reo Māori",
        "subject": "0231",
        "learning_outcomes": "Greet and introduce yourself; Write a short email in te reo",
        "assessment": "Portfolio",
        "credential_type": "digital badge",
    },
)


def template_rows() -> list[list[str]]:
    return [list(FEED_V1_FIELDS)] + [[e.get(f, "") for f in FEED_V1_FIELDS] for e in EXAMPLES]


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(template_rows())
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook  # imported only to write a spreadsheet
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    courses = workbook.active
    courses.title = "Courses"
    for row in template_rows():
        courses.append(row)
    guide = workbook.create_sheet("Fields")
    guide.append(["Field", "Required", "What to write", "Example", "Accepted values"])
    for g in field_guides():
        example = next((e[g.name] for e in EXAMPLES if e.get(g.name)), "")
        guide.append([g.name, "yes" if g.required else "", g.what, example, g.accepted])
    for sheet, widths in ((courses, [18] * len(FEED_V1_FIELDS)), (guide, [18, 10, 48, 32, 80])):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for i, width in enumerate(widths):
            sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
