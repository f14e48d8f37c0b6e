"""Twilio signature check for every Twilio endpoint: a missing or wrong signature is a 403.

The URL Twilio signed is the public one: `PUBLIC_BASE_URL` when set, otherwise the URL as
seen after ProxyFix (so a TLS-terminating proxy's X-Forwarded-* headers are honoured).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def signed_url(public_base_url: str | None) -> str:
    """The URL Twilio computed the signature over."""
    if not public_base_url:
        return request.url
    query = request.query_string.decode("latin-1")
    return public_base_url + request.path + (f"?{query}" if query else "")


def require_signature(bp: Blueprint, auth_token: str, public_base_url: str | None) -> None:
    """Refuse any request to `bp` whose X-Twilio-Signature does not match."""
    validator = RequestValidator(auth_token)

    @bp.before_request
    def _check() -> Response | None:
        signature = request.headers.get("X-Twilio-Signature", "")
        url = signed_url(public_base_url)
        if signature and validator.validate(url, request.form, signature):
            return None
        log.warning("refused %s %s: %s Twilio signature", request.method, request.path,
                    "wrong" if signature else "missing")
        return Response("Forbidden: invalid Twilio signature\n", status=403,
                        mimetype="text/plain")
