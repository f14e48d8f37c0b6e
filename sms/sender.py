"""Sending one text: through Twilio's REST client, or printed to the console in demo mode.

A sender never raises for what Twilio answers: `Sent` carries the message SID and Twilio's
status, or the HTTP status and Twilio error code of a refusal, and whether trying again could
help (network trouble, 429, 5xx) or not (4xx such as 21610 "unsubscribed recipient").
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .delivery import TextState
from .segments import encoding, segments

__all__ = [
    "UNSUBSCRIBED",
    "ConsoleSender",
    "OutboundText",
    "RewritingHttpClient",
    "Sender",
    "Sent",
    "TwilioSender",
]

UNSUBSCRIBED = 21610  # Twilio: "Attempt to send to unsubscribed recipient"
TWILIO_API = "https://api.twilio.com"
_quiet = logging.getLogger("sms.twilio_http")  # the library logs every request at INFO
_quiet.setLevel(logging.WARNING)


@dataclass(frozen=True)
class OutboundText:
    """One text to send. `status_callback` is where Twilio reports delivery."""

    to: str
    body: str
    from_: str | None = None
    status_callback: str | None = None
    content_sid: str | None = None  # a WhatsApp template instead of the body
    content_variables: str | None = None  # its variables, as JSON


@dataclass(frozen=True)
class Sent:
    """What came of one send."""

    ok: bool
    sid: str | None = None
    status: str | None = None  # Twilio's word: queued, accepted, sent, ...
    http_status: int | None = None
    error_code: int | None = None
    error: str | None = None
    retry: bool = False


class Sender(Protocol):
    def send(self, text: OutboundText) -> Sent: ...


class RewritingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's HTTP client, sending to another host (a local stand-in for api.twilio.com)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(logger=_quiet, **kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    """Sends with `client.messages.create`, from a number or a messaging service."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        http = (RewritingHttpClient(api_base, timeout=timeout) if api_base
                else TwilioHttpClient(logger=_quiet, timeout=timeout))
        self.client = Client(account_sid, auth_token, http_client=http)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.whatsapp_template: str | None = None  # staff's ContentSid for WhatsApp's rule

    def send(self, text: OutboundText) -> Sent:
        options: dict[str, Any] = {"to": text.to, "body": text.body}
        if text.content_sid:
            options = {"to": text.to, "content_sid": text.content_sid,
                       "content_variables": text.content_variables or "{}"}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        elif text.to.startswith("whatsapp:"):  # from the city's WhatsApp sender
            sender = text.from_ or self.from_number or ""
            options["from_"] = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        else:
            options["from_"] = self.from_number or text.from_
        if text.status_callback:
            options["status_callback"] = text.status_callback
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as exc:
            status = int(exc.status)
            retry = status == 429 or status >= 500
            return Sent(False, http_status=status, error_code=exc.code,
                        error=str(exc.msg)[:500], retry=retry)
        except (TwilioException, OSError) as exc:  # network trouble: requests' errors are OSError
            return Sent(False, error=f"{type(exc).__name__}: {exc}"[:500], retry=True)
        error_code = getattr(message, "error_code", None)
        return Sent(True, sid=message.sid, status=str(message.status or TextState.QUEUED),
                    error_code=int(error_code) if error_code else None)


class ConsoleSender:
    """Demo mode: prints each text (number masked by the caller's `mask`) and 'sends' it."""

    def __init__(self, out: TextIO | None = None, mask: Callable[[str], str] = str) -> None:
        self.out = out
        self.mask = mask
        self.whatsapp_template: str | None = None

    def send(self, text: OutboundText) -> Sent:
        out = self.out or sys.stdout
        parts = segments(text.body)
        how = f"template {text.content_sid}, " if text.content_sid else ""
        print(f"--- text to {self.mask(text.to)} ({how}{parts} segment{'s' * (parts != 1)}, "
              f"{encoding(text.body)}) ---\n{text.body}\n---", file=out, flush=True)
        return Sent(True, sid="SM" + uuid.uuid4().hex, status=TextState.SENT)
