"""Turn sandbox data into GeoReport v2 bodies, XML or JSON, and spec error bodies.

One dict/list shape feeds both formats (the Spark convention: JSON drops the root element,
repeated elements become arrays). XML is built with ElementTree (building, not parsing),
UTF-8 with a declaration; `None` becomes an empty element in XML and `null` in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

from .catalogue import Attribute, Service
from .models import SandboxRequest

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

# Element name of one item inside each list-valued element (XML only).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(value: datetime, tz: tzinfo = UTC) -> str:
    """W3C date-time with an offset, ``Z`` for UTC, e.g. ``2010-04-14T06:37:38-08:00``."""
    text = value.astimezone(tz).isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def service_dict(service: Service) -> dict[str, Any]:
    """One entry of ``GET services``."""
    return {
        "service_code": service.service_code,
        "service_name": service.service_name,
        "description": service.description,
        "metadata": service.metadata,
        "type": service.type,
        "keywords": service.keywords,
        "group": service.group,
    }


def _attribute_dict(attr: Attribute) -> dict[str, Any]:
    return {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description,
        "order": attr.order,
        "description": attr.description,
        "values": [{"key": v.key, "name": v.name} for v in attr.values],
    }


def definition_dict(service: Service) -> dict[str, Any]:
    """The body of ``GET services/{code}``."""
    attrs = sorted(service.attributes, key=lambda a: a.order)
    return {
        "service_code": service.service_code,
        "attributes": [_attribute_dict(a) for a in attrs],
    }


def request_dict(
    req: SandboxRequest,
    tz: tzinfo,
    *,
    extensions: bool = False,
    service: Service | None = None,
) -> dict[str, Any]:
    """One ``request`` of ``GET requests``; `extensions` adds `attributes` and `notes`."""
    body: dict[str, Any] = {
        "service_request_id": req.service_request_id,
        "status": req.status,
        "status_notes": req.status_notes,
        "service_name": req.service_name,
        "service_code": req.service_code,
        "description": req.description,
        "agency_responsible": req.agency_responsible,
        "service_notice": req.service_notice,
        "requested_datetime": w3c(req.requested_datetime, tz),
        "updated_datetime": w3c(req.updated_datetime, tz),
        "expected_datetime": w3c(req.expected_datetime, tz) if req.expected_datetime else None,
        "address": req.address,
        "address_id": req.address_id,
        "zipcode": req.zipcode,
        "lat": req.lat,
        "long": req.long,
        "media_url": req.media_url,
    }
    if extensions:
        labels = {a.code: a.description for a in service.attributes} if service else {}
        body["attributes"] = [
            {"code": code, "label": labels.get(code, code), "value": value}
            for code, values in sorted(req.attributes.items())
            for value in values
        ]
        body["notes"] = [
            {
                "datetime": w3c(n.noted_datetime, tz),
                "summary": n.summary,
                "description": n.description,
                "type": n.type,
            }
            for n in req.notes
        ]
    return body


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _fill(elem: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(elem, key), child)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES[elem.tag]
        for child in value:
            _fill(ET.SubElement(elem, item), child)
    else:
        elem.text = _text(value)


def xml_body(root: str, data: Any) -> bytes:
    """Serialise `data` under the root element `root`."""
    elem = ET.Element(root)
    _fill(elem, data)
    ET.indent(elem)
    text = ET.tostring(elem, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")


def respond(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    """A response in `fmt` ("xml" or "json"); `root` names the XML root element."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return Response(body, status=status, content_type=JSON_TYPE)
    return Response(xml_body(root, data), status=status, content_type=XML_TYPE)


def errors(fmt: str, status: int, items: Iterable[tuple[str | int, str]]) -> Response:
    """A spec error body: ``<errors><error><code/><description/></error></errors>``."""
    data = [{"code": code, "description": text} for code, text in items]
    return respond(fmt if fmt == "json" else "xml", "errors", data, status)


def error(fmt: str, status: int, description: str, code: str | int | None = None) -> Response:
    """A spec error body with one error; its code defaults to the HTTP status."""
    return errors(fmt, status, [(code if code is not None else status, description)])


def proxy_error_page(status: int) -> Response:
    """What a gateway in front of a city server answers: HTML, not a spec body."""
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(
        status, "Internal Server Error"
    )
    page = (
        f"<html><head><title>{status} {reason}</title></head>"
        f"<body><center><h1>{status} {reason}</h1></center><hr></body></html>\n"
    )
    return Response(page.encode("utf-8"), status=status, content_type="text/html; charset=utf-8")
