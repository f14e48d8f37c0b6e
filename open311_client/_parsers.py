"""Neutral trees (from ``_decoding``) -> models, leniently.

Rules (OPEN311.md "be lenient"): find records by what they contain, not by wrapper or root
names (so misspelt roots and missing wrappers do not matter); "true"/"false" and numbers as
strings are read as booleans and numbers; empty means absent; 0,0 coordinates are absent;
datetimes always come back timezone-aware (naive ones are taken as UTC); records without an
id are skipped; a value we cannot read becomes None rather than failing the whole list. But a
list answer with no records and no empty list in it (``{}``, ``{"unexpected": true}``, an
empty body) is not "none": it raises ``Unrecognised`` (a lookup must never read it as
"not filed").
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from ._decoding import Decoded
from ._models import (
    Attribute,
    AttributeValue,
    Discovery,
    Endpoint,
    Note,
    PostResult,
    Service,
    ServiceDefinition,
    ServiceRequest,
)

__all__ = [
    "Unrecognised",
    "error_list",
    "looks_like_errors",
    "parse_datetime",
    "parse_discovery",
    "parse_post_result",
    "parse_requests",
    "parse_service_definition",
    "parse_services",
    "parse_token",
]

Record = Mapping[str, Any]


class Unrecognised(ValueError):
    """A well-formed body that is not the answer asked for (no records, no empty list)."""

# ---------------------------------------------------------------------------- coercion


def text(value: Any) -> str | None:
    """A stripped string, or None for null, empty and containers."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON ids sent as 12345.0
    out = str(value).strip()
    return out or None


def boolean(value: Any, default: bool) -> bool:
    """true/false as JSON booleans, or strings such as "true", "False", "1", "no"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    word = (text(value) or "").lower()
    if word in ("true", "t", "1", "yes", "y"):
        return True
    if word in ("false", "f", "0", "no", "n"):
        return False
    return default


def number(value: Any) -> float | None:
    """A finite float from a number or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    try:
        out = float(value) if isinstance(value, int | float) else float(text(value) or "")
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def integer(value: Any) -> int | None:
    """An int from "3", 3, or 3.0; None otherwise."""
    out = number(value)
    return int(out) if out is not None and out.is_integer() else None


def parse_datetime(value: Any) -> datetime | None:
    """A W3C/ISO 8601 datetime, timezone-aware; fractional seconds of any length; else None."""
    raw = text(value)
    if raw is None:
        return None
    try:
        out = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return out if out.tzinfo is not None else out.replace(tzinfo=UTC)


def coordinates(lat: Any, long: Any) -> tuple[float | None, float | None]:
    """Both coordinates, or (None, None) when one is missing, out of range, or 0,0."""
    y, x = number(lat), number(long)
    if y is None or x is None or (y == 0 and x == 0):
        return None, None
    if not (-90 <= y <= 90 and -180 <= x <= 180):
        return None, None
    return y, x


def strings(value: Any) -> tuple[str, ...]:
    """Every string inside a value: "a, b", ["a", "b"] and <x><f>a</f><f>b</f></x> alike."""
    if isinstance(value, dict):
        return tuple(s for v in value.values() for s in strings(v))
    if isinstance(value, list):
        return tuple(s for v in value for s in strings(v))
    raw = text(value)
    return tuple(p.strip() for p in raw.split(",") if p.strip()) if raw else ()


def records(tree: Any, is_record: Callable[[Record], bool]) -> Iterator[Record]:
    """Dicts satisfying ``is_record``, searched through any wrappers, in document order."""
    if isinstance(tree, list):
        for item in tree:
            yield from records(item, is_record)
    elif isinstance(tree, dict):
        if is_record(tree):
            yield tree
        else:
            for value in tree.values():
                yield from records(value, is_record)


def _has(*keys: str) -> Callable[[Record], bool]:
    return lambda r: any(k in r for k in keys)


# ---------------------------------------------------------------------------- errors

# Keys of the error shapes servers send: GeoReport (code, description), {code, detail} and
# DRF's {"detail": ...}, RFC 7807 (title, detail, status), OAuth (error, error_description).
_ERROR_KEYS = frozenset({"code", "description", "message", "error", "errors", "status",
                         "detail", "title", "type", "error_description", "msg"})
_WORDS = ("description", "detail", "message", "error_description", "msg", "title")


def looks_like_errors(doc: Decoded) -> bool:
    """True when a body is an error document (some servers send those with HTTP 200)."""
    if doc.kind == "xml" and (doc.root_tag or "").lower() in ("errors", "error"):
        return True
    if doc.kind not in ("json", "xml"):
        return False
    items = doc.tree if isinstance(doc.tree, list) else [doc.tree]
    return bool(items) and all(
        isinstance(i, dict)
        and i
        and set(i) <= _ERROR_KEYS
        and any(k in i for k in (*_WORDS, "error", "errors"))
        for i in items
    )


def _words(item: Record) -> str:
    """The most specific words of an error item ("title" is only a heading: last)."""
    return next((w for k in _WORDS if (w := text(item.get(k)))), "")


def error_list(doc: Decoded, status_code: int) -> list[tuple[str, str]]:
    """The server's errors as (code, description), verbatim; the HTTP status stands in for a code.

    Reads GeoReport lists, {code, detail}, DRF's {"detail": ...} and field errors
    ({"lat": ["This field is required."]}), RFC 7807, {"error": ...}, XML variants of each,
    a bare <error>, plain text and an HTML page's title.
    """
    fallback = str(status_code)
    if doc.kind in ("html", "text"):
        message = text(doc.tree)
        return [(fallback, message)] if message else []
    if doc.kind == "empty":
        return []
    if isinstance(doc.tree, str):  # a bare <error>text</error>
        return [(fallback, doc.tree)]
    out: list[tuple[str, str]] = []
    for item in records(doc.tree, _has(*_WORDS, "code")):
        code = text(item.get("code")) or text(item.get("status")) or fallback
        out.append((code, _words(item) or text(item.get("error")) or ""))
    if out and all(not d for _, d in out) and isinstance(doc.tree, dict):
        out = []  # {"code": 400} alone: look for words elsewhere before settling
    if not out and isinstance(doc.tree, dict):
        # {"error": "..."} or {"errors": "..."} with a plain string
        for key in ("error", "errors"):
            message = text(doc.tree.get(key))
            if message:
                out.append((text(doc.tree.get("code")) or fallback, message))
        if not out:  # DRF field errors: {"lat": ["This field is required."], ...}
            for field, value in doc.tree.items():
                said = "; ".join(strings_verbatim(value))
                if said:
                    out.append((fallback, f"{field}: {said}"))
    if not out and isinstance(doc.tree, dict) and text(doc.tree.get("code")):
        out.append((text(doc.tree.get("code")) or fallback, ""))
    return out


def strings_verbatim(value: Any) -> list[str]:
    """Every string inside a value, as written (no splitting at commas)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_verbatim(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_verbatim(v)]
    raw = text(value)
    return [raw] if raw else []


# ---------------------------------------------------------------------------- documents


def parse_discovery(doc: Decoded) -> Discovery:
    """A discovery document (Boston JSON, DC XML)."""
    root = doc.tree if isinstance(doc.tree, dict) else {}
    endpoints = []
    for r in records(doc.tree, _has("url")):
        url = text(r.get("url"))
        if url:
            endpoints.append(
                Endpoint(
                    url=url,
                    specification=text(r.get("specification")),
                    type=(text(r.get("type")) or "production").lower(),
                    formats=strings(r.get("formats") or r.get("format")),
                    changeset=text(r.get("changeset")),
                )
            )
    return Discovery(
        endpoints=tuple(endpoints),
        changeset=text(root.get("changeset")),
        contact=text(root.get("contact")),
        key_service=text(root.get("key_service")),
    )


def listing(doc: Decoded, is_record: Callable[[Record], bool], what: str) -> list[Record]:
    """The records of a list answer; Unrecognised when it holds neither records nor a list.

    An empty list is a real answer (JSON ``[]``, ``{"results": []}``, an empty XML root);
    an empty body, ``{}`` or an object of other things is not.
    """
    found = list(records(doc.tree, is_record))
    if found or _empty_list(doc):
        return found
    if doc.kind == "empty":
        raise Unrecognised(f"an empty body where a list of {what} was expected")
    raise Unrecognised(f"no {what} in the answer: {_gist(doc.tree)}")


def _empty_list(doc: Decoded) -> bool:
    tree = doc.tree
    if doc.kind == "xml":
        # <service_requests/>, or wrappers holding only empty elements
        return tree is None or (isinstance(tree, dict) and all(v is None for v in tree.values()))
    if doc.kind != "json":
        return False
    if isinstance(tree, list):
        return all(isinstance(i, dict) and any(k in i for k in _RECORD_HINTS) for i in tree)
    return isinstance(tree, dict) and any(v == [] for v in tree.values())


# Keys that make a dict a (possibly id-less) record of some list.
_RECORD_HINTS = ("service_request_id", "service_code", "token", "status", "requested_datetime")


def _gist(tree: Any) -> str:
    try:
        shown = json.dumps(tree, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        shown = repr(tree)
    return shown if len(shown) <= 120 else shown[:117] + "..."


def parse_services(doc: Decoded) -> list[Service]:
    """``GET services``: skips entries without a service_code."""
    out = []
    for r in listing(doc, _has("service_code"), "services"):
        code = text(r.get("service_code"))
        if code is None:
            continue
        out.append(
            Service(
                service_code=code,
                service_name=text(r.get("service_name")),
                description=text(r.get("description")),
                metadata=boolean(r.get("metadata"), False),
                type=(text(r.get("type")) or "realtime").lower(),
                keywords=strings(r.get("keywords")),
                group=text(r.get("group")),
            )
        )
    return out


def _attribute(r: Record) -> Attribute | None:
    code = text(r.get("code"))
    if code is None:
        return None
    values = []
    for v in records(r.get("values") or r.get("value"), _has("key", "name")):
        key, name = text(v.get("key")), text(v.get("name"))
        if key is not None or name is not None:
            values.append(AttributeValue(key=key or name or "", name=name or key or ""))
    return Attribute(
        code=code,
        datatype=(text(r.get("datatype")) or "string").lower(),
        variable=boolean(r.get("variable"), True),
        required=boolean(r.get("required"), False),
        datatype_description=text(r.get("datatype_description")),
        order=integer(r.get("order")),
        description=text(r.get("description")),
        values=tuple(values),
    )


def parse_service_definition(doc: Decoded, service_code: str) -> ServiceDefinition:
    """``GET services/{code}``: attributes with or without the <attributes> wrapper."""
    tree = doc.tree
    if isinstance(tree, list):  # JSON that wraps the definition in a list
        tree = next((t for t in tree if isinstance(t, dict)), {})
    root = tree if isinstance(tree, dict) else {}
    body = {k: v for k, v in root.items() if k != "service_code"}
    found = [a for r in records(body, _has("code")) if (a := _attribute(r)) is not None]
    # Unordered attributes keep their place after the ordered ones (a stable sort).
    found.sort(key=lambda a: (a.order is None, a.order or 0))
    return ServiceDefinition(
        service_code=text(root.get("service_code")) or service_code,
        attributes=tuple(found),
    )


def parse_post_result(doc: Decoded) -> PostResult:
    """``POST requests``: the first item of a list, a bare object, or a full record."""
    first = next(
        records(doc.tree, _has("service_request_id", "token", "service_notice", "account_id")), {}
    )
    return PostResult(
        service_request_id=text(first.get("service_request_id")),
        token=text(first.get("token")),
        service_notice=text(first.get("service_notice")),
        account_id=text(first.get("account_id")),
    )


def parse_token(doc: Decoded) -> str | None:
    """``GET tokens/{token}``: the service_request_id, or None while none is assigned."""
    for r in listing(doc, _has("service_request_id", "token"), "tokens"):
        found = text(r.get("service_request_id"))
        if found:
            return found
    return None


def _note(r: Record) -> Note:
    return Note(
        datetime=parse_datetime(r.get("datetime")),
        summary=text(r.get("summary")),
        description=text(r.get("description")),
        type=text(r.get("type")),
    )


def _service_request(r: Record, service_request_id: str) -> ServiceRequest:
    lat, long = coordinates(r.get("lat"), r.get("long", r.get("lon", r.get("lng"))))
    notes = records(r.get("notes") or r.get("note"), _has("datetime", "description", "summary"))
    return ServiceRequest(
        service_request_id=service_request_id,
        status=(s.lower() if (s := text(r.get("status"))) else None),
        status_notes=text(r.get("status_notes")),
        service_name=text(r.get("service_name")),
        service_code=text(r.get("service_code")),
        description=text(r.get("description")),
        agency_responsible=text(r.get("agency_responsible")),
        service_notice=text(r.get("service_notice")),
        requested_datetime=parse_datetime(r.get("requested_datetime")),
        updated_datetime=parse_datetime(r.get("updated_datetime")),
        expected_datetime=parse_datetime(r.get("expected_datetime")),
        address=text(r.get("address")),
        address_id=text(r.get("address_id")),
        zipcode=text(r.get("zipcode")),
        lat=lat,
        long=long,
        media_url=text(r.get("media_url")),
        token=text(r.get("token")),
        notes=tuple(_note(n) for n in notes),
    )


def parse_requests(doc: Decoded) -> list[ServiceRequest]:
    """``GET requests`` and ``GET requests/{id}``: records without an id are skipped."""
    out = []
    is_request = _has("service_request_id", "status", "requested_datetime")
    for r in listing(doc, is_request, "service requests"):
        rid = text(r.get("service_request_id"))
        if rid is not None:
            out.append(_service_request(r, rid))
    return out
