"""What an offering's issues mean to a learner, in plain words: the normaliser's issues are
advice to the provider ("write 'AUD 2,460' to be explicit", field names such as
`start_dates`) and stay on the provider page and in the quality report; the public offering
page says, beside the value concerned, only what the provider left unsaid or unclear."""

from __future__ import annotations

from collections.abc import Callable

from normaliser.issues import Issue, IssueCode, Severity
from normaliser.parsers.dates import parse_date_reading
from normaliser.schema import StoredOffering

STARTS = "Starts"  # the notes about start dates, shown with the dates and places
# The issue's field -> the row of the offering page it is about.
ROW_OF_FIELD = {
    "level": "Level",
    "credits": "Credits",
    "credit_system": "Credits",
    "mode": "How it is taught",
    "price": "Price",
    "currency": "Price",
    "duration": "Duration",
    "language": "Language",
    "languages": "Language",
    "location": "Where",
    "start_dates": STARTS,
    "start_date": STARTS,
}


def _date_note(issue: Issue, _offering: StoredOffering) -> str | None:
    if issue.code in (IssueCode.UNPARSED, IssueCode.INVALID):
        return "The provider did not give a start date we could read."
    if issue.code == IssueCode.AMBIGUOUS:
        reading = parse_date_reading(issue.value, issue.field).value
        if reading is not None and reading.precision is not None:
            return None  # a month or a year alone: shown as the provider gave it
        return (
            "The provider did not say which is the day and which the month; the date is "
            "read day first."
        )
    return None


def _price_note(issue: Issue, offering: StoredOffering) -> str | None:
    if issue.code == IssueCode.UNPARSED:
        return "The provider did not say the price in a form we could read; ask them."
    if issue.code == IssueCode.DEFAULTED and offering.price and offering.price.currency:
        return (
            f"The provider did not name the currency; it is taken to be "
            f"{offering.price.currency}, the provider's own."
        )
    if issue.code == IssueCode.AMBIGUOUS and issue.severity != Severity.INFO:
        return "The provider gave more than one price; this is the first of them."
    return None


def _simple(**by_code: str) -> Callable[[Issue, StoredOffering], str | None]:
    return lambda issue, _offering: by_code.get(issue.code.value)


NOTES: dict[str, Callable[[Issue, StoredOffering], str | None]] = {
    "Level": _simple(
        unparsed="The provider did not give a level we could read.",
        invalid="The provider gave a level that its framework does not have.",
    ),
    "Credits": _simple(
        unparsed="The provider did not give credits we could read.",
        ambiguous="The provider did not say which credit system these credits are in, so "
        "they are not converted to ECTS.",
    ),
    "How it is taught": _simple(
        unparsed="The provider did not say whether it is taught online, in person or both."
    ),
    "Price": _price_note,
    "Duration": _simple(
        unparsed="The provider did not say how long it takes in hours or weeks.",
        ambiguous="The provider gave the length as a semester or a term, whose length "
        "differs between institutions.",
    ),
    "Language": _simple(ambiguous="The provider did not say exactly which language."),
    "Where": _simple(
        defaulted="The provider did not say the country; it is taken to be the provider's own."
    ),
    STARTS: _date_note,
}


def learner_notes(offering: StoredOffering) -> dict[str, list[str]]:
    """Row label -> the plain notes for it, each once, in the order found."""
    notes: dict[str, list[str]] = {}
    for issue in offering.issues:
        row = ROW_OF_FIELD.get(issue.field)
        if row is None:
            continue
        note = NOTES[row](issue, offering)
        if note and note not in notes.get(row, []):
            notes.setdefault(row, []).append(note)
    return notes
