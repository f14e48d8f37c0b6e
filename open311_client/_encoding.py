"""What we send: the POST form, query parameters, and the values inside them.

Rules: empty values are left out (the spec counts an empty parameter as absent);
attributes go as ``attribute[CODE]`` and multi-value lists as ``attribute[CODE][]``, or the
key repeated, or comma-joined, as the server wants; descriptions are plain text cut to
4,000 characters at a word boundary; dates go out in W3C format with a timezone;
coordinates never in exponent notation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urlencode

from ._models import NewRequest

__all__ = [
    "DESCRIPTION_LIMIT",
    "MULTIVALUE_STYLES",
    "MultivalueStyle",
    "encode_form",
    "format_coordinate",
    "format_datetime",
    "request_form",
    "truncate_description",
]

DESCRIPTION_LIMIT = 4000
MultivalueStyle = Literal["brackets", "repeat", "comma"]
MULTIVALUE_STYLES: tuple[MultivalueStyle, ...] = ("brackets", "repeat", "comma")

Pairs = list[tuple[str, str]]
# Control characters (speech-to-text and SMS gateways leak them) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def truncate_description(value: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Plain text cut to at most ``limit`` characters, at a word boundary, marked with '…'.

    >>> truncate_description("one two three", 9)
    'one two…'
    """
    value = _CONTROL.sub(" ", value).strip()
    if len(value) <= limit:
        return value
    head = value[: limit - 1]  # room for the ellipsis
    if not value[limit - 1].isspace():
        cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        # A "word" longer than half the limit (a URL, say) is cut where it must be.
        if cut > limit // 2:
            head = head[:cut]
    return head.rstrip() + "…"


def format_datetime(value: datetime | date) -> str:
    """W3C datetime with a timezone; naive datetimes and dates are taken as UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def format_coordinate(value: float) -> str:
    """Up to 8 decimals (about a millimetre), no exponent, no trailing zeros."""
    out = f"{value:.8f}".rstrip("0").rstrip(".")
    return "0" if out in ("", "-0") else out


def _attribute_pairs(
    code: str, value: str | Sequence[str], style: MultivalueStyle
) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        if value.strip():
            yield f"attribute[{code}]", value.strip()
        return
    values = [v.strip() for v in value if v.strip()]
    if not values:
        return
    if style == "brackets":
        yield from ((f"attribute[{code}][]", v) for v in values)
    elif style == "repeat":
        yield from ((f"attribute[{code}]", v) for v in values)
    else:
        yield f"attribute[{code}]", ",".join(values)


def request_form(
    request: NewRequest,
    *,
    api_key: str | None = None,
    jurisdiction_id: str | None = None,
    multivalue_style: MultivalueStyle = "brackets",
) -> Pairs:
    """The ``POST requests`` form fields, in a stable order, empty values left out."""
    pairs: Pairs = []

    def add(name: str, value: str | None) -> None:
        if value is not None and value.strip():
            pairs.append((name, value.strip()))

    add("api_key", api_key)
    add("jurisdiction_id", jurisdiction_id)
    add("service_code", request.service_code)
    if request.lat is not None and request.long is not None:
        add("lat", format_coordinate(request.lat))
        add("long", format_coordinate(request.long))
    add("address_string", request.address_string)
    add("address_id", request.address_id)
    for code, value in request.attributes.items():
        pairs.extend(_attribute_pairs(code, value, multivalue_style))
    add("email", request.email)
    add("device_id", request.device_id)
    add("account_id", request.account_id)
    add("first_name", request.first_name)
    add("last_name", request.last_name)
    add("phone", request.phone)
    if request.description is not None:
        add("description", truncate_description(request.description))
    add("media_url", request.media_url)
    return pairs


def encode_form(pairs: Pairs) -> bytes:
    """application/x-www-form-urlencoded UTF-8 (brackets percent-encoded, as browsers send them)."""
    return urlencode(pairs, encoding="utf-8").encode("ascii")
