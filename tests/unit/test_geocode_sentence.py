"""The address inside what residents say: one test per phenomenon, over several addresses.

Demo City (committed, fictional) is the street file; each phenomenon wraps the same plain
addresses in the way people talk, and the answer must be the plain address's, with the span
pointing at the address words only.
"""

from __future__ import annotations

import pytest

from geocode import Gazetteer, load_gazetteer
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


@pytest.fixture(scope="module")
def demo() -> Gazetteer:
    return load_gazetteer(
        democity.HERE / "centerlines.geojson", democity.HERE / "intersections.geojson"
    )


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


def test_city_name_from_settings_is_the_citys_own(tmp_path: object) -> None:
    named = load_gazetteer(democity.HERE / "centerlines.geojson", city="Fairview")
    assert named.resolve("123 Main St in Fairview, thanks").best is not None
    assert named.resolve("123 Main St in Fairview").status != "out_of_city"
