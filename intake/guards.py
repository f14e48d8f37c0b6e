"""What stands between the internet and the webhooks: body size, proxies, and clean values.

Rules, in the order a request meets them:
- a body over `MAX_BODY` is refused with 413 before anything reads it (no form parsing, no
  signature hashing): the Content-Length is checked first, a chunked body is cut off there;
- X-Forwarded-* headers are believed only from the configured proxies (`TRUSTED_PROXIES`);
- after the signature check, every form value and query argument is cleaned: characters XML
  cannot carry (NUL, other controls, U+FFFE/U+FFFF, lone surrogates) are removed, so nothing
  a resident sends can break the TwiML or the database, and each value is capped in length.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

# Twilio's webhooks are a few kilobytes (a text's Body is at most 1,600 characters)
MAX_BODY = 64 * 1024
# controls other than tab/newline/return, DEL and C1, non-characters, lone surrogates
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
MAX_VALUE = 4000
# identifiers and numbers: a Twilio SID is 34 characters, an E.164 number at most 16
SHORT = {"From": 63, "To": 63, "CallSid": 64, "MessageSid": 64, "SmsSid": 64, "AccountSid": 64,
         "MessagingServiceSid": 64, "Digits": 64, "Confidence": 32, "CallStatus": 32,
         "MessageStatus": 32, "SmsStatus": 32, "OptOutType": 32, "turn": 16, "call": 64,
         "text": 9, "ErrorCode": 9}
NUMERIC = ("ErrorCode", "text")  # dropped unless plain ASCII digits that fit an integer column


def clean(value: str, limit: int = MAX_VALUE) -> str:
    """`value` without characters XML 1.0 cannot carry, cut to `limit` characters."""
    return _UNSAFE.sub("", value)[:limit]


def cleaned(values: Mapping[str, str] | Iterable[tuple[str, str]]) -> ImmutableMultiDict[str, str]:
    """Form or query values, cleaned and capped per field (see `SHORT` and `NUMERIC`)."""
    items = values.items(multi=True) if hasattr(values, "items") else values  # type: ignore[call-arg]
    out: list[tuple[str, str]] = []
    for key, value in items:
        key = clean(key, 64)
        value = clean(value, SHORT.get(key, MAX_VALUE))
        if key in NUMERIC and not (value.isascii() and value.isdigit()):
            continue
        out.append((key, value))
    return ImmutableMultiDict(out)


def clean_request_values(bp: Blueprint) -> None:
    """Clean `request.form` and `request.args` for every view of `bp`.

    Register it after the signature check: Twilio signs the values as they were sent.
    """

    @bp.before_request
    def _clean() -> None:
        request.form = cleaned(request.form)
        request.args = cleaned(request.args)


def limit_body(app: Flask, limit: int = MAX_BODY) -> None:
    """413 for a body over `limit`, before the form is parsed or a signature computed."""
    app.config["MAX_CONTENT_LENGTH"] = limit  # a chunked body is cut off while it is read

    @app.before_request
    def _too_large() -> Response | None:
        if request.content_length is not None and request.content_length > limit:
            return Response(f"Request body over {limit} bytes\n", status=413,
                            mimetype="text/plain")
        return None


def parse_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """'10.0.0.5, 192.168.1.0/24' -> networks; '' -> none. Raises ValueError for a typo."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in spec.split(",") if part.strip())


class TrustedProxies:
    """WSGI middleware: X-Forwarded-For/Proto/Host/Port count only from a trusted proxy.

    From anyone else the headers are removed, so a client cannot make the app believe it
    was called at another URL (and so accept a signature made for that URL).
    """

    FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                 "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")

    def __init__(self, app: Any, networks: Iterable[ipaddress.IPv4Network |
                                                    ipaddress.IPv6Network]) -> None:
        self.app = app
        self.networks = tuple(networks)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for name in self.FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)  # type: ignore[no-any-return]


__all__ = ["MAX_BODY", "TrustedProxies", "clean", "clean_request_values", "cleaned", "limit_body",
           "parse_networks"]
