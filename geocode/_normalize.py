"""Spoken and typed text to clean tokens: fillers out, numbers as digits, units dropped later.

Rules: never guess a street here, only rewrite wording; where a spoken number can be read
two ways ("one twenty fifth street") return both readings and let the gazetteer choose.
"""

from __future__ import annotations

import re

from ._numbers import (
    ORDINALS,
    TENS,
    UNITS,
    is_number_token,
    ordinal_suffix,
    words_to_number,
)
from ._vocab import FILLER_PHRASES, FILLER_WORDS

#: FILLER_PHRASES by their first word, in the same (longest first) order.
_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in FILLER_PHRASES:
    _PHRASES_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)

_SEPARATORS = {"&": " and ", "@": " at ", "/": " and ", "+": " and ", ",": " , ", "#": " # "}


def clean_text(text: str) -> str:
    """Lower case, punctuation to spaces, "14-16" -> "14", "twenty-third" -> "twenty third"."""
    s = text.lower().replace("’", "'")
    s = re.sub(r"(\d+)\s*-\s*\d+/\d+", r"\1", s)  # 84-1/2
    s = re.sub(r"\b(\d+)\s*-\s*\d+[a-z]?\b", r"\1", s)  # 14-16, 27-29
    s = re.sub(r"\b(\d+)\s*-\s*([a-z])\b", r"\1\2", s)  # 44-B
    s = re.sub(r"\b(\d+)\s+1/2\b", r"\1", s)
    s = re.sub(r"['.]", "", s)
    for sep, rep in _SEPARATORS.items():
        s = s.replace(sep, rep)
    s = re.sub(r"[^a-z0-9, #]+", " ", s)
    return " ".join(s.split())


def strip_fillers(tokens: list[str]) -> list[str]:
    """Drop filler words anywhere and filler phrases at the start ("i'm at", "in front of")."""
    toks = [t for t in tokens if t not in FILLER_WORDS]
    changed = True
    while changed and toks:
        changed = False
        for phrase in _PHRASES_BY_FIRST.get(toks[0], ()):
            n = len(phrase)
            if tuple(toks[:n]) == phrase and len(toks) > n:
                toks = toks[n:]
                changed = True
                break
        toks = [t for t in toks if t not in FILLER_WORDS]
        while toks and toks[0] == ",":
            toks, changed = toks[1:], True
    return toks


def _is_ordinal(tok: str) -> bool:
    return tok in ORDINALS or bool(re.fullmatch(r"\d+(st|nd|rd|th)", tok))


def numbers_to_digits(tokens: list[str]) -> list[list[str]]:
    """Readings with number runs as digits and spoken ordinals as "5th", most likely first."""
    readings: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].isdigit():
            j = i + 1  # digits never join the words around them ("28 seven pines")
        else:
            while j < len(tokens) and not tokens[j].isdigit():
                prev = tokens[j - 1] if j > i else None
                nxt = tokens[j + 1] if j + 1 < len(tokens) else None
                if not is_number_token(tokens[j], prev, nxt):
                    break
                j += 1
        run = tokens[i:j]
        nxt = tokens[j] if j < len(tokens) else None
        if not run:
            tok = tokens[i]
            word = ORDINALS.get(tok)
            for r in readings:
                r.append(ordinal_suffix(word) if word is not None else tok)
            i += 1
            continue
        options: list[list[str]] = []
        if nxt is not None and _is_ordinal(nxt) and nxt in ORDINALS and run[-1] in TENS \
                and ORDINALS[nxt] < 10:
            # "twenty third" is 23rd; "one twenty fifth" may be 1 + 25th or 120 + 5th
            head = words_to_number(run[:-1]) if len(run) > 1 else None
            ordinal = [ordinal_suffix(TENS[run[-1]] + ORDINALS[nxt])]
            options.append(([head] if head else []) + ordinal)
            whole = words_to_number(run)
            if len(run) > 1 and whole:
                options.append([whole, ordinal_suffix(ORDINALS[nxt])])
            j += 1
        elif i > 0 and nxt is not None and not _is_ordinal(nxt) and \
                any(t.isdigit() for r in readings for t in r):
            options.append(run)  # words inside a street name: "28 Seven Pines Ave"
        else:
            digits = words_to_number(run)
            options.append([digits] if digits else run)
            head = words_to_number(run[:-1]) if len(run) > 1 and run[-1] in UNITS else None
            if digits and head and nxt is not None and not _is_ordinal(nxt):
                options.append([head, run[-1]])  # "twenty eight | seven pines avenue"
        readings = [r + o for r in readings for o in options][:4]
        i = j
    return readings


def normalize(text: str) -> list[list[str]]:
    """Token readings of a text, most likely first: "I'm at one twenty three Main" ->
    [["123", "main"]]."""
    tokens = strip_fillers(clean_text(text).split())
    return [strip_fillers(r) for r in numbers_to_digits(tokens)]
