"""The committed demo city: regenerates byte-identically and its README addresses resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from geocode import Gazetteer
from intake import democity
from intake.cli.streets import streets


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for written in democity.write(tmp_path):
        assert written.read_bytes() == (democity.HERE / written.name).read_bytes()
        assert written.stat().st_size < 300_000


def test_labelled_as_demo(demo: Gazetteer) -> None:
    assert demo.city == "Demo City"
    assert "FICTIONAL" in (democity.HERE / "README.md").read_text()


@pytest.mark.parametrize(
    ("text", "label", "status"),
    [
        ("123 Main St", "123 Main St", "certain"),
        ("one twenty three maine street", "123 Main St", "certain"),
        ("250 Penn Ave", "250 Pennsylvania Ave", "certain"),
        ("305 fifth avenue", "305 5th Ave", "certain"),
        ("corner of fifth and main", "5th Ave & Main St", "certain"),
        ("410 broad way", "410 Broadway", "certain"),
        ("220 MLK Blvd", "220 Martin Luther King Jr Blvd", "certain"),
        ("450 Cherry Hill Road", "450 Cherry Hill Rd", "certain"),
        ("main street", "Main St", "confirm"),
        ("twelve oh five fifth avenue", "5th Ave", "confirm"),
    ],
)
def test_readme_addresses(demo: Gazetteer, text: str, label: str, status: str) -> None:
    result = demo.resolve(text)
    assert result.best is not None
    assert (result.best.label, result.status) == (label, status)


def test_out_of_city(demo: Gazetteer) -> None:
    assert demo.resolve("123 Main St, Springfield").status == "out_of_city"


def test_cli_import_then_locate(tmp_path: Path) -> None:
    runner = CliRunner()
    lines = democity.HERE / "centerlines.geojson"
    crossings = democity.HERE / "intersections.geojson"
    args = ["import", str(lines), "--intersections", str(crossings), "--cache-dir", str(tmp_path)]
    result = runner.invoke(streets, args)
    assert result.exit_code == 0, result.output
    assert "24 streets" in result.output
    assert list(tmp_path.glob("gazetteer-*.pickle"))
    result = runner.invoke(streets, ["locate", "123 main", "--streets", str(lines),
                                     "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0 and "123 Main St" in result.output


def test_cli_rejects_bad_mapping() -> None:
    result = CliRunner().invoke(
        streets, ["import", str(democity.HERE / "centerlines.geojson"), "--field", "nope=X"]
    )
    assert result.exit_code == 2 and "bad field mapping" in result.output
