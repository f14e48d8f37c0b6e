"""Token readings to a structured query: house number, street words, cross street, ZIP, place.

usaddress tags single addresses; intersections ("X and Y", "X at Y") are split here first
because usaddress only knows "and"/"&" and tags spoken forms unreliably.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import usaddress

from ._vocab import DIRECTIONALS, STREET_TYPES, UNIT_WORDS, US_STATES

_STREET_LABELS = frozenset(
    "StreetNamePreDirectional StreetNamePreModifier StreetNamePreType StreetName "
    "StreetNamePostType StreetNamePostModifier StreetNamePostDirectional".split()
)
_SECOND_LABELS = frozenset(f"Second{label}" for label in _STREET_LABELS)
_INTERSECTION_WORDS = frozenset({"and", "at", "by", "near", "off", "cross"})
_NUMBER = re.compile(r"^(\d+)[a-z]?$")
_ZIP = re.compile(r"^\d{5}(\d{4})?$")


@dataclass(frozen=True)
class Query:
    """What the caller said, split up; street words are still raw tokens."""

    number: int | None
    street: tuple[str, ...]
    cross: tuple[str, ...] | None = None
    zip_code: str | None = None
    place: str | None = None
    state: str | None = None


def house_number(tok: str) -> int | None:
    """ "44b" -> 44, "123" -> 123, "0" -> None."""
    m = _NUMBER.match(tok)
    return int(m.group(1)) or None if m else None


def _drop_units(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in UNIT_WORDS and out:
            i += 2  # the designator and its identifier
            continue
        out.append(tokens[i])
        i += 1
    return out


def _cut_after_type(tokens: list[str]) -> list[str]:
    """Drop what follows the last street type (+ directional): units, city names."""
    for i in range(len(tokens) - 1, 0, -1):
        if tokens[i] in STREET_TYPES:
            end = i + 2 if i + 1 < len(tokens) and tokens[i + 1] in DIRECTIONALS else i + 1
            return tokens[:end]
    return tokens


def _split_tail(tokens: list[str]) -> tuple[list[str], str | None, str | None]:
    """Remove a trailing ZIP and state: (tokens, zip, state)."""
    zip_code = state = None
    toks = [t for t in tokens if t != ","]
    if toks and _ZIP.match(toks[-1]) and len(toks) > 1:
        zip_code = toks.pop()[:5]
    if toks and toks[-1] in US_STATES and len(toks) > 2 and (zip_code or "," in tokens):
        state = toks.pop()
    return toks, zip_code, state


def _intersection(tokens: list[str]) -> Query | None:
    if not tokens or house_number(tokens[0]) is not None:
        return None
    for i, tok in enumerate(tokens[1:-1], start=1):
        if tok in _INTERSECTION_WORDS:
            first = _drop_units(tokens[:i])
            second, zip_code, state = _split_tail(tokens[i + 1 :])
            if first and second:
                return Query(None, tuple(first), tuple(second), zip_code, None, state)
    return None


def _plain(tokens: list[str]) -> Query | None:
    """A house number and street words with nothing else ("123 main st"): no tagger needed."""
    if not tokens or house_number(tokens[0]) is None:
        return None
    rest = tokens[1:]
    if not rest or any(t in _INTERSECTION_WORDS or t in UNIT_WORDS or t in US_STATES or
                       t == "," or t.isdigit() for t in rest):
        return None
    if _cut_after_type(rest) != rest:
        return None  # words after the street type (a place, a unit): the tagger's job
    return Query(house_number(tokens[0]), tuple(rest))


def parse(tokens: list[str]) -> Query:
    """Structure one token reading; never raises."""
    crossing = _intersection([t for t in tokens if t != ","])
    if crossing is not None:
        return crossing
    simple = _plain(tokens)
    if simple is not None:
        return simple
    text = " ".join(tokens).replace(" ,", ",")
    number: int | None = None
    street: list[str] = []
    second: list[str] = []
    place: list[str] = []
    zip_code = state = None
    for raw, label in usaddress.parse(text):
        tok = raw.strip(",")
        if not tok:
            continue
        if label == "AddressNumber" and number is None and not street:
            number = house_number(tok)
        elif label in _STREET_LABELS:
            street.append(tok)
        elif label in _SECOND_LABELS:
            second.append(tok)
        elif label == "PlaceName":
            place.append(tok)
        elif label == "StateName" and tok in US_STATES:
            state = tok
        elif label == "ZipCode" and _ZIP.match(tok):
            zip_code = tok[:5]
    plain = [t for t in tokens if t != ","]
    leading = house_number(plain[0]) if plain else None
    if not street or (leading is not None and number is None):
        # usaddress found no street or missed the house number: take the words after it
        rest = plain
        if rest and house_number(rest[0]) is not None:
            number, rest = house_number(rest[0]), rest[1:]
        rest, zip_code, state = _split_tail(rest)
        street = _cut_after_type(_drop_units(rest))
        place = []
    return Query(
        number,
        tuple(street),
        tuple(second) or None,
        zip_code,
        " ".join(place) or None,
        state,
    )
