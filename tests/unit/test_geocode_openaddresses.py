"""OpenAddresses point CSVs: exact points, interpolation between neighbours, city name."""

from __future__ import annotations

from pathlib import Path

import pytest

from geocode import Gazetteer, load_gazetteer

CSV = """LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE
-70.000,42.000,10,MAIN ST,,Pointville,,MA,01010
-70.002,42.000,20,MAIN ST,,Pointville,,MA,01010
-70.002,42.000,20,MAIN ST,2,Pointville,,MA,01010
-70.004,42.000,30,MAIN ST,,Pointville,,MA,01010
-70.000,42.010,5,Broadway,,Pointville,,MA,01011
-70.000,42.012,7A,Broadway,,Pointville,,MA,01011
-70.000,42.020,1,N Elm Street,,Pointville,,MA,01010
"""


@pytest.fixture
def points(tmp_path: Path) -> Gazetteer:
    path = tmp_path / "oa.csv"
    path.write_text(CSV)
    return load_gazetteer(path, cache_dir=tmp_path / "cache")


def test_reads_points_and_city(points: Gazetteer) -> None:
    assert points.streets == ["Broadway", "Main St", "N Elm Street"]
    assert points.city == "Pointville"
    assert sum(len(v) for v in points.data.streets["Main St"].points.values()) == 3


@pytest.mark.parametrize(
    ("text", "label", "lon"),
    [
        ("20 main street", "20 Main St", -70.002),
        ("twenty four main", "24 Main St", -70.0028),  # between 20 and 30
        ("7 broad way", "7 Broadway", -70.0),
        ("1 north elm st", "1 N Elm Street", -70.0),
    ],
)
def test_locate_points(points: Gazetteer, text: str, label: str, lon: float) -> None:
    best = points.locate(text)[0]
    assert best.label == label and best.kind == "address"
    assert best.lon == pytest.approx(lon, abs=1e-4)


def test_unknown_number_falls_back_to_street(points: Gazetteer) -> None:
    best = points.locate("900 main street")[0]
    assert best.kind == "street" and best.score < 0.8


def test_out_of_city_by_place(points: Gazetteer) -> None:
    assert points.resolve("20 Main St, Springfield, MA").status == "out_of_city"
    assert points.resolve("20 Main St, Pointville, MA").status == "certain"
