"""Shared helpers for the geocode tests: the Cambridge layers (shared data), Demo City, and
small fake cities written from street segments."""

from __future__ import annotations

import json
from pathlib import Path

from geocode import Gazetteer, load_gazetteer
from intake import democity
from tests.needs import shared_data, unavailable


def demo_city() -> Gazetteer:
    """The committed Demo City, streets and intersections."""
    return load_gazetteer(
        democity.HERE / "centerlines.geojson", democity.HERE / "intersections.geojson"
    )


def cambridge_paths() -> tuple[Path, Path, Path]:
    """(centerlines, intersections, addresses_dev) or pytest.skip when absent."""
    folder = shared_data() / "cambridge"
    paths = (
        folder / "centerlines.geojson",
        folder / "intersections.geojson",
        folder / "addresses_dev.csv",
    )
    missing = [p for p in paths if not p.exists()]
    if missing:
        unavailable(f"shared data not found: {missing[0]} (set INTAKE_SHARED_DATA)")
    return paths


def segment(street: str, coords: list[list[float]], ranges: tuple[int, int, int, int],
            zip_code: str = "01001", alias: str | None = None,
            nodes: tuple[int, int] | None = None) -> dict[str, object]:
    name, _, kind = street.rpartition(" ")
    props: dict[str, object] = {
        "Street": street, "Street_Name": name, "Street_Type": kind,
        "L_From": ranges[0], "L_To": ranges[1], "R_From": ranges[2], "R_To": ranges[3],
        "ZIP_Left": zip_code, "ZIP_Right": zip_code,
    }
    if alias:
        props["Alias"] = alias
    if nodes:
        props["FromNode"], props["ToNode"] = nodes
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
            "properties": props}


def write_city(folder: Path, segments: list[dict[str, object]],
               crossings: list[dict[str, object]] | None = None) -> tuple[Path, Path]:
    """(centerlines, intersections) GeoJSON files in `folder`, as `load_gazetteer` takes them."""
    lines = folder / "centerlines.geojson"
    lines.write_text(json.dumps({"type": "FeatureCollection", "features": segments}))
    points = folder / "intersections.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": crossings or []}))
    return lines, points


def write_tiny_city(folder: Path) -> tuple[Path, Path]:
    """A four-street city: Main St (E-W), Elm St (N-S) crossing it, Fifth Ave, Maple Ct."""
    segments = [
        segment("Main St", [[-70.0, 42.0], [-69.99, 42.0]], (2, 98, 1, 99), nodes=(1, 2)),
        segment("Main St", [[-69.99, 42.0], [-69.98, 42.0]], (100, 198, 101, 199),
                nodes=(2, 3)),
        segment("Elm St", [[-69.99, 41.99], [-69.99, 42.0]], (2, 50, 1, 51), nodes=(4, 2)),
        segment("Fifth Ave", [[-70.0, 42.01], [-69.98, 42.01]], (2, 300, 1, 301), "02002",
                alias="5th Ave", nodes=(5, 6)),
        segment("Massachusetts Ave", [[-70.0, 42.02], [-69.98, 42.02]], (2, 400, 1, 401),
                alias="Mass Ave", nodes=(7, 8)),
        segment("Maple Ct", [[-70.0, 42.03], [-69.999, 42.03]], (2, 8, 1, 9), nodes=(9, 10)),
    ]
    return write_city(folder, segments, [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [-69.99, 42.0]},
        "properties": {"Intersection": "Elm St & Main St", "lat": 42.0, "lon": -69.99,
                       "IntersectingStreetCount": 2}}])
