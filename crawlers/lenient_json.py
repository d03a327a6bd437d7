"""JSON-LD as web pages really write it: read it where the breakage is a known, harmless
kind, and say exactly what was wrong where it is not.

Page templates and CMS plugins break JSON-LD in a few usual ways: the script body wrapped
in an HTML comment or a CDATA section (a habit from XHTML days), `//` or `/* */` comments,
a trailing comma after the last member, raw control characters (a tab or newline pasted
into a description). Search engines read such blocks anyway, so providers rarely notice;
we read them too and report each repair, so the provider can fix the page. Anything else
(a missing brace, an unquoted key) is refused with its line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import cast

from normaliser.readers.jsonld import JsonNumber

_WRAPPERS = (
    # (opening, closing, what to call it in a repair note)
    (
        re.compile(r"^\s*(?://\s*)?<!\[CDATA\["),
        re.compile(r"(?://\s*)?\]\]>\s*$"),
        "a CDATA wrapper",
    ),
    (re.compile(r"^\s*<!--"), re.compile(r"-->\s*$"), "an HTML comment wrapper"),
)


@dataclass
class LenientResult:
    """`value` is None exactly when the text could not be read; `error` then says why.
    `repairs` lists what had to be forgiven to read it."""

    value: object = None
    repairs: list[str] = field(default_factory=list)
    error: str | None = None


def _decoder(strict: bool) -> json.JSONDecoder:
    # Numbers kept as written (995.00 stays '995.00'), as the schema.org reader expects.
    return json.JSONDecoder(
        parse_int=JsonNumber, parse_float=JsonNumber, parse_constant=JsonNumber, strict=strict
    )


def loads_lenient(text: str) -> LenientResult:
    """Read one JSON-LD script body, repairing only the usual breakage."""
    result = LenientResult()
    for opening, closing, name in _WRAPPERS:
        if opening.search(text) and closing.search(text):
            text = closing.sub("", opening.sub("", text, count=1), count=1)
            result.repairs.append(f"removed {name}")
    if not text.strip():
        result.error = "the script element is empty"
        return result
    first_error: json.JSONDecodeError | None = None
    for attempt in ("as written", "comments", "trailing commas", "control characters"):
        if attempt == "comments":
            text, found = _strip_comments(text)
            if not found:
                continue
            result.repairs.append("removed JavaScript comments")
        elif attempt == "trailing commas":
            text, found = _strip_trailing_commas(text)
            if not found:
                continue
            result.repairs.append("removed trailing commas")
        try:
            result.value = _decoder(strict=attempt != "control characters").decode(text.strip())
            if attempt == "control characters":
                result.repairs.append("accepted raw control characters inside strings")
            return result
        except json.JSONDecodeError as exc:
            first_error = first_error or exc
        except RecursionError:
            result.error = "the JSON-LD is nested too deeply to read"
            return result
    # "as written" is always tried, so an error was kept.
    error = cast(json.JSONDecodeError, first_error)
    result.error = f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    return result


def _strip_comments(text: str) -> tuple[str, bool]:
    """`text` without // and /* */ comments outside strings."""
    out: list[str] = []
    index, found, in_string = 0, False, False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1 : index + 2])
                index += 1
            elif char == '"':
                in_string = False
        elif char == "/" and text[index + 1 : index + 2] in ("/", "*"):
            found = True
            if text[index + 1] == "/":
                end = text.find("\n", index)
                index = len(text) if end < 0 else end
            else:
                end = text.find("*/", index + 2)
                index = len(text) if end < 0 else end + 2
            continue
        else:
            in_string = char == '"'
            out.append(char)
        index += 1
    return "".join(out), found


def _strip_trailing_commas(text: str) -> tuple[str, bool]:
    """`text` without a comma that only whitespace separates from a closing bracket."""
    out: list[str] = []
    found = in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "}]":
            back = len(out) - 1
            while back >= 0 and out[back] in " \t\r\n":
                back -= 1
            if back >= 0 and out[back] == ",":
                del out[back]
                found = True
        out.append(char)
    return "".join(out), found
