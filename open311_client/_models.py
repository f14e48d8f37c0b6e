"""Typed, frozen models of GeoReport v2 documents.

Rules: every model is a frozen dataclass with plain values; ids and codes are opaque strings
("006" stays "006"); anything the server may omit is ``None`` or an empty tuple; datetimes
are timezone-aware. Models know nothing about JSON, XML or HTTP (see ``_parsers``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "Attribute",
    "AttributeValue",
    "Discovery",
    "Endpoint",
    "NewRequest",
    "Note",
    "PostResult",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
]

#: The attribute datatypes the spec defines (servers may send others; we keep their text).
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of a discovery document."""

    url: str
    specification: str | None = None
    type: str | None = None  # "production" or "test"
    formats: tuple[str, ...] = ()  # MIME types, e.g. "text/xml", "application/json"
    changeset: str | None = None

    @property
    def is_georeport_v2(self) -> bool:
        """True for the GeoReport v2 spec itself (not the v2.1 draft or other APIs)."""
        spec = (self.specification or "").rstrip("/").lower()
        return spec.endswith("georeport_v2")

    @property
    def supports_json(self) -> bool:
        """True when the endpoint lists JSON among its formats."""
        return any("json" in f.lower() for f in self.formats)


@dataclass(frozen=True)
class Discovery:
    """A service discovery document: where a city's endpoints live."""

    endpoints: tuple[Endpoint, ...] = ()
    changeset: str | None = None
    contact: str | None = None
    key_service: str | None = None

    def endpoint(self, type: str = "production") -> Endpoint | None:
        """The GeoReport v2 endpoint of this type, preferring ones that offer JSON."""
        candidates = [e for e in self.endpoints if (e.type or "production") == type]
        v2 = [e for e in candidates if e.is_georeport_v2] or candidates
        v2.sort(key=lambda e: not e.supports_json)
        return v2[0] if v2 else None


@dataclass(frozen=True)
class Service:
    """One entry of ``GET services``: a request type the city accepts."""

    service_code: str
    service_name: str | None = None
    description: str | None = None
    metadata: bool = False  # True: fetch the service definition for its attributes
    type: str = "realtime"  # realtime | batch | blackbox
    keywords: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class AttributeValue:
    """One choice of a single- or multi-value list attribute."""

    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition; ``variable=False`` means text to show only."""

    code: str
    datatype: str = "string"
    variable: bool = True
    required: bool = False
    datatype_description: str | None = None
    order: int | None = None
    description: str | None = None
    values: tuple[AttributeValue, ...] = ()

    @property
    def is_list(self) -> bool:
        """True for singlevaluelist and multivaluelist attributes."""
        return self.datatype in ("singlevaluelist", "multivaluelist")

    def value_for(self, key_or_name: str) -> AttributeValue | None:
        """The value whose key, or else whose name, equals the text (case-insensitive)."""
        wanted = key_or_name.strip().casefold()
        for v in self.values:
            if v.key.casefold() == wanted:
                return v
        for v in self.values:
            if v.name.casefold() == wanted:
                return v
        return None


@dataclass(frozen=True)
class ServiceDefinition:
    """``GET services/{code}``: the attributes of one service, sorted by ``order``."""

    service_code: str
    attributes: tuple[Attribute, ...] = ()

    @property
    def questions(self) -> tuple[Attribute, ...]:
        """The attributes to ask (``variable``), in order."""
        return tuple(a for a in self.attributes if a.variable)

    def problems(self, answers: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
        """What the server would refuse in these answers, as (attribute code, reason).

        Checks required answers, list answers against ``values`` keys, one value for a
        singlevaluelist, numbers and W3C datetimes; unknown codes are reported too.
        """
        out: list[tuple[str, str]] = []
        known = {a.code: a for a in self.attributes if a.variable}
        for code in answers:
            if code not in known:
                out.append((code, "not a question of this service"))
        for attr in self.questions:
            raw = answers.get(attr.code)
            given = [raw] if isinstance(raw, str) else list(raw or ())
            given = [g.strip() for g in given if g.strip()]
            if not given:
                if attr.required:
                    out.append((attr.code, "an answer is required"))
                continue
            if attr.datatype == "singlevaluelist" and len(given) > 1:
                out.append((attr.code, "only one value is allowed"))
            if attr.is_list and attr.values:
                keys = {v.key for v in attr.values}
                bad = [g for g in given if g not in keys]
                if bad:
                    out.append((attr.code, f"not among the listed keys: {', '.join(bad)}"))
            elif attr.datatype == "number" and not all(_is_number(g) for g in given):
                out.append((attr.code, "must be a number"))
            elif attr.datatype == "datetime" and not all(_is_w3c(g) for g in given):
                out.append((attr.code, "must be a W3C datetime with a timezone"))
        return out


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_w3c(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _frozen_mapping(
    attributes: Mapping[str, str | Sequence[str]],
) -> Mapping[str, str | tuple[str, ...]]:
    return MappingProxyType(
        {k: v if isinstance(v, str) else tuple(v) for k, v in attributes.items()}
    )


@dataclass(frozen=True)
class NewRequest:
    """What ``POST requests`` sends. Give lat/long when known, plus address_string."""

    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    attributes: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    description: str | None = None
    phone: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None

    def __post_init__(self) -> None:
        if not self.service_code or not self.service_code.strip():
            raise ValueError("a NewRequest needs a service_code")
        # Copy into a read-only mapping so the request stays what it was when made.
        object.__setattr__(self, "attributes", _frozen_mapping(self.attributes))

    def __hash__(self) -> int:
        return hash(
            (
                self.service_code,
                self.lat,
                self.long,
                self.address_string,
                self.description,
                tuple(sorted(self.attributes.items())),
            )
        )


@dataclass(frozen=True)
class PostResult:
    """The answer to ``POST requests``: an id, or a token to resolve later, or neither."""

    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Note:
    """One entry of the ``notes`` extension (``extensions=true``)."""

    datetime: datetime | None = None
    summary: str | None = None
    description: str | None = None
    type: str | None = None  # opened, closed, activity, follow_on_created, ...


class Status(StrEnum):
    """GeoReport v2's two request statuses (a server's other words are kept as it said them)."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class ServiceRequest:
    """One record of ``GET requests``. ``status`` is the server's word, lower-cased."""

    service_request_id: str
    status: str | None = None
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    token: str | None = None
    notes: tuple[Note, ...] = ()
