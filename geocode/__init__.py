"""Understand spoken and typed street addresses against a city's own streets.

    gaz = load_gazetteer("centerlines.geojson", "intersections.geojson", cache_dir="var/cache")
    gaz.resolve("one twenty three mass av")  # Resolution(status="certain", candidates=(...))

Errors: GeocoderError (a remote backend failed: network, timeout, bad reply). The local
gazetteer never raises on odd input; it returns a "failed" Resolution instead.
"""

from ._backends import BACKENDS, FallbackGeocoder, GeopyBackend, make_backend
from ._gazetteer import Gazetteer
from ._index import FieldMap, IndexData
from ._load import build_index, load_gazetteer
from ._model import Candidate, Geocoder, GeocoderError, Resolution, verdict
from ._names import spoken_name
from ._normalize import normalize
from ._parse import Query, parse

__all__ = [
    "BACKENDS",
    "Candidate",
    "FallbackGeocoder",
    "FieldMap",
    "Gazetteer",
    "Geocoder",
    "GeocoderError",
    "GeopyBackend",
    "IndexData",
    "Query",
    "Resolution",
    "build_index",
    "load_gazetteer",
    "make_backend",
    "normalize",
    "parse",
    "spoken_name",
    "verdict",
]
