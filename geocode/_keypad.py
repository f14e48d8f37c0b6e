"""Streets spelled on a phone keypad: "6246" starts MAIN (M=6, A=2, I=4, N=6).

A caller whose street name the recogniser keeps missing can key its first letters; the
digits narrow the city's streets to the few whose name starts that way.
"""

from __future__ import annotations

import re

KEYS = {c: d for d, letters in {"2": "abc", "3": "def", "4": "ghi", "5": "jkl", "6": "mno",
                                 "7": "pqrs", "8": "tuv", "9": "wxyz"}.items() for c in letters}
NUMBER_WORDS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth",
                "5th": "fifth", "6th": "sixth", "7th": "seventh", "8th": "eighth",
                "9th": "ninth", "10th": "tenth"}


def keyed(name: str) -> str:
    """The keypad digits that spell a name's letters ("5th Ave" -> as "fifth ave")."""
    words = [NUMBER_WORDS.get(w.lower(), w.lower()) for w in name.split()]
    return "".join(KEYS.get(c, c if c.isdigit() else "") for c in "".join(words))


def keypad_matches(digits: str, names: list[str]) -> list[str]:
    """Street names whose spelling starts with these keypad digits, shortest key first."""
    wanted = re.sub(r"\D", "", digits)
    if len(wanted) < 2:
        return []
    hits = [n for n in names if keyed(n).startswith(wanted)]
    return sorted(hits, key=lambda n: (len(keyed(n)), n))
