"""What the client sends: form fields, attribute styles, descriptions, dates, coordinates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest

from open311_client import DESCRIPTION_LIMIT, NewRequest, format_datetime, truncate_description
from open311_client._encoding import encode_form, format_coordinate, request_form


def form(req: NewRequest, **kwargs: object) -> list[tuple[str, str]]:
    return parse_qsl(encode_form(request_form(req, **kwargs)).decode("ascii"))  # type: ignore[arg-type]


def test_full_request_in_stable_order_with_empty_values_left_out() -> None:
    req = NewRequest(
        "006",
        lat=38.8951,
        long=-77.0364,
        address_string=" 1600 Pennsylvania Ave ",
        attributes={"WHISPOLO": "STREE001", "EMPTY": "", "NONE": []},
        description="Big hole",
        phone="+12025550100",
        email="",
        first_name="Ada",
    )
    assert form(req, api_key="secret", jurisdiction_id="dc.gov") == [
        ("api_key", "secret"),
        ("jurisdiction_id", "dc.gov"),
        ("service_code", "006"),
        ("lat", "38.8951"),
        ("long", "-77.0364"),
        ("address_string", "1600 Pennsylvania Ave"),
        ("attribute[WHISPOLO]", "STREE001"),
        ("first_name", "Ada"),
        ("phone", "+12025550100"),
        ("description", "Big hole"),
    ]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("brackets", [("attribute[KIND][]", "A"), ("attribute[KIND][]", "B")]),
        ("repeat", [("attribute[KIND]", "A"), ("attribute[KIND]", "B")]),
        ("comma", [("attribute[KIND]", "A,B")]),
    ],
)
def test_multivalue_styles(style: str, expected: list[tuple[str, str]]) -> None:
    req = NewRequest("1", attributes={"KIND": ["A", "B"], "ONE": "x"})
    assert form(req, multivalue_style=style) == [
        ("service_code", "1"),
        *expected,
        ("attribute[ONE]", "x"),
    ]


def test_wire_format_is_percent_encoded_utf8() -> None:
    body = encode_form(request_form(NewRequest("1", attributes={"K": ["é"]}, description="a&b")))
    assert body == b"service_code=1&attribute%5BK%5D%5B%5D=%C3%A9&description=a%26b"


def test_half_a_location_is_not_sent() -> None:
    assert form(NewRequest("1", lat=1.0, address_string="x")) == [
        ("service_code", "1"),
        ("address_string", "x"),
    ]


def test_new_request_is_frozen_and_keeps_its_attributes() -> None:
    values = ["1"]
    attrs: dict[str, str | list[str]] = {"A": values}
    req = NewRequest("1", attributes=attrs)
    values.append("2")
    attrs["B"] = "x"
    assert dict(req.attributes) == {"A": ("1",)}
    with pytest.raises(TypeError):
        req.attributes["C"] = "y"  # type: ignore[index]
    assert hash(req) == hash(NewRequest("1", attributes={"A": ("1",)}))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two three", 9, "one two…"),
        ("one two three", 8, "one two…"),
        ("  padded  ", 6, "padded"),
        ("x" * 20, 10, "x" * 9 + "…"),
        ("a " + "x" * 20, 10, "a xxxxxxx…"),  # a long word is cut rather than dropped
    ],
)
def test_truncate_description(text: str, limit: int, expected: str) -> None:
    out = truncate_description(text, limit)
    assert out == expected and len(out) <= limit


def test_description_sent_at_most_4000_characters() -> None:
    words = " ".join(["pothole"] * 1000)  # 7,999 characters
    (value,) = [v for k, v in form(NewRequest("1", description=words)) if k == "description"]
    assert len(value) <= DESCRIPTION_LIMIT == 4000
    assert value.endswith("pothole…")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 5, 1, 12, 30, 5, 999, tzinfo=UTC), "2024-05-01T12:30:05Z"),
        (
            datetime(2024, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=-5))),
            "2024-05-01T12:30:00-05:00",
        ),
        (datetime(2024, 5, 1, 12, 30), "2024-05-01T12:30:00Z"),
        (date(2024, 5, 1), "2024-05-01T00:00:00Z"),
    ],
)
def test_format_datetime(value: datetime | date, expected: str) -> None:
    assert format_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (38.8951, "38.8951"),
        (-77.0, "-77"),
        (1e-05, "0.00001"),
        (0.0, "0"),
        (-0.0, "0"),
        (12.123456789, "12.12345679"),
    ],
)
def test_format_coordinate(value: float, expected: str) -> None:
    assert format_coordinate(value) == expected


def test_description_is_plain_text() -> None:
    assert truncate_description("a\x00b\x1bc\td\ne") == "a b c\td\ne"


def test_new_request_needs_a_service_code() -> None:
    with pytest.raises(ValueError):
        NewRequest(" ")
