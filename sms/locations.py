"""A location inside a text: a map link, a `geo:` URI or typed coordinates (pure, no I/O).

Google Maps, Apple Maps and OpenStreetMap links carry the point in their URL; short links
(maps.app.goo.gl) do not, and are not followed. Typed coordinates need decimals ("41.2501,
-98.7449"), so a house number and a ZIP are never taken for a point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus, urlsplit

__all__ = ["SharedPoint", "find_location", "whatsapp_location"]

_NUM = r"[-+]?\d{1,3}(?:\.\d+)?"
_PAIR = re.compile(rf"^\s*({_NUM})\s*,\s*({_NUM})")
_URL = re.compile(r"(?:https?://|geo:)\S+", re.IGNORECASE)
_GOOGLE_AT = re.compile(rf"@({_NUM}),({_NUM})")
_GOOGLE_DATA = re.compile(rf"!3d({_NUM})!4d({_NUM})")
_OSM_HASH = re.compile(rf"map=\d+(?:\.\d+)?/({_NUM})/({_NUM})")
_TYPED = re.compile(
    r"(?<![\w.])([-+]?\d{1,2}\.\d{3,})\s*°?\s*([NS])?\s*[,;\s]\s*"
    r"([-+]?\d{1,3}\.\d{3,})\s*°?\s*([EW])?(?![\w.])", re.IGNORECASE)
_LABEL = re.compile(r"\(([^)]*)\)\s*$")


@dataclass(frozen=True)
class SharedPoint:
    """A point the resident shared; `rest` is the text around it (the problem, perhaps)."""

    lat: float
    lon: float
    label: str = ""
    rest: str = ""


def find_location(text: str) -> SharedPoint | None:
    """The first map link, geo: URI or typed coordinate pair in `text`, or None.

    >>> find_location("pothole here geo:41.2501,-98.7449").lat
    41.2501
    """
    for match in _URL.finditer(text):
        found = _from_url(_trimmed(match.group()))
        if found is not None:
            rest = _rest(text, match.start(), match.end())
            return SharedPoint(found[0], found[1], found[2], rest)
    typed = _TYPED.search(text)
    if typed is not None:
        lat, lon = float(typed.group(1)), float(typed.group(3))
        if (typed.group(2) or "").upper() == "S":
            lat = -abs(lat)
        if (typed.group(4) or "").upper() == "W":
            lon = -abs(lon)
        if _valid(lat, lon):
            return SharedPoint(lat, lon, "", _rest(text, typed.start(), typed.end()))
    return None


def whatsapp_location(form: dict[str, str]) -> SharedPoint | None:
    """A WhatsApp location message (`Latitude`, `Longitude`, `Address`, `Label`), or None."""
    try:
        lat, lon = float(form.get("Latitude", "")), float(form.get("Longitude", ""))
    except ValueError:
        return None
    if not _valid(lat, lon):
        return None
    label = (form.get("Label") or form.get("Address") or "").strip()[:200]
    return SharedPoint(lat, lon, label, (form.get("Body") or "").strip())


def _from_url(url: str) -> tuple[float, float, str] | None:
    if url[:4].lower() == "geo:":
        return _from_geo(url[4:])
    parts = urlsplit(url)
    host = parts.netloc.lower()
    query = parse_qs(parts.query)
    if "google." in host or host.startswith("goo.gl"):
        for pattern in (_GOOGLE_DATA, _GOOGLE_AT):  # the pin before the map's centre
            found = pattern.search(unquote_plus(url))
            if found:
                return _checked(found.group(1), found.group(2), _google_label(parts.path))
        for key in ("q", "query", "ll", "destination", "center"):
            point = _pair(query.get(key, [""])[0])
            if point is not None:
                return point
        return None
    if host.endswith("maps.apple.com") or host.endswith("maps.apple"):
        label = query.get("q", [""])[0]
        for key in ("ll", "coordinate", "sll", "q", "daddr"):
            point = _pair(query.get(key, [""])[0])
            if point is not None:
                return point[0], point[1], "" if _pair(label) else label[:200]
        return None
    if "openstreetmap.org" in host or host.endswith("osm.org"):
        if "mlat" in query and "mlon" in query:
            return _checked(query["mlat"][0], query["mlon"][0], "")
        found = _OSM_HASH.search(parts.fragment) or _OSM_HASH.search(parts.query)
        if found:
            return _checked(found.group(1), found.group(2), "")
    return None


def _from_geo(body: str) -> tuple[float, float, str] | None:
    """geo:LAT,LON[,ALT][;u=...][?q=LAT,LON(Label)] (RFC 5870 and Android's q= form)."""
    path, _, query = body.partition("?")
    q = unquote_plus(parse_qs(query).get("q", [""])[0]) if query else ""
    label_match = _LABEL.search(q)
    label = label_match.group(1).strip()[:200] if label_match else ""
    point = _pair(path.split(";")[0])
    if point is not None and (point[0], point[1]) != (0.0, 0.0):
        return point[0], point[1], label
    inner = _pair(q)
    return (inner[0], inner[1], label) if inner is not None else None


def _google_label(path: str) -> str:
    parts = path.split("/")
    if "place" in parts:
        i = parts.index("place")
        if i + 1 < len(parts) and not parts[i + 1].startswith("@"):
            return unquote_plus(parts[i + 1])[:200]
    return ""


def _pair(text: str) -> tuple[float, float, str] | None:
    found = _PAIR.match(unquote_plus(text))
    return _checked(found.group(1), found.group(2), "") if found else None


def _checked(lat_text: str, lon_text: str, label: str) -> tuple[float, float, str] | None:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None
    return (lat, lon, label) if _valid(lat, lon) else None


def _valid(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0)


def _trimmed(url: str) -> str:
    """A link without the punctuation ending its sentence (its own closing bracket stays)."""
    url = url.rstrip(".,;!?")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;!?")
    return url


def _rest(text: str, start: int, end: int) -> str:
    return " ".join(f"{text[:start]} {text[end:]}".split())
