"""The issue's examples on Cambridge's real streets: whole sentences, the city's own names,
other towns. Parametrised by phenomenon; skips without ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from geocode import Gazetteer, load_gazetteer
from tests.geocode_helpers import cambridge_paths


@pytest.fixture(scope="module")
def cambridge(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    lines, crossings, _ = cambridge_paths()
    cache: Path = tmp_path_factory.mktemp("cache")
    return load_gazetteer(lines, crossings, cache_dir=cache, city="Cambridge")


@pytest.mark.parametrize(
    ("phenomenon", "text", "street"),
    [
        ("thanks after a spoken number", "one hundred harvard street thank you", "Harvard St"),
        ("thanks after digits", "100 harvard st thanks", "Harvard St"),
        ("hesitation and full stop", "um 10 harvard street thank you.", "Harvard St"),
        ("carrier and category before", "there's a pothole at ten harvard street uh",
         "Harvard St"),
        ("the city's own name", "ten harvard street in cambridge", "Harvard St"),
        ("city, state and ZIP", "45 pearl street cambridge massachusetts 02139", "Pearl St"),
        ("a neighbourhood of the city", "45 Pearl Street in Cambridgeport, thanks", "Pearl St"),
        ("self-correction", "forty five, no, forty seven Pearl", "Pearl St"),
        ("a word heard in two", "it's on cam bridge street, thanks", "Cambridge St"),
        ("a type word that names a street", "a pothole around 177 garden street, cambridge",
         "Garden St"),
        ("a type word that names a street, no type", "i'm at eleven garden cambridge 02138",
         "Garden St"),
        ("a direction that names a street", "a crack in the road right at in front of 17 "
         "sowth street that's it", "South St"),
        ("hesitations inside the address", "there's a leak at two forty three garden er "
         "street, thanks", "Garden St"),
        ("a number word said twice", "a pothole outside of twenty two two gurney street",
         "Gurney St"),
        ("talk inside the address", "an abandoned car right by twenty four I think cliftan "
         "thank you", "Clifton St"),
        ("a street's name in the words before the number", "a streetlight out in front of "
         "thirty four you know may, Kendall Square thank you", "May St"),
    ],
)
def test_issue_examples(cambridge: Gazetteer, phenomenon: str, text: str, street: str) -> None:
    result = cambridge.resolve(text)
    assert result.status in ("certain", "confirm"), (phenomenon, result)
    assert result.best is not None and result.best.street == street, (phenomenon, result)


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("12 Main St, Boston, MA", True),
        ("123 main st 02108", True),
        ("45 pearl st in somerville", True),
        ("45 pearl st, Nashua, New Hampshire", True),
        ("45 pearl st in Kendall Square", False),
        ("pothole in harvard square on mass ave", False),
        ("45 pearl st 02139", False),
    ],
)
def test_out_of_city_only_on_evidence(cambridge: Gazetteer, text: str, outside: bool) -> None:
    assert (cambridge.resolve(text).status == "out_of_city") is outside


@pytest.mark.parametrize(
    ("phenomenon", "text", "street", "number"),
    [
        ("type first, number last", "calle Harvard 12", "Harvard St", 12),
        ("Spanish number, English street", "cien harvard street", "Harvard St", 100),
        ("número", "Avenida Massachusetts número mil doscientos", "Massachusetts Ave", 1200),
        ("de la calle", "cuarenta y cinco de la calle Pearl", "Pearl St", 45),
        ("carrier and thanks", "hay un bache en la calle Pearl cuarenta y cinco, gracias",
         "Pearl St", 45),
        ("city and state", "calle Pearl 45, Cambridge, Massachusetts", "Pearl St", 45),
        ("hesitations before and after", "este, pues, calle Pearl cuarenta y cinco bueno "
         "gracias", "Pearl St", 45),
        ("hesitations inside", "cuarenta y cinco o sea de la calle mmm Pearl", "Pearl St", 45),
        ("a hesitation inside the number", "noventa mmm y nueve calle Pearl", "Pearl St", 99),
    ],
)
def test_spanish_examples(cambridge: Gazetteer, phenomenon: str, text: str, street: str,
                          number: int) -> None:
    result = cambridge.resolve(text, lang="es")
    assert result.status in ("certain", "confirm"), (phenomenon, result)
    best = result.best
    assert best is not None and (best.street, best.number) == (street, number), (phenomenon,
                                                                               result)
