"""``Open311Client``: every GeoReport v2 call, through one seam (``_send``).

Rules: the caller owns the ``httpx.Client`` (transport, pooling, proxies; tests pass a
``MockTransport``); every call carries a timeout and, when configured, ``jurisdiction_id``;
``api_key`` travels only in the POST body; every failure leaves as an ``Open311Error``
(see ``_exceptions``); errors are read from the body in one place (``_fail``) and the
class comes from the HTTP status, or from the body's code when a server says 200.
The client never retries on its own: retrying a POST safely needs state the caller keeps.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NoReturn
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

FORMATS = ("json", "xml")
#: The widest ``start_date``..``end_date`` window the spec lets a server accept.
MAX_WINDOW = timedelta(days=90)
_ACCEPT = {"json": "application/json, text/xml;q=0.5", "xml": "text/xml, application/xml"}
_FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"

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
        if timeout <= 0 or id_chunk_size < 1 or max_pages < 1:
            raise ConfigurationError("timeout, id_chunk_size and max_pages must be positive")
        self._http = http
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key or None
        self.jurisdiction_id = jurisdiction_id or None
        self.format = fmt
        self.timeout = timeout
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
        found = fetch_discovery(http, discovery_url, timeout=timeout).endpoint(type)
        if found is None:
            raise ConfigurationError(f"{discovery_url} lists no {type} GeoReport v2 endpoint")
        fmt = "json" if found.supports_json else "xml"
        return cls(http, found.url, format=fmt, timeout=timeout, **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ the calls

    def discovery(self, url: str) -> Discovery:
        """Read a discovery document (an absolute URL; it often lives off the endpoint)."""
        return fetch_discovery(self._http, url, timeout=self.timeout)

    def services(self) -> list[Service]:
        """``GET services``: the request types the city accepts."""
        return parse_services(self._send("GET", "services"))

    def service_definition(self, code: str) -> ServiceDefinition:
        """``GET services/{code}``; only meaningful when the service's ``metadata`` is true."""
        return parse_service_definition(self._send("GET", f"services/{_segment(code)}"), code)

    def post_request(self, req: NewRequest) -> PostResult:
        """``POST requests``. Never retry blindly on ServerUnavailable with maybe_sent."""
        form = request_form(
            req,
            api_key=self.api_key,
            jurisdiction_id=self.jurisdiction_id,
            multivalue_style=self.multivalue_style,
        )
        return parse_post_result(self._send("POST", "requests", form=form))

    def request_id_from_token(self, token: str) -> str | None:
        """``GET tokens/{token}``: the id, or None while the server has not assigned one."""
        return parse_token(self._send("GET", f"tokens/{_segment(token)}"))

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
        """``GET requests/{id}``; NotFound when the answer holds no such record."""
        path = f"requests/{_segment(service_request_id)}"
        found = parse_requests(self._send("GET", path))
        for record in found:
            if record.service_request_id == service_request_id:
                return record
        if found:  # a server that renders ids differently ("00123" vs "123")
            return found[0]
        raise NotFound(f"no service request {service_request_id!r} in the answer")

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
    ) -> list[ServiceRequest]:
        """``GET requests``, batched and paged; records without an id are dropped.

        ``ids`` are sent ``chunk_size`` at a time (they override the other filters, as the
        spec says); a date window wider than 90 days is split; with ``page_size`` each
        query is paged (``page``, ``page_size``) until a short or repeated page. Results
        keep first-seen order, one record per id.
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
        for params in queries:
            for record in self._pages(params, page_size):
                seen.setdefault(record.service_request_id, record)
        return list(seen.values())

    # ------------------------------------------------------------------ the seam

    def _pages(self, params: Params, page_size: int | None) -> Iterable[ServiceRequest]:
        if page_size is None:
            yield from parse_requests(self._send("GET", "requests", params=params))
            return
        seen: set[str] = set()
        for page in range(1, self.max_pages + 1):
            paged = params + [("page", str(page)), ("page_size", str(page_size))]
            items = parse_requests(self._send("GET", "requests", params=paged))
            fresh = [r for r in items if r.service_request_id not in seen]
            yield from fresh
            # A server that ignores `page` repeats itself: stop instead of looping.
            if not fresh or len(items) < page_size:
                return
            seen.update(r.service_request_id for r in fresh)

    def _send(
        self, method: str, path: str, *, params: Params | None = None, form: Params | None = None
    ) -> Decoded:
        query = list(params or [])
        if self.jurisdiction_id and form is None:
            query.insert(0, ("jurisdiction_id", self.jurisdiction_id))
        headers = {"Accept": _ACCEPT[self.format]}
        content = None
        if form is not None:
            headers["Content-Type"] = _FORM_TYPE
            content = encode_form(form)
        url = f"{self.endpoint}{path}.{self.format}"
        return _exchange(self._http, method, url, self.timeout, query, headers, content)


def fetch_discovery(http: httpx.Client, url: str, *, timeout: float = 10.0) -> Discovery:
    """Read a discovery document (JSON or XML) from an absolute URL."""
    headers = {"Accept": "application/json, text/xml;q=0.9"}
    return parse_discovery(_exchange(http, "GET", url, timeout, [], headers, None))


def _exchange(
    http: httpx.Client,
    method: str,
    url: str,
    timeout: float,
    params: Params,
    headers: dict[str, str],
    content: bytes | None,
) -> Decoded:
    try:
        request = http.build_request(
            method,
            url,
            params=_query(params),
            headers=headers,
            content=content,
            timeout=httpx.Timeout(timeout),
        )
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"invalid URL {url!r}: {exc}") from exc
    try:
        response = http.send(request)
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
            f"{method} {url}: no answer within {timeout}s ({type(exc).__name__})",
            request=request,
        ) from exc
    except httpx.TransportError as exc:
        raise ServerUnavailable(
            f"{method} {url}: {type(exc).__name__}: {exc}", request=request
        ) from exc
    return _read(request, response)


def _read(request: httpx.Request, response: httpx.Response) -> Decoded:
    """The decoded body of a good answer; anything else raises through ``_fail``."""
    status = response.status_code
    try:
        doc: Decoded | None = decode_body(response.content)
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
