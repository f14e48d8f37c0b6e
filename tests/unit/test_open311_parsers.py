"""Parsing: every recorded real response, then each quirk of OPEN311.md in isolation.

The recorded bodies are read from ../shared/data/open311 (or $INTAKE_SHARED_DATA/open311)
and never copied into the repository; without them those tests skip and say why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from open311_client import Discovery, Service
from open311_client._decoding import UndecodableBody, decode_body
from open311_client._parsers import (
    error_list,
    looks_like_errors,
    parse_datetime,
    parse_discovery,
    parse_post_result,
    parse_requests,
    parse_service_definition,
    parse_services,
    parse_token,
)
from tests.needs import shared_data, unavailable

RECORDED = shared_data() / "open311"
RECORDING_DIRS = ("codeforamerica-open311", "node-open311")
MISSING = f"recorded Open311 responses not found at {RECORDED} (set INTAKE_SHARED_DATA)"


def recorded_files() -> list[str]:
    if not RECORDED.is_dir():
        return []
    return sorted(
        f"{d}/{p.name}"
        for d in RECORDING_DIRS
        if (RECORDED / d).is_dir()
        for p in (RECORDED / d).iterdir()
        if p.suffix in (".xml", ".json")
    )


def load(name: str) -> tuple[int, bytes]:
    """(status, body) of a recorded file; a leading "HTTP/1.1 403 ..." line sets the status."""
    path = RECORDED / name
    if not path.is_file():
        unavailable(MISSING)
    raw = path.read_bytes()
    if raw.startswith(b"HTTP/"):
        status_line, _, rest = raw.partition(b"\n")
        return int(status_line.split()[1]), rest.lstrip()
    return 200, raw


PST = timezone(timedelta(hours=-8))


def _sf_request_list(doc: Any) -> None:
    found = parse_requests(doc)
    assert [r.service_request_id for r in found] == ["638344", "638349"]
    first = found[0]
    assert first.status == "closed" and first.status_notes == "Duplicate request."
    assert first.service_code == "006"  # opaque: the leading zeros stay
    assert first.description is None and first.agency_responsible is None  # empty elements
    assert first.requested_datetime == datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST)
    assert first.expected_datetime == datetime(2010, 4, 15, 6, 37, 38, tzinfo=PST)
    assert (first.lat, first.long) == (37.762221815, -122.4651145)
    assert first.address_id == "545483" and first.zipcode == "94122"
    assert first.media_url is not None and not first.media_url.endswith(" ")
    assert found[1].status == "open" and found[1].status_notes is None


def _single_request(doc: Any) -> None:
    (only,) = parse_requests(doc)
    assert only.service_request_id == "638344" and only.status == "closed"
    assert only.updated_datetime is not None and only.updated_datetime.tzinfo is not None


def _sf_services(doc: Any) -> None:
    found = parse_services(doc)
    assert len(found) == 36  # despite the stray SOAP namespaces on the root
    assert found[0] == Service(
        service_code="001",
        service_name="Cans_Left_Out_24x7",
        description=found[0].description,
        metadata=False,
        type="realtime",
        keywords=(),
        group="Litter Receptacles",
    )
    assert all(s.service_code.isdigit() and len(s.service_code) == 3 for s in found)


def _dc_services(doc: Any) -> None:
    found = parse_services(doc)
    assert len(found) == 86
    first = found[0]
    assert first.service_code == "CSRREPIS" and first.metadata is True
    assert first.keywords == ("311", "Online", "Reported", "Issues")
    assert len({s.service_code for s in found}) == 86


def _sf_definition(doc: Any) -> None:
    # The old format: <attribute> directly under the root, no <attributes> wrapper.
    found = parse_service_definition(doc, "DMV66")
    assert found.service_code == "DMV66"
    (attr,) = found.attributes
    assert attr.code == "WHISHETN" and attr.variable and attr.required
    assert attr.datatype == "singlevaluelist" and attr.order == 1
    assert attr.datatype_description is None
    assert [(v.key, v.name) for v in attr.values] == [("123", "Ford"), ("124", "Chrysler")]


def _dc_definition(doc: Any) -> None:
    found = parse_service_definition(doc, "S0301")
    assert [a.order for a in found.attributes] == [1, 2, 3, 4, 8, 9]  # sorted by order
    info = [a for a in found.attributes if not a.variable]
    assert {a.code for a in info} == {"DSITR001", "NOTE001"}
    assert all(a.values == () for a in info)  # <values />
    assert [a.code for a in found.questions] == ["WHISPOLO", "WHMAISAL", "ISITHAZA", "WATHPRDA"]
    damage = next(a for a in found.attributes if a.code == "WATHPRDA")
    assert damage.value_for("yes") is not None and damage.value_for("TRUE") is not None


def _post_with_id(doc: Any) -> None:
    found = parse_post_result(doc)
    assert found.service_request_id == "293944" and found.token is None
    assert found.service_notice is not None and found.service_notice.startswith("The City")
    assert found.account_id is None  # <account_id/>


def _post_with_token(doc: Any) -> None:
    found = parse_post_result(doc)
    assert found.service_request_id is None
    assert found.token == "503fc045901932078800163c"


def _token_answer(doc: Any) -> None:
    assert parse_token(doc) == "638344"


def _empty_list(doc: Any) -> None:
    assert parse_requests(doc) == []


def _dc_discovery(doc: Any) -> None:
    found = parse_discovery(doc)
    assert isinstance(found, Discovery) and len(found.endpoints) == 2
    chosen = found.endpoint("production")
    assert chosen is not None and chosen.url == "http://app.311.dc.gov/cwi/Open311/v2"
    assert chosen.formats == ("text/xml",) and not chosen.supports_json
    assert found.endpoint("test") is None


def _boston_discovery(doc: Any) -> None:
    found = parse_discovery(doc)
    production, test = found.endpoint("production"), found.endpoint("test")
    assert production is not None and production.supports_json
    assert production.url == "https://mayors24.cityofboston.gov/open311/v2"
    assert test is not None and test.url.startswith("https://mayors24.cityofboston.gov:6443")
    assert found.contact is not None and "developers@cityofboston.gov" in found.contact


def _errors(expected: list[tuple[str, str]]) -> Callable[[Any], None]:
    def check(doc: Any) -> None:
        assert looks_like_errors(doc)
        assert error_list(doc, 599) == expected

    return check


EXPECTED: dict[str, Callable[[Any], None]] = {
    "codeforamerica-open311/403.xml": _errors(
        [("599", "Invalid api_key received -- can't proceed with create_request.")]
    ),
    "codeforamerica-open311/get_service_request.xml": _single_request,
    "codeforamerica-open311/get_service_request_not_found.xml": _errors(
        [("404", "Service request not found with id or token not-an-id")]
    ),
    "codeforamerica-open311/post_service_request.xml": _post_with_id,
    "codeforamerica-open311/request_id_from_token.xml": _token_answer,
    "codeforamerica-open311/service_definition.xml": _sf_definition,
    "codeforamerica-open311/service_requests.xml": _sf_request_list,
    "codeforamerica-open311/service_requests_empty.xml": _empty_list,
    "codeforamerica-open311/services.xml": _sf_services,
    "node-open311/boston-err-submitrequest-base_is_duplicate.xml": _errors(
        [("400", "Invalid service request: base is a duplicate.")]
    ),
    "node-open311/boston-submitrequest-token.xml": _post_with_token,
    "node-open311/dc-services-S0301.xml": _dc_definition,
    "node-open311/dc-services.xml": _dc_services,
    "node-open311/discovery-boston.json": _boston_discovery,
    "node-open311/discovery-dc.xml": _dc_discovery,
    "node-open311/service-request.xml": _single_request,
    "node-open311/service-requests.xml": _sf_request_list,
    "node-open311/token.xml": _token_answer,
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", recorded_files() or [None])
def test_every_recorded_response_parses(name: str | None) -> None:
    if name is None:
        unavailable(MISSING)
    assert name in EXPECTED, f"new recorded file {name}: add what it must parse to"
    status, body = load(name)
    EXPECTED[name](decode_body(body))
    # The status line some recordings carry agrees with what the body says.
    if status != 200:
        assert looks_like_errors(decode_body(body))


@pytest.mark.shared_data
def test_the_table_names_only_files_that_exist() -> None:
    if not RECORDED.is_dir():
        unavailable(MISSING)
    assert set(EXPECTED) == set(recorded_files())


# ----------------------------------------------------------------- quirks, one at a time

REQUEST_JSON = b"""[{"service_request_id": 12345, "status": "Open", "service_code": "006",
 "requested_datetime": "2015-07-27T16:24:19.123456789Z", "lat": "37.5", "long": "-122.25",
 "status_notes": null, "description": "", "media_url": null}]"""


def test_json_numbers_as_ids_strings_as_numbers_and_long_fractions() -> None:
    (found,) = parse_requests(decode_body(REQUEST_JSON))
    assert found.service_request_id == "12345"
    assert found.status == "open"
    assert (found.lat, found.long) == (37.5, -122.25)
    assert found.status_notes is None and found.description is None
    assert found.requested_datetime == datetime(2015, 7, 27, 16, 24, 19, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lat", "long"),
    [("0", "0"), ("0.0", "0.000"), ("", ""), ("37.5", ""), ("95", "10"), ("x", "y")],
)
def test_unusable_coordinates_are_absent(lat: str, long: str) -> None:
    body = (
        "<service_requests><request><service_request_id>1</service_request_id>"
        f"<lat>{lat}</lat><long>{long}</long></request></service_requests>"
    ).encode()
    (found,) = parse_requests(decode_body(body))
    assert (found.lat, found.long) == (None, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2010-04-14T06:37:38-08:00", datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST)),
        ("2010-04-14T14:37:38Z", datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)),
        ("2010-04-14T14:37:38.5+0000", datetime(2010, 4, 14, 14, 37, 38, 500000, tzinfo=UTC)),
        ("2010-04-14T14:37:38", datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)),
        ("2010-04-14 14:37:38", datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)),
        ("2010-04-14", datetime(2010, 4, 14, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_datetimes_come_back_aware(raw: str | None, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


def test_namespaces_misspelt_root_and_bare_record() -> None:
    namespaced = b"""<?xml version="1.0"?><ns:services xmlns:ns="urn:x"><ns:service>
        <ns:service_code>A</ns:service_code><ns:metadata>TRUE</ns:metadata>
        <ns:type>Batch</ns:type></ns:service></ns:services>"""
    (svc,) = parse_services(decode_body(namespaced))
    assert (svc.service_code, svc.metadata, svc.type) == ("A", True, "batch")

    undeclared = b"<services><m:service><service_code>B</service_code></m:service></services>"
    assert [s.service_code for s in parse_services(decode_body(undeclared))] == ["B"]

    misspelt = b"<service_request><request><service_request_id>7</service_request_id>"
    misspelt += b"</request></service_request>"
    assert [r.service_request_id for r in parse_requests(decode_body(misspelt))] == ["7"]

    bare = b"<request><service_request_id>8</service_request_id><status/></request>"
    assert [r.service_request_id for r in parse_requests(decode_body(bare))] == ["8"]


def test_requests_without_an_id_are_skipped() -> None:
    body = b"""[{"status": "open", "service_code": "1"}, {"service_request_id": "",
        "status": "open"}, {"service_request_id": "9", "status": "closed"}]"""
    assert [r.service_request_id for r in parse_requests(decode_body(body))] == ["9"]


def test_notes_extension() -> None:
    body = b"""[{"service_request_id": "4944710", "status": "open", "notes": [
        {"datetime": "2015-07-27T16:24:19-07:00", "description": "Submitted via Android",
         "type": "submitted"},
        {"datetime": "2015-07-27T16:24:28-07:00", "summary": "Opened", "type": "opened"}],
        "extended_attributes": {"channel": "android"}}]"""
    (found,) = parse_requests(decode_body(body))
    assert [n.type for n in found.notes] == ["submitted", "opened"]
    assert found.notes[1].summary == "Opened"
    assert found.notes[0].datetime is not None and found.notes[0].datetime.tzinfo is not None


def test_xml_notes_single_and_repeated() -> None:
    body = b"""<service_requests><request><service_request_id>1</service_request_id>
        <notes><note><datetime>2015-07-27T16:24:19-07:00</datetime><type>opened</type>
        <description>x</description></note></notes></request></service_requests>"""
    (found,) = parse_requests(decode_body(body))
    assert [n.type for n in found.notes] == ["opened"]


@pytest.mark.parametrize(
    "body",
    [
        b'[{"service_request_id": "5", "service_notice": "ok"}]',
        b'{"service_request_id": "5", "service_notice": "ok"}',
        b"<service_requests><request><service_request_id>5</service_request_id>"
        b"<service_notice>ok</service_notice></request></service_requests>",
        b"<request><service_request_id>5</service_request_id>"
        b"<service_notice>ok</service_notice></request>",
        b'[{"service_request_id": "5", "status": "open", "service_notice": "ok",'
        b' "requested_datetime": "2020-01-01T00:00:00Z", "lat": 1, "long": 2}]',
    ],
)
def test_post_answer_shapes(body: bytes) -> None:
    found = parse_post_result(decode_body(body))
    assert (found.service_request_id, found.service_notice) == ("5", "ok")


@pytest.mark.parametrize(
    ("body", "token_id"),
    [
        (b'[{"service_request_id": "77", "token": "t"}]', "77"),
        (b'[{"service_request_id": null, "token": "t"}]', None),
        (b'[{"token": "t"}]', None),
        (
            b"<service_requests><request><token>t</token><service_request_id/></request>"
            b"</service_requests>",
            None,
        ),
        (b"[]", None),
    ],
)
def test_token_answers(body: bytes, token_id: str | None) -> None:
    assert parse_token(decode_body(body)) == token_id


def test_json_service_definition_and_booleans_as_strings() -> None:
    body = b"""{"service_code": "P1", "attributes": [
        {"variable": "false", "code": "INFO", "datatype": "text", "required": "false",
         "order": "2", "description": "Read me", "values": []},
        {"variable": true, "code": "KIND", "datatype": "multivaluelist", "required": "true",
         "order": 1, "values": [{"key": 1, "name": "One"}, {"key": "2", "name": "Two"}]}]}"""
    found = parse_service_definition(decode_body(body), "P1")
    assert [a.code for a in found.attributes] == ["KIND", "INFO"]
    kind = found.attributes[0]
    assert kind.required and kind.is_list and kind.values[0].key == "1"
    assert found.questions == (kind,)


def test_services_json_with_keywords_list() -> None:
    body = b"""[{"service_code": 1, "service_name": "Pothole", "metadata": "true",
        "type": "realtime", "keywords": ["road", "hole"], "group": null}]"""
    (svc,) = parse_services(decode_body(body))
    assert (svc.service_code, svc.metadata, svc.keywords, svc.group) == (
        "1",
        True,
        ("road", "hole"),
        None,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b'[{"code": 403, "description": "Invalid api_key"}]', [("403", "Invalid api_key")]),
        (b'{"code": "400", "description": "bad"}', [("400", "bad")]),
        (
            b'{"errors": [{"code": 400, "description": "a"}, {"code": 400, "description": "b"}]}',
            [("400", "a"), ("400", "b")],
        ),
        (b'{"error": "nope"}', [("418", "nope")]),
        (
            b"<errors><error><code>404</code><description>no</description></error>"
            b"<error><code>400</code><description>bad</description></error></errors>",
            [("404", "no"), ("400", "bad")],
        ),
        (b"<error>plain words</error>", [("418", "plain words")]),
        (
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
            [("418", "502 Bad Gateway")],
        ),
        (
            b"<html><body><h1>Service  Unavailable</h1></body></html>",
            [("418", "Service Unavailable")],
        ),
        (b"Internal Server Error", [("418", "Internal Server Error")]),
        (b"", []),
    ],
)
def test_error_bodies(body: bytes, errors: list[tuple[str, str]]) -> None:
    assert error_list(decode_body(body), 418) == errors


@pytest.mark.parametrize(
    "body",
    [
        b'[{"service_request_id": "1", "description": "x"}]',
        b"[]",
        b"<services><service><service_code>1</service_code></service></services>",
    ],
)
def test_data_is_not_mistaken_for_errors(body: bytes) -> None:
    assert not looks_like_errors(decode_body(body))


def test_entities_bom_and_junk_before_xml() -> None:
    body = b"\xef\xbb\xbf<services><service><service_code>A</service_code>"
    body += b"<description>Caf&eacute; &amp; bar&nbsp;</description></service></services>"
    (svc,) = parse_services(decode_body(body))
    assert svc.description == "Caf\u00e9 & bar"
    junk = b"HTTP/1.1 200 OK\r\n\r\n<?xml version='1.0'?><services/>"
    assert decode_body(junk).root_tag == "services"


@pytest.mark.parametrize("body", [b"{not json", b"<services><service></services>"])
def test_broken_documents_are_undecodable(body: bytes) -> None:
    with pytest.raises(UndecodableBody):
        decode_body(body)


def test_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">
        <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><services>&b;</services>"""
    with pytest.raises(UndecodableBody):
        decode_body(bomb)


@pytest.mark.parametrize(
    "body",
    [
        b'{"service_requests": [{"service_request_id": "1"}, {"service_request_id": "2"}]}',
        b'{"service_requests": {"request": [{"service_request_id": "1"},'
        b' {"service_request_id": "2"}]}}',
        b"<requests><service_request><service_request_id>1</service_request_id>"
        b"</service_request><service_request><service_request_id>2</service_request_id>"
        b"</service_request></requests>",
    ],
)
def test_wrapped_and_renamed_lists(body: bytes) -> None:
    assert [r.service_request_id for r in parse_requests(decode_body(body))] == ["1", "2"]


DEFINITION = b"""{"service_code": "P", "attributes": [
    {"variable": true, "code": "WHERE", "datatype": "singlevaluelist", "required": true,
     "order": 1, "values": [{"key": "ST", "name": "Street"}, {"key": "AL", "name": "Alley"}]},
    {"variable": true, "code": "KINDS", "datatype": "multivaluelist", "required": false,
     "order": 2, "values": [{"key": "A", "name": "A"}, {"key": "B", "name": "B"}]},
    {"variable": true, "code": "DEPTH", "datatype": "number", "required": false, "order": 3},
    {"variable": true, "code": "WHEN", "datatype": "datetime", "required": false, "order": 4},
    {"variable": false, "code": "NOTE", "datatype": "text", "required": true, "order": 5}]}"""


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({"WHERE": "ST"}, []),
        ({"WHERE": "ST", "KINDS": ["A", "B"], "DEPTH": "2.5", "WHEN": "2024-01-01T10:00:00Z"}, []),
        ({}, [("WHERE", "an answer is required")]),
        ({"WHERE": " "}, [("WHERE", "an answer is required")]),
        ({"WHERE": ["ST", "AL"]}, [("WHERE", "only one value is allowed")]),
        ({"WHERE": "Street"}, [("WHERE", "not among the listed keys: Street")]),
        ({"WHERE": "ST", "KINDS": ["A", "C"]}, [("KINDS", "not among the listed keys: C")]),
        ({"WHERE": "ST", "DEPTH": "deep"}, [("DEPTH", "must be a number")]),
        (
            {"WHERE": "ST", "WHEN": "2024-01-01"},
            [("WHEN", "must be a W3C datetime with a timezone")],
        ),
        (
            {"WHERE": "ST", "NOTE": "x", "OTHER": "y"},
            [
                ("NOTE", "not a question of this service"),
                ("OTHER", "not a question of this service"),
            ],
        ),
    ],
)
def test_definition_problems(answers: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    definition = parse_service_definition(decode_body(DEFINITION), "P")
    assert definition.problems(answers) == problems
