"""The gazetteer's data: streets with ranged segments and/or address points, and crossings.

Built once from a centerline GeoJSON (+ intersections GeoJSON) or an OpenAddresses CSV;
field names are configurable through FieldMap so other cities' layers import unchanged.
Plain dataclasses only, so the whole index pickles into the on-disk cache.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ._geometry import Coord, haversine_m
from ._names import name_key, tokens_of
from ._parse import house_number
from ._places import PlaceData


@dataclass(frozen=True)
class FieldMap:
    """Property names in the source layers; defaults are the Cambridge GIS schema."""

    street: str = "Street"
    street_name: str = "Street_Name"
    street_type: str = "Street_Type"
    alias: str = "Alias"
    l_from: str = "L_From"
    l_to: str = "L_To"
    r_from: str = "R_From"
    r_to: str = "R_To"
    zip_left: str = "ZIP_Left"
    zip_right: str = "ZIP_Right"
    from_node: str = "FromNode"
    to_node: str = "ToNode"
    intersection: str = "Intersection"
    lat: str = "lat"
    lon: str = "lon"

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> FieldMap:
        """FieldMap.from_pairs(["street=FULLNAME", "l_from=LFROMADD"])."""
        known = {f.name for f in fields(cls)}
        values: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key.strip() not in known:
                raise ValueError(f"bad field mapping {pair!r}; keys are {sorted(known)}")
            values[key.strip()] = value.strip()
        return cls(**values)


@dataclass
class Segment:
    """A centerline piece with left/right address ranges (0 = no range)."""

    coords: tuple[Coord, ...]
    l_from: int = 0
    l_to: int = 0
    r_from: int = 0
    r_to: int = 0
    zip_left: str | None = None
    zip_right: str | None = None


@dataclass
class Street:
    """One canonical street: its segments, address points (number -> [(lat, lon, zip)])."""

    name: str
    aliases: set[str] = field(default_factory=set)
    segments: list[Segment] = field(default_factory=list)
    points: dict[int, list[tuple[float, float, str | None]]] = field(default_factory=dict)
    zips: set[str] = field(default_factory=set)


@dataclass
class IndexData:
    """Everything `Gazetteer` needs; pickled as is."""

    streets: dict[str, Street]
    crossings: dict[tuple[str, str], list[tuple[float, float]]]
    city: str | None = None
    state: str | None = None
    source: str = ""
    #: The city's own place names in the file (CITY and DISTRICT columns).
    place_names: list[str] = field(default_factory=list)
    #: Names and ZIPs that tell in-city from elsewhere; filled by build_index.
    places: PlaceData | None = None


def _int(value: Any) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0


def _zip(value: Any) -> str | None:
    text = str(value or "").strip()
    return text[:5].zfill(5) if text[:5].isdigit() else None


def _street_name(props: dict[str, Any], fm: FieldMap) -> str | None:
    name = props.get(fm.street)
    if not name:
        parts = [props.get(fm.street_name), props.get(fm.street_type)]
        name = " ".join(str(p) for p in parts if p)
    text = " ".join(str(name or "").split())
    return text or None


def _lines(geometry: dict[str, Any] | None) -> Iterator[tuple[Coord, ...]]:
    if not geometry:
        return
    if geometry.get("type") == "LineString":
        yield tuple((float(x), float(y)) for x, y, *_ in geometry["coordinates"])
    elif geometry.get("type") == "MultiLineString":
        for line in geometry["coordinates"]:
            yield tuple((float(x), float(y)) for x, y, *_ in line)


def _add_crossing(
    crossings: dict[tuple[str, str], list[tuple[float, float]]], a: str, b: str, lat: float,
    lon: float,
) -> None:
    if a == b:
        return
    spots = crossings.setdefault((min(a, b), max(a, b)), [])
    if all(haversine_m(lat, lon, s[0], s[1]) > 40 for s in spots):
        spots.append((lat, lon))


def read_centerlines(path: Path, fm: FieldMap, progress: bool = False) -> IndexData:
    """Streets and node crossings from a centerline GeoJSON."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    streets: dict[str, Street] = {}
    nodes: dict[Any, tuple[Coord, set[str]]] = {}
    for feat in tqdm(doc.get("features", []), desc="streets", unit="seg", disable=not progress):
        props = feat.get("properties") or {}
        name = _street_name(props, fm)
        if not name:
            continue
        street = streets.setdefault(name, Street(name))
        for alias in str(props.get(fm.alias) or "").split(","):
            alias = " ".join(alias.replace("?", "").split())
            if alias and alias != name:
                street.aliases.add(alias)
        for coords in _lines(feat.get("geometry")):
            seg = Segment(
                coords, _int(props.get(fm.l_from)), _int(props.get(fm.l_to)),
                _int(props.get(fm.r_from)), _int(props.get(fm.r_to)),
                _zip(props.get(fm.zip_left)), _zip(props.get(fm.zip_right)),
            )  # fmt: skip
            street.segments.append(seg)
            street.zips.update(z for z in (seg.zip_left, seg.zip_right) if z)
            for end, node_field in ((coords[0], fm.from_node), (coords[-1], fm.to_node)):
                node = props.get(node_field)
                node_id = node if node is not None else (round(end[0], 6), round(end[1], 6))
                nodes.setdefault(node_id, (end, set()))[1].add(name)
    crossings: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for (lon, lat), names in nodes.values():
        ordered = sorted(names)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                _add_crossing(crossings, a, b, lat, lon)
    meta = doc.get("properties") or {}
    return IndexData(streets, crossings, meta.get("city"), meta.get("state"), str(path))


def read_intersections(path: Path, data: IndexData, fm: FieldMap, progress: bool = False) -> int:
    """Add named intersections ("A St & B St") to data; returns how many were matched."""
    by_key = {name_key(tokens_of(n)).full: n for n in data.streets}
    for street in data.streets.values():
        for alias in street.aliases:
            by_key.setdefault(name_key(tokens_of(alias)).full, street.name)
    doc = json.loads(path.read_text(encoding="utf-8"))
    matched = 0
    for feat in tqdm(doc.get("features", []), desc="intersections", disable=not progress):
        props = feat.get("properties") or {}
        names = [
            by_key.get(name_key(tokens_of(part)).full)
            for part in str(props.get(fm.intersection) or "").split("&")
        ]
        lat, lon = props.get(fm.lat), props.get(fm.lon)
        if (lat is None or lon is None) and (feat.get("geometry") or {}).get("type") == "Point":
            lon, lat = feat["geometry"]["coordinates"][:2]
        found = sorted({n for n in names if n})
        if lat is None or lon is None or len(found) < 2:
            continue
        matched += 1
        for i, a in enumerate(found):
            for b in found[i + 1 :]:
                _add_crossing(data.crossings, a, b, float(lat), float(lon))
    return matched


def _display(street: str) -> str:
    return street.title() if street.isupper() else street


def read_openaddresses(path: Path, progress: bool = False) -> IndexData:
    """Address points from an OpenAddresses CSV (LON,LAT,NUMBER,STREET,...,POSTCODE)."""
    streets: dict[str, Street] = {}
    by_key: dict[str, str] = {}
    cities: dict[str, int] = defaultdict(int)
    states: dict[str, int] = defaultdict(int)
    districts: dict[str, int] = defaultdict(int)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in tqdm(csv.DictReader(fh), desc="addresses", unit="pt", disable=not progress):
            row = {k.strip().upper(): (v or "").strip() for k, v in row.items() if k}
            raw, number = row.get("STREET", ""), house_number(row.get("NUMBER", "").lower())
            if not raw or number is None:
                continue
            try:
                lat, lon = float(row["LAT"]), float(row["LON"])
            except (KeyError, ValueError):
                continue
            key = name_key(tokens_of(raw)).full
            name = by_key.setdefault(key, _display(" ".join(raw.split())))
            street = streets.setdefault(name, Street(name))
            zip_code = _zip(row.get("POSTCODE"))
            spots = street.points.setdefault(number, [])
            if not any(abs(s[0] - lat) + abs(s[1] - lon) < 1e-6 for s in spots):
                spots.append((lat, lon, zip_code))
            if zip_code:
                street.zips.add(zip_code)
            if row.get("CITY"):
                cities[row["CITY"].title()] += 1
            if row.get("DISTRICT"):
                districts[row["DISTRICT"].title()] += 1
            if row.get("REGION"):
                states[row["REGION"].lower()] += 1
    city = max(cities, key=lambda c: cities[c]) if cities else None
    state = max(states, key=lambda s: states[s]) if states else None
    names = sorted(cities) + sorted(districts)
    return IndexData(streets, {}, city, state, str(path), names)
