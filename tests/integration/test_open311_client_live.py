"""The client against a real HTTP server on loopback reproducing what live city servers did.

Each test sets up one quirk on the wire (see tests/city_server.py) and checks what the caller
gets: the pages it read, the server's own words on the exception, a clear InvalidResponse
instead of "nothing", text read in the charset it is really in, a call that ends on time and
within memory whatever the server does.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from open311_client import (
    ConfigurationError,
    InvalidResponse,
    NewRequest,
    NotFound,
    Open311Client,
    Open311Error,
    ServerUnavailable,
    ValidationError,
)
from tests.city_server import (
    Answer,
    CityServer,
    city_server,
    endless_json,
    json_answer,
    records,
    trickle,
    xml_answer,
)


@pytest.fixture
def city() -> Iterator[CityServer]:
    with city_server() as server:
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def client(city: CityServer, http: httpx.Client, **options: object) -> Open311Client:
    return Open311Client(http, city.endpoint, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------- paging past the end


def drf_page(ids: list[str], *, next_page: str | None, count: int) -> dict[str, object]:
    return {"count": count, "next": next_page, "previous": None, "results": records(ids)}


def test_drf_404_past_the_last_page_keeps_the_pages_read(city, http) -> None:
    city.route("GET", "requests.json",
               json_answer(200, records(["11", "12"])),
               json_answer(200, records(["13", "14"])),
               json_answer(404, {"detail": "Invalid page."}))
    found = client(city, http).get_requests(service_code="POT", page_size=2)
    assert [r.service_request_id for r in found] == ["11", "12", "13", "14"]
    assert [s.query["page"] for s in city.asked("requests.json")] == ["1", "2", "3"]


def test_a_null_next_link_ends_the_paging(city, http) -> None:
    city.route("GET", "requests.json",
               json_answer(200, drf_page(["1", "2"], next_page=city.url + "/x?page=2", count=4)),
               json_answer(200, drf_page(["3", "4"], next_page=None, count=4)),
               json_answer(500, {"detail": "never asked"}))
    found = client(city, http).get_requests(page_size=2)
    assert [r.service_request_id for r in found] == ["1", "2", "3", "4"]
    assert len(city.asked("requests.json")) == 2


@pytest.mark.parametrize("past_the_end", [
    json_answer(400, {"detail": "Invalid page."}),
    json_answer(200, []),
    lambda a: a.send(200, b""),
])
def test_whatever_a_server_says_past_the_end_ends_the_list(city, http, past_the_end) -> None:
    city.route("GET", "requests.json", json_answer(200, records(["1", "2"])), past_the_end)
    found = client(city, http).get_requests(page_size=2)
    assert [r.service_request_id for r in found] == ["1", "2"]


def test_a_404_on_the_first_page_is_still_an_error(city, http) -> None:
    city.route("GET", "requests.json", json_answer(404, {"detail": "Not found."}))
    with pytest.raises(NotFound, match="Not found."):
        client(city, http).get_requests(page_size=2)


# --------------------------------------------------------------- error bodies of any shape


@pytest.mark.parametrize(("answer", "error", "errors"), [
    (json_answer(403, {"code": 403, "detail": "Invalid API key"}), ConfigurationError,
     [("403", "Invalid API key")]),
    (xml_answer(403, "<?xml version='1.0'?><requests><code>403</code>"
                     "<detail>Invalid API key</detail></requests>"), ConfigurationError,
     [("403", "Invalid API key")]),
    (xml_answer(400, "<requests><code>400</code><detail>Position is required for "
                     "this service</detail></requests>"), ValidationError,
     [("400", "Position is required for this service")]),
    (json_answer(401, {"detail": "Authentication credentials were not provided."}),
     ConfigurationError, [("401", "Authentication credentials were not provided.")]),
    (json_answer(400, {"lat": ["This field is required."], "long": ["This field is required."]}),
     ValidationError, [("400", "lat: This field is required."),
                       ("400", "long: This field is required.")]),
    (json_answer(422, {"type": "about:blank", "title": "Unprocessable", "status": 422,
                       "detail": "service_code 'X' is retired"}), ValidationError,
     [("422", "service_code 'X' is retired")]),
    (json_answer(400, {"error": "invalid_request", "error_description": "bad long"}),
     ValidationError, [("400", "bad long")]),
    (lambda a: a.send(400, "Missing service_code, please.", content_type="text/plain"),
     ValidationError, [("400", "Missing service_code, please.")]),
    (lambda a: a.send(503, "<html><head><title>Maintenance until 6 am</title></head>"
                           "<body>...</body></html>", content_type="text/html"),
     ServerUnavailable, [("503", "Maintenance until 6 am")]),
    # an error document with 200 is still an error, classed by its own code
    (json_answer(200, {"code": 403, "detail": "Invalid API key"}), ConfigurationError,
     [("403", "Invalid API key")]),
])
def test_the_servers_words_are_kept_verbatim(city, http, answer, error, errors) -> None:
    city.route("POST", "requests.json", answer)
    with pytest.raises(Open311Error) as caught:
        client(city, http, api_key="k").post_request(NewRequest("POT", lat=1.0, long=2.0))
    assert type(caught.value) is error
    assert caught.value.errors == errors
    for _, words in errors:
        assert words in str(caught.value)
    assert caught.value.response is not None and caught.value.status_code is not None


# --------------------------------------------------------------- answers that are not answers


@pytest.mark.parametrize("body", [b"", b"   \r\n ", b"{}", b'{"unexpected": true}', b"[{}]"])
@pytest.mark.parametrize("call", ["services", "requests", "lookup"])
def test_empty_and_record_less_answers_are_invalid_not_nothing(city, http, body, call) -> None:
    path = "services.json" if call == "services" else "requests.json"
    city.route("GET", path, lambda a: a.send(200, body))
    c = client(city, http)
    with pytest.raises(InvalidResponse) as caught:
        if call == "services":
            c.services()
        elif call == "requests":
            c.get_requests(ids=["1"])
        else:
            c.get_requests(service_code="POT", page_size=50)
    said = str(caught.value)
    assert ("empty body" in said) if not body.strip() else ("no " in said and "in the answer"
                                                            in said)


@pytest.mark.parametrize("body", [b"[]", b'{"count": 0, "next": null, "results": []}',
                                  b"<service_requests></service_requests>"])
def test_a_real_empty_list_is_still_empty(city, http, body) -> None:
    city.route("GET", "requests.json", lambda a: a.send(200, body))
    assert client(city, http).get_requests(status="open") == []


def test_get_request_never_returns_another_request(city, http) -> None:
    city.route("GET", "requests/42.json", json_answer(200, records(["43"])))
    city.route("GET", "requests/7.json", json_answer(200, []))
    city.route("GET", "requests/8.json", json_answer(200, records(["1", "8"])))
    c = client(city, http)
    with pytest.raises(InvalidResponse, match="asked for request '42'.*'43'"):
        c.get_request("42")
    with pytest.raises(NotFound):
        c.get_request("7")
    assert c.get_request("8").service_request_id == "8"


def test_a_server_ignoring_the_ids_filter_gives_back_only_the_ids_asked(city, http) -> None:
    city.route("GET", "requests.json", json_answer(200, records(["1", "2", "3", "4"])))
    found = client(city, http).get_requests(ids=["2", "4"])
    assert [r.service_request_id for r in found] == ["2", "4"]


# --------------------------------------------------------------- charsets and encodings

SERVICES_XML = ("<?xml version=\"1.0\" encoding=\"{declared}\"?><services><service>"
                "<service_code>BACHE</service_code><service_name>Bache en la calzada "
                "(Peñalver, Ávila)</service_name></service></services>")


@pytest.mark.parametrize(("declared", "written", "header"), [
    ("ISO-8859-1", "utf-8", "ISO-8859-1"),  # says Latin-1, writes UTF-8
    ("UTF-8", "latin-1", "utf-8"),  # says UTF-8, writes Latin-1
    ("UTF-8", "utf-8", "ISO-8859-1"),  # the header and the declaration disagree
    ("windows-1252", "cp1252", None),  # says it right: nothing to report
])
def test_a_declared_charset_the_bytes_disagree_with(city, http, caplog, declared, written,
                                                     header) -> None:
    body = SERVICES_XML.format(declared=declared).encode(written)
    city.route("GET", "services.xml", xml_answer(200, body, charset=header))
    with caplog.at_level(logging.WARNING, logger="open311_client"):
        (service,) = client(city, http, format="xml").services()
    assert service.service_name == "Bache en la calzada (Peñalver, Ávila)"
    noted = [r.getMessage() for r in caplog.records if "declared" in r.getMessage()]
    if declared.lower() in (written, "windows-1252"):
        assert not noted
    else:
        assert noted and declared in noted[0]


def test_json_in_latin1_declared_utf8(city, http, caplog) -> None:
    body = json.dumps([{"service_code": "B", "service_name": "Señal caída"}],
                      ensure_ascii=False).encode("latin-1")
    city.route("GET", "services.json", lambda a: a.send(200, body))
    with caplog.at_level(logging.WARNING, logger="open311_client"):
        (service,) = client(city, http).services()
    assert service.service_name == "Señal caída"
    assert any("not valid utf-8" in r.getMessage() for r in caplog.records)


def test_a_false_gzip_header_on_a_plain_body_is_read(city, http, caplog) -> None:
    body = json.dumps(records(["5"])).encode()
    city.route("GET", "requests/5.json",
               lambda a: a.send(200, body, {"Content-Encoding": "gzip"}))
    with caplog.at_level(logging.WARNING, logger="open311_client"):
        assert client(city, http).get_request("5").service_request_id == "5"
    assert any("says gzip but the body is not compressed" in r.getMessage()
               for r in caplog.records)


def test_a_real_gzip_body_is_read_and_a_corrupt_one_is_invalid(city, http) -> None:
    body = gzip.compress(json.dumps(records(["5"])).encode())
    city.route("GET", "requests/5.json",
               lambda a: a.send(200, body, {"Content-Encoding": "gzip"}),
               lambda a: a.send(200, body[:12] + b"garbage!", {"Content-Encoding": "gzip"}))
    c = client(city, http)
    assert c.get_request("5").service_request_id == "5"
    with pytest.raises(InvalidResponse, match="does not decompress"):
        c.get_request("5")


def test_a_gzip_bomb_stops_at_the_size_cap(city, http) -> None:
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")  # 50 MB of spaces in ~50 KB
    city.route("GET", "services.json", lambda a: a.send(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(InvalidResponse, match="decompresses past 1,000,000 bytes"):
        client(city, http, max_bytes=1_000_000).services()


# --------------------------------------------------------------- slow and huge answers


@pytest.mark.parametrize("call", ["services", "post"])
def test_a_trickle_of_one_byte_a_second_ends_at_the_deadline(city, http, call) -> None:
    body = json.dumps([{"service_code": "A", "service_request_id": "1"}]).encode()
    city.route("GET", "services.json", trickle(body))
    city.route("POST", "requests.json", trickle(body))
    c = client(city, http, timeout=5, deadline=2)
    started = time.monotonic()
    with pytest.raises(ServerUnavailable) as caught:
        c.services() if call == "services" else c.post_request(NewRequest("A"))
    took = time.monotonic() - started
    assert 2 <= took < 20, took  # not cut before the deadline, nor the ~50 s of the whole body
    assert "not complete after 2s" in str(caught.value)
    assert caught.value.maybe_sent  # a POST that trickles may well have been stored


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_300_mb_answer_is_refused_without_holding_it(city, http, declare_length) -> None:
    city.route("GET", "requests.json", endless_json(300 * 1024 * 1024,
                                                    declare_length=declare_length))
    tracemalloc.start()
    try:
        with pytest.raises(InvalidResponse) as caught:
            client(city, http).get_requests(status="open")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    said = str(caught.value)
    if declare_length:
        assert "314,572,800 bytes, more than the 16,777,216" in said
    else:
        assert "goes on past 16,777,216 bytes" in said
    assert peak < 48 * 1024 * 1024, f"held {peak:,} bytes"


def test_a_huge_error_page_keeps_its_first_words(city, http) -> None:
    def huge_error(a: Answer) -> None:
        a.head(500, {"Content-Type": "text/plain"})
        a.write(b"Database is down. ")
        for _ in range(2000):
            a.write(b"x" * 10_000)

    city.route("GET", "services.json", huge_error)
    with pytest.raises(ServerUnavailable) as caught:
        client(city, http).services()
    assert str(caught.value).count("Database is down.") == 1
    assert len(caught.value.errors[0][1]) <= 64 * 1024
