"""Geopy backend and fallback chain, with a fake geopy geocoder (third-party seam only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.location import Location

from geocode import (
    FallbackGeocoder,
    Geocoder,
    GeocoderError,
    GeopyBackend,
    Resolution,
    load_gazetteer,
    make_backend,
)
from tests.geocode_helpers import write_tiny_city


class FakeGeopy:
    """Answers like geopy's Nominatim: a list of Locations, or raises what it was given."""

    def __init__(self, answer: list[Location] | Exception) -> None:
        self.answer = answer
        self.queries: list[tuple[str, dict[str, Any]]] = []

    def geocode(self, query: str, **kwargs: Any) -> list[Location] | None:
        self.queries.append((query, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def nominatim_place(lat: float, lon: float, road: str, number: str | None) -> Location:
    address = {"road": road, "postcode": "01001", **({"house_number": number} if number else {})}
    return Location(f"{number or ''} {road}, Tinytown", (lat, lon), {"address": address})


BOX = (41.9, -70.1, 42.1, -69.9)


def test_geopy_backend_maps_nominatim_reply() -> None:
    fake = FakeGeopy([nominatim_place(42.0, -69.995, "Main Street", "51")])
    backend = GeopyBackend(fake, city="Tinytown", bbox=BOX, min_delay_seconds=0, timeout=2.5)
    [cand] = backend.locate("51 main st", zip_code="01001")
    assert (cand.street, cand.number, cand.kind, cand.zip_code) == ("Main Street", 51, "address",
                                                                     "01001")
    assert fake.queries == [("51 main st, Tinytown, 01001", {"exactly_one": False,
                                                             "timeout": 2.5})]
    assert isinstance(backend, Geocoder)


def test_geopy_backend_photon_reply_without_number_is_a_street() -> None:
    place = Location("Elm St", (42.0, -69.99), {"properties": {"street": "Elm St"}})
    backend = GeopyBackend(FakeGeopy([place]), min_delay_seconds=0)
    [cand] = backend.locate("elm")
    assert (cand.kind, cand.number, cand.label) == ("street", None, "Elm St")


def test_places_outside_the_box_are_out_of_city() -> None:
    far = nominatim_place(40.7, -74.0, "Main Street", "51")
    backend = GeopyBackend(FakeGeopy([far]), bbox=BOX, min_delay_seconds=0)
    assert backend.resolve("51 main st") == Resolution("out_of_city", ())


@pytest.mark.parametrize(
    "error", [GeocoderTimedOut("slow"), GeocoderServiceError("503"), OSError("reset")]
)
def test_network_failures_become_geocoder_error(error: Exception) -> None:
    backend = GeopyBackend(FakeGeopy(error), min_delay_seconds=0)
    with pytest.raises(GeocoderError):
        backend.resolve("51 main st")


def test_fallback_used_only_when_local_fails(tmp_path: Path) -> None:
    local = load_gazetteer(*write_tiny_city(tmp_path))
    remote_fake = FakeGeopy([nominatim_place(42.0, -69.995, "Zebra Lane", "9")])
    chain = FallbackGeocoder(local, GeopyBackend(remote_fake, min_delay_seconds=0))
    assert chain.resolve("51 main st").best.label == "51 Main St"  # type: ignore[union-attr]
    assert remote_fake.queries == []
    assert chain.locate("9 qqqq zzzz lane")[0].label == "9 Zebra Lane"
    assert chain.hints() == local.hints() and "Main Street" in chain.hints()
    assert isinstance(chain, Geocoder) and isinstance(local, Geocoder)


def test_fallback_survives_remote_outage(tmp_path: Path) -> None:
    local = load_gazetteer(*write_tiny_city(tmp_path))
    broken = GeopyBackend(FakeGeopy(GeocoderTimedOut("down")), min_delay_seconds=0)
    assert FallbackGeocoder(local, broken).resolve("qqqq zzzz").status == "failed"


def test_make_backend_builds_geopy_services() -> None:
    backend = make_backend("nominatim", domain="nominatim.example.gov", timeout=1.5,
                           min_delay_seconds=0)
    assert type(backend.geocoder).__name__ == "Nominatim"
    assert backend.geocoder.domain == "nominatim.example.gov"
    assert type(make_backend("photon", min_delay_seconds=0).geocoder).__name__ == "Photon"
    with pytest.raises(ValueError, match="unknown geocoder backend"):
        make_backend("mapquest")
