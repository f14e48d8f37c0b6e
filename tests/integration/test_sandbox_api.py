"""The sandbox's GeoReport v2 endpoints, in both formats, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from intake.sandbox import DEMO_SERVICES, Attribute, AttributeValue, Service

from .sandbox_support import (
    W3C,
    MakeSandbox,
    Sandbox,
    error_items,
    parse,
    stringify,
    validate,
    xml_root,
)

FORMATS = ["json", "xml"]
FORM = "application/x-www-form-urlencoded"


def post_pairs(sb: Sandbox, pairs: list[tuple[str, str]], fmt: str = "json") -> Any:
    return sb.post(f"/requests.{fmt}", urlencode(pairs), content_type=FORM)


# -- services, definitions, discovery ---------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_the_demo_catalogue(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/services.{fmt}")
    assert resp.status_code == 200
    services = parse(resp, fmt)
    codes = [s["service_code"] for s in services]
    assert codes == [s.service_code for s in DEMO_SERVICES]
    assert {"POTHOLE", "GRAFFITI", "STREETLIGHT", "TRASH_MISSED", "ABANDONED_VEHICLE"} <= set(codes)
    graffiti = services[codes.index("GRAFFITI")]
    assert graffiti["metadata"] in (True, "true")
    assert graffiti["keywords"] and graffiti["group"]
    if fmt == "xml":
        assert xml_root(resp) == "services"
    else:
        validate("services.json", services)


def test_graffiti_definition_has_required_list_info_only_and_optional_string(
    sandbox: Sandbox,
) -> None:
    resp = sandbox.get("/services/GRAFFITI.json")
    body = parse(resp, "json")
    validate("service-definition.json", body)
    assert body["service_code"] == "GRAFFITI"
    by_code = {a["code"]: a for a in body["attributes"]}
    offensive = by_code["OFFENSIVE"]
    assert offensive["datatype"] == "singlevaluelist" and offensive["required"] is True
    assert {v["key"] for v in offensive["values"]} == {"YES", "NO"}
    assert by_code["PRIVATE_NOTE"]["variable"] is False
    assert by_code["SURFACE"]["datatype"] == "string" and by_code["SURFACE"]["required"] is False
    assert [a["order"] for a in body["attributes"]] == sorted(
        a["order"] for a in body["attributes"]
    )


@pytest.mark.parametrize("code", [s.service_code for s in DEMO_SERVICES if s.metadata])
def test_every_definition_matches_the_schema(sandbox: Sandbox, code: str) -> None:
    validate("service-definition.json", parse(sandbox.get(f"/services/{code}.json"), "json"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["POTHOLE", "NO_SUCH_SERVICE"])
def test_definition_of_service_without_metadata_or_unknown_is_404(
    sandbox: Sandbox, fmt: str, code: str
) -> None:
    resp = sandbox.get(f"/services/{code}.{fmt}")
    assert resp.status_code == 404
    [(err_code, text)] = error_items(resp)
    assert err_code == "404" and code in text


def test_service_code_with_dots_is_routed_to_the_definition(make: MakeSandbox) -> None:
    svc = Service(
        "12.3",
        "Dotted",
        "d",
        "g",
        "k",
        attributes=(Attribute("A", "a?", "singlevaluelist", values=(AttributeValue("1", "x"),)),),
    )
    sb = make(services=[svc])
    body = parse(sb.get("/services/12.3.xml"), "xml")
    assert body["service_code"] == "12.3"


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_points_at_this_sandbox(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/discovery.{fmt}")
    assert resp.status_code == 200
    body = parse(resp, fmt)
    if fmt == "xml":
        assert xml_root(resp) == "discovery"
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["type"] == "test"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_url_can_be_configured(make: MakeSandbox) -> None:
    sb = make(public_url="https://city.example/open311/v2/", endpoint_type="production")
    [endpoint] = parse(sb.get("/discovery.json"), "json")["endpoints"]
    assert endpoint["url"] == "https://city.example/open311/v2"
    assert endpoint["type"] == "production"


@pytest.mark.parametrize(
    "path",
    ["/services.html", "/services", "/requests.csv", "/nothing.json", "/requests/000001"],
)
def test_unknown_resource_or_format_is_a_404_spec_error(sandbox: Sandbox, path: str) -> None:
    resp = sandbox.get(path)
    assert resp.status_code == 404
    assert resp.content_type == "text/xml; charset=utf-8"
    assert error_items(resp)[0][0] == "404"


# -- the same data in both formats -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/services", "services"),
        ("/services/GRAFFITI", "service_definition"),
        ("/services/ABANDONED_VEHICLE", "service_definition"),
        ("/discovery", "discovery"),
        ("/requests", "service_requests"),
        ("/requests?extensions=true", "service_requests"),
        ("/requests/{id}", "service_requests"),
        ("/tokens/{token}", "service_requests"),
    ],
)
def test_xml_and_json_carry_the_same_data(make: MakeSandbox, path: str, root: str) -> None:
    sb = make(token_delay_seconds=0)
    sb.file(description="Deep one", address_string="12 Elm St")
    sb.file(description="Año nuevo, bache viejo")
    third = sb.file(service_code="OTHER", address_id="A-17")
    tokened = make(token_only=True, token_delay_seconds=0).file(service_code="STREETLIGHT")
    sb.clock.tick(90)  # some workflow notes
    path = path.format(id=third["service_request_id"], token=tokened["token"])
    base, _, query = path.partition("?")
    as_json = sb.get(f"{base}.json?{query}")
    as_xml = sb.get(f"{base}.xml?{query}")
    assert as_json.status_code == as_xml.status_code == 200
    assert xml_root(as_xml) == root
    assert parse(as_xml, "xml") == stringify(parse(as_json, "json"))


# -- POST requests -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_answers_an_opaque_string_id_and_the_request_can_be_read(
    sandbox: Sandbox, fmt: str
) -> None:
    answer = sandbox.file(
        fmt,
        address_string="1200 Main St",
        description="Big pothole\nnear the bus stop",
        media_url="https://example.org/p.jpg",
        email="r@example.org",
        account_id="acct-9",
    )
    srid = answer["service_request_id"]
    assert isinstance(srid, str) and srid == "000001"
    assert "token" not in answer
    assert answer["service_notice"]
    assert answer["account_id"] == "acct-9"
    resp = sandbox.get(f"/requests/{srid}.{fmt}")
    [req] = parse(resp, fmt)
    assert req["service_request_id"] == srid
    assert req["status"] == "open"
    assert req["service_code"] == "POTHOLE" and req["service_name"] == "Pothole"
    assert req["address"] == "1200 Main St"
    assert req["description"] == "Big pothole\nnear the bus stop"
    assert req["media_url"] == "https://example.org/p.jpg"
    assert float(req["lat"]) == 40.0 and float(req["long"]) == -75.0
    assert req["requested_datetime"] == "2024-05-01T12:00:00Z"
    assert W3C.match(req["expected_datetime"])
    if fmt == "json":
        validate("requests.json", [req])


def test_ids_are_sequential_and_can_carry_a_prefix(make: MakeSandbox) -> None:
    sb = make(id_prefix="SR-")
    assert [sb.file()["service_request_id"] for _ in range(3)] == [
        "SR-000001",
        "SR-000002",
        "SR-000003",
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"address_string": "5 Oak Ave"},
        {"address_id": "ADDR-55"},
        {"lat": "40.1", "long": "-75.1"},
        {"lat": "0", "long": "0"},
    ],
    ids=["address_string", "address_id", "lat_long", "zero_zero"],
)
def test_any_one_location_is_enough(sandbox: Sandbox, fields: dict[str, str]) -> None:
    data = {"service_code": "STREETLIGHT", **fields}
    assert sandbox.post("/requests.json", data).status_code == 200


LONG = "x" * 4001
BAD_POSTS = [
    ("no_service_code", {"lat": "1", "long": "1"}, 400, "service_code"),
    ("empty_service_code", {"service_code": "", "lat": "1", "long": "1"}, 400, "service_code"),
    ("unknown_service_code", {"service_code": "NOPE", "lat": "1", "long": "1"}, 404, "NOPE"),
    ("no_location", {"service_code": "POTHOLE"}, 400, "location"),
    ("empty_location", {"service_code": "POTHOLE", "address_string": " "}, 400, "location"),
    ("lat_without_long", {"service_code": "POTHOLE", "lat": "1"}, 400, "together"),
    ("lat_not_number", {"service_code": "POTHOLE", "lat": "n", "long": "1"}, 400, "lat"),
    ("lat_out_of_range", {"service_code": "POTHOLE", "lat": "91", "long": "1"}, 400, "lat"),
    ("long_out_of_range", {"service_code": "POTHOLE", "lat": "1", "long": "181"}, 400, "long"),
    (
        "description_too_long",
        {"service_code": "POTHOLE", "address_string": "a", "description": LONG},
        400,
        "4000",
    ),
    (
        "required_attribute_missing",
        {"service_code": "GRAFFITI", "address_string": "a"},
        400,
        "OFFENSIVE",
    ),
    (
        "list_value_not_allowed",
        {"service_code": "GRAFFITI", "address_string": "a", "attribute[OFFENSIVE]": "MAYBE"},
        400,
        "MAYBE",
    ),
    (
        "number_not_a_number",
        {"service_code": "ABANDONED_VEHICLE", "address_string": "a", "attribute[DAYS]": "many"},
        400,
        "DAYS",
    ),
    (
        "multivalue_not_allowed",
        {
            "service_code": "ABANDONED_VEHICLE",
            "address_string": "a",
            "attribute[CONDITION][]": "ON_FIRE",
        },
        400,
        "ON_FIRE",
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [pytest.param(f, s, m, id=i) for i, f, s, m in BAD_POSTS],
)
def test_invalid_post_is_a_spec_error_and_stores_nothing(
    sandbox: Sandbox, fmt: str, fields: dict[str, str], status: int, mentions: str
) -> None:
    resp = sandbox.post(f"/requests.{fmt}", fields)
    assert resp.status_code == status
    items = error_items(resp)
    assert items and all(code == str(status) for code, _ in items)
    assert any(mentions in text for _, text in items), items
    assert parse(sandbox.get("/requests.json"), "json") == []


def test_description_of_exactly_4000_characters_is_accepted(sandbox: Sandbox) -> None:
    sandbox.file(description="y" * 4000)


def test_all_attribute_problems_are_reported_together(sandbox: Sandbox) -> None:
    resp = post_pairs(
        sandbox,
        [
            ("service_code", "ABANDONED_VEHICLE"),
            ("address_string", "a"),
            ("attribute[DAYS]", "x"),
            ("attribute[CONDITION][]", "NOPE"),
        ],
    )
    assert resp.status_code == 400
    assert len(error_items(resp)) == 2


def test_single_value_list_refuses_two_values(sandbox: Sandbox) -> None:
    resp = post_pairs(
        sandbox,
        [
            ("service_code", "GRAFFITI"),
            ("address_string", "a"),
            ("attribute[OFFENSIVE]", "YES"),
            ("attribute[OFFENSIVE]", "NO"),
        ],
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "encoding",
    [
        [("attribute[CONDITION][]", "FLAT"), ("attribute[CONDITION][]", "NO_PLATES")],
        [("attribute[CONDITION]", "FLAT"), ("attribute[CONDITION]", "NO_PLATES")],
        [("attribute[CONDITION][]", "FLAT"), ("attribute[CONDITION]", "NO_PLATES")],
    ],
    ids=["brackets", "repeated_key", "mixed"],
)
def test_multivaluelist_encodings_are_all_understood(
    sandbox: Sandbox, encoding: list[tuple[str, str]]
) -> None:
    pairs = [
        ("service_code", "ABANDONED_VEHICLE"),
        ("lat", "40"),
        ("long", "-75"),
        ("attribute[PLATE]", "ABC 123"),
        ("attribute[DAYS]", "4"),
        ("attribute[PRIVATE_NOTE]", "ignored: not this service's"),
        ("attribute[UNKNOWN]", "ignored"),
        *encoding,
    ]
    resp = post_pairs(sandbox, pairs)
    assert resp.status_code == 200, resp.text
    srid = parse(resp, "json")[0]["service_request_id"]
    [req] = parse(sandbox.get(f"/requests/{srid}.json?extensions=true"), "json")
    got = sorted((a["code"], a["value"]) for a in req["attributes"])
    assert got == [
        ("CONDITION", "FLAT"),
        ("CONDITION", "NO_PLATES"),
        ("DAYS", "4"),
        ("PLATE", "ABC 123"),
    ]


def test_information_only_attribute_is_never_required_nor_stored(sandbox: Sandbox) -> None:
    resp = post_pairs(
        sandbox,
        [
            ("service_code", "GRAFFITI"),
            ("address_string", "a"),
            ("attribute[OFFENSIVE]", "NO"),
            ("attribute[PRIVATE_NOTE]", "client echoed the notice"),
        ],
    )
    srid = parse(resp, "json")[0]["service_request_id"]
    [req] = parse(sandbox.get(f"/requests/{srid}.json?extensions=true"), "json")
    assert [a["code"] for a in req["attributes"]] == ["OFFENSIVE"]
    assert req["attributes"][0]["label"] == "Is it offensive?"


@pytest.mark.parametrize("fmt", FORMATS)
def test_utf8_text_round_trips(sandbox: Sandbox, fmt: str) -> None:
    text = "Bache enorme en la calle Núñez — ¡cuidado! 坑"
    srid = sandbox.file(fmt, description=text)["service_request_id"]
    [req] = parse(sandbox.get(f"/requests/{srid}.{fmt}"), fmt)
    assert req["description"] == text


# -- api_key and jurisdiction_id ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("key", "status"),
    [(None, 403), ("", 403), ("wrong", 403), ("s3cret", 200)],
    ids=["missing", "empty", "wrong", "right"],
)
def test_post_requires_the_configured_api_key(
    make: MakeSandbox, fmt: str, key: str | None, status: int
) -> None:
    sb = make(api_key="s3cret")
    data = {"service_code": "POTHOLE", "address_string": "a"}
    if key is not None:
        data["api_key"] = key
    resp = sb.post(f"/requests.{fmt}", data)
    assert resp.status_code == status
    if status == 403:
        assert error_items(resp)[0][0] == "403"
    assert sb.get("/services.json").status_code == 200  # reads need no key


def test_without_configured_api_key_any_key_is_accepted(sandbox: Sandbox) -> None:
    sandbox.file(api_key="whatever")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/services.{fmt}"),
        ("get", "/services/GRAFFITI.{fmt}"),
        ("get", "/requests.{fmt}"),
        ("get", "/requests/000001.{fmt}"),
        ("get", "/tokens/nope.{fmt}"),
        ("post", "/requests.{fmt}"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_jurisdiction_is_404_and_absent_is_fine(
    make: MakeSandbox, method: str, path: str, fmt: str
) -> None:
    sb = make(jurisdiction_id="demo.town")
    url = path.format(fmt=fmt)
    data = {"service_code": "POTHOLE", "address_string": "a"}
    call = getattr(sb.client, method)
    kwargs = {"data": data} if method == "post" else {}
    wrong = call(f"/open311/v2{url}?jurisdiction_id=other.city", **kwargs)
    assert wrong.status_code == 404
    assert "jurisdiction_id" in error_items(wrong)[0][1]
    for query in ("", "?jurisdiction_id=demo.town", "?jurisdiction_id="):
        resp = call(f"/open311/v2{url}{query}", **kwargs)
        assert resp.status_code != 404 or "jurisdiction" not in resp.text


def test_jurisdiction_in_the_post_body_is_checked_too(make: MakeSandbox) -> None:
    sb = make(jurisdiction_id="demo.town")
    data = {"service_code": "POTHOLE", "address_string": "a", "jurisdiction_id": "x.org"}
    assert sb.post("/requests.json", data).status_code == 404
    data["jurisdiction_id"] = "demo.town"
    assert sb.post("/requests.json", data).status_code == 200


# -- GET requests: filters ---------------------------------------------------------------


def _file_many(sb: Sandbox) -> dict[str, str]:
    """Six requests an hour apart: code -> id."""
    ids: dict[str, str] = {}
    for code in ["POTHOLE", "STREETLIGHT", "TRASH_MISSED", "OTHER", "POTHOLE", "STREETLIGHT"]:
        srid = sb.file(service_code=code)["service_request_id"]
        ids.setdefault(code, srid)
        sb.clock.tick(3600)
    return ids


def _ids(sb: Sandbox, query: str, fmt: str = "json") -> list[str]:
    resp = sb.get(f"/requests.{fmt}?{query}")
    assert resp.status_code == 200, resp.text
    return [r["service_request_id"] for r in parse(resp, fmt)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_is_newest_first_and_schema_valid(make: MakeSandbox, fmt: str) -> None:
    sb = make(step_seconds=7200)
    _file_many(sb)
    assert _ids(sb, "", fmt) == ["000006", "000005", "000004", "000003", "000002", "000001"]
    body = parse(sb.get("/requests.json?extensions=true"), "json")
    assert {r["status"] for r in body} == {"open", "closed"}
    validate("requests.json", body)
    validate("requests.json", parse(sb.get("/requests.json"), "json"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("service_code=POTHOLE", ["000005", "000001"]),
        ("service_code=POTHOLE,OTHER", ["000005", "000004", "000001"]),
        ("service_code=POTHOLE&service_code=OTHER", ["000005", "000004", "000001"]),
        ("service_code=NOPE", []),
        ("status=closed", ["000003", "000002", "000001"]),
        ("status=open", ["000006", "000005", "000004"]),
        ("status=open,closed", ["000006", "000005", "000004", "000003", "000002", "000001"]),
        ("status=open&service_code=STREETLIGHT", ["000006"]),
        ("service_request_id=000002,000005", ["000005", "000002"]),
        ("service_request_id=000002&status=open&service_code=OTHER", ["000002"]),
        ("service_request_id=000002,999999", ["000002"]),
        ("status=&service_code=&start_date=&page=", [f"00000{i}" for i in range(6, 0, -1)]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_filters(make: MakeSandbox, fmt: str, query: str, expected: list[str]) -> None:
    sb = make(step_seconds=3600 * 1.8)  # the three oldest are closed by now
    _file_many(sb)
    sb.clock.tick(3600 * 2)
    assert _ids(sb, query, fmt) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_status_is_400(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/requests.{fmt}?status=pending")
    assert resp.status_code == 400
    assert "status" in error_items(resp)[0][1]


def _file_at(sb: Sandbox, days_ago: float) -> str:
    now = sb.clock.now
    sb.clock.now = now - timedelta(days=days_ago)
    try:
        return str(sb.file()["service_request_id"])
    finally:
        sb.clock.now = now


def test_default_window_is_the_most_recent_90_days(sandbox: Sandbox) -> None:
    old = _file_at(sandbox, 100)
    recent = _file_at(sandbox, 89)
    assert _ids(sandbox, "") == [recent]
    q = urlencode({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-31T00:00:00Z"})
    assert _ids(sandbox, q) == [old]
    assert _ids(sandbox, f"service_request_id={old}") == [old]  # ids ignore the window


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2024-01-01T00:00:00Z", "2024-03-31T00:00:00Z", 200),  # exactly 90 days
        ("2024-01-01T00:00:00Z", "2024-03-31T00:00:01Z", 400),  # a second more
        ("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", 400),
        ("2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z", 400),  # end before start
        ("2024-01-01T00:00:00-05:00", "2024-03-31T00:00:00-05:00", 200),
        ("2024-01-01T00:00:00+01:00", "2024-03-31T00:00:00Z", 400),  # 90 days + 1 h
        ("2024-01-01", "2024-03-01", 200),
        ("yesterday", "2024-03-01T00:00:00Z", 400),
        ("2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", 400),
    ],
)
def test_start_and_end_date_at_most_90_days_apart(
    sandbox: Sandbox, fmt: str, start: str, end: str, status: int
) -> None:
    resp = sandbox.get(f"/requests.{fmt}?" + urlencode({"start_date": start, "end_date": end}))
    assert resp.status_code == status, resp.text
    if status == 400:
        assert error_items(resp)[0][0] == "400"


def test_plus_sign_decoded_as_space_in_an_offset_is_tolerated(sandbox: Sandbox) -> None:
    srid = _file_at(sandbox, 1)
    # An unencoded "+01:00" arrives as " 01:00".
    assert _ids(sandbox, "start_date=2024-04-20T00:00:00+01:00") == [srid]


def test_start_date_alone_and_end_date_alone(sandbox: Sandbox) -> None:
    a = _file_at(sandbox, 30)
    b = _file_at(sandbox, 10)
    assert _ids(sandbox, "start_date=2024-04-11T00:00:00Z") == [b]
    assert _ids(sandbox, "end_date=2024-04-11T00:00:00Z") == [a]


def test_updated_after_and_before(make: MakeSandbox) -> None:
    sb = make(step_seconds=60)
    a = sb.file()["service_request_id"]
    sb.clock.tick(600)
    b = sb.file()["service_request_id"]
    sb.clock.tick(30)
    # a closed at 12:03; b was filed at 12:10 and is untouched so far.
    assert _ids(sb, "updated_after=2024-05-01T12:05:00Z") == [b]
    assert _ids(sb, "updated_before=2024-05-01T12:05:00Z") == [a]
    assert _ids(sb, "updated_after=2024-05-01T12:02:30Z&updated_before=2024-05-01T12:05:00Z") == [a]
    sb.clock.tick(60)  # b acknowledged at 12:11
    assert _ids(sb, "updated_after=2024-05-01T12:10:30Z") == [b]


def test_paging(make: MakeSandbox) -> None:
    sb = make(default_page_size=2, max_page_size=4)
    for _ in range(5):
        sb.file()
        sb.clock.tick(1)
    assert _ids(sb, "page=1") == ["000005", "000004"]
    assert _ids(sb, "page=3") == ["000001"]
    assert _ids(sb, "page=4") == []
    assert _ids(sb, "page_size=3&page=2") == ["000002", "000001"]
    assert _ids(sb, "page_size=100") == ["000005", "000004", "000003", "000002"]  # clamped
    assert _ids(sb, "") == ["000005", "000004", "000003", "000002", "000001"]


@pytest.mark.parametrize("query", ["page=0", "page=x", "page_size=0", "page_size=-3"])
def test_bad_paging_is_400(sandbox: Sandbox, query: str) -> None:
    assert sandbox.get(f"/requests.json?{query}").status_code == 400


def test_default_limit_caps_an_unpaged_list(make: MakeSandbox) -> None:
    sb = make(default_limit=3)
    for _ in range(5):
        sb.file()
    assert len(_ids(sb, "")) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_list(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/requests.{fmt}")
    assert resp.status_code == 200
    assert parse(resp, fmt) == []
    if fmt == "xml":
        assert xml_root(resp) == "service_requests"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_is_404(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/requests/424242.{fmt}")
    assert resp.status_code == 404
    [(code, text)] = error_items(resp)
    assert code == "404" and "424242" in text


def test_ids_are_compared_as_strings(sandbox: Sandbox) -> None:
    sandbox.file()
    assert sandbox.get("/requests/1.json").status_code == 404
    assert sandbox.get("/requests/000001.json").status_code == 200
