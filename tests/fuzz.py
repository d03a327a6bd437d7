"""The fuzz harness shared by the format reader tests: a reader given truncated, damaged or
random input either reads it or refuses it with FeedFormatError, never anything else.
Every random choice comes from a seeded generator, so a failure can be reproduced."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from normaliser.readers.base import FeedFormatError


def read_or_refuse(read: Callable[[bytes], object], data: bytes) -> None:
    """The only acceptable failure of a reader is FeedFormatError."""
    try:
        read(data)
    except FeedFormatError:
        return


def every_truncation(data: bytes) -> Iterator[bytes]:
    """`data` cut short at every byte, the empty and the whole included."""
    for end in range(len(data) + 1):
        yield data[:end]


def damaged_copies(
    sources: Sequence[bytes], *, seed: int, copies: int, alphabet: bytes
) -> Iterator[bytes]:
    """`copies` of randomly chosen `sources`, each with one to four bytes overwritten by
    bytes of `alphabet` (the ones that matter to the format's syntax)."""
    rng = random.Random(seed)
    for _ in range(copies):
        damaged = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.choice(alphabet)
        yield bytes(damaged)


def random_json_value(
    rng: random.Random, keys: Sequence[str], leaves: Sequence[object]
) -> Callable[[int], object]:
    """`value(depth)`: a random JSON value of objects with `keys`, lists and `leaves`,
    nested to depth four at most."""

    def value(depth: int) -> object:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(leaves)
        if roll < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 5))}

    return value
