"""Street-name matching: letters (rapidfuzz) and sounds (metaphone) over names and aliases.

A score in [0, 1] says how well the words fit a street, before house number and ZIP are
considered. Query words the recogniser added ("hampshire straight", "main cambridge") are
tolerated by also trying the words without their first or last token, at a small cost.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from ._index import Street
from ._names import TYPE_SOUNDS, NameKey, name_key, phonetic, tokens_of
from ._vocab import HONORIFICS


@dataclass(frozen=True)
class _Variant:
    street: str
    key: NameKey
    alias: bool


class StreetMatcher:
    """Ranks canonical streets for a few words; build once per gazetteer."""

    def __init__(self, streets: dict[str, Street]) -> None:
        self.variants: list[_Variant] = []
        for street in streets.values():
            for i, name in enumerate([street.name, *sorted(street.aliases)]):
                key = name_key(tokens_of(name))
                self.variants.append(_Variant(street.name, key, i > 0))
                spelled = key.spelled_out()
                if spelled is not None:
                    self.variants.append(_Variant(street.name, spelled, i > 0))
                if len(key.base) > 1 and key.base[0] in HONORIFICS:
                    short = NameKey(key.base[1:], key.type, key.post_dir)
                    self.variants.append(_Variant(street.name, short, True))
        self._memo: dict[tuple[tuple[str, ...], int], list[tuple[str, float]]] = {}
        #: a sentence's windows and their shorter tries ask for the same keys again
        self._scored: dict[NameKey, list[tuple[int, float]]] = {}
        self._near: dict[tuple[str, bool], list[int]] = {}
        self.compacts = [v.key.compact for v in self.variants]
        self.phonetics = [v.key.phonetic for v in self.variants]
        self.fulls = [v.key.full for v in self.variants]
        self.letter_grams = gram_index(self.compacts)
        self.sound_grams = gram_index(self.phonetics)
        self.by_full: dict[str, list[int]] = {}
        for idx, full in enumerate(self.fulls):
            self.by_full.setdefault(full, []).append(idx)
        self.prominence = {
            s.name: min(1.0, math.log1p(len(s.segments) + len(s.points) / 5) / math.log(30))
            for s in streets.values()
        }

    def match(self, tokens: tuple[str, ...] | list[str], limit: int = 8) -> list[tuple[str, float]]:
        """[(street, score)] best first for the words of one street."""
        if not tokens:
            return []
        key = (tuple(tokens), limit)
        found = self._memo.get(key)
        if found is None:
            found = self._match(tokens, limit)
            if len(self._memo) > 20_000:  # a sentence's windows share their street words
                self.forget()
            self._memo[key] = found
        return found

    def forget(self) -> None:
        """Drop the caches (they only ever hold what earlier calls computed)."""
        self._memo.clear()
        self._scored.clear()
        self._near.clear()

    def _match(self, tokens: tuple[str, ...] | list[str], limit: int) -> list[tuple[str, float]]:
        whole = name_key(list(tokens))
        tries = [(whole, 1.0)]
        if len(whole.base) > 1:
            heard = heard_type(whole.base[-1]) if whole.type is None else None
            if heard is not None:  # "burkshire plays" -> "burkshire" + place
                tries.append((NameKey(whole.base[:-1], heard, whole.post_dir), 0.97))
            tries.append((NameKey(whole.base[:-1], whole.type, whole.post_dir), 0.93))
            tries.append((NameKey(whole.base[1:], whole.type, whole.post_dir), 0.9))
        best: dict[str, float] = {}
        for key, weight in tries:
            if best and max(best.values()) >= 0.97 * weight:
                break  # nothing a weaker reading finds can beat this
            for idx, score in self._candidates(key):
                street = self.variants[idx].street
                if weight * score > best.get(street, 0.0):
                    best[street] = weight * score
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return ranked[:limit]

    def _candidates(self, key: NameKey) -> list[tuple[int, float]]:
        """(variant index, score) for variants near the key in letters, sound or full form.

        An n-gram index gives a short list (variants sharing the most letter or sound
        trigrams, and exact full forms); only those are scored, so the cost does not grow
        with the number of streets.
        """
        scored = self._scored.get(key)
        if scored is not None:
            return scored
        if len(self._scored) > 20_000:
            self._scored.clear()
            self._near.clear()
        found: set[int] = set(self.by_full.get(key.full, ()))
        for query, sound, index, lengths in (
            (key.compact, False, self.letter_grams, self.compacts),
            (key.phonetic, True, self.sound_grams, self.phonetics),
        ):
            if query:
                near = self._near.get((query, sound))
                if near is None:
                    near = self._near[query, sound] = shortlist(query, index, lengths)
                found.update(near)
        scored = self._scored[key] = [(idx, self._score(key, idx)) for idx in found]
        return scored

    def _score(self, key: NameKey, idx: int) -> float:
        variant = self.variants[idx]
        vkey = variant.key
        # edits (a typo is one substitution or swap), or shared letters, whichever is kinder
        letters = max(
            fuzz.ratio(key.compact, vkey.compact) / 100,
            OSA.normalized_similarity(key.compact, vkey.compact),
        )
        sound = fuzz.ratio(key.phonetic, self.phonetics[idx]) / 100 if key.phonetic else 0.0
        # a sound match counts most when the letters also roughly agree
        base = max(letters, (0.8 + 0.12 * letters) * sound)
        if key.type is None:
            type_f = 1.0 if vkey.type is None else 0.96
        elif vkey.type is None:
            type_f = 0.9
        else:
            type_f = 1.0 if key.type == vkey.type else 0.88
        if key.post_dir == vkey.post_dir:
            dir_f = 1.0
        else:
            dir_f = 0.95 if key.post_dir is None else 0.88
        # the said "type" may be part of the name: "broad way" = "Broadway"
        whole = 0.98 * fuzz.ratio(key.full, vkey.full) / 100
        alias_f = 0.99 if variant.alias else 1.0
        prominence = 0.985 + 0.015 * self.prominence.get(variant.street, 0.0)
        return max(base * type_f * dir_f, whole) * alias_f * prominence


SHORTLIST = 12
STOP_GRAM = 400  # a trigram on more variants than this (and a tenth) is skipped


def _grams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def gram_index(texts: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for idx, text in enumerate(texts):
        for gram in _grams(text):
            index.setdefault(gram, []).append(idx)
    return index


def shortlist(query: str, index: dict[str, list[int]], texts: list[str]) -> list[int]:
    """Variants with the highest trigram Dice similarity to the query."""
    grams = _grams(query)
    found = [p for g in sorted(grams) if (p := index.get(g)) is not None]  # ties: same order
    common = min(STOP_GRAM * 3, max(STOP_GRAM, len(texts) // 10))  # on most names: says little
    postings = [p for p in found if len(p) <= common] or found
    if not postings:
        return []
    counts = Counter(chain.from_iterable(postings))  # counted in C
    size = len(grams)
    near = counts.most_common(SHORTLIST * 3)
    dice = [-count / (size + len(texts[idx]) + 3) for idx, count in near]
    order = sorted(range(len(near)), key=dice.__getitem__)  # stable, keyed in C
    return [near[k][0] for k in order[:SHORTLIST]]


@lru_cache(maxsize=4096)
def heard_type(word: str) -> str | None:
    """A street type the recogniser misheard as a word: "plays" -> "pl", "rode" -> "rd"."""
    if len(word) < 4 or not word.isalpha():
        return None
    sound = jellyfish.metaphone(word)
    for type_sound, key in TYPE_SOUNDS.items():
        if fuzz.ratio(sound, type_sound) >= 85:
            return key
    return None


def phonetic_key(text: str) -> str:
    """Metaphone key of a street name's base words (for tests and diagnostics)."""
    return phonetic(name_key(tokens_of(text)).compact)
