"""Generate the bundled sample feeds: six invented providers, written as real providers write.

    python -m microcred.sample_data.generate

rewrites providers.json and the feed files beside this script. The output is deterministic
(a fixed seed per provider), and tests check that the committed files are exactly what this
script writes, so edit the script, run it, and commit both.

Every provider, course, person and web address here is invented; no real catalogue was
copied. The values are deliberately messy in the ways real feeds are (a level written four
ways in one file, prices with and without tax or currency, dates in several formats, HTML in
descriptions), and each provider has a few deliberately bad rows so an import report has
something to show. Exactly two rows in all lack a title.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

SEED = 20261123
OUT_DIR = Path(__file__).resolve().parent

FEED_FIELDS = (
    "id",
    "title",
    "description",
    "url",
    "level",
    "level_framework",
    "credits",
    "credit_system",
    "mode",
    "price",
    "currency",
    "duration",
    "start_dates",
    "location",
    "language",
    "subject",
    "learning_outcomes",
    "assessment",
    "prerequisites",
    "credential_type",
    "quality_assurance",
    "stackable_into",
)

# Start dates fall in the sample's "next year": the demo runs in late 2026.
FIRST_START = date(2026, 12, 7)
LAST_START = date(2027, 11, 29)

Row = dict[str, "str | list[str]"]


@dataclass(frozen=True)
class Topic:
    """A subject a provider teaches, and the course titles it can give."""

    name: str
    subject: str  # the provider's own words for the subject
    isced: str  # ISCED-F 2013 detailed field, four digits
    titles: tuple[str, ...] = ()  # fixed titles, used as written
    patterned: bool = True  # also make titles from the provider's title patterns


@dataclass(frozen=True)
class ProviderSpec:
    id: str
    name: str
    country: str
    url: str
    default_currency: str
    default_language: str
    feed: str
    format: str
    credit_system: str | None  # hint for bare numbers in `credits`
    level_framework: str | None  # hint for bare numbers in `level`
    count: int
    build: Callable[[random.Random, ProviderSpec], list[Row]] = field(repr=False, compare=False)


# --- shared helpers ------------------------------------------------------------------


def pick_titles(
    rng: random.Random, topics: Sequence[Topic], patterns: Sequence[str], count: int
) -> list[tuple[str, Topic]]:
    """`count` distinct titles, spread across topics round-robin so no topic dominates."""
    candidates: list[list[str]] = []
    for topic in topics:
        own = list(topic.titles)
        if topic.patterned:
            own += [pattern.format(t=topic.name) for pattern in patterns]
        rng.shuffle(own)
        candidates.append(own)
    order = list(range(len(topics)))
    chosen: list[tuple[str, Topic]] = []
    seen: set[str] = set()
    while len(chosen) < count:
        rng.shuffle(order)
        progressed = False
        for index in order:
            while candidates[index]:
                title = candidates[index].pop()
                if title not in seen:
                    seen.add(title)
                    chosen.append((title, topics[index]))
                    progressed = True
                    break
            if len(chosen) == count:
                break
        if not progressed:
            raise ValueError(
                f"only {len(chosen)} distinct titles for {count} offerings; add topics or patterns"
            )
    return chosen


def slug(text: str) -> str:
    kept = []
    for char in text.lower():
        if char.isascii() and char.isalnum():
            kept.append(char)
        elif char in "āēīōū":
            kept.append("aeiou"["āēīōū".index(char)])
        elif char in "áéíóú":
            kept.append("aeiou"["áéíóú".index(char)])
        else:
            kept.append("-")
    return "-".join(part for part in "".join(kept).split("-") if part)


def start_dates(rng: random.Random, how_many: int, weekday: int | None = 0) -> list[date]:
    """Distinct start dates between FIRST_START and LAST_START, on `weekday` if given."""
    span = (LAST_START - FIRST_START).days
    dates: set[date] = set()
    while len(dates) < how_many:
        day = FIRST_START + timedelta(days=rng.randrange(span))
        if weekday is not None:
            day -= timedelta(days=(day.weekday() - weekday) % 7)
            day = max(day, FIRST_START)
        dates.add(day)
    return sorted(dates)


def day_month_year(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_day_month_year(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def us_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def slash_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def weighted(rng: random.Random, options: Sequence[tuple[object, int]]) -> object:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def describe(
    rng: random.Random, topic: Topic, title: str, sentences: Sequence[str], bullets: Sequence[str]
) -> str:
    """A description the way CMS exports look: sometimes plain, often HTML over several lines."""
    first, second = rng.sample(list(sentences), 2)
    first = first.format(t=topic.name, title=title, s=topic.subject.lower())
    second = second.format(t=topic.name, title=title, s=topic.subject.lower())
    style = rng.randrange(4)
    if style == 0:
        return f"{first} {second}"
    if style == 1:
        return f"<p>{first}</p>\n<p>{second}</p>"
    items = "\n".join(
        f"  <li>{b.format(t=topic.name, s=topic.subject.lower())}</li>"
        for b in rng.sample(list(bullets), 3)
    )
    if style == 2:
        return f"<p>{first}</p>\n<p>What you will cover:</p>\n<ul>\n{items}\n</ul>"
    return f"{first}\n\n{second}\n\nTopics include:\n<ul>\n{items}\n</ul>"


OUTCOME_PATTERNS = (
    "Explain the key principles of {t}",
    "Apply {t} methods to a workplace problem",
    "Evaluate current practice in {t} against good-practice guidance",
    "Communicate {t} findings to colleagues and clients",
    "Plan and carry out a small {t} project",
    "Identify the risks and ethical issues in {t}",
    "Use industry tools for {t} with confidence",
    "Reflect on your own practice in {t}",
)


def outcomes(rng: random.Random, topic: Topic, how_many: int | None = None) -> list[str]:
    chosen = rng.sample(OUTCOME_PATTERNS, how_many or rng.randint(2, 4))
    return [pattern.format(t=topic.name) for pattern in chosen]


# --- Te Awa Institute of Technology (New Zealand polytechnic), CSV ---------------------

TEAWA_TOPICS = (
    Topic("Sustainable Dairy Farming", "Agriculture", "0811"),
    Topic("Regenerative Horticulture", "Horticulture", "0812"),
    Topic("Farm Health and Safety", "Occupational health and safety", "1022"),
    Topic(
        "Apiculture",
        "Agriculture",
        "0811",
        ("Apiculture: Managing Healthy Hives", "Mānuka Honey Production"),
    ),
    Topic(
        "Te Reo Māori",
        "Te reo Māori",
        "0231",
        (
            "Te Reo Māori for the Workplace",
            "Te Reo Māori mō te Wāhi Mahi",
            "Kōrero Māori: Everyday Conversation",
            "Te Reo Māori Pronunciation for Health Professionals",
            "Te Reo Māori: Karakia and Mihi",
        ),
        patterned=False,
    ),
    Topic(
        "Tikanga Māori",
        "Māori studies",
        "0314",
        (
            "Tikanga Māori in the Workplace",
            "Tikanga and Kawa on the Marae",
            "Te Tiriti o Waitangi in Practice",
        ),
        patterned=False,
    ),
    Topic(
        "Kaupapa Māori Research",
        "Māori studies",
        "0314",
        ("Kaupapa Māori Research Methods", "Kaupapa Māori Evaluation in Practice"),
        patterned=False,
    ),
    Topic(
        "Whānau Ora Practice",
        "Social work",
        "0923",
        ("Whānau Ora Navigation", "Whānau-Centred Practice", "Supporting Kaumātua Wellbeing"),
        patterned=False,
    ),
    Topic(
        "Rongoā Māori",
        "Traditional medicine",
        "0917",
        ("Introduction to Rongoā Māori", "Rongoā Māori: Plants and Practice"),
        patterned=False,
    ),
    Topic(
        "Freshwater Management",
        "Environmental science",
        "0521",
        ("Mātauranga Māori and Freshwater Management", "Kaitiakitanga: Caring for the Awa"),
    ),
    Topic("Cloud Security", "Information technology", "0612"),
    Topic("Cyber Security Awareness", "Information technology", "0612"),
    Topic("Data Analytics", "Data analytics", "0542"),
    Topic("Web Development", "Software development", "0613"),
    Topic("Project Management", "Business", "0413"),
    Topic("Small Business Accounting", "Accounting", "0411"),
    Topic("Early Childhood Education", "Early childhood education", "0112"),
    Topic("Mental Health First Response", "Health", "0923"),
    Topic("Construction Site Supervision", "Construction", "0732"),
    Topic("Timber Framing", "Carpentry", "0732"),
    Topic("Electric Vehicle Servicing", "Automotive", "0716"),
    Topic("Drone Operations", "Aviation", "1041"),
    Topic(
        "Café Operations",
        "Hospitality",
        "1013",
        ("Barista Skills", "Café Operations", "Food Safety for Cafés"),
        patterned=False,
    ),
    Topic(
        "Cultural Tourism Guiding",
        "Tourism",
        "1015",
        ("Cultural Tourism Guiding", "River Guiding on the Whanganui"),
        patterned=False,
    ),
    Topic("Forestry Harvest Planning", "Forestry", "0821"),
)
TEAWA_PATTERNS = (
    "Introduction to {t}",
    "{t} Fundamentals",
    "{t} in Practice",
    "Applied {t}",
    "{t} for Team Leaders",
)
TEAWA_SENTENCES = (
    "This NZQA-approved micro-credential builds practical skills in {s} for people already "
    "working in the region.",
    "Designed with local employers and iwi, {title} fits around work and whānau.",
    "Learn by doing: most assessment happens in your own workplace.",
    "Kaiako bring current industry experience to every session.",
    "You will leave with skills you can use on the job the next day.",
    "Fees-free funding may be available to eligible learners.",
)
TEAWA_BULLETS = (
    "core concepts of {t}",
    "health and safety in {s}",
    "tikanga in the workplace",
    "working with data and records",
    "a workplace project",
    "reflective practice",
)
TEAWA_PLACES = (
    "Whanganui campus",
    "Whanganui, New Zealand",
    "Palmerston North",
    "Marton learning centre",
    "Online",
    "Marae-based, Whanganui region",
)


def build_teawa(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    for number, (title, topic) in enumerate(
        pick_titles(rng, TEAWA_TOPICS, TEAWA_PATTERNS, spec.count), start=1
    ):
        level = rng.randint(3, 7)
        credits = rng.choice((5, 10, 15, 15, 20, 30, 40))
        row: Row = {"id": f"TA-MC-{100 + number * 3}", "title": title}
        row["description"] = describe(rng, topic, title, TEAWA_SENTENCES, TEAWA_BULLETS)
        row["url"] = f"https://teawa.example.nz/micro-credentials/{slug(title)}"
        level_style = rng.randrange(6)
        row["level"] = (
            f"NZQF Level {level}",
            f"Level {level}",
            f"L{level}",
            str(level),
            f"Level {level} (NZQF)",
            f"NZQCF level {level}",
        )[level_style]
        if level_style == 3 and rng.random() < 0.5:
            row["level_framework"] = "NZQF"
        credit_style = rng.randrange(5)
        row["credits"] = (
            f"{credits} credits",
            f"{credits} NZQA credits",
            f"Credits: {credits}",
            str(credits),
            f"{credits} cr",
        )[credit_style]
        hours = credits * 10  # NZQA: one credit is ten notional learning hours
        fee = round(credits * rng.uniform(60, 110), -1)
        row["price"] = str(
            weighted(
                rng,
                (
                    (f"NZ${fee:,.0f}", 4),
                    (f"${fee:,.0f} incl. GST", 3),
                    (f"{fee:.0f} NZD incl. GST", 2),
                    ("$0 - fees free", 2),
                    ("Fees free for eligible learners", 1),
                    (f"NZ$ {fee:.2f}", 1),
                    (f"${fee:,.0f} (domestic) / ${fee * 2.4:,.0f} (international)", 1),
                ),
            )
        )
        mode = str(
            weighted(
                rng,
                (
                    ("Online", 3),
                    ("Face to face", 3),
                    ("On campus", 2),
                    ("Blended", 3),
                    ("Online (self-paced)", 2),
                    ("Noho marae + online", 1),
                    ("Workplace-based", 1),
                ),
            )
        )
        row["mode"] = mode
        # Micro-credentials are short: spread the hours over 2 to 20 weeks of part-time study.
        weeks = min(20, max(2, hours // rng.choice((10, 15, 20))))
        row["duration"] = str(
            weighted(
                rng,
                (
                    (f"{weeks} weeks", 4),
                    (f"{weeks} wks part-time", 1),
                    (f"PT{hours}H", 1),
                    (f"{max(1, weeks // 4)} months part-time", 1),
                    (f"{hours} hours", 2),
                    (f"{weeks} weeks, about {max(2, hours // weeks)} hours per week", 1),
                ),
            )
        )
        if mode != "Online (self-paced)":
            dates = start_dates(rng, rng.randint(1, 3))
            fmt = rng.choice((date.isoformat, day_month_year, slash_date, short_day_month_year))
            row["start_dates"] = rng.choice(("; ", ";", " ; ")).join(fmt(d) for d in dates)
        row["location"] = "Online" if mode.startswith("Online") else rng.choice(TEAWA_PLACES)
        maori = topic.subject in ("Te reo Māori", "Māori studies", "Traditional medicine")
        row["language"] = (
            rng.choice(("Te Reo Māori", "mi", "English and te reo Māori"))
            if maori
            else rng.choice(("English", "English", "en"))
        )
        row["subject"] = topic.isced if rng.random() < 0.3 else topic.subject
        row["learning_outcomes"] = "; ".join(outcomes(rng, topic))
        row["assessment"] = rng.choice(
            (
                "Portfolio",
                "Practical assessment",
                "Project",
                "Observation and portfolio",
                "Written assessment",
            )
        )
        if rng.random() < 0.4:
            row["prerequisites"] = rng.choice(
                (
                    "None",
                    "NCEA Level 2 or equivalent",
                    "Currently working in the industry",
                    "Open entry",
                )
            )
        row["credential_type"] = rng.choice(
            ("micro-credential", "Micro-credential", "NZQA micro-credential")
        )
        row["quality_assurance"] = rng.choice(("NZQA approved", "NZQA-approved"))
        if rng.random() < 0.3:
            row["stackable_into"] = (
                f"New Zealand Certificate in {topic.subject.title()} (Level {level})"
            )
        rows.append(row)
    # Deliberately bad rows, so the import report has something to say.
    rows[7]["price"] = "TBC"
    rows[19]["level"] = "Level 11"
    rows[33]["credits"] = "varies"
    rows[52]["title"] = ""
    return rows


# --- Banksia Ridge University (Australia), JSON array ---------------------------------

BANKSIA_TOPICS = (
    Topic("Business Analytics", "Business analytics", "0413"),
    Topic("Digital Health", "Health informatics", "0914"),
    Topic("Clinical Leadership", "Nursing", "0913"),
    Topic("Mine Site Rehabilitation", "Environmental management", "0712"),
    Topic("Renewable Energy Systems", "Engineering", "0713"),
    Topic("Hydrogen Technologies", "Engineering", "0713"),
    Topic("Water Resource Management", "Environmental management", "0712"),
    Topic("Supply Chain Management", "Business", "0413"),
    Topic("Literacy Teaching", "Education", "0114"),
    Topic("Inclusive Education", "Education", "0111"),
    Topic(
        "Cultural Capability",
        "Indigenous studies",
        "0314",
        (
            "Aboriginal and Torres Strait Islander Cultural Capability",
            "Working with Aboriginal Communities",
            "Caring for Country: Land Management",
        ),
        patterned=False,
    ),
    Topic("Agtech", "Agriculture", "0811"),
    Topic("Bushfire Risk Management", "Emergency management", "1032"),
    Topic("Cyber Security Governance", "Information technology", "0612"),
    Topic("Machine Learning", "Computer science", "0613"),
    Topic("Geospatial Analysis", "Geography", "0532"),
    Topic(
        "Wine Science",
        "Food science",
        "0721",
        ("Wine Sensory Evaluation", "Viticulture Essentials", "Cool-Climate Winemaking"),
        patterned=False,
    ),
    Topic("Public Health Epidemiology", "Public health", "0912"),
    Topic("Sports Coaching", "Sport science", "1014"),
    Topic("Psychology of Wellbeing", "Psychology", "0313"),
    Topic("Data Visualisation", "Statistics", "0542"),
    Topic("Marine Ecology", "Marine science", "0511"),
    Topic("Urban Planning", "Planning", "0731"),
)
BANKSIA_PATTERNS = (
    "Foundations of {t}",
    "{t} Essentials",
    "Leading {t}",
    "{t} for Professionals",
    "Applied {t}",
)
BANKSIA_SENTENCES = (
    "A postgraduate-level micro-credential in {s}, taught by Banksia Ridge academics and "
    "industry partners.",
    "{title} can be credited towards a Graduate Certificate.",
    "Study online around work, with optional on-campus intensives.",
    "Designed for professionals who need to upskill quickly in {s}.",
    "FEE-HELP may be available for eligible domestic students.",
    "Assessment is applied to your own workplace wherever possible.",
)
BANKSIA_BULLETS = (
    "current research in {s}",
    "case studies from Western Australian industry",
    "tools and methods for {t}",
    "ethics and governance",
    "a capstone task",
    "communicating with stakeholders",
)


def build_banksia(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    for number, (title, topic) in enumerate(
        pick_titles(rng, BANKSIA_TOPICS, BANKSIA_PATTERNS, spec.count), start=1
    ):
        level = rng.choice((7, 8, 8, 9))
        points = rng.choice((6, 6, 12, 12.5, 25))
        row: Row = {"id": f"BRU-MC{2000 + number * 7}", "title": title}
        row["description"] = describe(rng, topic, title, BANKSIA_SENTENCES, BANKSIA_BULLETS)
        row["url"] = f"https://banksiaridge.example.edu.au/study/micro-credentials/{slug(title)}"
        row["level"] = rng.choice(
            (f"AQF Level {level}", f"AQF {level}", f"Level {level} (AQF)", str(level))
        )
        row["credits"] = rng.choice((f"{points} credit points", f"{points}cp", f"{points} CP"))
        fee = round(points * rng.uniform(150, 260), -1)
        price_style = rng.randrange(6)
        if price_style == 0:
            row["price"], row["currency"] = f"{fee:.0f}", "AUD"
        else:
            row["price"] = (
                f"A${fee:,.0f}",
                f"AUD {fee:,.0f}",
                f"${fee:,.2f}",
                f"${fee:,.0f} (domestic) / ${fee * 2.2:,.0f} (international)",
                f"FEE-HELP eligible – ${fee:,.0f}",
            )[price_style - 1]
        mode = rng.choice(
            (
                "Online",
                "Online",
                "On campus",
                "Hybrid",
                "Online (self-paced)",
                "Intensive on campus",
            )
        )
        row["mode"] = mode
        row["duration"] = rng.choice(
            (
                "6 weeks",
                "8 weeks",
                "one study period (12 weeks)",
                "PT60H",
                "3 months part-time",
                "10–12 hours per week",
                "6 weeks (8-10 hrs/week)",
            )
        )
        if mode != "Online (self-paced)":
            dates = start_dates(rng, rng.randint(1, 3))
            if rng.random() < 0.6:
                row["start_dates"] = [d.isoformat() for d in dates]
            else:
                row["start_dates"] = "; ".join(short_day_month_year(d) for d in dates)
        row["location"] = (
            "Online"
            if mode.startswith("Online")
            else rng.choice(
                ("Perth, Western Australia", "Bunbury campus, WA", "Albany, WA", "Perth CBD campus")
            )
        )
        row["language"] = "English"
        row["subject"] = topic.subject
        learning = outcomes(rng, topic)
        row["learning_outcomes"] = learning if rng.random() < 0.7 else "; ".join(learning)
        row["assessment"] = rng.choice(
            ("Report and presentation", "Project", "Exam", "Case study", "Portfolio")
        )
        row["credential_type"] = rng.choice(
            ("micro-credential", "Microcredential", "digital badge")
        )
        if rng.random() < 0.5:
            row["stackable_into"] = [f"Graduate Certificate in {topic.subject.title()}"]
        rows.append(row)
    rows[4]["price"] = "TBC"
    rows[4].pop("currency", None)
    rows[26]["level"] = "Graduate"
    rows[41]["start_dates"] = "Study Period 3, 2027"
    return rows


# --- Lir University / Ollscoil Lir (Ireland), CSV with ";" and decimal commas ----------

LIR_TOPICS = (
    Topic(
        "Gaeilge",
        "Gaeilge",
        "0231",
        (
            "Gaeilge don Ionad Oibre",
            "Gaeilge don Earnáil Phoiblí",
            "Scríbhneoireacht Ghairmiúil trí Ghaeilge",
            "Aistriúchán Dlíthiúil (Legal Translation into Irish)",
            "Teagasc trí Mheán na Gaeilge",
            "Gaeilge Labhartha don Ghnó",
        ),
        patterned=False,
    ),
    Topic(
        "Irish Sign Language",
        "Irish Sign Language",
        "0231",
        ("Irish Sign Language for the Workplace", "Irish Sign Language: Deaf Awareness"),
        patterned=False,
    ),
    Topic("Data Protection and GDPR", "Law", "0421"),
    Topic("Sustainable Finance", "Finance", "0412"),
    Topic("Medical Device Regulatory Affairs", "Regulatory affairs", "0914"),
    Topic("Biopharmaceutical Manufacturing", "Chemical engineering", "0711"),
    Topic("Lean Six Sigma", "Operations management", "0413"),
    Topic("AI Ethics", "Philosophy and ethics", "0223"),
    Topic("Cloud Computing", "Computing", "0612"),
    Topic("Cybersecurity", "Computing", "0612"),
    Topic("Marine Renewable Energy", "Energy", "0713"),
    Topic("Climate Action", "Environmental science", "0521"),
    Topic("Digital Marketing", "Marketing", "0414"),
    Topic("Financial Technology", "Finance", "0412"),
    Topic("Clinical Research", "Medicine", "0912"),
    Topic("Nursing Leadership", "Nursing", "0913"),
    Topic(
        "Irish Folklore",
        "Folklore and heritage",
        "0222",
        ("Irish Folklore and the Oral Tradition", "Béaloideas: Folklore Collections"),
        patterned=False,
    ),
    Topic("Creative Writing", "Literature", "0232"),
    Topic("Screen Production", "Film", "0211"),
    Topic("Circular Economy", "Environmental technology", "0712"),
    Topic("Agri-food Innovation", "Food science", "0721"),
)
LIR_PATTERNS = (
    "{t}",
    "Foundations of {t}",
    "{t} for Professionals",
    "Advanced {t}",
    "{t}: Principles and Practice",
)
LIR_SENTENCES = (
    "This micro-credential is part of Lir University's flexible professional learning "
    "programme in {s}.",
    "{title} is taught online in the evenings with two on-campus workshops in Galway.",
    "Tá an cúrsa seo oiriúnach do dhaoine atá ag obair cheana féin.",
    "Graduates can stack this module towards a Postgraduate Certificate.",
    "Springboard+ funding may cover the full fee for eligible applicants.",
    "Delivered by practitioners and researchers in {s}.",
)
LIR_BULLETS = (
    "the Irish and EU context of {t}",
    "case studies",
    "a work-based project",
    "reflective practice",
    "current research in {s}",
    "teamwork and communication",
)


def euro(amount: float, style: int) -> str:
    """Euro amounts the ways Irish and continental systems print them."""
    whole = f"{amount:,.0f}"
    cents = f"{amount:,.2f}"
    continental = cents.replace(",", " ").replace(".", ",").replace(" ", ".")
    return (
        f"€{whole}",
        f"€{continental}",
        f"{amount:.0f} €",
        f"€ {amount:.0f}",
        f"EUR {continental}",
        f"€{cents}",
    )[style]


def build_lir(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    for number, (title, topic) in enumerate(
        pick_titles(rng, LIR_TOPICS, LIR_PATTERNS, spec.count), start=1
    ):
        level = rng.choice((6, 7, 8, 9, 9, 9))
        ects = rng.choice((5, 5, 7.5, 10, 10, 15))
        ects_text = f"{ects:g}".replace(".", ",") if rng.random() < 0.5 else f"{ects:g}"
        row: Row = {"id": f"LIR-{topic.isced}-{number:03d}", "title": title}
        row["description"] = describe(rng, topic, title, LIR_SENTENCES, LIR_BULLETS)
        row["url"] = f"https://lir.example.ie/micro-credentials/{slug(title)}"
        level_style = rng.randrange(5)
        row["level"] = (
            f"Level {level} (NFQ)",
            f"NFQ Level {level}",
            f"Level {level}",
            f"L{level} NFQ",
            str(level),
        )[level_style]
        if level_style == 4:
            row["level_framework"] = "NFQ"
        row["credits"] = rng.choice(
            (
                f"{ects_text} ECTS",
                f"{ects_text} ECTS credits",
                f"ECTS: {ects_text}",
                f"{ects_text} credits",
            )
        )
        fee = round(ects * rng.uniform(80, 140), -1)
        if rng.random() < 0.12:
            row["price"] = rng.choice(("Free (Springboard+ funded)", "€0 – fully funded"))
        else:
            row["price"] = euro(fee, rng.randrange(6))
        mode = rng.choice(
            ("Online", "Blended", "Blended", "On campus", "Hybrid", "Online (live evening classes)")
        )
        row["mode"] = mode
        row["duration"] = rng.choice(
            (
                "12 weeks",
                "6 weeks",
                "1 semester",
                "PT125H",
                "3 months part-time",
                "10 weeks, 1 evening per week",
            )
        )
        dates = start_dates(rng, rng.randint(1, 2))
        fmt = rng.choice((slash_date, day_month_year, date.isoformat, lambda d: f"{d:%B %Y}"))
        row["start_dates"] = ";".join(fmt(d) for d in dates)
        row["location"] = (
            "Online"
            if mode.startswith("Online")
            else rng.choice(
                ("Galway, Ireland", "Galway", "Gaillimh", "Lir University, Galway campus")
            )
        )
        if topic.subject == "Gaeilge":
            row["language"] = rng.choice(("ga", "Gaeilge", "Irish"))
        elif topic.name == "Irish Sign Language":
            row["language"] = "English/ISL"
        else:
            row["language"] = rng.choice(("English", "en", "English", "English/Irish"))
        row["subject"] = topic.subject if rng.random() < 0.6 else topic.isced
        row["learning_outcomes"] = "; ".join(outcomes(rng, topic))
        row["assessment"] = rng.choice(
            ("Continuous assessment", "Project", "Exam", "Portfolio", "Essay and presentation")
        )
        if level >= 9 and rng.random() < 0.6:
            row["prerequisites"] = rng.choice(
                (
                    "Level 8 honours degree (NFQ) or equivalent",
                    "A primary degree and two years' experience",
                    "RPL applications welcome",
                )
            )
        row["credential_type"] = rng.choice(
            ("micro-credential", "Micro-credential", "Certificate (special purpose award)")
        )
        row["quality_assurance"] = rng.choice(
            ("Approved by Academic Council", "QQI", "QQI validated")
        )
        if rng.random() < 0.3:
            row["stackable_into"] = f"Postgraduate Certificate in {topic.subject.title()}"
        rows.append(row)
    rows[11]["price"] = "€TBC"
    rows[37]["level"] = "Level 11 (NFQ)"
    rows[58]["credits"] = "5 ECTS or 10 ECTS"
    return rows


# --- Strathdeen College (Scotland), CSV with Title Case headers ------------------------

STRATHDEEN_TOPICS = (
    Topic("Welding", "Engineering", "0715"),
    Topic("Electrical Installation", "Electrical engineering", "0713"),
    Topic("Heat Pump Installation", "Renewable energy", "0713"),
    Topic("Offshore Wind Operations", "Renewable energy", "0713"),
    Topic("Professional Cookery", "Hospitality", "1013"),
    Topic("Hospitality Supervision", "Hospitality", "1013"),
    Topic("Childcare Practice", "Early learning and childcare", "0922"),
    Topic("Social Care", "Social care", "0923"),
    Topic("Hairdressing", "Hair and beauty", "1012"),
    Topic("Computing with Python", "Computing", "0613"),
    Topic("Network Administration", "Computing", "0612"),
    Topic("Bookkeeping", "Accounting", "0411"),
    Topic("Business Administration", "Business", "0415"),
    Topic(
        "Gàidhlig",
        "Gaelic",
        "0231",
        ("Gàidhlig for Beginners", "Gàidhlig: Conversation Class", "British Sign Language Level 1"),
        patterned=False,
    ),
    Topic("Engineering Maintenance", "Engineering", "0715"),
    Topic("Electric and Hybrid Vehicles", "Automotive", "0716"),
    Topic("Construction Site Safety", "Construction", "1022"),
    Topic("Digital Photography", "Creative industries", "0211"),
    Topic("Mental Health Awareness", "Health and wellbeing", "0923"),
    Topic("Counselling Skills", "Counselling", "0923"),
    Topic("Aquaculture", "Fisheries", "0831"),
    Topic("Greenkeeping", "Horticulture", "0812"),
)
STRATHDEEN_PATTERNS = (
    "{t}",
    "Introduction to {t}",
    "{t}: Next Steps",
    "{t} (Evening Class)",
    "{t} Skills for Work",
)
STRATHDEEN_SENTENCES = (
    "A short course at Strathdeen College for people looking to start or progress in {s}.",
    "{title} is credit-rated on the SCQF.",
    "Classes run at our Montrose and Arbroath campuses and online.",
    "Funding through the Flexible Workforce Development Fund may be available to employers.",
    "Taught by lecturers with current industry experience.",
    "Ideal for returners and career changers.",
)
STRATHDEEN_BULLETS = (
    "health and safety",
    "core skills in {s}",
    "practical workshops",
    "an assessed project",
    "industry visits",
    "employability skills",
)
STRATHDEEN_HEADER = {  # the column names as this college's student records system exports them
    "id": "ID",
    "title": "Title",
    "description": "Description",
    "url": "URL",
    "level": "Level",
    "credits": "Credits",
    "mode": "Delivery Mode",
    "price": "Fee",
    "duration": "Duration",
    "start_dates": "Start Date",
    "location": "Campus",
    "language": "Language",
    "subject": "Subject Area",
    "learning_outcomes": "Learning Outcomes",
    "assessment": "Assessment",
    "prerequisites": "Entry Requirements",
    "credential_type": "Credential Type",
    "quality_assurance": "Quality Assurance",
    "stackable_into": "Stackable Into",
    "Internal Ref": "Internal Ref",
}


def build_strathdeen(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    picked = pick_titles(rng, STRATHDEEN_TOPICS, STRATHDEEN_PATTERNS, spec.count)
    for number, (title, topic) in enumerate(picked, start=1):
        level = rng.randint(4, 8)
        points = rng.choice((4, 6, 8, 8, 12, 16, 24))
        row: Row = {"id": f"SDC{24000 + number * 11}", "title": title}
        row["description"] = describe(rng, topic, title, STRATHDEEN_SENTENCES, STRATHDEEN_BULLETS)
        row["url"] = f"https://strathdeen.example.ac.uk/courses/{slug(title)}"
        row["level"] = rng.choice(
            (
                f"SCQF Level {level}",
                f"SCQF level {level}",
                f"Level {level}",
                f"SCQF {level}",
                str(level),
            )
        )
        row["credits"] = rng.choice(
            (
                f"{points} SCQF credit points",
                f"{points} SCQF points",
                f"{points} credits",
                str(points),
            )
        )
        fee = round(points * rng.uniform(12, 30), 0)
        row["price"] = str(
            weighted(
                rng,
                (
                    (f"£{fee:,.0f}", 4),
                    (f"GBP{fee:.2f}", 2),
                    (f"£{fee:,.2f}", 2),
                    ("Free for eligible learners", 2),
                    ("£0 (SAAS funded)", 1),
                    ("Fully funded (Flexible Workforce Development Fund)", 1),
                ),
            )
        )
        mode = rng.choice(
            ("Face to face", "On campus", "Online", "Blended", "Evening class", "Day release")
        )
        row["mode"] = mode
        weeks = rng.choice((6, 8, 10, 12, 15))
        row["duration"] = rng.choice(
            (
                f"{weeks} weeks",
                f"1 evening a week for {weeks} weeks",
                f"PT{points * 10}H",
                "6 months part-time",
                f"{points * 10} hours",
            )
        )
        dates = start_dates(rng, rng.randint(1, 3), weekday=rng.choice((0, 1, 2, 3)))
        fmt = rng.choice((slash_date, day_month_year, short_day_month_year, date.isoformat))
        row["start_dates"] = "; ".join(fmt(d) for d in dates)
        row["location"] = (
            "Online"
            if mode == "Online"
            else rng.choice(
                ("Montrose campus", "Arbroath campus", "Montrose, Scotland", "Employer premises")
            )
        )
        row["language"] = (
            "Gaelic" if "Gàidhlig" in title else "BSL" if "Sign Language" in title else "English"
        )
        row["subject"] = topic.subject
        row["learning_outcomes"] = "; ".join(outcomes(rng, topic))
        row["assessment"] = rng.choice(
            ("Practical assessment", "Portfolio", "Project", "Online test", "Observation")
        )
        if rng.random() < 0.4:
            row["prerequisites"] = rng.choice(
                (
                    "No formal entry requirements",
                    "National 5 English or equivalent",
                    "Must be employed in the sector",
                )
            )
        row["credential_type"] = rng.choice(
            ("micro-credential", "Certificate of achievement", "digital badge")
        )
        row["quality_assurance"] = "SCQF credit rated"
        if rng.random() < 0.25:
            row["stackable_into"] = f"HNC {topic.subject.title()}"
        row["Internal Ref"] = f"CRS-{rng.randrange(1000, 9999)}"
        rows.append(row)
    rows[9]["price"] = "Contact us"
    rows[30]["level"] = "SCQF Level 13"
    rows[47]["duration"] = "ongoing"
    return rows


# --- OpenQuill Learning (US MOOC platform), JSON {"offerings": [...]} -----------------

OPENQUILL_TOPICS = (
    Topic("Python Programming", "Computer science", "0613"),
    Topic("Machine Learning", "Data science", "0613"),
    Topic("Data Visualization", "Data science", "0542"),
    Topic("SQL for Data Analysis", "Data science", "0612"),
    Topic("UX Design", "Design", "0212"),
    Topic("Product Management", "Business", "0413"),
    Topic("Digital Marketing", "Marketing", "0414"),
    Topic("Personal Finance", "Finance", "0412"),
    Topic("Public Speaking", "Communication", "0321"),
    Topic("Creative Writing", "Humanities", "0232"),
    Topic("Music Theory", "Music", "0215"),
    Topic("Astronomy", "Physical science", "0533"),
    Topic("Climate Science", "Environmental science", "0521"),
    Topic("Nutrition", "Health", "0915"),
    Topic("Psychology", "Social science", "0313"),
    Topic("Negotiation", "Business", "0413"),
    Topic(
        "Spanish",
        "Languages",
        "0231",
        ("Conversational Spanish", "Español para Principiantes", "Spanish for Travelers"),
        patterned=False,
    ),
    Topic("Blockchain", "Computer science", "0613"),
    Topic("Photography", "Art", "0211"),
    Topic("Game Development", "Computer science", "0613"),
    Topic("Cybersecurity", "Information technology", "0612"),
    Topic(
        "Excel",
        "Business",
        "0611",
        ("Excel Skills for Business", "Excel Pivot Tables in an Afternoon"),
        patterned=False,
    ),
    Topic("Project Management", "Business", "0413"),
    Topic("Entrepreneurship", "Business", "0413"),
    Topic("Statistics", "Mathematics", "0542"),
    Topic("Linear Algebra", "Mathematics", "0541"),
    Topic(
        "Ethics",
        "Philosophy",
        "0223",
        ("Justice: An Introduction to Ethics", "Ethics of Artificial Intelligence"),
        patterned=False,
    ),
    Topic("World History", "History", "0222"),
    Topic("Genetics", "Biology", "0511"),
    Topic("Neuroscience", "Biology", "0511"),
    Topic("Graphic Design", "Design", "0212"),
    Topic("Leadership", "Business", "0413"),
    Topic(
        "Mindfulness",
        "Health",
        "0915",
        ("Mindfulness for Everyday Life", "The Science of Well-Being at Work"),
        patterned=False,
    ),
    Topic("Accounting", "Business", "0411"),
    Topic("Generative AI", "Computer science", "0613"),
)
OPENQUILL_PATTERNS = (
    "Introduction to {t}",
    "{t} for Beginners",
    "Mastering {t}",
    "{t} Essentials",
    "{t}: A Practical Guide",
)
OPENQUILL_SENTENCES = (
    "Learn {s} from world-class instructors, at your own pace.",
    "In {title}, you'll build job-ready skills through short videos, quizzes and projects.",
    "No prior experience required.",
    "Join over 40,000 learners who have taken this course.",
    "Earn a shareable certificate when you complete all graded assignments.",
    "Audit for free, or upgrade for graded assignments and a certificate.",
)
OPENQUILL_BULLETS = (
    "the fundamentals of {t}",
    "hands-on projects",
    "real-world case studies",
    "peer-reviewed assignments",
    "a capstone project",
    "career tips",
)


def build_openquill(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    picked = pick_titles(rng, OPENQUILL_TOPICS, OPENQUILL_PATTERNS, spec.count)
    for title, topic in picked:
        row: Row = {"id": f"oq-{slug(title)[:40]}", "title": title}
        row["description"] = describe(rng, topic, title, OPENQUILL_SENTENCES, OPENQUILL_BULLETS)
        row["url"] = f"https://openquill.example.com/learn/{slug(title)}"
        if rng.random() < 0.1:
            row["credits"] = rng.choice(
                ("3 US credit hours", "ACE recommended: 3 semester credits", "1 credit hour")
            )
        cert = rng.choice((39, 49, 49, 79, 99))
        row["price"] = str(
            weighted(
                rng,
                (
                    (f"Free (certificate ${cert})", 5),
                    ("Free", 3),
                    (f"${cert}/month", 2),
                    (f"US${cert * 4}", 1),
                    (f"Free to audit; ${cert} for a certificate", 2),
                    (f"USD {cert * 3}", 1),
                ),
            )
        )
        scheduled = rng.random() < 0.25
        row["mode"] = (
            "Online"
            if scheduled
            else rng.choice(("Online (self-paced)", "Self-paced online", "Online"))
        )
        row["duration"] = rng.choice(
            (
                "2–3 hours per week",
                "4 weeks",
                "6 weeks",
                "6 weeks, 3–5 hours per week",
                "PT12H",
                "About 10 hours",
                "Approx. 20 hours to complete",
                "8 weeks at 4 hrs/week",
            )
        )
        if scheduled:
            dates = start_dates(rng, rng.randint(1, 2), weekday=0)
            row["start_dates"] = (
                [us_date(d) for d in dates]
                if rng.random() < 0.5
                else [d.isoformat() for d in dates]
            )
        row["location"] = "Online"
        row["language"] = (
            "es"
            if title == "Español para Principiantes"
            else rng.choice(("English", "en", "en-US"))
        )
        row["subject"] = [topic.subject] if rng.random() < 0.5 else topic.subject
        row["learning_outcomes"] = outcomes(rng, topic)
        row["assessment"] = rng.choice(
            ("Quizzes", "Peer-graded project", "Auto-graded quizzes and a final project", "None")
        )
        row["credential_type"] = rng.choice(
            (
                "certificate of completion",
                "Verified certificate",
                "Professional Certificate",
                "certificate of completion",
            )
        )
        if rng.random() < 0.2:
            row["stackable_into"] = [f"{topic.subject} Professional Certificate"]
        rows.append(row)
    rows[14]["price"] = "Pricing varies by region"
    rows[40]["level"] = "Beginner"
    rows[66]["level"] = "Intermediate"
    del rows[71]["title"]
    return rows


# --- Institute of Sustainable Building Practice (UK professional body), CSV ------------

ISBP_TOPICS = (
    Topic("Passive House Design", "Architecture", "0731"),
    Topic("Embodied Carbon Assessment", "Sustainable construction", "0712"),
    Topic("Building Energy Modelling", "Building services", "0732"),
    Topic("Retrofit Coordination", "Retrofit", "0732"),
    Topic("Net Zero Buildings", "Sustainable construction", "0732"),
    Topic("Heat Pump System Design", "Building services", "0713"),
    Topic("Moisture and Ventilation", "Building physics", "0732"),
    Topic("Biodiversity Net Gain", "Ecology", "0522"),
    Topic("Sustainable Drainage", "Civil engineering", "0732"),
    Topic("Circular Construction", "Sustainable construction", "0712"),
    Topic("Whole Life Carbon", "Sustainable construction", "0712"),
    Topic("Timber Frame Construction", "Construction", "0732"),
    Topic("Fire Safety in Retrofit", "Fire safety", "1032"),
    Topic("Overheating Risk Assessment", "Building physics", "0732"),
    Topic("Sustainable Procurement", "Procurement", "0413"),
    Topic("Indoor Air Quality", "Building services", "0712"),
    Topic("Solar PV Design", "Renewable energy", "0713"),
    Topic(
        "Professional Ethics",
        "Professional practice",
        "0223",
        ("Professional Ethics for Building Practitioners", "Climate Literacy for Boards"),
        patterned=False,
    ),
)
ISBP_PATTERNS = (
    "{t}",
    "{t}: Essentials",
    "{t} Masterclass",
    "{t} Update 2027",
    "Introduction to {t}",
)
ISBP_SENTENCES = (
    "An ISBP CPD course on {s} for architects, engineers, surveyors and contractors.",
    "{title} counts towards your annual ISBP CPD requirement.",
    "Complete the assessment to earn a verifiable digital badge.",
    "Delivered live online by practising consultants, with recordings for 30 days.",
    "Members save up to 40% on course fees.",
    "Case studies come from recent UK retrofit and new-build projects.",
)
ISBP_BULLETS = (
    "current regulations and standards",
    "worked examples in {s}",
    "common mistakes on site",
    "tools and calculators",
    "a short assessment",
    "Q&A with the trainer",
)


def build_isbp(rng: random.Random, spec: ProviderSpec) -> list[Row]:
    rows: list[Row] = []
    for number, (title, topic) in enumerate(
        pick_titles(rng, ISBP_TOPICS, ISBP_PATTERNS, spec.count), start=1
    ):
        hours = rng.choice((1.5, 3, 3, 6, 7, 12, 14, 21))
        row: Row = {"id": f"ISBP/{2027}/{number:03d}", "title": title}
        row["description"] = describe(rng, topic, title, ISBP_SENTENCES, ISBP_BULLETS)
        row["url"] = f"https://isbp.example.org.uk/cpd/{slug(title)}"
        if rng.random() < 0.35:
            level = rng.randint(3, 6)
            row["level"] = rng.choice((f"RQF Level {level}", f"Level {level}", str(level)))
        row["credits"] = rng.choice(
            (f"{hours:g} CPD hours", f"CPD: {hours:g} hours", f"{hours:g} hrs CPD", f"{hours:g}")
        )
        member = round(hours * rng.uniform(15, 30) / 5) * 5
        non_member = round(member * rng.uniform(1.4, 1.8) / 5) * 5
        row["price"] = str(
            weighted(
                rng,
                (
                    (f"Members £{member} / Non-members £{non_member}", 4),
                    (f"£{non_member} + VAT", 2),
                    (f"Members free; non-members £{non_member}", 1),
                    (f"£{member} (members)", 1),
                    (f"£{non_member} + VAT (members save 20%)", 1),
                    (f"GBP {non_member:.2f} inc VAT", 1),
                ),
            )
        )
        mode = rng.choice(
            (
                "Virtual classroom",
                "Face to face",
                "Webinar",
                "On-demand (self-paced)",
                "Blended",
                "Live online",
            )
        )
        row["mode"] = mode
        row["duration"] = (
            "1 day"
            if hours == 7
            else "2 days"
            if hours == 14
            else rng.choice((f"{hours:g} hours", f"PT{hours:g}H", "2 x half days", "3 weeks"))
        )
        if not mode.startswith("On-demand"):
            dates = start_dates(rng, rng.randint(1, 3), weekday=rng.choice((1, 2, 3)))
            fmt = rng.choice(
                (short_day_month_year, date.isoformat, lambda d: f"{d:%a} {d.day} {d:%B %Y}")
            )
            row["start_dates"] = "; ".join(fmt(d) for d in dates)
        row["location"] = (
            "Online (Zoom)"
            if mode in ("Virtual classroom", "Webinar", "Live online")
            else "Online"
            if mode.startswith("On-demand")
            else rng.choice(("London", "Manchester, UK", "Bristol", "Birmingham, United Kingdom"))
        )
        row["language"] = "English"
        row["subject"] = topic.subject
        row["learning_outcomes"] = "; ".join(outcomes(rng, topic, 3))
        row["assessment"] = rng.choice(
            ("Online quiz", "Case study", "None", "Multiple choice test")
        )
        row["credential_type"] = rng.choice(
            ("digital badge", "Open Badge", "CPD certificate", "digital badge (Open Badges 2.0)")
        )
        row["quality_assurance"] = "ISBP CPD Standard"
        rows.append(row)
    rows[3]["price"] = "TBC"
    rows[22]["level"] = "Advanced practitioner"
    rows[44]["start_dates"] = "31 February 2027"
    return rows


# --- the providers --------------------------------------------------------------------

PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "teawa",
        "Te Awa Institute of Technology",
        "NZ",
        "https://teawa.example.nz",
        "NZD",
        "en",
        "teawa.csv",
        "csv",
        "NZ_CREDITS",
        "NZQF",
        80,
        build_teawa,
    ),
    ProviderSpec(
        "banksia-ridge",
        "Banksia Ridge University",
        "AU",
        "https://banksiaridge.example.edu.au",
        "AUD",
        "en",
        "banksia-ridge.json",
        "json",
        None,
        "AQF",
        70,
        build_banksia,
    ),
    ProviderSpec(
        "lir",
        "Lir University (Ollscoil Lir)",
        "IE",
        "https://lir.example.ie",
        "EUR",
        "en",
        "lir.csv",
        "csv",
        "ECTS",
        "NFQ",
        75,
        build_lir,
    ),
    ProviderSpec(
        "strathdeen",
        "Strathdeen College",
        "GB",
        "https://strathdeen.example.ac.uk",
        "GBP",
        "en",
        "strathdeen.csv",
        "csv",
        "SCQF",
        "SCQF",
        70,
        build_strathdeen,
    ),
    ProviderSpec(
        "openquill",
        "OpenQuill Learning",
        "US",
        "https://openquill.example.com",
        "USD",
        "en",
        "openquill.json",
        "json",
        None,
        None,
        90,
        build_openquill,
    ),
    ProviderSpec(
        "isbp",
        "Institute of Sustainable Building Practice",
        "GB",
        "https://isbp.example.org.uk",
        "GBP",
        "en",
        "isbp.csv",
        "csv",
        "HOURS",
        "RQF",
        65,
        build_isbp,
    ),
)


def _columns(rows: list[Row]) -> list[str]:
    """Feed-format-v1 columns in their usual order, then any others, as far as rows use them."""
    used = {key for row in rows for key in row}
    return [name for name in FEED_FIELDS if name in used] + sorted(used - set(FEED_FIELDS))


def _csv_bytes(
    rows: list[Row],
    *,
    delimiter: str = ",",
    lineterminator: str = "\n",
    bom: bool = False,
    header_names: dict[str, str] | None = None,
) -> bytes:
    columns = _columns(rows)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow([(header_names or {}).get(name, name) for name in columns])
    for row in rows:
        writer.writerow(
            [
                "; ".join(value) if isinstance(value := row.get(name, ""), list) else value
                for name in columns
            ]
        )
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def feed_bytes(spec: ProviderSpec) -> bytes:
    """The feed file of one provider, as its own systems would export it."""
    rows = spec.build(random.Random(f"{SEED}-{spec.id}"), spec)
    if spec.id == "teawa":  # an Excel "CSV UTF-8" export: BOM and CRLF line endings
        return _csv_bytes(rows, lineterminator="\r\n", bom=True)
    if spec.id == "lir":  # Irish-locale spreadsheet: ";" because "," is the decimal mark
        return _csv_bytes(rows, delimiter=";")
    if spec.id == "strathdeen":
        return _csv_bytes(rows, header_names=STRATHDEEN_HEADER)
    if spec.id == "isbp":
        return _csv_bytes(rows)
    if spec.id == "openquill":
        document: object = {
            "generated_at": "2026-11-20T06:00:00Z",
            "publisher": spec.name,
            "offerings": rows,
        }
    else:
        document = rows
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def providers_document() -> list[dict[str, object]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "country": p.country,
            "url": p.url,
            "default_currency": p.default_currency,
            "default_language": p.default_language,
            "feed": p.feed,
            "format": p.format,
            "credit_system": p.credit_system,
            "level_framework": p.level_framework,
        }
        for p in PROVIDERS
    ]


def generated_files() -> dict[str, bytes]:
    """Every file this script writes, by name."""
    files = {spec.feed: feed_bytes(spec) for spec in PROVIDERS}
    files["providers.json"] = (
        json.dumps(providers_document(), ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")
    return files


def generate(out_dir: Path = OUT_DIR) -> dict[str, int]:
    """Write the sample files into `out_dir`; returns the number of offerings per provider."""
    for name, content in generated_files().items():
        (out_dir / name).write_bytes(content)
    return {spec.id: spec.count for spec in PROVIDERS}


def main() -> None:
    counts = generate()
    for provider_id, count in counts.items():
        print(f"{provider_id:15} {count:4} offerings")
    print(f"{'total':15} {sum(counts.values()):4}")


if __name__ == "__main__":
    main()
