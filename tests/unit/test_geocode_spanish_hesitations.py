"""Spanish hesitations ("pues", "este", "o sea") cost nothing, as English "um" does, wherever
they stand; a street really named by one of them is still found by its name."""

from __future__ import annotations

import pytest

from geocode import Gazetteer, load_gazetteer
from tests.geocode_helpers import segment, write_city

#: (phenomenon, what is said); each must give 120 Main St exactly as "calle Main ciento veinte".
SAID = {
    "pues before": "pues, calle Main ciento veinte",
    "este before": "este... calle Main ciento veinte",
    "bueno before the carrier": "bueno, hay un bache en la calle Main ciento veinte",
    "es que before": "es que hay un bache en la calle Main ciento veinte",
    "este inside": "calle Main este ciento veinte",
    "mmm inside": "calle Main mmm ciento veinte",
    "o sea inside": "ciento veinte o sea de la calle Main",
    "a ver inside": "ciento veinte a ver de la calle Main",
    "eh between type and name": "calle eh Main ciento veinte",
    "bueno after": "calle Main ciento veinte bueno gracias",
    "este after": "calle Main ciento veinte este, gracias",
    "o sea after": "calle Main ciento veinte o sea gracias",
}


@pytest.mark.parametrize("phenomenon", sorted(SAID))
def test_a_spanish_hesitation_costs_nothing(demo: Gazetteer, phenomenon: str) -> None:
    plain = demo.resolve("calle Main ciento veinte", lang="es")
    result = demo.resolve(SAID[phenomenon], lang="es")
    best = result.best
    assert best is not None and (best.number, best.street) == (120, "Main St"), result
    assert result.status == plain.status == "certain"
    assert plain.best is not None and best.score == pytest.approx(plain.best.score)


@pytest.fixture(scope="module")
def filler_named(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """A city whose streets are called Este and Bueno, beside a Pearl St."""
    return load_gazetteer(*write_city(tmp_path_factory.mktemp("city"), [
        segment("Este St", [[-70.0, 42.0], [-69.99, 42.0]], (2, 98, 1, 99), nodes=(1, 2)),
        segment("Bueno Ave", [[-70.0, 42.01], [-69.99, 42.01]], (2, 98, 1, 99), nodes=(3, 4)),
        segment("Pearl St", [[-70.0, 42.02], [-69.99, 42.02]], (2, 98, 1, 99), nodes=(5, 6)),
    ]))


@pytest.mark.parametrize(
    ("phenomenon", "text", "street"),
    [
        ("calle Este", "calle Este cuarenta y cinco", "Este St"),
        ("Este after the number", "cuarenta y cinco de la calle Este", "Este St"),
        ("avenida Bueno, after a hesitation", "pues avenida Bueno cuarenta y cinco", "Bueno Ave"),
        ("Bueno Avenue in English words", "45 Bueno Avenue", "Bueno Ave"),
        ("another street, a hesitation inside", "calle Pearl mmm cuarenta y cinco", "Pearl St"),
        ("another street, este inside", "calle Pearl este cuarenta y cinco", "Pearl St"),
        ("another street, bueno after", "calle Pearl cuarenta y cinco bueno", "Pearl St"),
        ("another street, este before", "este, calle Pearl cuarenta y cinco", "Pearl St"),
    ],
)
def test_a_street_named_like_a_hesitation_is_still_found(filler_named: Gazetteer,
                                                         phenomenon: str, text: str,
                                                         street: str) -> None:
    result = filler_named.resolve(text, lang="es")
    best = result.best
    assert result.status in ("certain", "confirm"), (phenomenon, result)
    assert best is not None and (best.street, best.number) == (street, 45), (phenomenon, result)
