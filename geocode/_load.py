"""Build or load a Gazetteer, with an on-disk cache keyed by the sources' bytes.

The cache is a pickle in a directory the application owns (never a shared or downloaded
one): loading it takes tens of milliseconds where parsing the GeoJSON takes a second.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ._gazetteer import Gazetteer
from ._index import FieldMap, IndexData, read_centerlines, read_intersections, read_openaddresses
from ._places import build_places

CACHE_VERSION = "2"


def _cache_key(paths: list[Path], fields: FieldMap) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}|{fields!r}".encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def build_index(
    path: str | os.PathLike[str],
    intersections: str | os.PathLike[str] | None = None,
    fields: FieldMap | None = None,
    progress: bool = False,
) -> IndexData:
    """Read the sources into an IndexData (no cache)."""
    src, fm = Path(path), fields or FieldMap()
    if src.suffix.lower() == ".csv":
        data = read_openaddresses(src, progress)
    else:
        data = read_centerlines(src, fm, progress)
    if intersections is not None:
        read_intersections(Path(intersections), data, fm, progress)
    zips = {z for s in data.streets.values() for z in s.zips}
    data.places = build_places(zips, [n for n in [data.city, *data.place_names] if n], data.state)
    return data


def load_gazetteer(
    path: str | os.PathLike[str],
    intersections: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    fields: FieldMap | None = None,
    city: str | None = None,
    progress: bool = False,
) -> Gazetteer:
    """Gazetteer from a centerline GeoJSON or OpenAddresses CSV; cached when cache_dir is set."""
    sources = [Path(path)] + ([Path(intersections)] if intersections is not None else [])
    fm = fields or FieldMap()
    if cache_dir is None:
        return Gazetteer(build_index(path, intersections, fm, progress), city)
    folder = Path(cache_dir)
    cached = folder / f"gazetteer-{_cache_key(sources, fm)}.pickle"
    if cached.exists():
        try:
            with cached.open("rb") as fh:
                data = pickle.load(fh)
            if isinstance(data, IndexData):
                return Gazetteer(data, city)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            pass  # stale or torn cache: rebuild below
    data = build_index(path, intersections, fm, progress)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cached)  # atomic: concurrent workers never read half a file
    return Gazetteer(data, city)
