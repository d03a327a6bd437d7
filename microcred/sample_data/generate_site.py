"""Generate the website of the crawl-only sample provider (site/ beside this script).

    python -m microcred.sample_data.generate_site

Corrib Bay Skills Academy is invented: it publishes no feed, only a small static website
whose course pages carry schema.org markup the way real course sites do. Most pages use
JSON-LD in the shape of Google's course-info guide (Course with offers, numberOfCredits,
educationalCredentialAwarded and one CourseInstance per run); some a Yoast-style @graph
(WebPage, BreadcrumbList, Organization, and the Course pointing at the Organization by
@id); some microdata; a couple RDFa in the style of the W3C Schema Course Extension
Community Group's examples; one has a trailing comma and a comment in its JSON-LD, as
hand-edited templates do. The course listing is paginated (rel=next) and carries an
ItemList of the course pages, as Google's course-list guide describes. robots.txt
disallows /staff/, whose page would otherwise add a course, and names the sitemap.
`microcred up` serves the site on loopback and crawls it on first start
(microcred.demo_site); `__ORIGIN__` in robots.txt and the sitemap is replaced by the
address it is served at. Output is deterministic; a test checks the committed files.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent / "site"
ORIGIN = "__ORIGIN__"
PUBLIC_SITE = "https://corribbay.example.ie"
PROVIDER = {
    "id": "corrib-bay",
    "name": "Corrib Bay Skills Academy",
    "country": "IE",
    "url": PUBLIC_SITE,
    "default_currency": "EUR",
    "default_language": "en",
    "credit_system": "ECTS",
    "level_framework": "NFQ",
}
PER_LISTING_PAGE = 12
FIRST_RUN = date(2027, 1, 18)


@dataclass(frozen=True)
class Course:
    code: str
    title: str
    subject: str
    level: int
    ects: int
    fee: int
    weeks: int
    hours: int
    modes: tuple[str, ...]  # one run per mode
    markup: str  # jsonld | graph | microdata | rdfa | broken

    @property
    def slug(self) -> str:
        return "-".join(
            "".join(c for c in word.lower() if c.isalnum()) for word in self.title.split()
        )

    @property
    def path(self) -> str:
        return f"/courses/{self.slug}.html"


_SUBJECTS = (
    (
        "Data analytics",
        (
            "Data Analytics Foundations",
            "Applied SQL for Analysts",
            "Data Visualisation with Python",
            "Machine Learning in Practice",
        ),
    ),
    (
        "Cyber security",
        ("Cyber Security Essentials", "Secure Cloud Operations", "Incident Response for SMEs"),
    ),
    (
        "Software development",
        ("Web Development Bootcamp", "Agile Software Testing", "DevOps Pipelines"),
    ),
    (
        "Business management",
        (
            "Lean Six Sigma Yellow Belt",
            "Digital Marketing Strategy",
            "Project Management Essentials",
            "Financial Literacy for Managers",
        ),
    ),
    (
        "Hospitality",
        (
            "Sustainable Tourism Operations",
            "Food Safety Management",
            "Hospitality Revenue Management",
        ),
    ),
    (
        "Health care",
        (
            "Healthcare Quality Improvement",
            "Mental Health First Response",
            "Clinical Data Management",
        ),
    ),
    (
        "Renewable energy",
        ("Offshore Wind Fundamentals", "Retrofit Coordination", "Solar PV Design"),
    ),
    (
        "Agriculture",
        ("Precision Agriculture", "Marine Aquaculture Skills", "Farm Business Planning"),
    ),
    ("Education", ("Digital Teaching Skills", "Universal Design for Learning")),
)
_MODES = (("online",), ("blended",), ("onsite",), ("online", "onsite"), ("blended", "online"))
_MARKUP = ("jsonld",) * 4 + ("graph",) * 2 + ("microdata",) + ("jsonld",) * 2 + ("rdfa",)


def courses() -> list[Course]:
    found = []
    number = 0
    for subject, titles in _SUBJECTS:
        for title in titles:
            number += 1
            markup = "broken" if number == 7 else _MARKUP[number % len(_MARKUP)]
            found.append(
                Course(
                    code=f"CB{100 + number * 7}",
                    title=title,
                    subject=subject,
                    level=6 + number % 4,
                    ects=(5, 10, 15)[number % 3],
                    fee=(0, 450, 750, 1250, 1900)[number % 5],
                    weeks=(6, 8, 10, 12)[number % 4],
                    hours=(40, 60, 90, 125)[number % 4],
                    modes=_MODES[number % len(_MODES)],
                    markup=markup,
                )
            )
    return found


def _runs(course: Course) -> list[dict]:
    runs = []
    for index, mode in enumerate(course.modes):
        start = FIRST_RUN + timedelta(weeks=6 * index + len(course.code) + course.level)
        run: dict[str, object] = {
            "@type": "CourseInstance",
            "courseMode": mode,
            "startDate": start.isoformat(),
            "endDate": (start + timedelta(weeks=course.weeks)).isoformat(),
            "courseWorkload": f"PT{course.hours}H",
        }
        if mode == "online":
            run["location"] = {"@type": "VirtualLocation", "url": f"{PUBLIC_SITE}/learn"}
        else:
            town = ("Galway", "Clifden", "Oranmore")[index % 3]
            run["location"] = {
                "@type": "Place",
                "name": f"Corrib Bay {town} campus",
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": town,
                    "addressRegion": "County Galway",
                    "addressCountry": "IE",
                },
            }
        runs.append(run)
    return runs


def _course_node(course: Course) -> dict:
    return {
        "@type": "Course",
        "courseCode": course.code,
        "name": course.title,
        "description": f"{course.title} is a micro-credential in {course.subject.lower()} "
        f"at NFQ level {course.level}, taught over {course.weeks} weeks.",
        "url": f"{PUBLIC_SITE}{course.path}",
        "inLanguage": "en",
        "about": course.subject,
        "educationalLevel": f"NFQ Level {course.level}",
        "numberOfCredits": {"@type": "StructuredValue", "value": course.ects, "unitText": "ECTS"},
        "timeRequired": f"P{course.weeks}W",
        "educationalCredentialAwarded": {
            "@type": "EducationalOccupationalCredential",
            "name": f"Certificate in {course.title}",
            "credentialCategory": "Micro-credential",
        },
        "offers": (
            {"@type": "Offer", "category": "Free", "price": 0, "priceCurrency": "EUR"}
            if course.fee == 0
            else {"@type": "Offer", "category": "Paid", "price": course.fee, "priceCurrency": "EUR"}
        ),
        "hasCourseInstance": _runs(course),
    }


def _jsonld(course: Course) -> str:
    node = {"@context": "https://schema.org", **_course_node(course)}
    node["provider"] = {
        "@type": "CollegeOrUniversity",
        "name": PROVIDER["name"],
        "sameAs": PUBLIC_SITE,
    }
    return _script(json.dumps(node, indent=2, ensure_ascii=False))


def _graph(course: Course) -> str:
    page = f"{PUBLIC_SITE}{course.path}"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": f"{page}#webpage",
                "url": page,
                "name": course.title,
                "isPartOf": {"@id": f"{PUBLIC_SITE}/#website"},
                "breadcrumb": {"@id": f"{page}#breadcrumb"},
            },
            {
                "@type": "BreadcrumbList",
                "@id": f"{page}#breadcrumb",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{PUBLIC_SITE}/"},
                    {
                        "@type": "ListItem",
                        "position": 2,
                        "name": "Courses",
                        "item": f"{PUBLIC_SITE}/courses/",
                    },
                    {"@type": "ListItem", "position": 3, "name": course.title},
                ],
            },
            {
                "@type": "WebSite",
                "@id": f"{PUBLIC_SITE}/#website",
                "url": f"{PUBLIC_SITE}/",
                "name": PROVIDER["name"],
            },
            {
                "@type": "Organization",
                "@id": f"{PUBLIC_SITE}/#organization",
                "name": PROVIDER["name"],
                "url": f"{PUBLIC_SITE}/",
            },
            {
                **_course_node(course),
                "@id": f"{page}#course",
                "provider": {"@id": f"{PUBLIC_SITE}/#organization"},
            },
        ],
    }
    return _script(json.dumps(graph, indent=2, ensure_ascii=False))


def _broken(course: Course) -> str:
    # A hand-edited template: a comment and a trailing comma, as browsers and search
    # engines forgive and strict JSON does not.
    text = json.dumps({"@context": "https://schema.org", **_course_node(course)}, indent=2)
    text = text.replace('"inLanguage": "en",', '"inLanguage": "en", // TODO: Irish too', 1)
    text = text[: text.rindex("}")].rstrip() + ",\n}"
    return _script(text)


def _script(body: str) -> str:
    return f'<script type="application/ld+json">\n{body}\n</script>'


def _microdata(course: Course) -> str:
    run = _runs(course)[0]
    return f"""<div itemscope itemtype="https://schema.org/Course">
  <h2 itemprop="name">{html.escape(course.title)}</h2>
  <meta itemprop="courseCode" content="{course.code}">
  <p itemprop="description">{html.escape(_course_node(course)["description"])}</p>
  <p>Level: <span itemprop="educationalLevel">NFQ Level {course.level}</span>,
     <span itemprop="numberOfCredits">{course.ects} ECTS</span> credits.</p>
  <p itemprop="about">{html.escape(course.subject)}</p>
  <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
    Fee: <meta itemprop="priceCurrency" content="EUR">&euro;<span itemprop="price">{course.fee}</span>
  </div>
  <div itemprop="hasCourseInstance" itemscope itemtype="https://schema.org/CourseInstance">
    <meta itemprop="courseMode" content="{run["courseMode"]}">
    Starts <time itemprop="startDate" datetime="{run["startDate"]}">{run["startDate"]}</time>
  </div>
</div>"""


def _rdfa(course: Course) -> str:
    run = _runs(course)[0]
    return f"""<div vocab="https://schema.org/" typeof="Course">
  <h2 property="name">{html.escape(course.title)}</h2>
  <div>Course code <span property="courseCode">{course.code}</span></div>
  <p property="description">{html.escape(_course_node(course)["description"])}</p>
  <div property="provider" typeof="CollegeOrUniversity">
    <span property="name">{html.escape(PROVIDER["name"])}</span></div>
  <meta property="educationalLevel" content="NFQ Level {course.level}">
  <meta property="numberOfCredits" content="{course.ects} ECTS">
  <div property="offers" typeof="Offer"><meta property="price" content="{course.fee}">
    <meta property="priceCurrency" content="EUR"></div>
  <div property="hasCourseInstance" typeof="CourseInstance">
    <meta property="courseMode" content="{run["courseMode"]}">
    <meta property="startDate" content="{run["startDate"]}"></div>
</div>"""


_MARKUP_WRITERS = {
    "jsonld": _jsonld,
    "graph": _graph,
    "broken": _broken,
    "microdata": _microdata,
    "rdfa": _rdfa,
}


def _page(title: str, head: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} | {PROVIDER["name"]}</title>
{head}
</head>
<body>
<nav><a href="/">Home</a> <a href="/courses/">Courses</a> <a href="/about.html">About</a>
<a href="/staff/">Staff area</a></nav>
<main>
{body}
</main>
</body>
</html>
"""


def course_page(course: Course) -> str:
    markup = _MARKUP_WRITERS[course.markup](course)
    in_head = course.markup in ("jsonld", "graph", "broken")
    body = (
        f"<h1>{html.escape(course.title)}</h1>\n<p>{course.weeks} weeks, "
        f"{course.ects} ECTS, &euro;{course.fee}.</p>"
    )
    if not in_head:
        body = markup
    return _page(course.title, markup if in_head else "", body)


def listing_pages(all_courses: list[Course]) -> dict[str, str]:
    chunks = [
        all_courses[i : i + PER_LISTING_PAGE] for i in range(0, len(all_courses), PER_LISTING_PAGE)
    ]
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        path = "courses/index.html" if number == 1 else f"courses/page-{number}.html"
        item_list = {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": (number - 1) * PER_LISTING_PAGE + i,
                    "url": f"{PUBLIC_SITE}{course.path}",
                }
                for i, course in enumerate(chunk, start=1)
            ],
        }
        head = _script(json.dumps(item_list, indent=2))
        if number < len(chunks):
            head += f'\n<link rel="next" href="/courses/page-{number + 1}.html">'
        items = "\n".join(f'<li><a href="{c.path}">{html.escape(c.title)}</a></li>' for c in chunk)
        nav = (
            f'<a rel="next" href="/courses/page-{number + 1}.html">Next page</a>'
            if number < len(chunks)
            else ""
        )
        pages[path] = _page(
            f"Courses, page {number}",
            head,
            f"<h1>Our micro-credentials</h1>\n<ul>\n{items}\n</ul>\n{nav}",
        )
    return pages


def _staff_course() -> Course:
    return Course(
        code="CB-STAFF-1",
        title="Staff Induction (internal)",
        subject="Education",
        level=6,
        ects=5,
        fee=0,
        weeks=2,
        hours=10,
        modes=("onsite",),
        markup="jsonld",
    )


def generated_files() -> dict[str, bytes]:
    """Every file of the site, by path under site/."""
    all_courses = courses()
    files: dict[str, str] = {
        "robots.txt": (
            "User-agent: *\nDisallow: /staff/\nDisallow: /search\n\n"
            f"Sitemap: {ORIGIN}/sitemap.xml\n"
        ),
        "index.html": _page(
            "Home",
            "",
            "<h1>Corrib Bay Skills Academy</h1>\n"
            "<p>Short courses for the west of Ireland. "
            '<a href="/courses/">See all courses</a>.</p>',
        ),
        "about.html": _page("About", "", "<h1>About us</h1><p>An invented provider.</p>"),
        "staff/index.html": course_page(_staff_course()),
        "provider.json": json.dumps(PROVIDER, indent=2) + "\n",
    }
    files.update(listing_pages(all_courses))
    for course in all_courses:
        files[course.path.lstrip("/")] = course_page(course)
    pages = [
        "/",
        "/courses/",
        *(f"/{p}" for p in files if p.startswith("courses/page-")),
        *(c.path for c in all_courses),
    ]
    files["sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"  <url><loc>{ORIGIN}{p}</loc></url>\n" for p in pages)
        + "</urlset>\n"
    )
    return {path: text.encode("utf-8") for path, text in sorted(files.items())}


def generate(out_dir: Path = SITE_DIR) -> int:
    for path, content in generated_files().items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return len(courses())


if __name__ == "__main__":
    print(f"wrote {generate()} course pages to {SITE_DIR}")
