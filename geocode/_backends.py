"""Remote geocoders (geopy: Nominatim, Photon, Pelias at a city's own domain) and a fallback chain.

Every network or service failure becomes GeocoderError, so a caller handles one exception;
FallbackGeocoder swallows it and keeps the local answer, so a flaky service never ends a call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service

from ._model import Candidate, Geocoder, GeocoderError, Resolution, verdict

log = logging.getLogger(__name__)

#: Backend names accepted by make_backend (geopy service names).
BACKENDS = ("nominatim", "photon", "pelias")


def _field(raw: Any, *paths: tuple[str, ...]) -> str | None:
    for path in paths:
        node = raw
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node not in (None, ""):
            return str(node)
    return None


class GeopyBackend:
    """A geopy geocoder behind the Geocoder protocol, rate limited, bounded to a city box."""

    def __init__(
        self,
        geocoder: Any,
        *,
        city: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,  # south, west, north, east
        timeout: float = 3.0,
        min_delay_seconds: float = 1.0,
        limit: int = 5,
    ) -> None:
        self.geocoder = geocoder
        self.city = city
        self.bbox = bbox
        self.timeout = timeout
        self.limit = limit
        self._call: Callable[..., Any] = RateLimiter(
            geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0,
            swallow_exceptions=False,
        )  # fmt: skip

    def _query(self, text: str, zip_code: str | None) -> list[Any]:
        query = ", ".join(p for p in (text, self.city, zip_code) if p)
        try:
            found = self._call(query, exactly_one=False, timeout=self.timeout)
        except GeopyError as exc:
            raise GeocoderError(f"{type(self.geocoder).__name__}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise GeocoderError(f"{type(self.geocoder).__name__}: {exc!r}") from exc
        return list(found or [])[: self.limit]

    def _inside(self, lat: float, lon: float) -> bool:
        if self.bbox is None:
            return True
        south, west, north, east = self.bbox
        return south <= lat <= north and west <= lon <= east

    def _candidates(self, text: str, zip_code: str | None) -> tuple[list[Candidate], int]:
        out: list[Candidate] = []
        places = self._query(text, zip_code)
        for rank, loc in enumerate(places):
            raw = getattr(loc, "raw", {}) or {}
            if not self._inside(loc.latitude, loc.longitude):
                continue
            street = _field(
                raw, ("address", "road"), ("properties", "street"), ("properties", "name")
            ) or str(loc.address).split(",")[0]
            number = _field(raw, ("address", "house_number"), ("properties", "housenumber"))
            postcode = _field(
                raw, ("address", "postcode"), ("properties", "postcode"),
                ("properties", "postalcode"),
            )  # fmt: skip
            digits = "".join(ch for ch in number or "" if ch.isdigit())
            score = max(0.0, 0.9 - 0.1 * rank) * (1.0 if digits else 0.8)
            out.append(
                Candidate(
                    street, int(digits) if digits else None, float(loc.latitude),
                    float(loc.longitude), score, "address" if digits else "street", postcode,
                )  # fmt: skip
            )
        return out, len(places)

    def hints(self, limit: int = 500, zip_code: str | None = None) -> list[str]:
        """None: a remote service does not list its streets."""
        return []

    def locate(
        self, text: str, zip_code: str | None = None, lang: str = "en"
    ) -> list[Candidate]:
        """Candidates inside the city box, best first; raises GeocoderError on failure."""
        return self._candidates(text, zip_code)[0]

    def resolve(self, text: str, zip_code: str | None = None, lang: str = "en", *,
                sentence: bool = False) -> Resolution:
        """Verdict over locate(); "out_of_city" when the service only found places outside.
        A `sentence` is asked in full: only the service knows its words."""
        candidates, total = self._candidates(text, zip_code)
        if total and not candidates:
            return Resolution("out_of_city", ())
        return Resolution(verdict(candidates), tuple(candidates))


def make_backend(
    name: str,
    *,
    domain: str | None = None,
    user_agent: str = "open311-intake",
    scheme: str = "https",
    timeout: float = 3.0,
    min_delay_seconds: float = 1.0,
    city: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    **options: Any,
) -> GeopyBackend:
    """make_backend("nominatim", domain="nominatim.example.gov", city="Cambridge, MA")."""
    if name not in BACKENDS:
        raise ValueError(f"unknown geocoder backend {name!r}; choose from {BACKENDS}")
    cls = get_geocoder_for_service(name)
    kwargs: dict[str, Any] = {"scheme": scheme, "timeout": timeout, **options}
    if domain:
        kwargs["domain"] = domain
    if name == "nominatim":
        kwargs["user_agent"] = user_agent
    geocoder = cls(**kwargs)
    return GeopyBackend(
        geocoder, city=city, bbox=bbox, timeout=timeout, min_delay_seconds=min_delay_seconds
    )


class FallbackGeocoder:
    """Ask `primary`; when its verdict is in `when`, ask `fallback` (failures only logged)."""

    def __init__(
        self, primary: Geocoder, fallback: Geocoder, when: tuple[str, ...] = ("failed",)
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.when = when

    def keypad(self, digits: str) -> Resolution:
        """Keypad spelling needs the local street list: the primary's, when it has one."""
        spell = getattr(self.primary, "keypad", None)
        return spell(digits) if spell is not None else Resolution("failed", ())

    def nearest(self, lat: float, lon: float) -> Candidate | None:
        """The nearest address, from the primary's street list when it has one."""
        find = getattr(self.primary, "nearest", None)
        return find(lat, lon) if find is not None else None

    def number_range(self, street: str) -> tuple[int, int] | None:
        """The street's house numbers, from the primary's street list when it has one."""
        numbers = getattr(self.primary, "number_range", None)
        return numbers(street) if numbers is not None else None

    def hints(self, limit: int = 500, zip_code: str | None = None) -> list[str]:
        """The primary's hints, topped up from the fallback's."""
        out = self.primary.hints(limit, zip_code)
        seen = {h.lower() for h in out}
        extra = [h for h in self.fallback.hints(limit, zip_code) if h.lower() not in seen]
        return (out + extra)[:limit]

    def locate(
        self, text: str, zip_code: str | None = None, lang: str = "en"
    ) -> list[Candidate]:
        """Candidates of whichever backend gave the verdict."""
        return list(self.resolve(text, zip_code, lang).candidates)

    def resolve(self, text: str, zip_code: str | None = None, lang: str = "en", *,
                sentence: bool = False) -> Resolution:
        """Primary verdict, or the fallback's when the primary is unsure and the fallback is not.

        A `sentence` is read in full by both, as before: when the primary's guess at a text
        with no address word finds a street, the service is not asked."""
        first = self.primary.resolve(text, zip_code, lang)
        if first.status not in self.when:
            return first
        try:
            second = self.fallback.resolve(text, zip_code, lang)
        except GeocoderError as exc:
            log.warning("fallback geocoder failed: %s", exc)
            return first
        return second if second.status in ("certain", "confirm", "out_of_city") else first
