"""Spoken numbers, ordinals and the normaliser (pure functions, no data)."""

from __future__ import annotations

import pytest

from geocode import normalize
from geocode._numbers import ordinal_suffix, words_to_number


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("one twenty three", "123"),
        ("twelve oh five", "1205"),
        ("fifteen hundred", "1500"),
        ("one two three", "123"),
        ("a hundred and ten", "110"),
        ("twenty three", "23"),
        ("seven forty", "740"),
        ("nineteen eighty four", "1984"),
        ("two thousand five", "2005"),
        ("twelve hundred five", "1205"),
        ("one hundred twenty three", "123"),
        ("eight", "8"),
        ("ten", "10"),
        ("zero two one three nine", "02139"),
        ("1 23", "123"),
    ],
)
def test_words_to_number(words: str, digits: str) -> None:
    assert words_to_number(words.split()) == digits


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"),
                                         (12, "12th"), (23, "23rd"), (101, "101st")])
def test_ordinal_suffix(n: int, text: str) -> None:
    assert ordinal_suffix(n) == text


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("One Twenty Three Main Street", ["123", "main", "street"]),
        ("um I'm at twenty third street", ["23rd", "street"]),
        ("in front of 44-B Sacramento St", ["44b", "sacramento", "st"]),
        ("84-1/2 Kinnaird St", ["84", "kinnaird", "st"]),
        ("14-16 ELM ST", ["14", "elm", "st"]),
        ("fifth and elm", ["5th", "and", "elm"]),
        ("Main St & Elm St", ["main", "st", "and", "elm", "st"]),
        ("uh, near a hundred and ten elm", ["110", "elm"]),
        ("the address is 5 O'Brien Hwy", ["5", "obrien", "hwy"]),
        ("twenty-first street", ["21st", "street"]),
    ],
)
def test_normalize_first_reading(text: str, tokens: list[str]) -> None:
    assert [t for t in normalize(text)[0] if t != ","] == tokens


def test_ambiguous_ordinal_gives_both_readings() -> None:
    assert normalize("one twenty fifth street") == [
        ["1", "25th", "street"],
        ["120", "5th", "street"],
    ]
