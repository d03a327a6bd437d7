"""Text every catalogue can store: U+0000 and unpaired surrogates taken out of what a reader
found, record by record, with a warning naming the field.

Why here, once, after every reader: a JSON string may spell `\\u0000` or a lone `\\ud800`
(valid JSON escapes), and a reader passes them on as written. PostgreSQL's text and JSONB
cannot hold U+0000 at all, and no UTF-8 encoder accepts a lone surrogate, so such a value
failed the whole apply on PostgreSQL and, worse, the recording of that failure, while SQLite
stored the NUL inside a title. Cleaning the reader's output gives both databases the same
records, and the record keeps every other value.
"""

from __future__ import annotations

import re

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import FeedReadResult, RawRecord

# U+0000 and the surrogate code points (U+D800-U+DFFF): a str holding one cannot be stored
# in PostgreSQL text (NUL) or encoded as UTF-8 (surrogates). Other control characters are
# storable, and the normaliser's own cleaning decides what to do with them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

Values = dict[str, str | list[str]]


def storable(text: str) -> str:
    """`text` without the characters no catalogue can store."""
    return _UNSTORABLE.sub("", text)


def make_storable(result: FeedReadResult) -> FeedReadResult:
    """`result` with unstorable characters removed from every record's values (fields, extra
    columns, runs), each record that had any carrying one warning per field."""
    for record in result.records:
        cleaned: set[str] = set()
        record.fields = _clean_values(record.fields, "", cleaned)
        record.extra = _clean_values(record.extra, "", cleaned)
        record.instances = [
            _clean_values(run, f"run {number}: ", cleaned)
            for number, run in enumerate(record.instances, start=1)
        ]
        record.issues.extend(_warning(record, name) for name in sorted(cleaned))
    return result


def _clean_values(values: Values, prefix: str, cleaned: set[str]) -> Values:
    out: Values = {}
    for name, value in values.items():
        if isinstance(value, list):
            new: str | list[str] = [_UNSTORABLE.sub("", item) for item in value]
        else:
            new = _UNSTORABLE.sub("", value)
        if new != value:
            cleaned.add(prefix + name)
        out[_UNSTORABLE.sub("", name)] = new
    return out


def _warning(record: RawRecord, name: str) -> Issue:
    field = name.split(": ", 1)[-1]
    return Issue.warning(
        field,
        IssueCode.INVALID,
        f"{record.locator}, {name}: removed characters no catalogue can store (U+0000 or an "
        "unpaired surrogate such as \\ud800); check the value in your source",
    )
