"""A small hand-built corpus of normalised offerings for the backend contract suite.

Built from the schema directly, not through the normaliser, so a search test fails only
for a search reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from catalogue.search.documents import IndexDocument, build_document
from normaliser.schema import (
    Channel,
    Credits,
    CreditSystem,
    Duration,
    Framework,
    Instance,
    Level,
    Mode,
    Pace,
    Place,
    Price,
    Provenance,
    Provider,
    StoredOffering,
    Subject,
)

TE_AWA = Provider(id="te-awa", name="Te Awa Institute of Technology", country="NZ")
CLIODHNA = Provider(id="cliodhna", name="Ollscoil Chlíodhna", country="IE")
OPENLEARN = Provider(id="openlearn", name="Open Learning Commons", country="US")

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def offering(
    n: int,
    provider: Provider,
    title: str,
    *,
    description: str = "",
    outcomes: tuple[str, ...] = (),
    framework: Framework | None = None,
    level: str | None = None,
    eqf: int | None = None,
    ects: float | None = None,
    system: CreditSystem | None = None,
    hours: float | None = None,
    weeks: float | None = None,
    price: float | None = None,
    currency: str = "EUR",
    free: bool = False,
    languages: tuple[str, ...] = ("en",),
    subjects: tuple[str, ...] = (),
    credential_type: str | None = "micro-credential",
    runs: tuple[tuple[date | None, Mode, str | None, float | None], ...] = (),
    mode: Mode | None = Mode.ONLINE,
    pace: Pace | None = None,
    version: int = 1,
) -> StoredOffering:
    """`runs` are (start date, mode, country, price in EUR)."""
    offering_price = (
        Price(
            amount=0 if free else price,
            currency=currency,
            is_free=free,
            amount_ref=0 if free else price,
            ref_currency="EUR",
        )
        if (price is not None or free)
        else None
    )
    instances = [
        Instance(
            start_date=start,
            mode=run_mode,
            place=Place(country=country) if country else None,
            price=Price(amount=p, currency="EUR", amount_ref=p, ref_currency="EUR", is_free=p == 0)
            if p is not None
            else offering_price,
        )
        for start, run_mode, country, p in runs
    ]
    return StoredOffering(
        id=f"doc{n:03d}",
        provider=provider,
        provider_offering_id=f"P-{n}",
        version=version,
        title=title,
        description=description or None,
        learning_outcomes=list(outcomes),
        level=Level(framework=framework, value=level, eqf=eqf) if (framework or level) else None,
        credits=Credits(value=ects, system=system or CreditSystem.ECTS, ects=ects, hours=hours)
        if ects is not None
        else None,
        duration=Duration(weeks=weeks, hours=hours) if (weeks or hours) else None,
        price=offering_price,
        mode=mode,
        pace=pace,
        languages=list(languages),
        subject=Subject(isced=list(subjects)) if subjects else None,
        credential_type=credential_type,
        instances=instances,
        places=[Place(country=provider.country)] if provider.country else [],
        provenance=Provenance(
            provider_id=provider.id,
            channel=Channel.PUSH,
            first_seen=BASE_TIME + timedelta(days=n),
            last_seen=BASE_TIME + timedelta(days=n),
        ),
    )


def corpus() -> list[StoredOffering]:
    d = date
    return [
        offering(
            1,
            TE_AWA,
            "Introduction to Data Science",
            description="Learn Python, statistics and visualisation for real data.",
            outcomes=("Clean a data set", "Build a regression model"),
            framework=Framework.NZQF,
            level="5",
            eqf=5,
            ects=7.5,
            system=CreditSystem.NZ_CREDITS,
            hours=150,
            weeks=6,
            price=690.0,
            subjects=("0613", "0542"),
            runs=(
                (d(2027, 3, 1), Mode.ONLINE, "NZ", 690.0),
                (d(2027, 7, 1), Mode.IN_PERSON, "NZ", 750.0),
            ),
        ),
        offering(
            2,
            TE_AWA,
            "Te Reo Māori for the Workplace",
            description="Everyday te reo Māori and tikanga for professional settings.",
            framework=Framework.NZQF,
            level="3",
            eqf=4,
            ects=5,
            system=CreditSystem.NZ_CREDITS,
            hours=100,
            weeks=10,
            free=True,
            languages=("mi", "en"),
            subjects=("0231",),
            runs=((d(2027, 2, 15), Mode.IN_PERSON, "NZ", 0.0),),
        ),
        offering(
            3,
            TE_AWA,
            "Sustainable Dairy Farming",
            description="Pasture management and effluent systems on the farm.",
            framework=Framework.NZQF,
            level="4",
            eqf=4,
            ects=10,
            hours=200,
            weeks=12,
            price=1200.0,
            subjects=("0811",),
            mode=Mode.BLENDED,
            runs=((d(2027, 4, 1), Mode.BLENDED, "NZ", 1200.0),),
        ),
        offering(
            4,
            CLIODHNA,
            "Gaeilge don Ghnó: Irish for Business",
            description="Irish language for the office: meetings, email and phone.",
            framework=Framework.NFQ,
            level="6",
            eqf=5,
            ects=5,
            weeks=8,
            price=450.0,
            languages=("ga", "en"),
            subjects=("0231",),
            runs=((d(2027, 1, 20), Mode.ONLINE, "IE", 450.0),),
        ),
        offering(
            5,
            CLIODHNA,
            "Data Protection and GDPR in Practice",
            description="Data protection law for practitioners.",
            framework=Framework.NFQ,
            level="9",
            eqf=7,
            ects=10,
            weeks=12,
            price=2450.0,
            subjects=("0421",),
            credential_type="certificate",
            runs=(
                (d(2027, 2, 1), Mode.BLENDED, "IE", 2450.0),
                (d(2027, 9, 1), Mode.ONLINE, "IE", 2450.0),
            ),
        ),
        offering(
            6,
            CLIODHNA,
            "Cloud Security Fundamentals",
            description="Identity, encryption and <script>alert(1)</script> safe configuration.",
            framework=Framework.NFQ,
            level="8",
            eqf=6,
            ects=5,
            weeks=6,
            price=995.0,
            subjects=("0612",),
            runs=((d(2026, 12, 1), Mode.ONLINE, "IE", 995.0),),
        ),
        offering(
            7,
            OPENLEARN,
            "Machine Learning with Python",
            description="Supervised learning, data pipelines and model evaluation.",
            ects=None,
            hours=30,
            weeks=6,
            free=True,
            currency="USD",
            subjects=("0613",),
            pace=Pace.SELF_PACED,
            credential_type="certificate of completion",
            runs=((None, Mode.ONLINE, None, 0.0),),
        ),
        offering(
            8,
            OPENLEARN,
            "Financial Accounting Basics",
            description="Double-entry bookkeeping and financial statements.",
            hours=20,
            weeks=4,
            price=45.0,
            currency="USD",
            subjects=("0411",),
            pace=Pace.SELF_PACED,
            credential_type="digital badge",
            runs=((None, Mode.ONLINE, None, 45.0),),
        ),
        offering(
            9,
            OPENLEARN,
            "Data Visualisation Storytelling",
            description="Charts that explain: from spreadsheets to dashboards.",
            hours=12,
            weeks=3,
            price=None,
            subjects=("0613",),
            pace=Pace.SELF_PACED,
            credential_type=None,
            runs=(),
        ),
        offering(
            10,
            TE_AWA,
            "Project Management Essentials",
            description="Plan, schedule and deliver projects; an introduction to data-driven reporting.",
            framework=Framework.NZQF,
            level="6",
            eqf=5,
            ects=7.5,
            hours=150,
            weeks=8,
            price=1500.0,
            subjects=("0413",),
            runs=((d(2027, 5, 3), Mode.IN_PERSON, "NZ", 1500.0),),
        ),
    ]


def documents() -> list[IndexDocument]:
    return [build_document(o) for o in corpus()]
