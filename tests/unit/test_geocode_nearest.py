"""The address nearest a point, on the demo city's streets (a shared location's read-back)."""

from __future__ import annotations

import pytest

from geocode import Gazetteer


@pytest.mark.parametrize("address", ["123 Main St", "250 Pennsylvania Ave", "120 Elm St",
                                     "450 Cherry Hill Rd"])
def test_the_point_of_an_address_reads_back_as_that_address(demo: Gazetteer,
                                                             address: str) -> None:
    where = demo.resolve(address).best
    assert where is not None and where.label == address
    found = demo.nearest(where.lat, where.lon)
    assert found is not None and found.label == address
    assert (found.lat, found.lon) == (where.lat, where.lon)  # the point itself is kept


def test_the_side_of_the_street_gives_the_parity(demo: Gazetteer) -> None:
    where = demo.resolve("123 Main St").best
    assert where is not None
    opposite = demo.resolve("124 Main St").best
    assert opposite is not None
    found = demo.nearest(opposite.lat, opposite.lon)
    assert found is not None and found.number is not None and found.number % 2 == 0


@pytest.mark.parametrize(("lat", "lon"), [(41.30, -98.75), (40.0, -98.75), (0.0, 0.0),
                                          (95.0, 0.0)])
def test_outside_the_city_is_none(demo: Gazetteer, lat: float, lon: float) -> None:
    assert demo.nearest(lat, lon) is None
