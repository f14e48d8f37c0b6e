"""Parsing normalised tokens into a Query, and street-name keys (pure functions)."""

from __future__ import annotations

import pytest

from geocode import Query, normalize, parse
from geocode._match import phonetic_key
from geocode._names import name_key, spoken_name, tokens_of


def first(text: str) -> Query:
    return parse(normalize(text)[0])


@pytest.mark.parametrize(
    ("text", "number", "street", "cross", "zip_code", "place"),
    [
        ("123 Main St", 123, ("main", "st"), None, None, None),
        ("41 LINE ST, Unit 3, Cambridge, MA 02138", 41, ("line", "st"), None, "02138",
         "cambridge"),
        ("29 SIXTH ST 29", 29, ("6th", "st"), None, None, None),
        ("11 magazine st apt 11b", 11, ("magazine", "st"), None, None, None),
        ("27-29 ST SAUVEUR CT 1", 27, ("st", "sauveur", "ct"), None, None, None),
        ("123 main street boston", 123, ("main", "street"), None, None, "boston"),
        ("corner of 5th and elm", None, ("5th",), ("elm",), None, None),
        ("main st at elm st", None, ("main", "st"), ("elm", "st"), None, None),
        ("Main St & Elm St, 02139", None, ("main", "st"), ("elm", "st"), "02139", None),
        ("hampshire", None, ("hampshire",), None, None, None),
        ("102 elm street north", 102, ("elm", "street", "north"), None, None, None),
    ],
)
def test_parse(text: str, number: int | None, street: tuple[str, ...],
               cross: tuple[str, ...] | None, zip_code: str | None, place: str | None) -> None:
    q = first(text)
    assert (q.number, q.street, q.cross, q.zip_code, q.place) == (
        number, street, cross, zip_code, place)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Massachusetts Avenue", "MASSACHUSETTS AVE"),
        ("massachusetts av", "Massachusetts Ave"),
        ("Fifth Street", "5th St"),
        ("twenty third street", "23rd St"),
        ("Mount Auburn Street", "Mt Auburn St"),
        ("Saint Paul St", "St Paul St"),
        ("Elm Street North", "Elm St N"),
        ("Gray Gardens East", "Gray Gdns E"),
        ("Gerry's Landing Road", "Gerrys Landing Rd"),
        ("Cambridge Park Drive", "Cambridgepark Dr"),
    ],
)
def test_same_name_key(a: str, b: str) -> None:
    assert name_key(tokens_of(a)).full == name_key(tokens_of(b)).full


@pytest.mark.parametrize(
    ("a", "b"),
    [("Main St", "Maine St"), ("Pearl St", "Purl St"), ("Gray", "Grey"), ("Philips", "Fillips"),
     ("Whittemore", "Whitmore")],
)
def test_sound_alikes_share_phonetic_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(
    ("name", "said"),
    [("Massachusetts Ave", "Massachusetts Avenue"), ("Elm St", "Elm Street"),
     ("Broadway", "Broadway"), ("Memorial Dr", "Memorial Drive"), ("Acorn Pk", "Acorn Park")],
)
def test_spoken_name(name: str, said: str) -> None:
    assert spoken_name(name) == said
