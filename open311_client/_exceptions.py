"""The one exception hierarchy of ``open311_client``.

Every failure a caller can act on is one of these; nothing else escapes a client call
(``httpx`` errors are translated here, never re-raised bare)::

    Open311Error                 .request / .response (httpx objects, either may be None)
    ├── ConfigurationError       401/403/405/406/415, a redirect (3xx), an unknown
    │                            jurisdiction or api_key, bad client settings:
    │                            staff must fix settings; retrying will not help
    ├── NotFound                 404/410: unknown request, service, token
    ├── ValidationError          400 and other 4xx: the server refused this request;
    │                            .errors holds the server's (code, description) list
    └── ServerUnavailable        5xx, 408/425/429, timeouts, connection errors, proxy HTML pages,
        │                        an answer not complete by the deadline (a trickle):
        │                        try again later; .maybe_sent says whether the server may
        │                        already have acted on the request (never blindly re-POST)
        └── InvalidResponse      a 2xx answer we could not understand: an empty body, no
                                 records where a list was due, another request than the
                                 one asked for, undecodable content, more than max_bytes

Rule: the class says what to do next (fix config, give up, dead-letter, retry); the message
and ``.errors`` say why, in the server's own words.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

__all__ = [
    "ConfigurationError",
    "InvalidResponse",
    "NotFound",
    "Open311Error",
    "ServerUnavailable",
    "ValidationError",
]


class Open311Error(Exception):
    """Base class: a client call failed. Carries the request and response when known."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        errors: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.response = response
        #: The server's error list as ``(code, description)`` pairs, possibly empty.
        self.errors: list[tuple[str, str]] = list(errors)

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the response, or None when there was no response."""
        return None if self.response is None else self.response.status_code


class ConfigurationError(Open311Error):
    """Bad or missing api_key, unknown jurisdiction, wrong endpoint or client settings."""


class NotFound(Open311Error):
    """The server does not know this request, service or token."""


class ValidationError(Open311Error):
    """The server refused the request as invalid (400); ``.errors`` has its reasons."""


class ServerUnavailable(Open311Error):
    """The server could not be reached or failed; the same call may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        errors: Sequence[tuple[str, str]] = (),
        maybe_sent: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response, errors=errors)
        #: False only when the request certainly never reached the server (connect
        #: failures), so a POST may be repeated without looking it up first.
        self.maybe_sent = maybe_sent
        #: Seconds from a ``Retry-After`` header, when the server sent one.
        self.retry_after = retry_after


class InvalidResponse(ServerUnavailable):
    """A success status with a body that is not the answer asked for (see the tree above)."""
