"""A slow or broken geocoding service never leaves a caller in silence.

A real HTTP server on loopback stands in for a city's Nominatim; it stalls until the test
releases it, so the lookup can only return first if the app's time bound works.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geocode import FallbackGeocoder, load_gazetteer, make_backend
from intake.addresses import AddressResolver
from intake.settings import DEMO_CITY_DIR


class Stalling(BaseHTTPRequestHandler):
    release = threading.Event()
    reply = b"[]"
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Stalling.asked.append(self.path)
        Stalling.release.wait(30)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(Stalling.reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    Stalling.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    Stalling.release.set()
    server.shutdown()
    server.server_close()


def test_a_stalled_geocoder_is_cut_off_and_counts_as_not_found(slow_server: str) -> None:
    remote = make_backend("nominatim", domain=slow_server, scheme="http", timeout=20,
                          min_delay_seconds=0)
    resolver = AddressResolver(remote, timeout=0.5)
    result = resolver.resolve("123 Main St")
    answered_before_release = not Stalling.release.is_set()
    assert answered_before_release and result.status == "failed"


def test_the_local_streets_answer_without_asking_a_stalled_fallback(slow_server: str) -> None:
    local = load_gazetteer(DEMO_CITY_DIR / "centerlines.geojson")
    remote = make_backend("nominatim", domain=slow_server, scheme="http", timeout=20,
                          min_delay_seconds=0)
    resolver = AddressResolver(FallbackGeocoder(local, remote), timeout=0.5)
    result = resolver.resolve("123 Main St")
    assert result.status == "certain" and result.candidates[0].label == "123 Main St"


def test_a_sentence_the_street_index_answers_at_once_still_goes_to_the_service(
        slow_server: str) -> None:
    """Only the service knows its own words: "pothole", said at another question, fails at
    once in the street index and is still asked of the fallback service."""
    Stalling.release.set()  # the service answers at once, with nothing
    Stalling.asked.clear()
    local = load_gazetteer(DEMO_CITY_DIR / "centerlines.geojson")
    remote = make_backend("nominatim", domain=slow_server, scheme="http", timeout=5,
                          min_delay_seconds=0)
    resolver = AddressResolver(FallbackGeocoder(local, remote), timeout=5)
    assert local.resolve("pothole", sentence=True).status == "failed"
    assert resolver.resolve("pothole", sentence=True).status == "failed"
    assert [p for p in Stalling.asked if "pothole" in p]


def test_a_geocoder_that_refuses_connections_counts_as_not_found() -> None:
    remote = make_backend("nominatim", domain="127.0.0.1:9", scheme="http", timeout=2,
                          min_delay_seconds=0)
    assert AddressResolver(remote).resolve("123 Main St").status == "failed"
