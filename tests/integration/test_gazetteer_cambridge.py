"""The gazetteer on the real Cambridge layers (skips when ../shared/data is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geocode import Gazetteer, load_gazetteer
from geocode._geometry import haversine_m
from tests.geocode_helpers import cambridge_paths

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def cambridge(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    lines, crossings, _ = cambridge_paths()
    cache = tmp_path_factory.mktemp("cache")
    return load_gazetteer(lines, crossings, cache_dir=cache, city="Cambridge")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("123 Massachusetts Ave", "123 Massachusetts Ave"),
        ("one twenty three mass av", "123 Massachusetts Ave"),
        ("fifteen hundred mass ave", "1500 Massachusetts Ave"),
        ("um I'm at twelve oh five cambridge street", "1205 Cambridge St"),
        ("a hundred and ten hampshire street", "110 Hampshire St"),
        ("41 LINE ST, Unit 3, Cambridge, MA 02138", "41 Line St"),
        ("14-16 ELM ST, Unit 16, Cambridge, MA 02139", "14 Elm St"),
        ("182 Elm St N, Cambridge, MA 02140", "182 Elm St N"),
        ("29 sixth street", "29 Sixth St"),
        ("29 sixtg st", "29 Sixth St"),
        ("393 norfolk", "393 Norfolk St"),
        ("forty avon hill street", "40 Avon Hill St"),
        ("three saint paul street", "3 St Paul St"),
        ("twenty eight seven pines avenue", "28 Seven Pines Ave"),
        ("two burkshire plays", "2 Berkshire Pl"),
        ("in front of 44-B Sacramento St", "44 Sacramento St"),
        ("mass ave and prospect street", "Massachusetts Ave & Prospect St"),
        ("corner of hampshire and prospect", "Hampshire St & Prospect St"),
        ("broadway at galileo way", "Broadway & Galilei Way"),
        ("fifth street and cambridge street", "Fifth St & Cambridge St"),
        ("hamshire street", "Hampshire St"),
        ("cam bridge street", "Cambridge St"),
        ("221 O'Brien Highway", "221 Monsignor OBrien Hwy"),
        ("two ninety five medeiros avenue", "295 Cardinal Medeiros Ave"),
    ],
)
def test_locate_cambridge(cambridge: Gazetteer, text: str, label: str) -> None:
    assert cambridge.locate(text)[0].label == label


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("1586 Cambridge St, Cambridge, MA 02138", "certain"),
        ("mass ave", "confirm"),
        ("twenty seven madison", "confirm"),
        ("12 Main St, Boston, MA", "out_of_city"),
        ("123 main st 02108", "out_of_city"),
        ("gobbledygook flibbertigibbet", "failed"),
    ],
)
def test_resolve_status(cambridge: Gazetteer, text: str, status: str) -> None:
    assert cambridge.resolve(text).status == status


def test_dev_addresses_mostly_within_100m(cambridge: Gazetteer) -> None:
    *_, dev = cambridge_paths()
    with dev.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    near = 0
    for row in rows:
        best = cambridge.locate(row["address"])[0]
        near += haversine_m(float(row["lat"]), float(row["lon"]), best.lat, best.lon) <= 100
    assert near / len(rows) >= 0.95


def test_second_start_reads_the_cache(tmp_path: Path) -> None:
    """A restart reads the cached index instead of parsing the street file again (how long
    that takes is a figure of bench/addresses.py, not a test)."""
    lines, crossings, _ = cambridge_paths()
    first = load_gazetteer(lines, crossings, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("gazetteer-*.pickle")
    stamp = cached.stat().st_mtime_ns
    again = load_gazetteer(lines, crossings, cache_dir=tmp_path)
    assert cached.stat().st_mtime_ns == stamp  # read, not rewritten
    assert len(again.streets) == len(first.streets) > 800
    said = "77 Massachusetts Ave"
    assert again.locate(said)[0].label == first.locate(said)[0].label


def test_hints_within_twilio_limits(cambridge: Gazetteer) -> None:
    hints = cambridge.hints()
    assert len(hints) == 500 and all(0 < len(h) <= 100 for h in hints)
    assert "Massachusetts Avenue" in hints[:20]
    east = cambridge.hints(limit=50, zip_code="02141")
    assert "Cambridge Street" in east and "Huron Avenue" not in east
