"""Reverse lookup: the address nearest a point on the map (a shared location, a photo's GPS).

Street pieces are bucketed in a coarse grid once, so a lookup looks at a few cells, not the
whole city. A point farther than `max_m` from every street is outside the city: None.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ._geometry import EARTH_RADIUS_M, haversine_m
from ._index import IndexData, Segment, Street
from ._model import Candidate, Kind

CELL = 0.005  # degrees (~550 m north-south): one grid cell
OUTSIDE_M = 250.0  # farther than this from any street is not in the city
POINT_M = 40.0  # a surveyed address point this close beats interpolating a range

Piece = tuple[Street, Segment, int]  # the street, its segment, the index of the piece's start


class NearestIndex:
    """Street pieces by grid cell, for `nearest(lat, lon)`."""

    def __init__(self, data: IndexData) -> None:
        self.cells: dict[tuple[int, int], list[Piece]] = defaultdict(list)
        self.points: dict[tuple[int, int], list[tuple[Street, int, float, float]]] = \
            defaultdict(list)
        for street in data.streets.values():
            for seg in street.segments:
                for i, (a, b) in enumerate(zip(seg.coords, seg.coords[1:], strict=False)):
                    for cell in _cells_between(a, b):
                        self.cells[cell].append((street, seg, i))
            for number, spots in street.points.items():
                for lat, lon, _ in spots:
                    self.points[_cell(lon, lat)].append((street, number, lat, lon))

    def nearest(self, lat: float, lon: float, max_m: float = OUTSIDE_M) -> Candidate | None:
        """The nearest address (or street, when it has no numbers) within `max_m`, or None."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        near = _around(_cell(lon, lat), max(1, math.ceil(max_m / (CELL * 111_000))))
        best: tuple[float, Piece, float, float] | None = None
        seen: set[tuple[int, int]] = set()
        for cell in near:
            for piece in self.cells.get(cell, ()):
                _, seg, i = piece
                if (id(seg), i) in seen:
                    continue
                seen.add((id(seg), i))
                dist, t, side = _to_piece(lat, lon, seg.coords[i], seg.coords[i + 1])
                if best is None or dist < best[0]:
                    best = (dist, piece, t, side)
        point = min(((haversine_m(lat, lon, plat, plon), street, number)
                     for cell in near for street, number, plat, plon in self.points.get(cell, ())),
                    key=lambda p: p[0], default=None)
        if point is not None and point[0] <= min(POINT_M, max_m):
            return Candidate(point[1].name, point[2], lat, lon, 1.0, "address")
        if best is None or best[0] > max_m:
            return None
        _, (street, seg, i), t, side = best
        number = _number(seg, i, t, side)
        zip_code = seg.zip_right if side > 0 else seg.zip_left
        kind: Kind = "address" if number is not None else "street"
        return Candidate(street.name, number, lat, lon, 1.0, kind, zip_code)


def _cell(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon / CELL), math.floor(lat / CELL)


def _around(cell: tuple[int, int], reach: int) -> list[tuple[int, int]]:
    x, y = cell
    return [(x + dx, y + dy) for dx in range(-reach, reach + 1) for dy in range(-reach, reach + 1)]


def _cells_between(a: tuple[float, float], b: tuple[float, float]) -> set[tuple[int, int]]:
    """Every cell the piece's bounding box touches (pieces are short; boxes are small)."""
    (x0, y0), (x1, y1) = _cell(*a), _cell(*b)
    return {(x, y) for x in range(min(x0, x1), max(x0, x1) + 1)
            for y in range(min(y0, y1), max(y0, y1) + 1)}


def _to_piece(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]
              ) -> tuple[float, float, float]:
    """(metres to the piece, fraction along it, +1 right of travel / -1 left)."""
    k = math.pi / 180 * EARTH_RADIUS_M
    cos = math.cos(math.radians(lat))
    ax, ay = (a[0] - lon) * k * cos, (a[1] - lat) * k
    bx, by = (b[0] - lon) * k * cos, (b[1] - lat) * k
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    px, py = ax + dx * t, ay + dy * t
    cross = dx * (0 - ay) - dy * (0 - ax)  # the point is at the origin
    return math.hypot(px, py), t, (-1.0 if cross > 0 else 1.0)


def _number(seg: Segment, i: int, t: float, side: float) -> int | None:
    """The house number at fraction t of piece i, on the side the point is."""
    start, end = (seg.r_from, seg.r_to) if side > 0 else (seg.l_from, seg.l_to)
    if not start and not end:
        start, end = (seg.l_from, seg.l_to) if side > 0 else (seg.r_from, seg.r_to)
        if not start and not end:
            return None
    lengths = [haversine_m(p[1], p[0], q[1], q[0])
               for p, q in zip(seg.coords, seg.coords[1:], strict=False)]
    total = sum(lengths) or 1.0
    f = (sum(lengths[:i]) + lengths[i] * t) / total
    n = round(start + (end - start) * f)
    if (n - start) % 2:  # keep the side's parity
        n += 1 if end >= start else -1
    low, high = min(start, end), max(start, end)
    return max(low, min(high, n)) or None
