"""The sandbox blueprint: GeoReport v2 endpoints over the sandbox tables.

Every API call goes through `_Sandbox.call`, which applies the fault modes (latency, the
xml-only format check, the fail/timeout dice), the api_key and jurisdiction checks, then
the handler. A POST that draws "timeout" commits first and stalls afterwards, as a city
server does when the client gives up after sending; with `fail_after_commit` a POST that
draws "fail" also commits before answering 5xx. Reads apply the workflow clock first.
"""

from __future__ import annotations

import math
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from intake.db import transaction
from open311_client import Status

from . import render
from .catalogue import Service
from .config import FAULT_HEADER, Faults, SandboxConfig, parse_faults
from .models import SandboxRequest, SandboxToken
from .workflow import advance, expected_datetime, opened_note

FORMATS = ("xml", "json")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 4000
STATUSES = frozenset(Status)
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
_PERSON_FIELDS = ("email", "phone", "first_name", "last_name", "device_id", "account_id")

Handler = Callable[..., Response]
NEWEST_FIRST = (SandboxRequest.requested_datetime.desc(), SandboxRequest.id.desc())


@dataclass(frozen=True)
class Call:
    """One call to the sandbox: the format asked for and the fault modes in force."""

    fmt: str
    faults: Faults


class BadRequest(Exception):
    """A client error to answer with a spec error body (HTTP 400 unless told)."""

    def __init__(self, *descriptions: str, status: int = 400) -> None:
        super().__init__("; ".join(descriptions))
        self.descriptions = descriptions
        self.status = status


def _arg(name: str) -> str | None:
    """A request parameter; an empty one counts as absent (spec: optional arguments)."""
    value = request.values.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _list_arg(name: str) -> list[str]:
    """A comma-delimited parameter, possibly repeated: ``a,b&name=c`` -> [a, b, c]."""
    items: list[str] = []
    for raw in request.values.getlist(name):
        items.extend(part.strip() for part in raw.split(",") if part.strip())
    return items


def _flag(name: str) -> bool:
    return (_arg(name) or "").lower() in ("true", "1", "yes")


def _date_arg(name: str) -> datetime | None:
    text = _arg(name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        raise BadRequest(f"{name} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _int_arg(name: str, minimum: int) -> int | None:
    text = _arg(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None
    if value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return value


def _float(name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be within [{low}, {high}]")
    return value


def parse_attributes(form: MultiDict[str, str]) -> dict[str, list[str]]:
    """Collect ``attribute[C]``, ``attribute[C][]`` and repeated keys into code -> values."""
    found: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE_KEY.match(key)
        if not match:
            continue
        values = [v.strip() for v in form.getlist(key) if v.strip()]
        if values:
            found.setdefault(match.group(1), []).extend(values)
    return found


def check_attributes(service: Service, given: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answers to keep (variable attributes of the definition), or BadRequest."""
    problems: list[str] = []
    kept: dict[str, list[str]] = {}
    for attr in service.attributes:
        if not attr.variable:
            continue
        values = given.get(attr.code, [])
        name = f"attribute[{attr.code}]"
        if not values:
            if attr.required:
                problems.append(f"{name} is required: {attr.description}")
            continue
        if attr.datatype == "singlevaluelist" and len(values) > 1:
            problems.append(f"{name} takes one value, got {len(values)}")
        if attr.datatype.endswith("valuelist"):
            bad = [v for v in values if v not in attr.keys]
            if bad:
                allowed = ", ".join(sorted(attr.keys))
                problems.append(f"{name}: {', '.join(bad)} is not one of {allowed}")
        elif attr.datatype == "number":
            for v in values:
                try:
                    float(v)
                except ValueError:
                    problems.append(f"{name} must be a number, not {v!r}")
        elif attr.datatype == "datetime":
            for v in values:
                try:
                    datetime.fromisoformat(v)
                except ValueError:
                    problems.append(f"{name} must be an ISO 8601 date-time, not {v!r}")
        kept[attr.code] = values
    if problems:
        raise BadRequest(*problems)
    return kept


class _Sandbox:
    """The state behind one blueprint: its config and its fault dice."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()

    # -- fault handling -------------------------------------------------------------

    def faults_for_call(self) -> Faults:
        """The configured faults, overridden by the test-only header when allowed."""
        faults = self.config.faults
        spec = request.headers.get(FAULT_HEADER)
        if spec is not None and self.config.allow_fault_header:
            faults = parse_faults(spec, faults)
        return faults

    def roll(self, faults: Faults) -> str | None:
        """The outcome of the dice for this call: "fail", "timeout" or None."""
        if faults.fail_share <= 0 and faults.timeout_share <= 0:
            return None
        with self._lock:
            u = self._rng.random()
        if u < faults.fail_share:
            return "fail"
        if u < faults.fail_share + faults.timeout_share:
            return "timeout"
        return None

    def call(self, handler: Handler, *, dice: bool = True, access: bool = True) -> Handler:
        """Wrap a handler(Call, **kwargs) as a Flask view.

        `dice`: the configured fault modes apply (failures, timeouts, XML only); `access`:
        the api_key and jurisdiction_id checks apply. Discovery has neither, like a city's.
        """

        def view(fmt: str, **kwargs: Any) -> Response:
            out = fmt if fmt in FORMATS else "xml"
            try:
                faults = self.faults_for_call()
            except ValueError as exc:
                return render.error(out, 400, f"{FAULT_HEADER}: {exc}")
            if faults.latency_seconds > 0:
                self.config.sleep(faults.latency_seconds)
            if fmt not in FORMATS or (fmt == "json" and faults.xml_only and dice):
                return render.error("xml", 404, f"Format {fmt!r} is not supported")
            outcome = self.roll(faults) if dice else None
            late = faults.fail_after_commit and request.method == "POST"
            if outcome == "fail" and not late:
                return self.failure(fmt, faults)
            try:
                if access:
                    self.check_access()
                response = handler(Call(fmt, faults), **kwargs)
            except BadRequest as exc:
                response = render.errors(
                    fmt, exc.status, [(exc.status, d) for d in exc.descriptions]
                )
            # After the handler, a POST's transaction is already committed.
            if outcome == "fail":
                return self.failure(fmt, faults)
            if outcome == "timeout":
                self.config.sleep(faults.timeout_seconds)
            return response

        view.__name__ = handler.__name__
        return view

    @staticmethod
    def failure(fmt: str, faults: Faults) -> Response:
        """A 500 with a spec body, or a gateway's HTML page for 502-504."""
        if faults.fail_status == 500:
            return render.error(fmt, 500, "Internal server error", code="500")
        return render.proxy_error_page(faults.fail_status)

    def check_access(self) -> None:
        """api_key on POST (403), jurisdiction_id on every call (404)."""
        if request.method == "POST" and self.config.api_key is not None:
            key = _arg("api_key")
            if key is None:
                raise BadRequest("api_key was not provided", status=403)
            if key != self.config.api_key:
                raise BadRequest("Invalid api_key received -- can't proceed", status=403)
        wanted = self.config.jurisdiction_id
        given = _arg("jurisdiction_id")
        if wanted is not None and given is not None and given != wanted:
            raise BadRequest(f"jurisdiction_id {given!r} was not found", status=404)

    # -- endpoints ------------------------------------------------------------------

    def discovery(self, call: Call) -> Response:
        fmt, faults = call.fmt, call.faults
        url = self.config.public_url or request.base_url.rsplit("/", 1)[0]
        formats = ["text/xml"] if faults.xml_only else ["text/xml", "application/json"]
        body = {
            "changeset": self.config.changeset,
            "contact": self.config.contact,
            "key_service": self.config.key_service,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url.rstrip("/"),
                    "changeset": self.config.changeset,
                    "type": self.config.endpoint_type,
                    "formats": formats,
                }
            ],
        }
        return render.respond(fmt, "discovery", body)

    def services(self, call: Call) -> Response:
        fmt = call.fmt
        body = [render.service_dict(s) for s in self.config.services]
        return render.respond(fmt, "services", body)

    def service_definition(self, call: Call, code: str) -> Response:
        fmt = call.fmt
        service = self.config.service(code)
        if service is None or not service.metadata:
            raise BadRequest(f"service_code {code!r} was not found", status=404)
        return render.respond(fmt, "service_definition", render.definition_dict(service))

    def list_requests(self, call: Call) -> Response:
        fmt, faults = call.fmt, call.faults
        cfg = self.config
        now = cfg.clock()
        query = select(SandboxRequest).where(SandboxRequest.service_request_id.is_not(None))
        ids = _list_arg("service_request_id")
        if ids:
            query = query.where(SandboxRequest.service_request_id.in_(ids))
        else:
            query = self._filter(query, now)
        paged = _arg("page") is not None or _arg("page_size") is not None
        page = _int_arg("page", 1) or 1
        if paged:
            size = min(_int_arg("page_size", 1) or cfg.default_page_size, cfg.max_page_size)
        else:
            size = cfg.default_limit
        if faults.list_cap is not None:
            size = min(size, faults.list_cap)
        query = (query.order_by(*NEWEST_FIRST)
                 .offset(_inline("offset", (page - 1) * size)).limit(_inline("limit", size)))
        extensions = _flag("extensions")
        if extensions:
            query = query.options(selectinload(SandboxRequest.notes))
        with transaction() as session:
            advance(session, now, cfg)
            rows = session.scalars(query).all()
            body = [self._request_dict(r, extensions) for r in rows]
        return render.respond(fmt, "service_requests", body)

    def _filter(self, query: Any, now: datetime) -> Any:
        codes = _list_arg("service_code")
        if codes:
            query = query.where(SandboxRequest.service_code.in_(codes))
        statuses = [s.lower() for s in _list_arg("status")]
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise BadRequest(f"status must be open or closed, not {', '.join(bad)}")
        if statuses:
            query = query.where(SandboxRequest.status.in_(statuses))
        window = timedelta(days=self.config.window_days)
        start, end = _date_arg("start_date"), _date_arg("end_date")
        after, before = _date_arg("updated_after"), _date_arg("updated_before")
        if start is not None and end is not None:
            if end < start:
                raise BadRequest("end_date must not be before start_date")
            if end - start > window:
                raise BadRequest(
                    f"start_date and end_date must not be more than "
                    f"{self.config.window_days} days apart"
                )
        elif start is not None:
            end = start + window
        elif end is not None:
            start = end - window
        elif after is None and before is None:
            start = now - window  # the spec's default: the most recent 90 days
        if start is not None:
            query = query.where(SandboxRequest.requested_datetime >= start)
        if end is not None:
            query = query.where(SandboxRequest.requested_datetime <= end)
        if after is not None:
            query = query.where(SandboxRequest.updated_datetime > after)
        if before is not None:
            query = query.where(SandboxRequest.updated_datetime < before)
        return _near(query)

    def _request_dict(self, req: SandboxRequest, extensions: bool) -> dict[str, Any]:
        return render.request_dict(
            req,
            self.config.display_tz,
            extensions=extensions,
            service=self.config.service(req.service_code),
        )

    def get_request(self, call: Call, service_request_id: str) -> Response:
        fmt = call.fmt
        cfg = self.config
        extensions = _flag("extensions")
        query = select(SandboxRequest).where(
            SandboxRequest.service_request_id == service_request_id
        )
        if extensions:
            query = query.options(selectinload(SandboxRequest.notes))
        with transaction() as session:
            advance(session, cfg.clock(), cfg)
            req = session.scalars(query).one_or_none()
            if req is None:
                raise BadRequest(
                    f"service_request_id {service_request_id!r} was not found", status=404
                )
            body = [self._request_dict(req, extensions)]
        return render.respond(fmt, "service_requests", body)

    def get_token(self, call: Call, token: str) -> Response:
        fmt = call.fmt
        cfg = self.config
        with transaction() as session:
            advance(session, cfg.clock(), cfg)
            found = session.get(SandboxToken, token)
            if found is None:
                raise BadRequest(f"token {token!r} was not found", status=404)
            body = [
                {
                    "service_request_id": found.request.service_request_id,
                    "token": found.token,
                }
            ]
        return render.respond(fmt, "service_requests", body)

    def create_request(self, call: Call) -> Response:
        fmt, faults = call.fmt, call.faults
        cfg = self.config
        code = _arg("service_code")
        if code is None:
            raise BadRequest("service_code was not provided")
        service = cfg.service(code)
        if service is None:
            raise BadRequest(f"service_code {code!r} was not found", status=404)
        lat_text, long_text = _arg("lat"), _arg("long")
        if (lat_text is None) != (long_text is None):
            raise BadRequest("lat and long must be sent together")
        lat = _float("lat", lat_text, -90.0, 90.0) if lat_text is not None else None
        lon = _float("long", long_text, -180.0, 180.0) if long_text is not None else None
        address, address_id = _arg("address_string"), _arg("address_id")
        if lat is None and address is None and address_id is None:
            raise BadRequest("A location is required: lat and long, address_string or address_id")
        description = _arg("description")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise BadRequest(
                f"description must be at most {MAX_DESCRIPTION} characters, got {len(description)}"
            )
        attributes = check_attributes(service, parse_attributes(request.form))
        now = cfg.clock().replace(microsecond=0)  # as stored and shown: whole seconds
        person = {name: _arg(name) for name in _PERSON_FIELDS}
        token_mode = faults.token_only or service.type != "realtime"
        with transaction() as session:
            req = SandboxRequest(
                jurisdiction_id=_arg("jurisdiction_id"),
                service_code=service.service_code,
                service_name=service.service_name,
                status=Status.OPEN,
                stage=0,
                description=description,
                agency_responsible=service.agency_responsible,
                service_notice=service.service_notice,
                requested_datetime=now,
                updated_datetime=now,
                expected_datetime=expected_datetime(now, cfg),
                address=address,
                address_id=address_id,
                lat=lat,
                long=lon,
                media_url=_arg("media_url"),
                attributes=attributes,
                **person,
            )
            req.notes.append(opened_note(req))
            session.add(req)
            session.flush()
            answer: dict[str, Any]
            if token_mode:
                token = uuid.uuid4().hex[:24]
                session.add(SandboxToken(token=token, request_pk=req.id, created_datetime=now))
                if service.type != "blackbox":
                    req.id_due_datetime = now + timedelta(seconds=cfg.token_delay_seconds)
                answer = {"token": token}
            else:
                req.service_request_id = cfg.format_id(req.id)
                answer = {"service_request_id": req.service_request_id}
            answer["service_notice"] = service.service_notice
            answer["account_id"] = person["account_id"]
        return render.respond(fmt, "service_requests", [answer])

    def unknown(self, rest: str) -> Response:
        return render.error("xml", 404, f"No such resource: {rest!r}")


def create_blueprint(
    config: SandboxConfig | None = None, name: str = "open311_sandbox"
) -> Blueprint:
    """The GeoReport v2 sandbox; mount it with ``url_prefix="/open311/v2"``."""
    sandbox = _Sandbox(config if config is not None else SandboxConfig())
    bp = Blueprint(name, __name__)
    discovery = sandbox.call(sandbox.discovery, dice=False, access=False)
    bp.add_url_rule("/discovery.<fmt>", "discovery", discovery)
    bp.add_url_rule("/services.<fmt>", "services", sandbox.call(sandbox.services))
    bp.add_url_rule(
        "/services/<code>.<fmt>", "service_definition", sandbox.call(sandbox.service_definition)
    )
    bp.add_url_rule("/requests.<fmt>", "requests", sandbox.call(sandbox.list_requests))
    bp.add_url_rule(
        "/requests.<fmt>",
        "create_request",
        sandbox.call(sandbox.create_request),
        methods=["POST"],
    )
    bp.add_url_rule(
        "/requests/<service_request_id>.<fmt>", "request", sandbox.call(sandbox.get_request)
    )
    bp.add_url_rule("/tokens/<token>.<fmt>", "token", sandbox.call(sandbox.get_token))
    bp.add_url_rule("/<path:rest>", "unknown", sandbox.unknown, methods=["GET", "POST"])
    return bp


def _inline(name: str, value: int) -> Any:
    """A LIMIT or OFFSET written into the SQL as a number, not sent as a parameter.

    With LIMIT a parameter, PostgreSQL's generic plan of a prepared statement (psycopg
    prepares a statement after 5 runs) cannot know it is small, and for a list of ids it
    walked the whole date index backwards (25 ms a GET at 10,000 requests, not 0.2).
    """
    return bindparam(name, int(value), type_=Integer, literal_execute=True)


def _near(query: Any) -> Any:
    """`lat`, `long` and `radius` (metres; a common extension): requests inside that box."""
    lat_text, long_text = _arg("lat"), _arg("long")
    if lat_text is None or long_text is None:
        return query
    lat = _float("lat", lat_text, -90.0, 90.0)
    lon = _float("long", long_text, -180.0, 180.0)
    radius = _float("radius", _arg("radius") or "500", 1.0, 50_000.0)
    dlat = radius / 111_000.0
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    return query.where(SandboxRequest.lat.between(lat - dlat, lat + dlat),
                       SandboxRequest.long.between(lon - dlon, lon + dlon))
