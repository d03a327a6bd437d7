"""Each normalised value of an offering in words (level, credits, price, duration, place,
mode, next start): what the offering page, the compare table and the result cards show."""

from __future__ import annotations

from datetime import date

from normaliser.schema import (
    Credits,
    DatePrecision,
    Duration,
    Instance,
    Level,
    Place,
    Price,
    StoredOffering,
)
from search_api.pages.render import CREDIT_SYSTEM_LABELS, Labels, money, number

NOT_STATED = "Not stated"


def level_text(level: Level | None) -> str:
    if level is None or (level.framework is None and level.value is None):
        return ""
    native = " ".join(
        x
        for x in (
            level.framework.value if level.framework else None,
            f"level {level.value}" if level.value else None,
        )
        if x
    )
    if level.eqf:
        return (
            native
            if level.framework and level.framework.value == "EQF"
            else f"{native} (EQF level {level.eqf})"
        )
    return f"{native} (no official EQF referencing)" if level.framework else native


def credits_text(credits: Credits | None) -> str:
    if credits is None or (credits.value is None and credits.ects is None):
        return ""
    parts = []
    if credits.value is not None:
        system = credits.system.value if credits.system else None
        parts.append(
            f"{number(credits.value)} {CREDIT_SYSTEM_LABELS.get(system, system or 'credits')}"
        )
    if credits.ects is not None and (credits.system is None or credits.system.value != "ECTS"):
        parts.append(f"{number(credits.ects)} ECTS")
    text = " = ".join(parts)
    if credits.hours is not None:
        text += f" · {number(credits.hours)} hours of learning"
    if credits.approximate:
        text += " (approximate conversion)"
    return text


def ects_text(credits: Credits | dict | None) -> str:
    """Short form for cards: '15 NZ credits (7.5 ECTS)'."""
    if not credits:
        return ""
    c = credits if isinstance(credits, dict) else credits.model_dump(mode="json")
    if c.get("value") is None:
        return f"{number(c['ects'])} ECTS" if c.get("ects") is not None else ""
    system = c.get("system")
    text = f"{number(c['value'])} {CREDIT_SYSTEM_LABELS.get(system, system or 'credits')}"
    if c.get("ects") is not None and system != "ECTS":
        text += f" ({'about ' if c.get('approximate') else ''}{number(c['ects'])} ECTS)"
    return text


def price_text(price: Price | dict | None, reference_currency: str) -> str:
    if not price:
        return ""
    p = price if isinstance(price, dict) else price.model_dump(mode="json")
    if p.get("is_free"):
        return "Free"
    if p.get("amount") is None:
        return "Ask the provider"
    text = money(p["amount"], p.get("currency"))
    if p.get("amount_max"):
        text += f" to {money(p['amount_max'], None)}"
    ref = p.get("amount_ref")
    if ref is not None and p.get("currency") != reference_currency:
        text += f" (about {money(round(ref), reference_currency)})"
    return text


def price_details(price: Price | None) -> str:
    if price is None:
        return ""
    notes = []
    if price.includes_tax is True:
        notes.append("includes tax")
    elif price.includes_tax is False:
        notes.append("plus tax")
    if price.audience and price.audience.value != "any":
        notes.append(f"for {price.audience.value} learners")
    if price.rate_date and price.amount_ref is not None and not price.is_free:
        notes.append(f"converted at the rates of {price.rate_date.isoformat()}")
    return "; ".join(notes)


def duration_text(duration: Duration | dict | None) -> str:
    if not duration:
        return ""
    d = duration if isinstance(duration, dict) else duration.model_dump(mode="json")
    parts = []
    if d.get("weeks"):
        parts.append(f"{number(d['weeks'])} week{'' if d['weeks'] == 1 else 's'}")
    if d.get("hours"):
        parts.append(f"{number(d['hours'])} hours")
    if d.get("hours_per_week"):
        parts.append(f"{number(d['hours_per_week'])} hours a week")
    if d.get("part_time"):
        parts.append("part-time")
    return " · ".join(parts)


def place_text(place: Place | None, labels: Labels) -> str:
    if place is None:
        return ""
    if place.online and not (place.city or place.region):
        return "Online"
    bits = [
        place.city,
        place.region if place.region != place.city else None,
        labels.value("country", place.country) if place.country else None,
    ]
    return ", ".join(b for b in bits if b) or (place.raw or "")


def mode_text(offering: StoredOffering, labels: Labels) -> str:
    bits = [
        labels.value("mode", offering.mode.value) if offering.mode else None,
        labels.value("pace", offering.pace.value) if offering.pace else None,
    ]
    return " · ".join(b for b in bits if b)


def start_text(day: date, precision: str | None, written: str | None) -> str:
    """A start as the provider gave it: a full date as a date, a month as the month
    ("September 2027"), a year or a season as written ("Semester 2, 2027")."""
    if precision == DatePrecision.MONTH:
        return day.strftime("%B %Y")
    if precision == DatePrecision.YEAR:
        return written or str(day.year)
    return day.isoformat()


def run_start(run: Instance) -> str:
    if run.start_date is None:
        return ""
    return start_text(run.start_date, run.start_precision, run.start_written)


def _still_to_come(run: Instance, today: date) -> bool:
    """A month or a year still to come includes the one we are in."""
    day = run.start_date
    if day is None:
        return False
    if run.start_precision == DatePrecision.YEAR:
        return day.year >= today.year
    if run.start_precision == DatePrecision.MONTH:
        return (day.year, day.month) >= (today.year, today.month)
    return day >= today


def next_start(offering: StoredOffering, today: date | None = None) -> str:
    today = today or date.today()
    runs = sorted(
        (r for r in offering.instances if r.start_date), key=lambda r: r.start_date or today
    )
    upcoming = [r for r in runs if _still_to_come(r, today)]
    if upcoming:
        return run_start(upcoming[0])
    if runs:
        return f"{run_start(runs[-1])} (past)"
    if offering.pace and offering.pace.value == "self_paced":
        return "Start any time"
    return ""
