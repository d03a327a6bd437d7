"""Synthetic feed-format-v1 data for benchmarks: varied, provider-style values, fixed seed."""

from __future__ import annotations

import csv
import io
import random

TOPICS = [
    "Data Science",
    "Cloud Security",
    "Project Management",
    "Te Reo Māori",
    "Dairy Farming",
    "Accounting",
    "Nursing Practice",
    "Machine Learning",
    "Gaeilge",
    "Carpentry",
    "Early Childhood Education",
    "Digital Marketing",
    "Supply Chain",
    "Welding",
    "Public Health",
    "Cyber Security",
    "Horticulture",
    "Tourism",
    "Leadership",
    "Python",
]
PREFIXES = [
    "Introduction to",
    "Advanced",
    "Applied",
    "Foundations of",
    "Professional",
    "Essentials of",
    "Certificate in",
    "Workshop:",
    "Micro-credential in",
    "",
]
LEVELS = [
    "NZQF Level {n}",
    "Level {n} (NFQ)",
    "SCQF level {n}",
    "EQF {n}",
    "AQF {n}",
    "Level {n}, NZQF",
]
CREDITS = [
    "{n} credits",
    "{n} ECTS",
    "{n},5 ECTS",
    "{n} CATS points",
    "{n} SCQF points",
    "{n} hours",
]
MODES = [
    "Online",
    "Face to face",
    "On campus",
    "Blended",
    "Hybrid",
    "Online (self-paced)",
    "Distance",
]
PRICES = ["NZ${n},250", "€{n}50", "£{n}5.00", "Free", "USD {n}9", "{n}200 NZD incl. GST", "A${n}00"]
DURATIONS = ["{n} weeks", "{n} months part-time", "PT{n}0H", "{n}0 hours", "2–3 hours per week"]
LANGUAGES = ["English", "en", "Te Reo Māori", "Irish", "Welsh"]
PLACES = [
    "Wellington, New Zealand",
    "Online",
    "Dublin, Ireland",
    "Glasgow, Scotland",
    "Sydney, Australia",
    "Auckland; Online",
]
# Words for descriptions, drawn with Zipf-like weights so that, as in real catalogues, a
# few words are everywhere and most are rare.
GENERAL_WORDS = (
    "skills workplace learners practice industry assessment project team online "
    "professional knowledge employers tools methods portfolio safety clients "
    "communication planning quality community regional evidence research design "
    "analysis systems policy culture leadership budget reporting compliance "
    "sustainability technology environment customers strategy innovation health "
    "wellbeing legislation contracts risk finance marketing operations logistics "
    "ethics equity partnership outcomes capstone placement mentoring seminar "
    "workshop fieldwork laboratory studio simulation case studies reflective "
    "journal presentation"
).split()
ZIPF_WEIGHTS = [1 / (rank + 1) for rank in range(len(GENERAL_WORDS))]
FIELDS = [
    "id",
    "title",
    "description",
    "level",
    "credits",
    "mode",
    "price",
    "duration",
    "start_dates",
    "location",
    "language",
    "subject",
    "learning_outcomes",
    "credential_type",
]


def synthetic_rows(count: int, seed: int = 7, id_prefix: str = "SYN"):
    rng = random.Random(seed)
    for n in range(count):
        topic = rng.choice(TOPICS)
        k = rng.randint(1, 9)
        yield {
            "id": f"{id_prefix}-{n:06d}",
            "title": f"{rng.choice(PREFIXES)} {topic} {n % 97}".strip(),
            "description": f"{topic}: "
            + " ".join(rng.choices(GENERAL_WORDS, weights=ZIPF_WEIGHTS, k=rng.randint(12, 30)))
            + ".",
            "level": rng.choice(LEVELS).format(n=min(k, 8)),
            "credits": rng.choice(CREDITS).format(n=k * 5),
            "mode": rng.choice(MODES),
            "price": rng.choice(PRICES).format(n=k),
            "duration": rng.choice(DURATIONS).format(n=k),
            "start_dates": f"2027-{(n % 12) + 1:02d}-{(n % 27) + 1:02d}",
            "location": rng.choice(PLACES),
            "language": rng.choice(LANGUAGES),
            "subject": topic,
            "learning_outcomes": f"Explain {topic.lower()}; Apply {topic.lower()} at work",
            "credential_type": rng.choice(["micro-credential", "digital badge", "certificate"]),
        }


def synthetic_csv(count: int, seed: int = 7, id_prefix: str = "SYN") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(synthetic_rows(count, seed, id_prefix))
    return buffer.getvalue().encode()
