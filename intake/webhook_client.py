"""Playing Twilio's part locally: signed webhook POSTs, and reading the TwiML that comes back.

Used by `intake simulate` and `intake replay`, so both exercise the exact path a real call
or text takes, signature check included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from defusedxml import ElementTree
from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class Twiml:
    """What a resident would hear or read, and where Twilio would go next."""

    status: int
    body: str
    says: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    gather: dict[str, str] | None = None
    redirect: str | None = None
    dial: str | None = None
    hangup: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.says + self.messages)


def parse_twiml(status: int, body: str) -> Twiml:
    if status != 200 or not body.strip().startswith("<"):
        return Twiml(status, body)
    root = ElementTree.fromstring(body)
    says: list[str] = []
    messages: list[str] = []
    gather: dict[str, str] | None = None
    redirect = dial = None
    hangup = False
    for el in root.iter():
        if el.tag == "Say":
            says.append((el.text or "").strip())
        elif el.tag == "Message":
            messages.append((el.text or "").strip())
        elif el.tag == "Gather":
            gather = dict(el.attrib)
        elif el.tag == "Redirect":
            redirect = (el.text or "").strip()
        elif el.tag == "Dial":
            dial = (el.text or "").strip() or "".join(n.text or "" for n in el)
        elif el.tag == "Hangup":
            hangup = True
    return Twiml(status, body, tuple(says), tuple(messages), gather, redirect, dial, hangup)


class WebhookSender:
    """Posts forms the way Twilio does, with an X-Twilio-Signature made from `auth_token`."""

    def __init__(self, http: httpx.Client, base_url: str, auth_token: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.validator = RequestValidator(auth_token)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def post(self, path: str, form: dict[str, str], *, signature: str | None = None) -> Twiml:
        url = self.url(path)
        sig = self.validator.compute_signature(url, form) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        response = self.http.post(url, data=form, headers=headers)
        return parse_twiml(response.status_code, response.text)
