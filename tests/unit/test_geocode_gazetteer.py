"""The local gazetteer on a four-street fake city written to tmp_path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geocode import Candidate, Gazetteer, Resolution, load_gazetteer
from tests.geocode_helpers import write_tiny_city


@pytest.fixture
def gaz(tmp_path: Path) -> Gazetteer:
    lines, crossings = write_tiny_city(tmp_path)
    return load_gazetteer(lines, crossings, city="Tinytown")


@pytest.mark.parametrize(
    ("text", "label", "kind"),
    [
        ("51 Main St", "51 Main St", "address"),
        ("fifty one main street", "51 Main St", "address"),
        ("one fifty main", "150 Main St", "address"),
        ("Main St & Elm St", "Main St & Elm St", "intersection"),
        ("corner of main and elm", "Main St & Elm St", "intersection"),
        ("elm at main", "Elm St & Main St", "intersection"),
        ("12 5th Ave", "12 Fifth Ave", "address"),
        ("twelve fifth avenue", "12 Fifth Ave", "address"),
        ("200 mass av", "200 Massachusetts Ave", "address"),
        ("maine street", "Main St", "street"),
    ],
)
def test_locate(gaz: Gazetteer, text: str, label: str, kind: str) -> None:
    best = gaz.locate(text)[0]
    assert (best.label, best.kind) == (label, kind)
    assert 0.0 <= best.score <= 1.0


def test_interpolates_on_the_right_side(gaz: Gazetteer) -> None:
    best = gaz.locate("51 Main St")[0]
    # Main St runs east; odd numbers are on the right (south) side, half way along
    assert best.lon == pytest.approx(-69.995, abs=2e-4)
    assert best.lat < 42.0


def test_statuses(gaz: Gazetteer) -> None:
    assert gaz.resolve("51 Main St").status == "certain"
    assert gaz.resolve("main street").status == "confirm"
    assert gaz.resolve("qqqq zzzz").status == "failed"
    assert gaz.resolve("51 Main St, Springfield").status == "out_of_city"
    assert gaz.resolve("51 Main St 90210").status == "out_of_city"
    assert gaz.resolve("").status == "failed"


def test_types(gaz: Gazetteer) -> None:
    res = gaz.resolve("51 Main St")
    assert isinstance(res, Resolution)
    assert all(isinstance(c, Candidate) for c in res.candidates)
    assert gaz.streets == sorted(gaz.streets)
    assert "Main St" in gaz.streets


def test_hints_within_twilio_limits(gaz: Gazetteer) -> None:
    hints = gaz.hints()
    assert "Massachusetts Avenue" in hints and "Main Street" in hints
    assert len(hints) <= 500 and all(len(h) <= 100 for h in hints)
    assert len(gaz.hints(limit=2)) == 2


def test_cache_round_trip(tmp_path: Path) -> None:
    lines, crossings = write_tiny_city(tmp_path)
    first = load_gazetteer(lines, crossings, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").glob("*.pickle"))
    second = load_gazetteer(lines, crossings, cache_dir=tmp_path / "cache")
    assert second.locate("51 main")[0] == first.locate("51 main")[0]


@pytest.mark.parametrize(
    "text",
    ["", " ", "#", "and", "at at at", "0", "oh", "unit 5", "corner of", "main and", "& &",
     "Ñandú calle 5", "99999999999999999999 main st", "main st " * 200, ",,,", "a hundred"],
)
def test_odd_input_never_raises(gaz: Gazetteer, text: str) -> None:
    result = gaz.resolve(text)
    assert result.status in ("certain", "confirm", "failed", "out_of_city")
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)


def test_geocode_imports_no_web_or_storage_stack() -> None:
    code = "import sys, geocode; print(sorted({'flask', 'sqlalchemy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("6246", ["Main St"]), ("624", ["Main St"]), ("3438", ["5th Ave"]), ("356", ["Elm St"]),
     ("62", ["Main St", "Maple Ct", "Maple St", "Martin Luther King Jr Blvd"])],
)
def test_streets_spelled_on_the_keypad(digits: str, expected: list[str]) -> None:
    from geocode._keypad import keypad_matches

    names = ["Main St", "Maple St", "Maple Ct", "Martin Luther King Jr Blvd", "5th Ave", "Elm St"]
    assert sorted(keypad_matches(digits, names)) == sorted(expected)
