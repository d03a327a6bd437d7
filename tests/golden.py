"""Golden fixture comparison shared by the format reader tests: what a reader emits, compared
with an `expected.json` that may say less (`message_contains`), and the completeness check
that fails when the reader emits something no expected file checks."""

from __future__ import annotations

from normaliser.readers.base import FeedFormatError


def read_as_golden(read, data: bytes) -> dict:
    """What `read(data)` makes of a fixture, in the shape of the expected files: the feed's
    issues and every record, or the error that refused the feed whole."""
    try:
        result = read(data)
    except FeedFormatError as error:
        return {
            "error": {
                "line": error.line,
                "column": error.column,
                "offset": error.offset,
                "message": str(error),
            }
        }
    return {
        "feed_issues": [issue_as_golden(i) for i in result.issues],
        "records": [
            {
                "locator": r.locator,
                "line": r.line,
                "fields": r.fields,
                "extra": r.extra,
                "instances": r.instances,
                "issues": [issue_as_golden(i) for i in r.issues],
            }
            for r in result.records
        ],
    }


def issue_as_golden(issue) -> dict:
    return {
        "field": issue.field,
        "code": str(issue.code),
        "severity": str(issue.severity),
        "value": issue.value,
    }


def mismatches(expected: object, actual: object, path: str = "") -> list[str]:
    """Every place where `actual` differs from what `expected` says, as dotted paths."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '<top>'}: expected an object, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if key == "message_contains":
                message = actual.get("message", "")
                found += [
                    f"{where}: {part!r} not in message {message!r}"
                    for part in value
                    if part not in message
                ]
            elif key not in actual:
                found.append(f"{where}: expected {value!r}, but the reader emitted nothing")
            else:
                found += mismatches(value, actual[key], where)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        found = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found += mismatches(want, got, f"{path}[{index}]")
        return found
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def unchecked_paths(actual: object, expected: object, path: str = "") -> list[str]:
    """Dotted paths the reader emits that the expected file does not mention."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        found: list[str] = []
        for key, value in actual.items():
            where = f"{path}.{key}" if path else key
            if key == "message" and expected.get("message_contains"):
                continue
            if key not in expected:
                found.append(where)
            else:
                found += unchecked_paths(value, expected[key], where)
        return found
    if isinstance(actual, list) and isinstance(expected, list):
        found = [f"{path}[{index}]" for index in range(len(expected), len(actual))]
        for index, (got, want) in enumerate(zip(actual, expected, strict=False)):
            found += unchecked_paths(got, want, f"{path}[{index}]")
        return found
    return []
