"""The client end to end over ``httpx.MockTransport``: recorded bodies, errors, tokens, batches.

A ``Server`` fake records every request it saw (like cosmicpython's fakes) and answers from
a small routing table; recorded real bodies come from ../shared/data/open311 (skipped with a
reason when absent), the rest are written inline to pin one behaviour each.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx
import pytest

from open311_client import (
    ConfigurationError,
    InvalidResponse,
    NewRequest,
    NotFound,
    Open311Client,
    Open311Error,
    PostResult,
    ServerUnavailable,
    ValidationError,
)
from tests.needs import shared_data, unavailable

RECORDED = shared_data() / "open311"
MISSING = f"recorded Open311 responses not found at {RECORDED} (set INTAKE_SHARED_DATA)"
ENDPOINT = "https://city.example/open311/v2/"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def recorded(name: str, status: int | None = None) -> httpx.Response:
    path = RECORDED / name
    if not path.is_file():
        unavailable(MISSING)
    raw = path.read_bytes()
    code = 200
    if raw.startswith(b"HTTP/"):  # some recordings keep the status line
        status_line, _, raw = raw.partition(b"\n")
        code = int(status_line.split()[1])
    ctype = "application/json" if name.endswith(".json") else "text/xml; charset=utf-8"
    return httpx.Response(status or code, content=raw.lstrip(), headers={"Content-Type": ctype})


class Server:
    """Answers by (method, path) and remembers what it was asked."""

    def __init__(self, routes: dict[tuple[str, str], Answer | list[Answer]]) -> None:
        self.routes = routes
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.routes.get((request.method, request.url.path))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if answer is None:
            return httpx.Response(
                404,
                text="<errors><error><code>404</code>"
                "<description>no route</description></error></errors>",
            )
        return answer(request) if callable(answer) else answer

    def params(self, n: int = -1) -> dict[str, str]:
        return dict(self.seen[n].url.params.multi_items())

    def form(self, n: int = -1) -> list[tuple[str, str]]:
        return parse_qsl(self.seen[n].content.decode("ascii"))


def make(server: Server, **options: object) -> Open311Client:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return Open311Client(http, ENDPOINT, **options)  # type: ignore[arg-type]


P = "/open311/v2/"


# --------------------------------------------------------------- recorded bodies, each call


@pytest.mark.shared_data
def test_services_and_definition_over_xml() -> None:
    server = Server(
        {
            ("GET", P + "services.xml"): recorded("node-open311/dc-services.xml"),
            ("GET", P + "services/S0301.xml"): recorded("node-open311/dc-services-S0301.xml"),
        }
    )
    client = make(server, format="xml", jurisdiction_id="dc.gov")
    services = client.services()
    assert len(services) == 86 and all(s.metadata for s in services[:3])
    definition = client.service_definition("S0301")
    assert [a.code for a in definition.questions][:1] == ["WHISPOLO"]
    assert [r.url.params["jurisdiction_id"] for r in server.seen] == ["dc.gov", "dc.gov"]
    assert all("xml" in r.headers["Accept"] for r in server.seen)


@pytest.mark.shared_data
def test_post_with_id_sends_key_and_jurisdiction_in_the_body_only() -> None:
    server = Server(
        {("POST", P + "requests.json"): recorded("codeforamerica-open311/post_service_request.xml")}
    )
    client = make(server, api_key="SECRET", jurisdiction_id="sfgov.org")
    result = client.post_request(
        NewRequest("006", lat=37.76, long=-122.46, address_string="8th Ave and Judah St")
    )
    assert result.service_request_id == "293944" and result.token is None
    sent = server.seen[0]
    assert sent.url.params.get("api_key") is None and "SECRET" not in str(sent.url)
    assert ("api_key", "SECRET") in server.form()
    assert ("jurisdiction_id", "sfgov.org") in server.form()
    assert sent.headers["Content-Type"].startswith("application/x-www-form-urlencoded")


@pytest.mark.shared_data
def test_token_flow_post_then_poll_with_backoff() -> None:
    pending = httpx.Response(200, json=[{"token": "503fc045901932078800163c"}])
    server = Server(
        {
            ("POST", P + "requests.xml"): recorded("node-open311/boston-submitrequest-token.xml"),
            ("GET", P + "tokens/503fc045901932078800163c.xml"): [
                recorded("codeforamerica-open311/get_service_request_not_found.xml", 404),
                pending,
                recorded("node-open311/token.xml"),
            ],
        }
    )
    client = make(server, format="xml")
    posted = client.post_request(NewRequest("S0301", address_string="1 Main St"))
    assert posted == PostResult(token="503fc045901932078800163c")
    slept: list[float] = []
    found = client.wait_for_request_id(
        "503fc045901932078800163c", attempts=5, first_delay=0.5, sleep=slept.append
    )
    assert found == "638344"
    assert slept == [0.5, 1.0]  # 404 and "no id yet" both mean wait, doubling each time


def test_request_id_from_token_is_none_while_unassigned_and_404_raises() -> None:
    server = Server(
        {
            ("GET", P + "tokens/t1.json"): httpx.Response(
                200, json=[{"token": "t1", "service_request_id": None}]
            ),
            ("GET", P + "tokens/t2.json"): httpx.Response(
                404, json=[{"code": 404, "description": "no token"}]
            ),
        }
    )
    client = make(server)
    assert client.request_id_from_token("t1") is None
    with pytest.raises(NotFound):
        client.request_id_from_token("t2")


def test_wait_for_request_id_gives_up_with_none_and_caps_the_delay() -> None:
    server = Server({("GET", P + "tokens/t.json"): httpx.Response(200, json=[{"token": "t"}])})
    slept: list[float] = []
    found = make(server).wait_for_request_id(
        "t", attempts=6, first_delay=1, factor=3, max_delay=10, sleep=slept.append
    )
    assert found is None and slept == [1, 3, 9, 10, 10] and len(server.seen) == 6


@pytest.mark.shared_data
def test_get_request_and_lists() -> None:
    server = Server(
        {
            ("GET", P + "requests/638344.xml"): recorded("node-open311/service-request.xml"),
            ("GET", P + "requests/nope.xml"): recorded(
                "codeforamerica-open311/service_requests_empty.xml"
            ),
            ("GET", P + "requests.xml"): recorded("node-open311/service-requests.xml"),
        }
    )
    client = make(server, format="xml")
    assert client.get_request("638344").status == "closed"
    with pytest.raises(NotFound):
        client.get_request("nope")
    assert [r.status for r in client.get_requests(status="open")] == ["closed", "open"]
    assert server.params() == {"status": "open"}


@pytest.mark.shared_data
def test_discovery_then_client_prefers_json_where_offered() -> None:
    server = Server(
        {
            ("GET", "/discovery.json"): recorded("node-open311/discovery-boston.json"),
            ("GET", "/dc/discovery.xml"): recorded("node-open311/discovery-dc.xml"),
        }
    )
    http = httpx.Client(transport=httpx.MockTransport(server))
    boston = Open311Client.from_discovery(http, "https://city.example/discovery.json")
    assert boston.endpoint == "https://mayors24.cityofboston.gov/open311/v2/"
    assert boston.format == "json"
    dc = Open311Client.from_discovery(http, "https://city.example/dc/discovery.xml")
    assert dc.format == "xml" and dc.endpoint == "http://app.311.dc.gov/cwi/Open311/v2/"
    with pytest.raises(ConfigurationError):
        Open311Client.from_discovery(http, "https://city.example/dc/discovery.xml", type="test")
    assert len(boston.discovery("https://city.example/discovery.json").endpoints) == 2


# --------------------------------------------------------------- error mapping


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "status", "error", "errors"),
    [
        (
            "codeforamerica-open311/403.xml",
            None,
            ConfigurationError,
            [("403", "Invalid api_key received -- can't proceed with create_request.")],
        ),
        (
            "codeforamerica-open311/get_service_request_not_found.xml",
            404,
            NotFound,
            [("404", "Service request not found with id or token not-an-id")],
        ),
        (
            "node-open311/boston-err-submitrequest-base_is_duplicate.xml",
            400,
            ValidationError,
            [("400", "Invalid service request: base is a duplicate.")],
        ),
        # An error document sent with 200 is still an error, classed by its own code.
        (
            "node-open311/boston-err-submitrequest-base_is_duplicate.xml",
            200,
            ValidationError,
            [("400", "Invalid service request: base is a duplicate.")],
        ),
        (
            "codeforamerica-open311/get_service_request_not_found.xml",
            200,
            NotFound,
            [("404", "Service request not found with id or token not-an-id")],
        ),
    ],
)
def test_recorded_errors(
    name: str, status: int | None, error: type[Open311Error], errors: list[tuple[str, str]]
) -> None:
    server = Server({("POST", P + "requests.xml"): recorded(name, status)})
    with pytest.raises(error) as caught:
        make(server, format="xml").post_request(NewRequest("1", address_string="x"))
    assert type(caught.value) is error
    assert caught.value.errors == errors
    assert caught.value.request is server.seen[0]
    assert caught.value.response is not None
    assert errors[0][1] in str(caught.value)


HTML_502 = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body/></html>"


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401, text="Unauthorized"), ConfigurationError),
        (
            httpx.Response(403, json=[{"code": 403, "description": "Invalid api_key"}]),
            ConfigurationError,
        ),
        (
            httpx.Response(404, json=[{"code": 404, "description": "jurisdiction_id not found"}]),
            ConfigurationError,
        ),
        (httpx.Response(301, headers={"Location": "https://x/"}), ConfigurationError),
        (httpx.Response(404, json=[{"code": 404, "description": "no such service"}]), NotFound),
        (
            httpx.Response(
                404,
                json=[{"code": 404, "description": "service_code or jurisdiction_id not found"}],
            ),
            NotFound,
        ),
        (
            httpx.Response(400, json=[{"code": 400, "description": "api_key is required"}]),
            ConfigurationError,
        ),
        (httpx.Response(410, text=""), NotFound),
        (
            httpx.Response(400, json=[{"code": "base_is_duplicate", "description": "dup"}]),
            ValidationError,
        ),
        (httpx.Response(422, json={"error": "bad lat"}), ValidationError),
        (
            httpx.Response(500, text="<errors><error><code>500</code></error></errors>"),
            ServerUnavailable,
        ),
        (httpx.Response(502, text=HTML_502), ServerUnavailable),
        (httpx.Response(503, text="<broken"), ServerUnavailable),
        (httpx.Response(429, headers={"Retry-After": "7"}), ServerUnavailable),
        (httpx.Response(200, text=HTML_502.replace("502 Bad Gateway", "Sign in")), InvalidResponse),
        (httpx.Response(200, text="{truncated"), InvalidResponse),
        (httpx.Response(200, text="OK"), InvalidResponse),
    ],
)
def test_status_mapping(response: httpx.Response, error: type[Open311Error]) -> None:
    server = Server({("GET", P + "services.json"): response})
    with pytest.raises(error) as caught:
        make(server).services()
    assert type(caught.value) is error
    assert caught.value.response is response and caught.value.request is server.seen[0]


def test_html_error_page_message_and_retry_after() -> None:
    server = Server(
        {
            ("GET", P + "services.json"): [
                httpx.Response(502, text=HTML_502),
                httpx.Response(503, headers={"Retry-After": "7"}),
            ]
        }
    )
    client = make(server)
    with pytest.raises(ServerUnavailable) as first:
        client.services()
    assert "502 Bad Gateway" in str(first.value) and first.value.maybe_sent
    with pytest.raises(ServerUnavailable) as second:
        client.services()
    assert second.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("exc", "maybe_sent"),
    [
        (httpx.ConnectError, False),
        (httpx.ConnectTimeout, False),
        (httpx.ReadTimeout, True),
        (httpx.WriteTimeout, True),
        (httpx.RemoteProtocolError, True),
        (httpx.ReadError, True),
    ],
)
def test_transport_failures_are_server_unavailable(
    exc: type[httpx.TransportError], maybe_sent: bool
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    with pytest.raises(ServerUnavailable) as caught:
        make(Server({("POST", P + "requests.json"): fail})).post_request(NewRequest("1"))
    assert caught.value.maybe_sent is maybe_sent
    assert caught.value.request is not None and caught.value.response is None
    assert isinstance(caught.value.__cause__, exc)


def test_every_call_carries_the_timeout() -> None:
    server = Server(
        {
            ("GET", P + "services.json"): httpx.Response(200, json=[]),
            ("GET", P + "requests.json"): httpx.Response(200, json=[]),
            ("POST", P + "requests.json"): httpx.Response(201, json=[{"token": "t"}]),
            ("GET", P + "tokens/t.json"): httpx.Response(200, json=[]),
        }
    )
    client = make(server, timeout=3.5)
    client.services()
    client.get_requests()
    client.post_request(NewRequest("1"))
    client.request_id_from_token("t")
    for request in server.seen:
        assert request.extensions["timeout"] == httpx.Timeout(3.5).as_dict()


@pytest.mark.parametrize(
    "options",
    [{"format": "yaml"}, {"multivalue_style": "pipes"}, {"timeout": 0}, {"id_chunk_size": 0}],
)
def test_bad_settings_are_configuration_errors(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        make(Server({}), **options)


def test_bad_endpoint_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        Open311Client(httpx.Client(), "city.example/open311")


# --------------------------------------------------------------- batches and paging


def listing(ids: list[str]) -> httpx.Response:
    return httpx.Response(
        200, json=[{"service_request_id": i, "status": "open", "service_code": "1"} for i in ids]
    )


def echo_ids(request: httpx.Request) -> httpx.Response:
    wanted = request.url.params["service_request_id"].split(",")
    return listing([i for i in wanted if i != "gone"])


def test_ids_are_chunked_deduplicated_and_override_other_filters() -> None:
    server = Server({("GET", P + "requests.json"): echo_ids})
    client = make(server, jurisdiction_id="city.example", id_chunk_size=3)
    ids = ["1", "2", "3", "4", "2", " ", "gone", "5"]
    found = client.get_requests(ids=ids, status="open", extensions=True)
    assert [r.service_request_id for r in found] == ["1", "2", "3", "4", "5"]
    assert [server.params(n)["service_request_id"] for n in range(len(server.seen))] == [
        "1,2,3",
        "4,gone,5",
    ]
    assert all(
        p
        == {
            "jurisdiction_id": "city.example",
            "extensions": "true",
            "service_request_id": p["service_request_id"],
        }
        for p in (server.params(n) for n in range(len(server.seen)))
    )
    client.get_requests(ids=ids, chunk_size=10)
    assert server.params()["service_request_id"] == "1,2,3,4,gone,5"


def test_filters_are_sent_in_w3c_form() -> None:
    from datetime import UTC, datetime

    server = Server({("GET", P + "requests.json"): listing([])})
    make(server).get_requests(
        service_code=["A", "B"],
        status="closed",
        start_date=datetime(2024, 1, 1, tzinfo=UTC),
        end_date=datetime(2024, 2, 1, tzinfo=UTC),
        updated_after=datetime(2024, 1, 15, 8, 0, tzinfo=UTC),
    )
    assert server.params() == {
        "service_code": "A,B",
        "status": "closed",
        "updated_after": "2024-01-15T08:00:00Z",
        "start_date": "2024-01-01T00:00:00Z",
        "end_date": "2024-02-01T00:00:00Z",
    }


def test_windows_wider_than_90_days_are_split() -> None:
    from datetime import date

    server = Server({("GET", P + "requests.json"): listing(["1"])})
    found = make(server).get_requests(start_date=date(2024, 1, 1), end_date=date(2024, 7, 1))
    windows = [
        (server.params(n)["start_date"], server.params(n)["end_date"])
        for n in range(len(server.seen))
    ]
    assert windows == [
        ("2024-01-01T00:00:00Z", "2024-03-31T00:00:00Z"),
        ("2024-03-31T00:00:00Z", "2024-06-29T00:00:00Z"),
        ("2024-06-29T00:00:00Z", "2024-07-01T00:00:00Z"),
    ]
    assert [r.service_request_id for r in found] == ["1"]  # one record per id


def test_paging_until_a_short_page() -> None:
    pages = {1: ["1", "2"], 2: ["3", "4"], 3: ["5"]}

    def page(request: httpx.Request) -> httpx.Response:
        return listing(pages.get(int(request.url.params["page"]), []))

    server = Server({("GET", P + "requests.json"): page})
    found = make(server).get_requests(status="open", page_size=2)
    assert [r.service_request_id for r in found] == ["1", "2", "3", "4", "5"]
    assert [server.params(n)["page"] for n in range(3)] == ["1", "2", "3"]
    assert server.params()["page_size"] == "2"


def test_paging_stops_when_the_server_ignores_page() -> None:
    server = Server({("GET", P + "requests.json"): listing(["1", "2"])})
    found = make(server, max_pages=50).get_requests(page_size=2)
    assert [r.service_request_id for r in found] == ["1", "2"] and len(server.seen) == 2


def test_paging_is_bounded_by_max_pages() -> None:
    counter = iter(range(10_000))

    def endless(request: httpx.Request) -> httpx.Response:
        return listing([str(next(counter)), str(next(counter))])

    server = Server({("GET", P + "requests.json"): endless})
    assert len(make(server, max_pages=4).get_requests(page_size=2)) == 8


# --------------------------------------------------------------- POST answer shapes, paths


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(201, json=[{"service_request_id": "12-00123456", "service_notice": "n"}]),
        httpx.Response(200, json={"service_request_id": "12-00123456", "service_notice": "n"}),
        httpx.Response(
            200,
            text="<service_requests><request><service_request_id>12-00123456"
            "</service_request_id><service_notice>n</service_notice></request>"
            "</service_requests>",
        ),
    ],
)
def test_post_answer_shapes_over_the_wire(response: httpx.Response) -> None:
    server = Server({("POST", P + "requests.json"): response})
    result = make(server).post_request(NewRequest("1"))
    assert result == PostResult(service_request_id="12-00123456", service_notice="n")


def test_post_without_id_or_token_is_accepted_as_blackbox() -> None:
    server = Server({("POST", P + "requests.json"): httpx.Response(202, text="")})
    assert make(server).post_request(NewRequest("1")) == PostResult()


def test_ids_and_codes_are_one_opaque_path_segment() -> None:
    server = Server({})
    client = make(server)
    with pytest.raises(NotFound):
        client.get_request("a/b c")
    with pytest.raises(NotFound):
        client.service_definition("006")
    assert server.seen[0].url.raw_path == b"/open311/v2/requests/a%2Fb%20c.json"
    assert server.seen[1].url.path == "/open311/v2/services/006.json"
    with pytest.raises(ValueError):
        client.get_request("")
