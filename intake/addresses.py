"""The application's side of the ResolveAddress seam: geocode text, reduce to engine Places.

A lookup that may wait on a network is bounded by a timeout, and any geocoder failure becomes a
'failed' resolution,
so a caller hears "I could not find that address" instead of silence or an error. Each
Place carries its spoken form: street names as said aloud, per the staff pronunciation table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from functools import partial
from typing import Any

from conversation import AddressResolved, Place, PlaceKind
from geocode import Candidate, Geocoder, Resolution, spoken_name

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 4.0  # seconds; Twilio gives a webhook 15 s in all


class AddressResolver:
    def __init__(
        self,
        geocoder: Geocoder,
        pronunciations: dict[str, str] | None = None,
        timeout: float = LOOKUP_TIMEOUT,
        *,
        bounded: bool = True,
    ) -> None:
        self.geocoder = geocoder
        self.pronunciations = pronunciations or {}
        self.timeout = timeout
        # the city's own street index answers in milliseconds: it is asked in the webhook's
        # thread; anything that may wait on a network is asked in a pool, under the timeout
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="geocode") \
            if bounded else None

    def _ask(self, lookup: Callable[..., Any], *args: Any) -> Any:
        if self._pool is None:
            return lookup(*args)
        return self._pool.submit(lookup, *args).result(timeout=self.timeout)

    def use(self, pronunciations: dict[str, str]) -> None:
        """A reloaded staff file's pronunciations, for the addresses said from now on."""
        self.pronunciations = pronunciations

    def resolve(self, text: str, letters: bool = False, lang: str = "en", *,
                sentence: bool = False) -> AddressResolved:
        """Geocode free text in the resident's language, or keypad digits spelling a street.
        A `sentence` was said at a question about something else: the street index answers
        at once when no word of it can be part of an address."""
        lookup: Callable[[str], Resolution] = partial(self.geocoder.resolve, lang=lang,
                                                      sentence=sentence)
        if letters:
            keypad = getattr(self.geocoder, "keypad", None)  # only the local gazetteer spells
            if keypad is None:
                return AddressResolved("failed")
            lookup = keypad
        try:
            result = self._ask(lookup, text)
        except FutureTimeout:
            log.error("geocoder took over %.1f s; treating the address as not found",
                      self.timeout)
            return AddressResolved("failed")
        except Exception:  # a geocoder bug or outage must not end the call
            log.exception("geocoder failed; treating the address as not found")
            return AddressResolved("failed")
        places = tuple(self.place(c) for c in result.candidates)
        span = result.span
        if result.status == "certain":
            return AddressResolved("certain", places, span)
        if result.status == "confirm":
            return AddressResolved("confirm", places, span)
        if result.status == "out_of_city":
            return AddressResolved("out_of_city", places, span)
        return AddressResolved("failed", places, span)

    def nearest(self, lat: float, lon: float) -> AddressResolved:
        """The address nearest a shared point, kept at the point; outside the city if none."""
        find = getattr(self.geocoder, "nearest", None)  # only a street list can say
        if find is None:
            return AddressResolved("failed")
        try:
            found = self._ask(find, lat, lon)
        except Exception:  # a slow or broken lookup: the resident is asked for the address
            log.exception("nearest-address lookup failed")
            return AddressResolved("failed")
        if found is None:
            return AddressResolved("out_of_city")
        return AddressResolved("confirm", (replace(self.place(found), lat=lat, lon=lon),))

    def place(self, c: Candidate) -> Place:
        kind = PlaceKind(c.kind)
        spoken = self.say(c.street)
        if kind == PlaceKind.INTERSECTION and c.cross_street:
            spoken = f"{spoken} & {self.say(c.cross_street)}"
        elif kind == PlaceKind.ADDRESS and c.number is not None:
            spoken = f"{c.number} {spoken}"
        numbers = None
        if kind == PlaceKind.STREET and c.number is not None:  # said, but not on that street
            number_range = getattr(self.geocoder, "number_range", None)
            numbers = number_range(c.street) if number_range is not None else None
        return Place(label=c.label, lat=c.lat, lon=c.lon, score=round(c.score, 3), kind=kind,
                     street=c.street, spoken=spoken,
                     number=c.number if kind == PlaceKind.STREET else None, numbers=numbers)

    def say(self, street: str) -> str:
        """A street name as said aloud: the staff table first, then the geocoder's rule."""
        return self.pronunciations.get(street) or spoken_name(street)

    def hints(self, limit: int = 500) -> list[str]:
        return self.geocoder.hints(limit)
