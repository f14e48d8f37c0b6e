"""Demo City: a small fictional town for the demo and tests (`python -m intake.democity`).

Deterministic: the same code writes the same bytes. The files use the Cambridge GIS schema
(Street, Street_Name, Street_Type, Alias, L_/R_ ranges, ZIP_Left/Right; "A & B" intersections)
so one importer reads both. The town, its streets and its ZIP codes are made up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ORIGIN = (41.2500, -98.7500)  # (lat, lon) of the south-west corner; fictional
BLOCK_LAT, BLOCK_LON = 0.0011, 0.00145  # about 120 m each way
ZIPS = ("00011", "00012")  # outside the real ZIP range (it starts at 00501): clearly fake

#: East-west streets, south to north (numbers grow eastwards).
EAST_WEST = [
    ("Pearl", "St", None), ("Mill", "St", None), ("Church", "St", None), ("Elm", "St", None),
    ("Main", "St", None), ("Oak", "St", None), ("Maple", "St", None), ("Cedar", "St", None),
    ("School", "St", None), ("Pine", "St", None),
]  # fmt: skip
#: North-south streets, west to east (numbers grow northwards).
NORTH_SOUTH = [
    ("1st", "Ave", "First Ave"), ("2nd", "Ave", "Second Ave"), ("3rd", "Ave", "Third Ave"),
    ("4th", "Ave", "Fourth Ave"), ("5th", "Ave", "Fifth Ave"),
    ("Pennsylvania", "Ave", "Penn Ave"), ("Washington", "St", None),
    ("Cherry Hill", "Rd", None),
]  # fmt: skip


def _feature(fid: int, coords: list[tuple[float, float]], name: str, kind: str,
             alias: str | None, ranges: tuple[int, int, int, int], zip_code: str,
             nodes: tuple[int, int]) -> dict[str, Any]:  # fmt: skip
    street = f"{name} {kind}"
    props: dict[str, Any] = {
        "ID": f"{name[:7]}_{kind}_{fid}", "Street": street, "Street_Name": name,
        "Street_Type": kind, "Label": street, "Alias": alias,
        "L_From": ranges[0], "L_To": ranges[1], "R_From": ranges[2], "R_To": ranges[3],
        "ZIP_Left": zip_code, "ZIP_Right": zip_code, "FromNode": nodes[0], "ToNode": nodes[1],
    }  # fmt: skip
    line = [[round(lon, 6), round(lat, 6)] for lat, lon in coords]
    geometry = {"type": "LineString", "coordinates": line}
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}


def _point(i: int, j: int) -> tuple[float, float]:
    """Grid node (i east, j north) with a gentle deterministic wobble, like real surveys."""
    wobble = ((i * 7 + j * 13) % 5 - 2) * 0.00002
    return ORIGIN[0] + j * BLOCK_LAT + wobble, ORIGIN[1] + i * BLOCK_LON - wobble


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    """(centerlines, intersections) GeoJSON documents."""
    features: list[dict[str, Any]] = []
    crossings: list[dict[str, Any]] = []
    nx, ny = len(NORTH_SOUTH), len(EAST_WEST)

    def node(i: int, j: int) -> int:
        return 1 + j * nx + i

    for j, (name, kind, alias) in enumerate(EAST_WEST):
        for i in range(nx - 1):
            block = 100 * (i + 1)  # odd numbers on the right (south) side
            zip_code = ZIPS[0] if i < nx // 2 else ZIPS[1]
            ranges = (block, block + 98, block + 1, block + 99)
            coords = [_point(i, j), _point(i + 1, j)]
            features.append(_feature(len(features) + 1, coords, name, kind, alias, ranges,
                                     zip_code, (node(i, j), node(i + 1, j))))  # fmt: skip
    for i, (name, kind, alias) in enumerate(NORTH_SOUTH):
        for j in range(ny - 1):
            block = 100 * (j + 1)
            zip_code = ZIPS[0] if i < nx // 2 else ZIPS[1]
            ranges = (block + 1, block + 99, block, block + 98)  # even on the right (east)
            coords = [_point(i, j), _point(i, j + 1)]
            features.append(_feature(len(features) + 1, coords, name, kind, alias, ranges,
                                     zip_code, (node(i, j), node(i, j + 1))))  # fmt: skip
    # A diagonal avenue and a few short streets, so matching has near-misses to get right.
    diagonal = [(k, k) for k in range(0, min(nx, ny) - 1)]
    for n, (i, j) in enumerate(diagonal):
        block = 100 * (n + 1)
        features.append(_feature(len(features) + 1, [_point(i, j), _point(i + 1, j + 1)],
                                 "Broadway", "", None, (block, block + 98, block + 1,
                                 block + 99), ZIPS[0], (node(i, j), node(i + 1, j + 1))))
    extras = [
        ("Elm", "Ter", (3, 3), (3.5, 3.5), (2, 20, 1, 19)),
        ("Maple", "Ct", (5, 6), (5.5, 6.6), (2, 30, 1, 29)),
        ("Martin Luther King Jr", "Blvd", (0, 9), (7, 9.8), (2, 798, 1, 799)),
        ("Lake Shore", "Dr", (7, 0), (7.8, 9), (2, 998, 1, 999)),
        ("Knight", "St", (2, 1.5), (4, 1.5), (2, 198, 1, 199)),
    ]  # fmt: skip
    for name, kind, (i0, j0), (i1, j1), ranges in extras:
        a = (ORIGIN[0] + j0 * BLOCK_LAT, ORIGIN[1] + i0 * BLOCK_LON)
        b = (ORIGIN[0] + j1 * BLOCK_LAT, ORIGIN[1] + i1 * BLOCK_LON)
        alias = "MLK Blvd" if name.startswith("Martin") else None
        fid = len(features) + 1
        features.append(_feature(fid, [a, b], name, kind, alias, ranges, ZIPS[1],
                                 (10_000 + fid, 20_000 + fid)))  # fmt: skip
    for feat in features:  # Broadway has no type: "Broadway" not "Broadway "
        props = feat["properties"]
        props["Street"] = props["Label"] = props["Street"].strip()
        props["Street_Type"] = props["Street_Type"] or None
    names: dict[int, tuple[list[float], set[str]]] = {}
    for feat in features:
        p = feat["properties"]
        for end, key in ((feat["geometry"]["coordinates"][0], "FromNode"),
                         (feat["geometry"]["coordinates"][-1], "ToNode")):  # fmt: skip
            names.setdefault(p[key], (end, set()))[1].add(p["Street"])
    for nid, (end, streets) in sorted(names.items()):
        if len(streets) < 2:
            continue
        props = {"Intersection": " & ".join(sorted(streets)), "NodeNumber": nid,
                 "lat": end[1], "lon": end[0], "IntersectingStreetCount": len(streets)}
        crossings.append({"type": "Feature", "id": len(crossings) + 1, "properties": props,
                          "geometry": {"type": "Point", "coordinates": end}})  # fmt: skip
    about = {
        "name": "Demo City",
        "city": "Demo City",
        "demo": True,
        "description": "FICTIONAL demo data generated by intake/democity; not a real place.",
    }
    return (
        {"type": "FeatureCollection", "properties": about, "features": features},
        {"type": "FeatureCollection", "properties": about, "features": crossings},
    )


def write(folder: Path = HERE) -> tuple[Path, Path]:
    """Write centerlines.geojson and intersections.geojson into folder."""
    lines, crossings = build()
    paths = (folder / "centerlines.geojson", folder / "intersections.geojson")
    for path, doc in zip(paths, (lines, crossings), strict=True):
        path.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n")
    return paths
