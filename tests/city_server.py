"""A small real HTTP server on a loopback port that answers the way one city server does.

Each route is a function writing the raw answer (status, headers, body, pace) through
`Answer`, so a test can reproduce what a real server did on the wire: a DRF 404 past the
last page, an error body of its own shape, a body in another charset than declared, a false
`Content-Encoding: gzip`, a trickle of one byte a second, a 300 MB body made on the fly.
Unrouted paths answer a GeoReport 404. `seen` keeps every request (method, path, query, form).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


class Answer:
    """What a route writes: `send(status, body, headers)`, or headers then `write` pieces."""

    def __init__(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        self._h = handler
        self.request = seen

    def head(self, status: int, headers: dict[str, str] | None = None) -> None:
        self._h.send_response(status)
        for name, value in (headers or {}).items():
            self._h.send_header(name, value)
        self._h.end_headers()

    def write(self, data: bytes) -> None:
        self._h.wfile.write(data)
        self._h.wfile.flush()

    def send(self, status: int, body: bytes | str = b"", headers: dict[str, str] | None = None,
             content_type: str = "application/json; charset=utf-8") -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self.head(status, {"Content-Type": content_type, "Content-Length": str(len(raw)),
                           **(headers or {})})
        self.write(raw)


Route = Callable[[Answer], None]


def json_answer(status: int, doc: Any, headers: dict[str, str] | None = None) -> Route:
    return lambda a: a.send(status, json.dumps(doc), headers)


def xml_answer(status: int, body: bytes | str, charset: str | None = "utf-8",
               headers: dict[str, str] | None = None) -> Route:
    ctype = "text/xml" + (f"; charset={charset}" if charset else "")
    return lambda a: a.send(status, body, headers, content_type=ctype)


def trickle(body: bytes, per_second: float = 1.0) -> Route:
    """Headers at once, then the body one byte at a time (until the client hangs up)."""

    def route(a: Answer) -> None:
        a.head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        for i in range(len(body)):
            a.write(body[i : i + 1])
            time.sleep(1 / per_second)

    return route


def endless_json(total: int, *, declare_length: bool) -> Route:
    """A JSON list of `total` bytes made as it is sent (never held in memory here either)."""
    record = b'{"service_request_id": "1", "status": "open", "description": "' + b"x" * 900
    record += b'"},'

    def route(a: Answer) -> None:
        headers = {"Content-Type": "application/json"}
        if declare_length:
            headers["Content-Length"] = str(total)
        a.head(200, headers)
        sent = 0
        a.write(b"[")
        while sent < total:
            a.write(record * 64)
            sent += len(record) * 64

    return route


@dataclass
class CityServer:
    """The server's routes by (method, path) and what it was asked."""

    url: str = ""
    routes: dict[tuple[str, str], Route | list[Route]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return self.url + "/open311/v2/"

    def route(self, method: str, path: str, *answers: Route) -> None:
        """Answer `method path` (relative to the endpoint) in turn; the last one for ever."""
        self.routes[(method, "/open311/v2/" + path)] = list(answers)

    def asked(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == "/open311/v2/" + path]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        seen = Seen(handler.command, parts.path, dict(parse_qsl(parts.query)),
                    dict(parse_qsl(body)))
        self.seen.append(seen)
        answers = self.routes.get((handler.command, parts.path))
        reply = Answer(handler, seen)
        if not answers:
            reply.send(404, "<errors><error><code>404</code><description>no route"
                            "</description></error></errors>", content_type="text/xml")
            return
        route = answers.pop(0) if isinstance(answers, list) and len(answers) > 1 else (
            answers[0] if isinstance(answers, list) else answers)
        try:
            route(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up (deadline, size cap): what those tests want


@contextmanager
def city_server() -> Iterator[CityServer]:
    """Serve a `CityServer` on 127.0.0.1 (a free port) in a thread for the `with` block."""
    city = CityServer()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            city.answer(self)

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    city.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield city
    finally:
        server.shutdown()
        server.server_close()


def records(ids: Iterable[str], **fields: Any) -> list[dict[str, Any]]:
    return [{"service_request_id": i, "status": "open", **fields} for i in ids]


class StoringCity:
    """A GeoReport v2 server that stores what is POSTed and lists it back, DRF style.

    `GET requests.json` filters by ids, service_code, start/end_date and status, and pages
    with `page`/`page_size` answering `404 {"detail": "Invalid page."}` past the last page,
    as Django REST Framework does. `on_post` may answer a POST itself (return True) before
    anything is stored: a city failing one report for ever.
    """

    def __init__(self, city: CityServer) -> None:
        self.city = city
        self.requests: list[dict[str, Any]] = []
        self.on_post: Callable[[Answer], bool] = lambda answer: False
        city.route("POST", "requests.json", self._post)
        city.route("GET", "requests.json", self._list)
        city.route("GET", "services.json", json_answer(200, [
            {"service_code": "POTHOLE", "service_name": "Pothole", "metadata": False,
             "type": "realtime", "keywords": "", "group": "streets"}]))

    def add(self, **fields: Any) -> dict[str, Any]:
        """Store a request as the city would (also one a stranger files by hand)."""
        from datetime import UTC, datetime

        record = {"service_request_id": str(9000 + len(self.requests)), "status": "open",
                  "requested_datetime": datetime.now(UTC).isoformat(), **fields}
        self.requests.append(record)
        return record

    def _post(self, a: Answer) -> None:
        if self.on_post(a):
            return
        form = a.request.form
        lat, long = form.get("lat"), form.get("long")
        record = self.add(service_code=form.get("service_code"), address=form.get("address_string"),
                          lat=float(lat) if lat else None, long=float(long) if long else None,
                          description=form.get("description"))
        a.send(201, json.dumps([{"service_request_id": record["service_request_id"]}]))

    def _list(self, a: Answer) -> None:
        from datetime import datetime

        q = a.request.query
        found = list(self.requests)
        if q.get("service_request_id"):
            ids = q["service_request_id"].split(",")
            found = [r for r in found if r["service_request_id"] in ids]
        else:
            if q.get("service_code"):
                found = [r for r in found if r["service_code"] in q["service_code"].split(",")]
            if q.get("status"):
                found = [r for r in found if r["status"] == q["status"]]
            for key, keep in (("start_date", lambda t, b: t >= b),
                              ("end_date", lambda t, b: t <= b)):
                if q.get(key):
                    bound = datetime.fromisoformat(q[key].replace("Z", "+00:00"))
                    found = [r for r in found
                             if keep(datetime.fromisoformat(r["requested_datetime"]), bound)]
        if q.get("page"):
            page, size = int(q["page"]), int(q.get("page_size") or 20)
            if page > 1 and (page - 1) * size >= len(found):
                a.send(404, json.dumps({"detail": "Invalid page."}))
                return
            found = found[(page - 1) * size : page * size]
        a.send(200, json.dumps(found))
