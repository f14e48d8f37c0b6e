"""Saying addresses the way a person does: "1205 Main Street" -> "twelve oh five Main Street".

English only: a Spanish voice reads digits naturally ("mil doscientos cinco"), so Spanish
keeps the digits. Street names arrive already spoken ("Massachusetts Avenue").
"""

from __future__ import annotations

import re

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
JOINS = {"en": " and ", "es": " y "}


def two_digits(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def pair(n: int) -> str:
    """A two-digit group inside a house number: 5 -> 'oh five', 23 -> 'twenty-three'."""
    return f"oh {ONES[n]}" if n < 10 else two_digits(n)


def house_number(n: int) -> str:
    """123 -> 'one twenty-three', 1205 -> 'twelve oh five', 1500 -> 'fifteen hundred'."""
    if n < 100:
        return two_digits(n)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{ONES[hundreds]} hundred" if rest == 0 else f"{ONES[hundreds]} {pair(rest)}"
    if n < 10000:
        high, low = divmod(n, 100)
        if low == 0 and high % 10 == 0:
            return f"{ONES[n // 1000]} thousand"
        if low == 0:
            return f"{two_digits(high)} hundred"
        return f"{two_digits(high)} {pair(low)}"
    return " ".join(ONES[int(d)] for d in str(n))


def say_address(spoken: str, lang: str) -> str:
    """The text a voice should read for an address label's spoken form."""
    text = spoken.replace(" & ", JOINS.get(lang, " and "))
    if lang != "en":
        return text
    match = re.match(r"(\d+)\b(.*)", text)
    if match:
        return house_number(int(match.group(1))) + match.group(2)
    return text
