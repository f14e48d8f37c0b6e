"""The application's side of the ResolveAddress seam: geocode text, reduce to engine Places.

Any geocoder failure becomes a 'failed' resolution, so a caller hears "I could not find
that address" instead of an application error.
"""

from __future__ import annotations

import logging
from typing import Protocol

from conversation import AddressResolved, Place

log = logging.getLogger(__name__)


class _Candidate(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def score(self) -> float: ...
    @property
    def kind(self) -> str: ...


class _Resolution(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def candidates(self) -> tuple[_Candidate, ...]: ...


class Geocoder(Protocol):
    def resolve(self, text: str, zip_code: str | None = None) -> _Resolution: ...
    def hints(self, limit: int = 500) -> list[str]: ...


class AddressResolver:
    def __init__(self, geocoder: Geocoder) -> None:
        self.geocoder = geocoder

    def resolve(self, text: str) -> AddressResolved:
        try:
            result = self.geocoder.resolve(text)
        except Exception:  # a geocoder bug or outage must not end the call
            log.exception("geocoder failed; treating the address as not found")
            return AddressResolved("failed")
        places = tuple(
            Place(label=c.label, lat=c.lat, lon=c.lon, score=round(c.score, 3), kind=c.kind)
            for c in result.candidates
        )
        status = result.status
        if status not in ("certain", "confirm", "out_of_city"):
            status = "failed"
        return AddressResolved(status, places)  # type: ignore[arg-type]

    def hints(self, limit: int = 500) -> list[str]:
        return self.geocoder.hints(limit)
