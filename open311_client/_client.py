"""``Open311Client``: every GeoReport v2 call, through one seam (``_send``).

Rules: the caller owns the ``httpx.Client`` (transport, pooling, proxies; tests pass a
``MockTransport``); every call carries a timeout and, when configured, ``jurisdiction_id``;
``api_key`` travels only in the POST body; every failure leaves as an ``Open311Error``
(see ``_exceptions``); errors are read from the body in one place (``_fail``) and the
class comes from the HTTP status, or from the body's code when a server says 200.
A whole answer must arrive within ``deadline`` seconds and ``max_bytes`` (a trickling or
endless server fails the call, never holds it or the memory); the body is read raw and its
``Content-Encoding`` undone here, so a server that says gzip and sends plain text is read.
The client never retries on its own: retrying a POST safely needs state the caller keeps.
"""

from __future__ import annotations

import logging
import re
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from ._decoding import Decoded, UndecodableBody, decode_body
from ._encoding import (
    MULTIVALUE_STYLES,
    MultivalueStyle,
    encode_form,
    format_datetime,
    request_form,
)
from ._exceptions import (
    ConfigurationError,
    InvalidResponse,
    NotFound,
    Open311Error,
    ServerUnavailable,
    ValidationError,
)
from ._models import Discovery, NewRequest, PostResult, Service, ServiceDefinition, ServiceRequest
from ._parsers import (
    Unrecognised,
    error_list,
    looks_like_errors,
    parse_discovery,
    parse_post_result,
    parse_requests,
    parse_service_definition,
    parse_services,
    parse_token,
)

__all__ = ["Open311Client"]

log = logging.getLogger("open311_client")
T = TypeVar("T")
FORMATS = ("json", "xml")
#: A whole answer must arrive within this many seconds (``timeout`` is per network read).
DEADLINE = 30.0
#: The largest answer read; a services list or a page of requests is far smaller.
MAX_BYTES = 16 * 1024 * 1024
_ERROR_BODY_LIMIT = 64 * 1024  # an error answer is read this far; its words come first
#: The widest ``start_date``..``end_date`` window the spec lets a server accept.
MAX_WINDOW = timedelta(days=90)
_ACCEPT = {"json": "application/json, text/xml;q=0.5", "xml": "text/xml, application/xml"}
_FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
_ACCEPT_ENCODING = "gzip, deflate"  # what `_undo_encoding` can undo

Params = list[tuple[str, str]]
# Error descriptions that blame our settings rather than this request ...
_ABOUT_SETTINGS = re.compile(r"\b(api[ _-]?key|jurisdiction)", re.I)
# ... unless they may equally blame it (the spec's "service_code or jurisdiction_id ...").
_ABOUT_REQUEST = re.compile(r"\b(service[ _-]?code|service[ _-]?request|token)", re.I)


class Open311Client:
    """A GeoReport v2 client for one endpoint.

    >>> client = Open311Client(httpx.Client(), "https://city.example/open311/v2/",
    ...                        jurisdiction_id="city.example", format="xml")
    """

    def __init__(
        self,
        http: httpx.Client,
        endpoint: str,
        *,
        api_key: str | None = None,
        jurisdiction_id: str | None = None,
        format: str = "json",
        timeout: float = 10.0,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_BYTES,
        multivalue_style: str = "brackets",
        id_chunk_size: int = 50,
        max_pages: int = 100,
    ) -> None:
        fmt = format.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ConfigurationError(f"format must be one of {FORMATS}, not {format!r}")
        if multivalue_style not in MULTIVALUE_STYLES:
            raise ConfigurationError(
                f"multivalue_style must be one of {MULTIVALUE_STYLES}, not {multivalue_style!r}"
            )
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"endpoint must be an http(s) URL, not {endpoint!r}")
        if timeout <= 0 or deadline <= 0 or max_bytes < 1 or id_chunk_size < 1 or max_pages < 1:
            raise ConfigurationError(
                "timeout, deadline, max_bytes, id_chunk_size and max_pages must be positive")
        self._http = http
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key or None
        self.jurisdiction_id = jurisdiction_id or None
        self.format = fmt
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.multivalue_style: MultivalueStyle = multivalue_style
        self.id_chunk_size = id_chunk_size
        self.max_pages = max_pages

    def __repr__(self) -> str:
        return f"<Open311Client {self.endpoint} format={self.format}>"

    @classmethod
    def from_discovery(
        cls,
        http: httpx.Client,
        discovery_url: str,
        *,
        type: str = "production",
        timeout: float = 10.0,
        **options: object,
    ) -> Open311Client:
        """A client for the GeoReport v2 endpoint a discovery document lists (JSON if offered)."""
        deadline = float(options.get("deadline", DEADLINE))  # type: ignore[arg-type]
        max_bytes = int(options.get("max_bytes", MAX_BYTES))  # type: ignore[call-overload]
        found = fetch_discovery(http, discovery_url, timeout=timeout, deadline=deadline,
                                max_bytes=max_bytes).endpoint(type)
        if found is None:
            raise ConfigurationError(f"{discovery_url} lists no {type} GeoReport v2 endpoint")
        fmt = "json" if found.supports_json else "xml"
        return cls(http, found.url, format=fmt, timeout=timeout, **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ the calls

    def discovery(self, url: str) -> Discovery:
        """Read a discovery document (an absolute URL; it often lives off the endpoint)."""
        return fetch_discovery(self._http, url, timeout=self.timeout, deadline=self.deadline,
                               max_bytes=self.max_bytes)

    def services(self) -> list[Service]:
        """``GET services``: the request types the city accepts."""
        return self._send("GET", "services", parse_services)

    def service_definition(self, code: str) -> ServiceDefinition:
        """``GET services/{code}``; only meaningful when the service's ``metadata`` is true."""
        return self._send("GET", f"services/{_segment(code)}",
                          lambda doc: parse_service_definition(doc, code))

    def post_request(self, req: NewRequest) -> PostResult:
        """``POST requests``. Never retry blindly on ServerUnavailable with maybe_sent."""
        form = request_form(
            req,
            api_key=self.api_key,
            jurisdiction_id=self.jurisdiction_id,
            multivalue_style=self.multivalue_style,
        )
        return self._send("POST", "requests", parse_post_result, form=form)

    def request_id_from_token(self, token: str) -> str | None:
        """``GET tokens/{token}``: the id, or None while the server has not assigned one."""
        return self._send("GET", f"tokens/{_segment(token)}", parse_token)

    def wait_for_request_id(
        self,
        token: str,
        *,
        attempts: int = 5,
        first_delay: float = 1.0,
        factor: float = 2.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> str | None:
        """Poll ``tokens/{token}`` with exponential backoff; None if still unassigned.

        A 404 counts as "not yet" here (some servers do not know a token until it is
        processed); other errors propagate. Store the token before calling this.
        """
        delay = first_delay
        for attempt in range(attempts):
            try:
                found = self.request_id_from_token(token)
            except NotFound:
                found = None
            if found is not None:
                return found
            if attempt + 1 < attempts:
                sleep(delay)
                delay = min(delay * factor, max_delay)
        return None

    def get_request(self, service_request_id: str) -> ServiceRequest:
        """``GET requests/{id}``: the record with exactly this id, never another one.

        NotFound when the answer is an empty list; InvalidResponse when it holds only other
        requests (a server that ignores the id, or renders it differently: "00123").
        """
        path = f"requests/{_segment(service_request_id)}"
        wanted = service_request_id.strip()

        def the_one(doc: Decoded) -> ServiceRequest | None:
            found = parse_requests(doc)
            same = [r for r in found if r.service_request_id == wanted]
            if found and not same:
                others = ", ".join(repr(r.service_request_id) for r in found[:3])
                raise Unrecognised(f"asked for request {wanted!r}, the answer holds {others}")
            return same[0] if same else None

        record = self._send("GET", path, the_one)
        if record is None:
            raise NotFound(f"no service request {wanted!r} in the answer")
        return record

    def get_requests(
        self,
        *,
        ids: Sequence[str] = (),
        service_code: str | Sequence[str] | None = None,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        status: str | Sequence[str] | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        extensions: bool = False,
        page_size: int | None = None,
        chunk_size: int | None = None,
        near: tuple[float, float, float] | None = None,
    ) -> list[ServiceRequest]:
        """``GET requests``, batched and paged; records without an id are dropped.

        ``ids`` are sent ``chunk_size`` at a time (they override the other filters, as the
        spec says) and only those ids come back, whatever else a server lists; a date window
        wider than 90 days is split; with ``page_size`` each query is paged (``page``,
        ``page_size``) until a short, empty or repeated page, a null ``next`` link, or an
        error past the first page (DRF's 404 "Invalid page."), keeping the pages read.
        Results keep first-seen order, one record per id. ``near`` (lat, long, radius in
        metres) is sent as ``lat``/``long``/``radius``, a common extension; servers without
        it ignore it, so callers still check the distance themselves.
        """
        common: Params = [("extensions", "true")] if extensions else []
        queries: list[Params] = []
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        if wanted:
            size = chunk_size or self.id_chunk_size
            for n in range(0, len(wanted), size):
                queries.append(common + [("service_request_id", ",".join(wanted[n : n + size]))])
        else:
            filters = list(common)
            _add_list(filters, "service_code", service_code)
            _add_list(filters, "status", status)
            if near is not None:
                filters += [("lat", f"{near[0]:.6f}"), ("long", f"{near[1]:.6f}"),
                            ("radius", f"{near[2]:g}")]
            if updated_after is not None:
                filters.append(("updated_after", format_datetime(updated_after)))
            if updated_before is not None:
                filters.append(("updated_before", format_datetime(updated_before)))
            for start, end in _windows(start_date, end_date):
                window = list(filters)
                if start is not None:
                    window.append(("start_date", format_datetime(start)))
                if end is not None:
                    window.append(("end_date", format_datetime(end)))
                queries.append(window)
        seen: dict[str, ServiceRequest] = {}
        asked = set(wanted)
        for params in queries:
            for record in self._pages(params, page_size):
                if not asked or record.service_request_id in asked:
                    seen.setdefault(record.service_request_id, record)
        return list(seen.values())

    # ------------------------------------------------------------------ the seam

    def _pages(self, params: Params, page_size: int | None) -> Iterable[ServiceRequest]:
        if page_size is None:
            yield from self._send("GET", "requests", parse_requests, params=params)
            return
        seen: set[str] = set()
        for page in range(1, self.max_pages + 1):
            paged = params + [("page", str(page)), ("page_size", str(page_size))]
            try:
                items, last = self._send("GET", "requests", _page, params=paged)
            except (NotFound, ValidationError, InvalidResponse) as exc:
                # Past the last page servers say 404 (DRF), 400 or nothing at all: the list
                # ended. On the first page it is the answer.
                if page == 1 or (isinstance(exc, InvalidResponse) and not _empty(exc)):
                    raise
                return
            fresh = [r for r in items if r.service_request_id not in seen]
            yield from fresh
            # A server that ignores `page` repeats itself: stop instead of looping.
            if last or not fresh or len(items) < page_size:
                return
            seen.update(r.service_request_id for r in fresh)

    def _send(
        self,
        method: str,
        path: str,
        parse: Callable[[Decoded], T],
        *,
        params: Params | None = None,
        form: Params | None = None,
    ) -> T:
        query = list(params or [])
        if self.jurisdiction_id and form is None:
            query.insert(0, ("jurisdiction_id", self.jurisdiction_id))
        headers = {"Accept": _ACCEPT[self.format]}
        content = None
        if form is not None:
            headers["Content-Type"] = _FORM_TYPE
            content = encode_form(form)
        url = f"{self.endpoint}{path}.{self.format}"
        limits = _Limits(self.timeout, self.deadline, self.max_bytes)
        return _exchange(self._http, method, url, limits, query, headers, content, parse)


def fetch_discovery(
    http: httpx.Client,
    url: str,
    *,
    timeout: float = 10.0,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
) -> Discovery:
    """Read a discovery document (JSON or XML) from an absolute URL."""
    headers = {"Accept": "application/json, text/xml;q=0.9"}
    limits = _Limits(timeout, deadline, max_bytes)
    return _exchange(http, "GET", url, limits, [], headers, None, parse_discovery)


@dataclass(frozen=True)
class _Limits:
    timeout: float  # per network read (and connect)
    deadline: float  # for the whole answer
    max_bytes: int  # of the body, raw and decompressed


def _page(doc: Decoded) -> tuple[list[ServiceRequest], bool]:
    """A page of requests, and whether it says it is the last (DRF's ``"next": null``)."""
    tree: Any = doc.tree
    last = isinstance(tree, dict) and "next" in tree and tree["next"] is None
    return parse_requests(doc), last


def _empty(exc: InvalidResponse) -> bool:
    try:
        return exc.response is not None and not exc.response.content.strip()
    except httpx.ResponseNotRead:
        return False


def _exchange(
    http: httpx.Client,
    method: str,
    url: str,
    limits: _Limits,
    params: Params,
    headers: dict[str, str],
    content: bytes | None,
    parse: Callable[[Decoded], T],
) -> T:
    try:
        request = http.build_request(
            method,
            url,
            params=_query(params),
            headers={"Accept-Encoding": _ACCEPT_ENCODING, **headers},
            content=content,
            timeout=httpx.Timeout(limits.timeout),
        )
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"invalid URL {url!r}: {exc}") from exc
    started = time.monotonic()
    try:
        response = http.send(request, stream=True)
        try:
            body = _receive(request, response, started, limits)
        finally:
            response.close()
    except Open311Error:
        raise
    except httpx.UnsupportedProtocol as exc:
        raise ConfigurationError(f"{method} {url}: {exc}", request=request) from exc
    except (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError) as exc:
        raise ServerUnavailable(
            f"{method} {url}: could not connect ({type(exc).__name__}: {exc})",
            request=request,
            maybe_sent=False,
        ) from exc
    except httpx.TimeoutException as exc:
        raise ServerUnavailable(
            f"{method} {url}: no answer within {limits.timeout:g}s ({type(exc).__name__})",
            request=request,
        ) from exc
    except httpx.TransportError as exc:
        raise ServerUnavailable(
            f"{method} {url}: {type(exc).__name__}: {exc}", request=request
        ) from exc
    except httpx.DecodingError as exc:  # not raised while we undo encodings; kept in the family
        raise InvalidResponse(f"{method} {url}: {exc}", request=request) from exc
    except httpx.RequestError as exc:  # any other failure of the exchange (too many redirects)
        raise ServerUnavailable(f"{method} {url}: {type(exc).__name__}: {exc}",
                                request=request) from exc
    doc = _read(request, response, body)
    try:
        return parse(doc)
    except Unrecognised as exc:
        raise InvalidResponse(
            f"{method} {url}: HTTP {response.status_code}: {exc}",
            request=request,
            response=response,
        ) from exc


def _receive(
    request: httpx.Request, response: httpx.Response, started: float, limits: _Limits
) -> bytes:
    """The body, read raw within the deadline and the size cap, its encoding undone.

    An error answer is read only as far as its words need; a good one that is too big or too
    slow fails the call (InvalidResponse / ServerUnavailable) without being held in memory.
    """
    try:
        return response.content  # already read (a transport that hands over whole bodies)
    except httpx.ResponseNotRead:
        pass
    where = f"{request.method} {request.url}: HTTP {response.status_code}"
    good = response.is_success
    cap = limits.max_bytes if good else min(limits.max_bytes, _ERROR_BODY_LIMIT)
    length = response.headers.get("Content-Length", "")
    if good and length.isdigit() and int(length) > cap:
        raise InvalidResponse(f"{where}: the answer is {int(length):,} bytes, more than the "
                              f"{cap:,} this client reads", request=request)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > cap:
            if good:
                raise InvalidResponse(f"{where}: the answer goes on past {cap:,} bytes; "
                                      "not read further", request=request)
            chunks.append(chunk[: len(chunk) - (size - cap)])
            break
        chunks.append(chunk)
        if time.monotonic() - started > limits.deadline:
            raise ServerUnavailable(
                f"{where}: the answer was not complete after {limits.deadline:g}s "
                f"({size:,} bytes so far); a server trickling its answer",
                request=request,
            )
    body = _undo_encoding(where, request, response, b"".join(chunks), cap)
    response._content = body  # the exceptions carry the response: let it show its body
    return body


def _undo_encoding(
    where: str, request: httpx.Request, response: httpx.Response, raw: bytes, cap: int
) -> bytes:
    """Undo gzip/deflate as declared, reading a body that is not encoded as it is."""
    codings = [c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",")]
    body = raw
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding in ("gzip", "x-gzip") and body.startswith(b"\x1f\x8b"):
            body = _inflate(where, request, body, 16 + zlib.MAX_WBITS, cap)
        elif coding == "deflate" and _zlib_header(body):
            body = _inflate(where, request, body, zlib.MAX_WBITS, cap)
        elif coding in ("gzip", "x-gzip", "deflate"):
            log.warning("%s: Content-Encoding says %s but the body is not compressed; "
                        "read as it is", where, coding)
        else:
            raise InvalidResponse(f"{where}: Content-Encoding {coding!r} is not supported "
                                  f"(asked for {_ACCEPT_ENCODING})", request=request)
    return body


def _zlib_header(body: bytes) -> bool:
    return len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] * 256 + body[1]) % 31 == 0


def _inflate(where: str, request: httpx.Request, body: bytes, wbits: int, cap: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise InvalidResponse(f"{where}: a compressed body that does not decompress: {exc}",
                              request=request) from exc
    if len(out) > cap:
        raise InvalidResponse(f"{where}: the answer decompresses past {cap:,} bytes; "
                              "not read further", request=request)
    if not inflater.eof:
        raise InvalidResponse(f"{where}: a compressed body that does not decompress: "
                              "it ends before its end", request=request)
    return out


def _read(request: httpx.Request, response: httpx.Response, body: bytes) -> Decoded:
    """The decoded body of a good answer; anything else raises through ``_fail``."""
    status = response.status_code
    try:
        doc: Decoded | None = decode_body(body, response.charset_encoding)
    except UndecodableBody as exc:
        if 200 <= status < 300:
            raise InvalidResponse(
                f"{request.method} {request.url}: HTTP {status} with an unreadable body: {exc}",
                request=request,
                response=response,
            ) from exc
        doc = None
    if 200 <= status < 300 and doc is not None:
        if doc.kind == "html":
            raise InvalidResponse(
                f"{request.method} {request.url}: HTTP {status} with an HTML page "
                f"({doc.tree!s}); a proxy or login page, not the Open311 server",
                request=request,
                response=response,
            )
        if doc.kind == "text":
            raise InvalidResponse(
                f"{request.method} {request.url}: HTTP {status} with plain text: "
                f"{str(doc.tree)[:200]}",
                request=request,
                response=response,
            )
        if doc.note:
            log.warning("%s %s: %s", request.method, request.url, doc.note)
        if not looks_like_errors(doc):
            return doc
    _fail(request, response, doc)


def _fail(request: httpx.Request, response: httpx.Response, doc: Decoded | None) -> NoReturn:
    status = response.status_code
    errors = error_list(doc, status) if doc is not None else []
    if doc is None:
        snippet = " ".join(response.content[:200].decode("utf-8", "replace").split())
        errors = [(str(status), snippet)] if snippet else []
    code = status
    if 200 <= status < 300:
        # An error document sent with 200: trust the body's code when it is an error code.
        body_code = next((int(c) for c, _ in errors if c.isdigit() and 400 <= int(c) < 600), 0)
        code = body_code or 400
    said = "; ".join(d or c for c, d in errors) or response.reason_phrase or "no details"
    message = f"{request.method} {request.url}: HTTP {status}: {said}"
    cls: type[Open311Error]
    if 300 <= code < 400:
        where = response.headers.get("Location", "?")
        message += f" (redirected to {where}; fix the endpoint)"
        cls = ConfigurationError
    elif code in (401, 403, 405, 406, 415):
        cls = ConfigurationError
    elif code in (400, 404) and _blames_settings(errors):
        cls = ConfigurationError  # "jurisdiction_id not found", "api_key required"
    elif code in (404, 410):
        cls = NotFound
    elif code in (408, 425, 429) or code >= 500:
        raise ServerUnavailable(
            message,
            request=request,
            response=response,
            errors=errors,
            retry_after=_retry_after(response),
        )
    elif 400 <= code < 500:
        cls = ValidationError
    else:
        cls = InvalidResponse
    raise cls(message, request=request, response=response, errors=errors)


def _blames_settings(errors: list[tuple[str, str]]) -> bool:
    return any(_ABOUT_SETTINGS.search(d) and not _ABOUT_REQUEST.search(d) for _, d in errors)


def _query(params: Params) -> httpx.QueryParams:
    return httpx.QueryParams([(k, v) for k, v in params])


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _segment(value: str) -> str:
    """An opaque id or code as one URL path segment ("a/b" must not become two)."""
    if not value or not value.strip():
        raise ValueError("an id, code or token must not be empty")
    return quote(value.strip(), safe="")


def _add_list(params: Params, name: str, value: str | Sequence[str] | None) -> None:
    if value is None:
        return
    items = [value] if isinstance(value, str) else list(value)
    joined = ",".join(v.strip() for v in items if v and v.strip())
    if joined:
        params.append((name, joined))


def _windows(
    start: datetime | date | None, end: datetime | date | None
) -> list[tuple[datetime | date | None, datetime | date | None]]:
    """Split start..end into windows of at most 90 days (servers refuse or cut wider ones)."""
    if start is None or end is None:
        return [(start, end)]
    lo, hi = _as_datetime(start), _as_datetime(end)
    if hi - lo <= MAX_WINDOW:
        return [(start, end)]
    out: list[tuple[datetime | date | None, datetime | date | None]] = []
    while lo < hi:
        step = min(lo + MAX_WINDOW, hi)
        out.append((lo, step))
        lo = step
    return out


def _as_datetime(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
