"""Delivery mode and pace: 'Online (self-paced)', 'Face to face', 'Blended', 'InPerson'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.schema import Mode, Pace
from normaliser.text import clean, fold, shorten


@dataclass(frozen=True)
class ModePace:
    """What a mode text says: how it is delivered and whether it runs to a timetable."""

    mode: Mode | None = None
    pace: Pace | None = None


def _words(*phrases: str) -> re.Pattern[str]:
    # Phrases are folded text; spaces and hyphens in them match either, or nothing.
    body = "|".join(
        re.escape(p).replace(r"\ ", r"[\s-]*").replace(r"\-", r"[\s-]*") for p in phrases
    )
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")


# CTDL deliveryType terms (InPerson, OnlineOnly, BlendedDelivery, VariableSite) fold to
# single words and are listed with the plain-language phrases; so is OnlineDelivery, which
# Credential Engine's own published example LearningProgram-2 uses. So are schema.org's
# event attendance modes (https://schema.org/EventAttendanceModeEnumeration: Online-,
# Offline- and MixedEventAttendanceMode), which CourseInstances give as courseMode or
# eventAttendanceMode, often as the full URL.
# The other languages of the markets we serve and their neighbours (French, German, Spanish,
# Dutch, Swedish, Irish, te reo Māori): the words their course catalogues use for the three
# modes, folded. "Hybride"/"híbrido" and "semipresencial" are blended, "présentiel",
# "Präsenz", "presencial", "klassikaal", "på plats" and "ar an láthair" in person,
# "en ligne", "à distance", "Fernstudium", "a distancia", "op afstand", "distans", "ar líne"
# and "ipurangi" online.
_BLENDED = _words(
    "hybride",
    "hibrido",
    "hibrida",
    "semipresencial",
    "semi presencial",
    "mixte",
    "gemischt",
    "blandad",
    "blended",
    "blendeddelivery",
    "hybrid",
    "hyflex",
    "mixed mode",
    "multi modal",
    "multimodal",
    "flipped",
    "mixedeventattendancemode",
)
_ONLINE = _words(
    "en ligne",
    "a distance",
    "distanciel",
    "fernstudium",
    "fernunterricht",
    "a distancia",
    "en linea",
    "op afstand",
    "afstandsonderwijs",
    "distans",
    "distansutbildning",
    "ar line",
    "cianoideachas",
    "ipurangi",
    "online",
    "onlineonly",
    "onlinedelivery",
    "onlineeventattendancemode",
    "on line",
    "e learning",
    "elearning",
    "distance",
    "distance learning",
    "remote",
    "remotely",
    "virtual",
    "web based",
    "internet",
    "zoom",
    "mooc",
    "correspondence",
)
_IN_PERSON = _words(
    "face to face",
    "f2f",
    "on campus",
    "campus",
    "in person",
    "inperson",
    "offlineeventattendancemode",
    "onsite",
    "on site",
    "in class",
    "classroom",
    "workplace",
    "workplace based",
    "work based",
    "on the job",
    "on job",
    "variablesite",
    "residential",
    "block course",
    "kanohi ki te kanohi",
    "presentiel",
    "en presentiel",
    "prasenz",
    "prasenzveranstaltung",
    "vor ort",
    "presencial",
    "klassikaal",
    "op locatie",
    "pa plats",
    "ar an lathair",
    "duine le duine",
)
_SELF_PACED = _words(
    "self paced",
    "selfpaced",
    "own pace",
    "your pace",
    "asynchronous",
    "async",
    "on demand",
    "ondemand",
    "anytime",
    "any time",
    "flexible start",
    "study when you like",
    "unscheduled",
)
_SCHEDULED = _words(
    "scheduled",
    "live",
    "synchronous",
    "instructor led",
    "tutor led",
    "teacher led",
    "cohort",
    "cohort based",
    "timetabled",
    "fixed dates",
    "real time",
    "webinars",
    "classes",
    "lectures",
    "weekly sessions",
)
# 'Online or on campus' offers two separate modes, which is not blended delivery.
# Phrases whose words would otherwise count for the wrong side.
_REWRITES = (
    (re.compile(r"virtual[\s-]*class(?:room)?s?"), "online live"),
    (re.compile(r"online[\s-]*campus"), "online"),
)
_ALTERNATIVES = re.compile(r"(?<![a-z])(?:or|either)(?![a-z])|/")
_ASYNCHRONOUS_RE = re.compile(r"\basynchronous\b")


@memoised_parser
def parse_mode(raw: str | None, field: str = "mode") -> Parsed[ModePace]:
    """Map a delivery text to Mode (online, in_person, blended) and Pace (self_paced, scheduled)."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = fold(text)
    for pattern, replacement in _REWRITES:
        folded = pattern.sub(replacement, folded)
    issues: list[Issue] = []

    online = bool(_ONLINE.search(folded))
    in_person = bool(_IN_PERSON.search(folded))
    mode: Mode | None = None
    if _BLENDED.search(folded):
        mode = Mode.BLENDED
    elif online and in_person:
        if _ALTERNATIVES.search(folded):
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.AMBIGUOUS,
                    "Offered online or in person, which are two modes; give one mode per "
                    "instance (one row or start date per mode).",
                    value,
                )
            )
        else:
            mode = Mode.BLENDED
    elif online:
        mode = Mode.ONLINE
    elif in_person:
        mode = Mode.IN_PERSON

    # 'Asynchronous' says self-paced; 'synchronous' inside it must not also count as scheduled.
    self_paced = bool(_SELF_PACED.search(folded))
    scheduled = bool(_SCHEDULED.search(_ASYNCHRONOUS_RE.sub(" ", folded)))
    pace: Pace | None = None
    if self_paced and scheduled:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                "Says both self-paced and scheduled; pace left empty. Say which the learner "
                "mostly does, e.g. 'Online (self-paced)' or 'Online, live sessions'.",
                value,
            )
        )
    elif self_paced:
        pace = Pace.SELF_PACED
    elif scheduled:
        pace = Pace.SCHEDULED

    if mode is None and pace is None:
        if not issues:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    "No delivery mode recognised; write Online, In person or Blended, optionally "
                    "with self-paced or scheduled.",
                    value,
                )
            )
        return Parsed(None, issues)
    return Parsed(ModePace(mode=mode, pace=pace), issues)
