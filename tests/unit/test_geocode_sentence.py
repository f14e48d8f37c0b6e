"""The address inside what residents say: one test per phenomenon, over several addresses.

Demo City (committed, fictional) is the street file; each phenomenon wraps the same plain
addresses in the way people talk, and the answer must be the plain address's, with the span
pointing at the address words only.
"""

from __future__ import annotations

import pytest

from geocode import Gazetteer, Resolution, load_gazetteer
from intake import democity

#: (what is said, the label it must resolve to, a word of the street that the span must hold)
ADDRESSES = [
    ("123 Main St", "123 Main St", "Main"),
    ("one twenty three maine street", "123 Main St", "maine"),
    ("250 Penn Ave", "250 Pennsylvania Ave", "Penn"),
    ("305 fifth avenue", "305 5th Ave", "fifth"),
    ("450 Cherry Hill Road", "450 Cherry Hill Rd", "Cherry"),
]

PHENOMENA = {
    "carrier before": "there's a pothole at {}",
    "carrier before and after": "I'm calling about {}, thank you",
    "thanks after": "{} thanks",
    "hesitations": "um, uh, {} uh",
    "right by": "it's right by {} okay",
    "city name after": "{} in Demo City",
    "city name before": "Demo City, {}",
    "city and ZIP after": "{}, Demo City 00011",
    "category in the same breath": "graffiti on the wall at {} please",
    "sorry after": "{} sorry",
}


@pytest.mark.parametrize("phenomenon", sorted(PHENOMENA))
@pytest.mark.parametrize(("address", "label", "word"), ADDRESSES)
def test_address_inside_a_sentence(demo: Gazetteer, phenomenon: str, address: str, label: str,
                                   word: str) -> None:
    text = PHENOMENA[phenomenon].format(address)
    result = demo.resolve(text)
    assert result.best is not None and result.best.label == label, (text, result)
    assert result.status in ("certain", "confirm")
    assert result.span is not None
    said = text[result.span[0] : result.span[1]]
    assert word in said
    for extra in ("thank", "pothole", "Demo", "graffiti", "please", "sorry", "okay"):
        assert extra not in said
    assert demo.resolve(text, sentence=True) == result  # said at another question: the same


@pytest.mark.parametrize("text", ["pothole", "skip", "streetlight out", "there is a pothole",
                                  "it is deep, please fix it"])
def test_a_sentence_with_no_word_of_an_address_fails_at_once(demo: Gazetteer,
                                                              text: str) -> None:
    assert demo.resolve(text, sentence=True) == Resolution("failed", ())
    assert demo.resolve(text).status != "certain"  # what reading it whole would have kept


def test_an_address_answer_with_no_word_of_a_street_is_still_read_whole(demo: Gazetteer) -> None:
    """"man" typed for "Main": no street has the word, but as the answer to "what is the
    address?" the whole text is worth a guess; said at another question it is not."""
    guess = demo.resolve("man")
    assert guess.status == "confirm" and guess.best is not None
    assert guess.best.street == "Main St"
    assert demo.resolve("man", sentence=True) == Resolution("failed", ())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("one twenty, no, one twenty three main street", "123 Main St"),
        ("124 Main St, sorry, 123 Main St", "123 Main St"),
        ("it's two fifty... I mean two sixty Penn Ave", "260 Pennsylvania Ave"),
    ],
)
def test_self_correction_keeps_the_second_number(demo: Gazetteer, text: str, label: str) -> None:
    best = demo.resolve(text).best
    assert best is not None and best.label == label


@pytest.mark.parametrize(
    "text",
    [
        "123 Main St in Springfield",
        "123 Main St, Springfield, IL",
        "123 main st 90210",
        "pothole at 123 Main St, Omaha, Nebraska",
        "123 Main Street, Texas",
    ],
)
def test_out_of_city_needs_another_place_named(demo: Gazetteer, text: str) -> None:
    assert demo.resolve(text).status == "out_of_city"


@pytest.mark.parametrize(
    "text",
    [
        "123 main st thank you",
        "123 Main St, Blorptown",  # a word we do not know is no evidence
        "there's a pothole near 123 Main St by the zorblax",
        "123 main st call me back",  # "me" is no state
        "123 main st in front of the school",
    ],
)
def test_unknown_words_are_never_evidence(demo: Gazetteer, text: str) -> None:
    result = demo.resolve(text)
    assert result.status != "out_of_city"
    assert result.best is not None and result.best.label == "123 Main St"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hola, hay un bache en 123 Main St", "es"),  # Hay, WA
        ("buenos dias, hay un bache muy grande en la calle Main 123", "es"),
        ("hello, why is there a pothole at 123 Main St", "en"),  # Why, AZ
    ],
)
def test_an_everyday_word_after_a_comma_is_no_town(demo: Gazetteer, text: str, lang: str) -> None:
    """Some town somewhere is called by most short words; a greeting and a comma do not
    make one of them the place (a state or ZIP after it would)."""
    result = demo.resolve(text, lang=lang)
    assert result.status != "out_of_city"
    assert result.best is not None and result.best.label == "123 Main St"


def test_an_everyday_town_name_with_its_state_is_elsewhere(demo: Gazetteer) -> None:
    assert demo.resolve("123 Main St, Hay, WA 99136").status == "out_of_city"


def test_city_name_from_settings_is_the_citys_own(tmp_path: object) -> None:
    named = load_gazetteer(democity.HERE / "centerlines.geojson", city="Fairview")
    assert named.resolve("123 Main St in Fairview, thanks").best is not None
    assert named.resolve("123 Main St in Fairview").status != "out_of_city"


# -- Spanish ----------------------------------------------------------------------------------

SPANISH = {
    "number words, Spanish order": ("calle Main ciento veinte", "120 Main St"),
    "tens y units": ("Avenida Pennsylvania doscientos cincuenta y dos", "252 Pennsylvania Ave"),
    "digit by digit": ("uno dos tres calle Main", "123 Main St"),
    "thousands": ("mil doscientos Main Street", "1200 Main St"),
    "type first, number last": ("Avenida Penn 250", "250 Pennsylvania Ave"),
    "número before the number": ("Avenida Pennsylvania número 250", "250 Pennsylvania Ave"),
    "number, de la calle": ("ciento veinte de la calle Main", "120 Main St"),
    "English street, Spanish number": ("doscientos cincuenta Penn Avenue", "250 Pennsylvania Ave"),
    "ordinal avenue and a street": ("la quinta avenida y Main", "5th Ave & Main St"),
    "street y la quinta": ("Main y la Quinta", "Main St & 5th Ave"),
    "la 5": ("Main y la 5", "Main St & 5th Ave"),
    "esquina de": ("en la esquina de Main y la quinta avenida", "Main St & 5th Ave"),
    "bulevar": ("bulevar Martin Luther King doscientos veinte", "220 Martin Luther King Jr Blvd"),
    "carrier phrases and thanks": ("hay un bache en la calle Main ciento veinte, gracias",
                                   "120 Main St"),
    "self-correction": ("cuarenta y cinco, no, perdón, ciento veinte Main", "120 Main St"),
    "city name": ("la calle Main número 123 en Demo City", "123 Main St"),
}


@pytest.mark.parametrize("phenomenon", sorted(SPANISH))
def test_spanish(demo: Gazetteer, phenomenon: str) -> None:
    text, label = SPANISH[phenomenon]
    result = demo.resolve(text, lang="es")
    best = result.best
    assert best is not None, (text, result)
    number, _, street = label.partition(" ")
    if number.isdigit():  # the street, and the number said (even past the street's end)
        assert (best.number, best.street) == (int(number), street), (text, result)
    else:
        assert best.label == label, (text, result)
    assert result.status in ("certain", "confirm")
    assert demo.resolve(text, lang="es", sentence=True) == result


@pytest.mark.parametrize("text", ["luz de calle rota", "hay un bache en la calle", "gracias"])
def test_spanish_words_without_a_street_find_nothing(demo: Gazetteer, text: str) -> None:
    result = demo.resolve(text, lang="es")
    assert result.status == "failed" or result.best is not None and result.best.score < 0.6


def test_spanish_town_elsewhere(demo: Gazetteer) -> None:
    assert demo.resolve("calle Main 123 en Springfield", lang="es").status == "out_of_city"
    assert demo.resolve("calle Main 123, la ciudad", lang="es").status != "out_of_city"
