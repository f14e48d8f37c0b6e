"""One key for a street name, computed the same way for the gazetteer and for a query.

"Massachusetts Avenue", "massachusetts av" and "MASSACHUSETTS AVE" share a key; the base
is compared letter-wise (spaces dropped, so "broad way" = "Broadway") and phonetically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import jellyfish

from ._numbers import ORDINALS, TENS, ordinal_suffix, ordinal_value
from ._vocab import DIRECTIONALS, NAME_WORDS, SPOKEN_TYPES, STREET_TYPES

_WORD = re.compile(r"[a-z0-9]+")
ORDINAL_WORDS = {ordinal_suffix(v): k for k, v in ORDINALS.items()}
#: Metaphone of each spoken street type, to hear "plays" as "place" and "rode" as "road".
TYPE_SOUNDS = {
    jellyfish.metaphone(word): key
    for word, key in STREET_TYPES.items()
    if len(word) >= 4 and word.isalpha()
}


@dataclass(frozen=True)
class NameKey:
    """Base words, canonical type and post-directional of a street name."""

    base: tuple[str, ...]
    type: str | None
    post_dir: str | None

    @cached_property
    def compact(self) -> str:
        return "".join(self.base)

    @cached_property
    def full(self) -> str:
        return self.compact + (self.type or "") + (self.post_dir or "")

    @cached_property
    def phonetic(self) -> str:
        return phonetic(self.compact)

    def spelled_out(self) -> NameKey | None:
        """The same key with ordinals as words ("6th" -> "sixth"), so typos of words match."""
        words = [ORDINAL_WORDS.get(t, t) for t in self.base]
        return NameKey(tuple(words), self.type, self.post_dir) if words != list(self.base) \
            else None


def phonetic(compact: str) -> str:
    """Metaphone of the letters, digits kept (so "5th" stays distinct from "6th")."""
    letters = "".join(ch for ch in compact if ch.isalpha())
    digits = "".join(ch for ch in compact if ch.isdigit())
    return digits + (jellyfish.metaphone(letters) if letters else "")


def tokens_of(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes and periods dropped ("O'Brien" -> "obrien")."""
    return _WORD.findall(re.sub(r"['’.]", "", text.lower()))


def _ordinals(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tokens[i : i + 2]
        if len(pair) == 2 and pair[0] in TENS and pair[1] in ORDINALS:
            value = ordinal_value(pair)
            if value is not None:
                out.append(ordinal_suffix(value))
                i += 2
                continue
        value = ordinal_value([tokens[i]])
        out.append(ordinal_suffix(value) if value is not None else tokens[i])
        i += 1
    return out


def name_key(tokens: list[str] | tuple[str, ...]) -> NameKey:
    """Split tokens into base / type / post-directional; ordinals become "5th"."""
    toks = _ordinals([NAME_WORDS.get(t, t) for t in tokens if t])
    post_dir = None
    if len(toks) > 1 and toks[-1] in DIRECTIONALS:
        post_dir = DIRECTIONALS[toks[-1]]
        toks = toks[:-1]
    street_type = None
    if len(toks) > 1 and toks[-1] in STREET_TYPES:
        street_type = STREET_TYPES[toks[-1]]
        toks = toks[:-1]
    if len(toks) > 1 and toks[0] in DIRECTIONALS:
        toks = [DIRECTIONALS[toks[0]], *toks[1:]]
    return NameKey(tuple(toks), street_type, post_dir)


def spoken_name(name: str) -> str:
    """Name as said aloud: "Massachusetts Ave" -> "Massachusetts Avenue", "Elm St N" ->
    "Elm Street North", "St Paul St" -> "Saint Paul Street", "Broad Canal Wy" -> "... Way"."""
    words = name.split()
    said_dir = ""
    if len(words) > 2 and words[-1].lower() in DIRECTIONALS:
        said_dir = _SPOKEN_DIRECTIONS.get(DIRECTIONALS[words[-1].lower()], words[-1])
        words = words[:-1]
    if len(words) > 1:
        key = STREET_TYPES.get(words[-1].lower())
        if key is not None:
            words[-1] = SPOKEN_TYPES.get(key, words[-1]).capitalize()
        head = _SPOKEN_TITLES.get(words[0].lower())
        if head is None and words[0].lower() in DIRECTIONALS:
            head = _SPOKEN_DIRECTIONS.get(DIRECTIONALS[words[0].lower()])
        if head is not None and len(words) > 2:
            words[0] = head
    words = ["Junior" if w.lower().strip(".") == "jr" else w for w in words]
    return " ".join(words + ([said_dir] if said_dir else []))


_SPOKEN_DIRECTIONS = {"n": "North", "s": "South", "e": "East", "w": "West",
                      "ne": "Northeast", "nw": "Northwest", "se": "Southeast", "sw": "Southwest"}
_SPOKEN_TITLES = {"st": "Saint", "mt": "Mount", "ft": "Fort"}
