"""What the European Learning Model's controlled-vocabulary URIs mean, for the ELM readers.

Every table is taken from the ELM v3 LOQ controlled vocabularies as the Europass
Qualifications Dataset Register publishes them (european-commission-empl/European-Learning-Model,
commit 9d7c5d2, copied to shared/reference/elm-v3-loq/loq/cv/*.xsd: each enumeration value
is a URI, its xs:documentation the label used here). Only the terms a field of ours takes
are listed; the readers report any other term as unknown rather than guess.
"""

from __future__ import annotations

# loq/cv/eqf.xsd: http://data.europa.eu/snb/eqf/1 ... /8, the eight EQF levels.
EQF_LEVEL_PREFIX = "http://data.europa.eu/snb/eqf/"

# loq/cv/nqf.xsd (scheme http://data.europa.eu/snb/qdr/25831c2): the levels of the national
# frameworks the level parser knows (normaliser.vocab.frameworks), written the way it reads
# them. The xsd labels are "IE NQF Level 6", "SCQF Level 7", "RQF Level 3", "RQF Entry Level 3".
NQF_LEVELS: dict[str, str] = {
    # Ireland's National Framework of Qualifications ("IE NQF Level n")
    "c_53e465cb": "NFQ Level 1",
    "c_060f2f91": "NFQ Level 2",
    "c_4c88e501": "NFQ Level 3",
    "c_57c9e957": "NFQ Level 4",
    "c_4053e803": "NFQ Level 5",
    "c_670e54c7": "NFQ Level 6",
    "c_38f52397": "NFQ Level 7",
    "c_218a7e54": "NFQ Level 8",
    "c_c6ada0f4": "NFQ Level 9",
    "c_ac9adabb": "NFQ Level 10",
    # Scottish Credit and Qualifications Framework ("SCQF Level n")
    "c_505223a4": "SCQF Level 1",
    "c_2ce57891": "SCQF Level 2",
    "c_31146b2c": "SCQF Level 3",
    "c_61aa9cbc": "SCQF Level 4",
    "c_5e46ea39": "SCQF Level 5",
    "c_c167deaa": "SCQF Level 6",
    "c_326c93a5": "SCQF Level 7",
    "c_d9cf9fd5": "SCQF Level 8",
    "c_e2e0f7fc": "SCQF Level 9",
    "c_021f233f": "SCQF Level 10",
    "c_517309ca": "SCQF Level 11",
    "c_c3f2cd03": "SCQF Level 12",
    # Regulated Qualifications Framework, England and Northern Ireland ("RQF Level n").
    # "RQF Entry Levels 1-2" (c_778f8030) names no single level and is left out.
    "c_b3a26e65": "RQF Entry Level 3",
    "c_f015bac8": "RQF Level 1",
    "c_e83742bd": "RQF Level 2",
    "c_dddf1163": "RQF Level 3",
    "c_308a1766": "RQF Level 4",
    "c_dec9edae": "RQF Level 5",
    "c_c392e7a2": "RQF Level 6",
    "c_3a94d1b4": "RQF Level 7",
    "c_064b59e6": "RQF Level 8",
}
NQF_LEVEL_PREFIX = "http://data.europa.eu/snb/qdr/"

# loq/cv/credit-points.xsd ("CreditPointsEnumType"). None: a credit system we do not convert.
CREDIT_SYSTEMS: dict[str, str | None] = {
    "6fcec5c5af": "ECTS",  # European Credit Transfer System
    # European credit system for vocational education and training (ECVET): points that
    # have no published conversion to ECTS or hours, so they are kept but not converted.
    "60b314e826": None,
}
CREDIT_SYSTEM_LABELS = {
    "6fcec5c5af": "European Credit Transfer System (ECTS)",
    "60b314e826": "European credit system for vocational education and training (ECVET)",
}
CREDIT_PREFIX = "http://data.europa.eu/snb/education-credit/"

# loq/cv/europass-modes.xsd ("ModesOfLearningandAssessmentEnumType"): label, and the words
# the mode parser reads for it (None: says how, not where, so no delivery mode).
MODES: dict[str, tuple[str, str | None]] = {
    "920fbb3cbe": ("Online", "online"),
    "9191af2ed9": ("Presential", "in person"),
    "e92d221e4d": ("Blended", "blended"),
    "729f3bed4b": ("Workbased", None),
    "7813801c77": ("Project based", None),
    "ed4c557045": ("Research-Lab based", None),
}
MODE_PREFIX = "http://data.europa.eu/snb/learning-assessment/"

# loq/cv/europass-learning-setting-types.xsd
LEARNING_SETTINGS: dict[str, str] = {
    "6fd4685715": "formal learning",
    "e207a81fc7": "non-formal learning",
}
LEARNING_SETTING_PREFIX = "http://data.europa.eu/snb/learning-setting/"

# loq/cv/europass-learning-schedule-types.xsd
LEARNING_SCHEDULES: dict[str, str] = {
    "67395e6b5a": "Part time light",
    "72a0ab92fa": "Full time",
    "f230bae523": "Part time intensive",
}
LEARNING_SCHEDULE_PREFIX = "http://data.europa.eu/snb/learning-schedule/"

# loq/cv/europass-learning-opportunity-types.xsd
OPPORTUNITY_TYPES: dict[str, str] = {
    "05053c1cbe": "Course",
    "0f7dac46ca": "Programme module",
    "11252a5207": "Mentoring",
    "17744a2647": "MOOC",
    "63f9f6180c": "Apprenticeship",
    "65a4cf5de2": "Study visit",
    "74a4a268e8": "Short learning programme",
    "77b99de990": "Internship",
    "79343569f3": "Educational programme",
    "7e1ac538db": "Class",
    "8b965da2d4": "Service learning",
    "b2434ca358": "Thesis",
}
OPPORTUNITY_TYPE_PREFIX = "http://data.europa.eu/snb/learning-opportunity/"

# loq/cv/isced-f.xsd: http://data.europa.eu/snb/isced-f/<ISCED-F 2013 code>.
ISCED_F_PREFIX = "http://data.europa.eu/snb/isced-f/"
# loq/cv/language.xsd: the EU Publications Office language authority,
# http://publications.europa.eu/resource/authority/language/<code>; its codes are ISO 639-3
# (ENG, GLE, DEU) apart from a few of its own (MUL, UND, ZXX, OP_DATPRO and the like).
LANGUAGE_PREFIX = "http://publications.europa.eu/resource/authority/language/"
# loq/cv/currency.xsd: .../authority/currency/<ISO 4217 code>; XXX means "no currency".
CURRENCY_PREFIX = "http://publications.europa.eu/resource/authority/currency/"
NO_CURRENCY = "XXX"
# loq/cv/country.xsd: .../authority/country/<ISO 3166-1 alpha-3 code, mostly>.
COUNTRY_PREFIX = "http://publications.europa.eu/resource/authority/country/"


def term(uri: str | None, prefix: str) -> str | None:
    """The code after a vocabulary's prefix ('.../eqf/6' -> '6'), or None for another scheme.

    Both http and https spellings are taken: JSON-LD documents use either.
    """
    if not uri:
        return None
    uri = uri.strip()
    if uri.startswith("https://"):
        uri = "http://" + uri[len("https://") :]
    if not uri.startswith(prefix):
        return None
    code = uri[len(prefix) :].strip("/")
    return code or None
