"""parse_mode: delivery mode and pace from the words providers use, CTDL terms included."""

from __future__ import annotations

import dataclasses

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.mode import ModePace, parse_mode
from normaliser.schema import Mode, Pace

ON, IN, BL = Mode.ONLINE, Mode.IN_PERSON, Mode.BLENDED
SELF, SCHED = Pace.SELF_PACED, Pace.SCHEDULED
AMB, UNP = IssueCode.AMBIGUOUS, IssueCode.UNPARSED

# raw, expected (mode, pace) or None, issue codes
CASES = [
    ("Online", (ON, None), []),
    ("online", (ON, None), []),
    ("ONLINE", (ON, None), []),
    ("On-line", (ON, None), []),
    ("Online (self-paced)", (ON, SELF), []),
    ("Online - self paced", (ON, SELF), []),
    ("Self-paced online", (ON, SELF), []),
    ("Online, live sessions", (ON, SCHED), []),
    ("Live online", (ON, SCHED), []),
    ("Online (scheduled)", (ON, SCHED), []),
    ("Online, synchronous", (ON, SCHED), []),
    ("Online, asynchronous", (ON, SELF), []),
    ("asynchronous", (None, SELF), []),
    ("Asynchronous online learning", (ON, SELF), []),
    ("Online on demand", (ON, SELF), []),
    ("Study online at your own pace", (ON, SELF), []),
    ("Online, instructor-led", (ON, SCHED), []),
    ("Online, cohort-based", (ON, SCHED), []),
    ("Distance", (ON, None), []),
    ("Distance learning", (ON, None), []),
    ("Remote", (ON, None), []),
    ("Virtual classroom", (ON, SCHED), []),
    ("Online campus", (ON, None), []),
    ("Virtual", (ON, None), []),
    ("E-learning", (ON, None), []),
    ("eLearning", (ON, None), []),
    ("Web-based", (ON, None), []),
    ("via Zoom", (ON, None), []),
    ("MOOC", (ON, None), []),
    ("OnlineOnly", (ON, None), []),
    ("Face to face", (IN, None), []),
    ("Face-to-face", (IN, None), []),
    ("face‑to‑face", (IN, None), []),
    ("F2F", (IN, None), []),
    ("On campus", (IN, None), []),
    ("On-campus", (IN, None), []),
    ("Campus", (IN, None), []),
    ("In-person", (IN, None), []),
    ("In person", (IN, None), []),
    ("InPerson", (IN, None), []),
    ("Onsite", (IN, None), []),
    ("On-site", (IN, None), []),
    ("On site at your workplace", (IN, None), []),
    ("Workplace-based", (IN, None), []),
    ("Work-based learning", (IN, None), []),
    ("On the job", (IN, None), []),
    ("Classroom", (IN, None), []),
    ("Classroom, timetabled", (IN, SCHED), []),
    ("Block course", (IN, None), []),
    ("Residential", (IN, None), []),
    ("VariableSite", (IN, None), []),
    ("deliveryType:InPerson", (IN, None), []),
    ("deliveryType:OnlineOnly", (ON, None), []),
    ("deliveryType:OnlineDelivery", (ON, None), []),
    ("deliveryType:OnlineOnly or deliveryType:InPerson", None, [AMB]),
    ("https://schema.org/OnlineEventAttendanceMode", (ON, None), []),
    ("http://schema.org/OfflineEventAttendanceMode", (IN, None), []),
    ("MixedEventAttendanceMode", (BL, None), []),
    ("Kanohi ki te kanohi", (IN, None), []),
    ("Blended", (BL, None), []),
    ("Hybrid", (BL, None), []),
    ("BlendedDelivery", (BL, None), []),
    ("Blended delivery", (BL, None), []),
    ("Mixed mode", (BL, None), []),
    ("HyFlex", (BL, None), []),
    ("Online and on campus", (BL, None), []),
    ("Online with two on-campus workshops", (BL, None), []),
    ("Online + face to face", (BL, None), []),
    ("Blended (self-paced online with on-campus days)", (BL, SELF), []),
    ("Hybrid, live", (BL, SCHED), []),
    ("Self-paced", (None, SELF), []),
    ("Self paced", (None, SELF), []),
    ("On-demand", (None, SELF), []),
    ("Scheduled", (None, SCHED), []),
    ("Live", (None, SCHED), []),
    ("Synchronous", (None, SCHED), []),
    ("Online or on campus", None, [AMB]),
    ("Online / Face to face", None, [AMB]),
    ("Either online or in person", None, [AMB]),
    ("Online: self-paced with live webinars", (ON, None), [AMB]),
    ("Self-paced or scheduled", None, [AMB]),
    ("Flexible", None, [UNP]),
    ("TBC", None, [UNP]),
    ("Māori", None, [UNP]),
    ("🙂", None, [UNP]),
    ("Online\u00a0(self\u2011paced)", (ON, SELF), []),
    ("  Online  ", (ON, None), []),
    ("Onlineish" * 500, None, [UNP]),
]


@pytest.mark.parametrize(("raw", "expected", "codes"), CASES)
def test_parse_mode(raw, expected, codes) -> None:
    parsed = parse_mode(raw)
    if expected is None:
        assert parsed.value is None
    else:
        assert (parsed.value.mode, parsed.value.pace) == expected
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", " ", None, "\t\n"])
def test_empty_mode(raw) -> None:
    parsed = parse_mode(raw)
    assert (parsed.value, parsed.issues) == (None, [])


def test_mode_pace_is_frozen() -> None:
    value = ModePace(mode=ON, pace=SELF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.mode = IN  # type: ignore[misc]


def test_issue_names_field() -> None:
    assert parse_mode("TBC", field="delivery").issues[0].field == "delivery"
