"""WhatsApp's 24-hour rule for the texts we send first (status updates), pure.

Inside 24 hours of the resident's last message a free-form text may go; outside it only an
approved template (its ContentSid, chosen by staff), or the same words by SMS when the
resident also agreed to SMS texts; otherwise the update waits for the resident to write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

PREFIX = "whatsapp:"
WINDOW = timedelta(hours=24)
Route = Literal["free", "template", "sms", "wait"]


def is_whatsapp(address: str | None) -> bool:
    return bool(address) and str(address).lower().startswith(PREFIX)


def plain(address: str) -> str:
    """The phone number of a WhatsApp address ("whatsapp:+1555..." -> "+1555...")."""
    return address[len(PREFIX):] if is_whatsapp(address) else address


def route(last_message: datetime | None, now: datetime, template_sid: str | None,
          sms_agreed: bool) -> Route:
    """How a text to a WhatsApp resident may go now."""
    if last_message is not None and now - last_message < WINDOW:
        return "free"
    if template_sid:
        return "template"
    return "sms" if sms_agreed else "wait"
