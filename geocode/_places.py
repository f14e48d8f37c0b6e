"""Place names around an address: the city's own (in-city) and other towns, states, ZIPs.

An address is declared outside the city only on positive evidence: another town's name, a
state or a real ZIP that is not the city's. The city's own names come from the street file
(CITY/DISTRICT columns), the settings (INTAKE_CITY) and the US ZIP table (`zipcodes`, offline),
which also lists each ZIP's local names ("Cambridgeport", "Kendall Square"). The ZIP table is
slow to open (seconds), so what a city needs from it is computed once and kept in the index.
"""

from __future__ import annotations

import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

STATE_NAMES = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga",
    "hawaii": "hi", "idaho": "id", "illinois": "il", "indiana": "in", "iowa": "ia",
    "kansas": "ks", "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md",
    "massachusetts": "ma", "michigan": "mi", "minnesota": "mn", "mississippi": "ms",
    "missouri": "mo", "montana": "mt", "nebraska": "ne", "nevada": "nv", "new hampshire": "nh",
    "new jersey": "nj", "new mexico": "nm", "new york": "ny", "north carolina": "nc",
    "north dakota": "nd", "ohio": "oh", "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa",
    "rhode island": "ri", "south carolina": "sc", "south dakota": "sd", "tennessee": "tn",
    "texas": "tx", "utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa",
    "west virginia": "wv", "wisconsin": "wi", "wyoming": "wy", "district of columbia": "dc",
    "puerto rico": "pr", "nueva york": "ny", "nuevo mexico": "nm", "carolina del norte": "nc",
    "carolina del sur": "sc", "pensilvania": "pa", "misuri": "mo", "luisiana": "la",
}  # fmt: skip
STATE_ABBRS = frozenset(STATE_NAMES.values())


def fold(text: str) -> str:
    """Lower case without accents: "Número" -> "numero"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(name: str) -> tuple[str, ...]:
    return tuple(fold(name).replace("-", " ").replace(".", "").replace("'", "").split())


@dataclass
class PlaceData:
    """The city's names and state, and the towns and ZIPs that are evidence of elsewhere."""

    home: set[tuple[str, ...]] = field(default_factory=set)
    state: str | None = None
    towns: set[tuple[str, ...]] = field(default_factory=set)
    real_zips: array[int] = field(default_factory=lambda: array("i"))

    def is_real_zip(self, code: str) -> bool:
        value = int(code)
        i = bisect_left(self.real_zips, value)
        return i < len(self.real_zips) and self.real_zips[i] == value


@lru_cache(maxsize=1)
def _real_zips() -> array[int]:
    """Every US ZIP as a sorted int array (no Python objects for the collector to walk)."""
    import zipcodes  # slow first use (seconds): only when an index is built

    return array("i", sorted(int(row["zip_code"]) for row in zipcodes.list_all()))  # type: ignore[no-untyped-call]


def _zip_rows(code: str) -> list[dict[str, object]]:
    import zipcodes

    try:
        return list(zipcodes.matching(code))  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        return []


def _towns(state: str | None) -> set[str]:
    import zipcodes

    rows = (zipcodes.filter_by(state=state.upper()) if state  # type: ignore[no-untyped-call]
            else zipcodes.list_all())  # type: ignore[no-untyped-call]
    names: set[str] = set()
    for row in rows:
        names.add(str(row.get("city") or ""))
        names.update(str(c) for c in row.get("acceptable_cities") or [])
    return names


def build_places(zips: set[str], names: list[str], state: str | None) -> PlaceData:
    """PlaceData for a city with these ZIPs and names (city, districts, INTAKE_CITY)."""
    real = _real_zips()
    home = {words(n) for n in names if n and words(n)}
    states: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    local_names: set[tuple[str, ...]] = set()
    for code in zips:
        for row in _zip_rows(code):
            city = str(row.get("city") or "")
            states[str(row.get("state") or "").lower()] += 1
            cities[city] += 1
            local = [str(n) for key in ("acceptable_cities", "unacceptable_cities")
                     for n in row.get(key) or []]  # type: ignore[attr-defined]
            local_names.update(words(n) for n in local if words(n))
    if not names and cities:
        home.add(words(cities.most_common(1)[0][0]))
    elif cities:  # the ZIPs' own city names, when the file names the city the same way
        home.update(words(c) for c in cities if any(words(c) == h for h in home))
    state = (state or "").lower() or (states.most_common(1)[0][0] if states else None)
    other = {words(t) for t in _towns(state)}
    home |= {n for n in local_names if n not in other or any(h[0] in n for h in home)}
    home = {h for h in home if len(" ".join(h)) >= 3}
    other -= home
    return PlaceData(home, state, {t for t in other if t}, array("i", real))
