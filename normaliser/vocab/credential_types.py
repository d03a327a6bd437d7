"""The small vocabulary of credential types, and the phrasings that map to each.

Our own vocabulary: the kinds of award a micro-credential marketplace lists, with
the names NZQA, the EU Council Recommendation (2022) and Australian VET use.
"""

from __future__ import annotations

MICRO_CREDENTIAL = "micro-credential"
DIGITAL_BADGE = "digital badge"
CERTIFICATE = "certificate"
STATEMENT_OF_ATTAINMENT = "statement of attainment"
DIPLOMA = "diploma"
DEGREE = "degree"
SHORT_COURSE = "short course"

# Order matters: the first type whose phrasing occurs wins ('micro-credential with a
# digital badge' is a micro-credential).
CREDENTIAL_TYPES: tuple[str, ...] = (
    MICRO_CREDENTIAL,
    DIGITAL_BADGE,
    STATEMENT_OF_ATTAINMENT,
    CERTIFICATE,
    DIPLOMA,
    DEGREE,
    SHORT_COURSE,
)

# Folded phrasings per type; hyphens and spaces are interchangeable when matching.
CREDENTIAL_PHRASES: dict[str, tuple[str, ...]] = {
    MICRO_CREDENTIAL: (
        "micro credential",
        "microcredential",
        "micro cred",
        "micro credentials",
        "micro qualification",
        "microcert",
        "micro certificate",
        "micro masters",
        "micromasters",
        "nanodegree",
    ),
    DIGITAL_BADGE: ("digital badge", "open badge", "badge", "digital credential", "credly"),
    STATEMENT_OF_ATTAINMENT: ("statement of attainment", "skill set", "skills set"),
    CERTIFICATE: (
        "certificate",
        "certification",
        "cert",
        "certificate of completion",
        "certificate of achievement",
        "certificate of attendance",
        "certificate of participation",
        "professional certificate",
        "graduate certificate",
        "postgraduate certificate",
        "record of achievement",
    ),
    DIPLOMA: ("diploma", "graduate diploma", "postgraduate diploma", "advanced diploma"),
    DEGREE: (
        "degree",
        "bachelor",
        "bachelors",
        "master",
        "masters",
        "doctorate",
        "phd",
        "associate degree",
    ),
    SHORT_COURSE: (
        "short course",
        "course",
        "workshop",
        "training course",
        "module",
        "non award",
        "non credit",
        "cpd",
    ),
}
