"""The synonym list of every search backend (synonyms.txt beside this module): read once,
matched against user words on SQLite, compiled into the engines' search analyzer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

SYNONYMS_FILE = "synonyms.txt"
_VERSION = re.compile(r"^#\s*version:\s*(\d+)\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(word: str) -> str:
    """A word as the indexes compare it: case and accents folded (`Māori` -> `maori`)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a phrase as every backend's tokenizer splits them (on `-`, spaces, ...)."""
    return tuple(_WORD.findall(phrase))


@dataclass(frozen=True)
class SynonymList:
    version: int
    groups: tuple[tuple[str, ...], ...]  # each a set of equivalent phrases, as written
    _index: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for number, group in enumerate(self.groups):
            for phrase in group:
                self._index.setdefault(tuple(fold(w) for w in phrase_words(phrase)), number)

    @property
    def longest(self) -> int:
        return max((len(key) for key in self._index), default=0)

    def lines(self) -> list[str]:
        """The list in Solr format, one line per group (what synonym_graph reads)."""
        return [", ".join(group) for group in self.groups]

    def match(self, words: Sequence[str], start: int) -> tuple[int, tuple[str, ...]] | None:
        """The longest phrase of the list at words[start:]: (how many words it takes, its
        group), or None."""
        for length in range(min(self.longest, len(words) - start), 0, -1):
            key = tuple(fold(w) for w in words[start : start + length])
            if key in self._index:
                return length, self.groups[self._index[key]]
        return None


class SynonymFileError(ValueError):
    pass


def parse(text: str, source: str = SYNONYMS_FILE) -> SynonymList:
    """Solr synonym lines, equivalence sets only; a version in a `# version: N` comment."""
    version = 0
    groups: list[tuple[str, ...]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        found = _VERSION.match(line)
        if found:
            version = int(found.group(1))
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            raise SynonymFileError(
                f"{source} line {number}: one-way rules (`=>`) are not "
                f"supported; write the terms as one equivalence line "
                f"(`a, b`) so every backend reads it the same way"
            )
        phrases = tuple(p.strip().lower() for p in line.split(",") if p.strip())
        if len(phrases) < 2 or not all(phrase_words(p) for p in phrases):
            raise SynonymFileError(
                f"{source} line {number}: a synonym line needs two or more "
                f"comma-separated terms, each with a word in it: {raw!r}"
            )
        groups.append(phrases)
    if not version:
        raise SynonymFileError(f"{source}: no `# version: N` line")
    return SynonymList(version=version, groups=tuple(groups))


@lru_cache
def synonyms() -> SynonymList:
    """The shipped list (catalogue/search/synonyms.txt)."""
    text = resources.files("catalogue.search").joinpath(SYNONYMS_FILE).read_text(encoding="utf-8")
    return parse(text)
