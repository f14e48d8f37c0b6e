"""Spoken numbers to digits, the way people say house numbers.

Groups are concatenated ("one twenty three" = 123, "twelve oh five" = 1205, "one two three"
= 123) unless a multiplier is said ("fifteen hundred" = 1500, "a hundred and ten" = 110).
word2number gets the grouped forms wrong, hence this module.
"""

from __future__ import annotations

UNITS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100,
}  # fmt: skip

NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | frozenset(MULTIPLIERS)


def ordinal_suffix(n: int) -> str:
    """5 -> "5th", 23 -> "23rd", 11 -> "11th"."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def is_number_token(tok: str, prev: str | None = None, nxt: str | None = None) -> bool:
    """A token that can be part of a spoken number ("a"/"and" only next to a multiplier)."""
    if tok.isdigit() or tok in NUMBER_WORDS:
        return tok not in ("o",) or prev is not None and is_number_token(prev)
    if tok == "a":
        return nxt in MULTIPLIERS
    if tok == "and":
        return prev in MULTIPLIERS and nxt is not None and (nxt in UNITS or nxt in TEENS or
                                                            nxt in TENS)
    return False


def _arithmetic(tokens: list[str]) -> int | None:
    """Cardinal with multipliers: "fifteen hundred" 1500, "two thousand five" 2005."""
    total, current = 0, 0
    for tok in tokens:
        if tok in ("and", "a"):
            current = current or (1 if tok == "a" else 0)
            continue
        if tok.isdigit():
            current += int(tok)
        elif tok in UNITS:
            current += UNITS[tok]
        elif tok in TEENS:
            current += TEENS[tok]
        elif tok in TENS:
            current += TENS[tok]
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _grouped(tokens: list[str]) -> str | None:
    """Digit groups: "one twenty three" -> "123", "twelve oh five" -> "1205"."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isdigit():
            out.append(tok)
        elif tok in TENS:
            value = TENS[tok]
            if i + 1 < len(tokens) and tokens[i + 1] in UNITS and UNITS[tokens[i + 1]]:
                value += UNITS[tokens[i + 1]]
                i += 1
            out.append(str(value))
        elif tok in TEENS:
            out.append(str(TEENS[tok]))
        elif tok in UNITS:
            out.append(str(UNITS[tok]))
        else:
            return None
        i += 1
    return "".join(out) if out else None


def words_to_number(tokens: list[str]) -> str | None:
    """Digits for a run of number tokens, or None if they do not form a number."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return None
    if any(t in MULTIPLIERS for t in tokens):
        # "twelve hundred five" is arithmetic; "one twenty three hundred" is not worth guessing
        value = _arithmetic(tokens)
        return None if value is None else str(value)
    if "and" in tokens or "a" in tokens:
        return None
    return _grouped(tokens)


def ordinal_value(tokens: list[str]) -> int | None:
    """ "twenty third" -> 23, "fifth" -> 5, "5th" -> 5; None if not an ordinal."""
    if not tokens:
        return None
    last = tokens[-1]
    base: int | None = ORDINALS.get(last)
    if base is None and last[:-2].isdigit() and last[-2:] in ("st", "nd", "rd", "th"):
        base = int(last[:-2])
    if base is None:
        return None
    if len(tokens) == 1:
        return base
    if len(tokens) == 2 and tokens[0] in TENS and base < 10:
        return TENS[tokens[0]] + base
    return None
