"""Map links, geo: URIs and typed coordinates found in a text (pure parsing, no network)."""

from __future__ import annotations

import pytest

from sms.locations import find_location, whatsapp_location


@pytest.mark.parametrize(
    ("text", "lat", "lon", "label"),
    [
        ("https://www.google.com/maps/@41.2512,-98.7486,17z", 41.2512, -98.7486, ""),
        ("https://www.google.com/maps/place/Elm+Street/@41.25,-98.75,17z/data=!3m1!4b1"
         "!4m6!3m5!1s0x0:0x0!8m2!3d41.2512!4d-98.7486", 41.2512, -98.7486, "Elm Street"),
        ("https://maps.google.com/?q=41.2512,-98.7486", 41.2512, -98.7486, ""),
        ("https://www.google.com/maps/search/?api=1&query=41.2512%2C-98.7486",
         41.2512, -98.7486, ""),
        ("https://maps.apple.com/?ll=41.2512,-98.7486&q=Dropped%20Pin", 41.2512, -98.7486,
         "Dropped Pin"),
        ("https://maps.apple.com/?q=41.2512,-98.7486", 41.2512, -98.7486, ""),
        ("https://www.openstreetmap.org/#map=18/41.2512/-98.7486", 41.2512, -98.7486, ""),
        ("https://www.openstreetmap.org/?mlat=41.2512&mlon=-98.7486#map=17/41.25/-98.74",
         41.2512, -98.7486, ""),
        ("geo:41.2512,-98.7486", 41.2512, -98.7486, ""),
        ("geo:41.2512,-98.7486;u=35", 41.2512, -98.7486, ""),
        ("geo:0,0?q=41.2512,-98.7486(Pothole)", 41.2512, -98.7486, "Pothole"),
        ("41.2512, -98.7486", 41.2512, -98.7486, ""),
        ("41.2512 -98.7486", 41.2512, -98.7486, ""),
        ("41.2512° N, 98.7486° W", 41.2512, -98.7486, ""),
        ("33.8688 S 151.2093 E", -33.8688, 151.2093, ""),
    ],
)
def test_a_point_is_found(text: str, lat: float, lon: float, label: str) -> None:
    found = find_location(text)
    assert found is not None, text
    assert (found.lat, found.lon, found.label) == (lat, lon, label)


def test_the_words_around_a_link_are_kept() -> None:
    found = find_location("Deep pothole here https://maps.google.com/?q=41.2512,-98.7486 thanks")
    assert found is not None and found.rest == "Deep pothole here thanks"


@pytest.mark.parametrize(
    "text",
    [
        "123 Main St", "pothole at 123 Main St 68102", "call 402 555 0199",
        "https://maps.app.goo.gl/AbCdEf123", "https://example.com/?q=41.25,-98.74",
        "geo:91.0,10.0", "95.12345, 200.12345", "version 1.2.3", "12.5 inches deep, 3 feet",
        "https://www.openstreetmap.org/", "",
    ],
)
def test_no_point_where_there_is_none(text: str) -> None:
    assert find_location(text) is None


def test_whatsapp_location_message() -> None:
    found = whatsapp_location({"Latitude": "41.2512", "Longitude": "-98.7486",
                               "Address": "120 Main St", "Label": "Corner shop", "Body": ""})
    assert found is not None and (found.lat, found.lon, found.label) == (41.2512, -98.7486,
                                                                        "Corner shop")
    assert whatsapp_location({"Body": "hi"}) is None
    assert whatsapp_location({"Latitude": "x", "Longitude": "1"}) is None
