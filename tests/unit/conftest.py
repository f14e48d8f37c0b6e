"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from geocode import Gazetteer
from tests.geocode_helpers import demo_city


@pytest.fixture(scope="module")
def demo() -> Gazetteer:
    """Demo City's gazetteer, loaded once per module that asks for it."""
    return demo_city()
