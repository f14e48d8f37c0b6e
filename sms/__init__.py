"""The SMS channel: Twilio messaging webhooks in, reply text out, status texts sent.

No storage and no Open311 here: the app passes in `Hooks` (opt-out records, a resident's
reports, delivery callbacks) and calls a `Sender` with the texts it has queued.
"""

from .delivery import TextState
from .keywords import Keyword, KeywordKind, classify
from .render import reply_text
from .segments import GSM7, UCS2, budgeted, encoding, fit, gsm_safe, segments, transliterate
from .sender import (
    UNSUBSCRIBED,
    ConsoleSender,
    OutboundText,
    RewritingHttpClient,
    Sender,
    Sent,
    TwilioSender,
)
from .texts import MAX_SEGMENTS, RequestStatus, help_text, requests_text, status_reply, status_text
from .views import DeliveryReport, Hooks, create_blueprint
from .whatsapp import is_whatsapp, plain
from .whatsapp import route as whatsapp_route

__all__ = [
    "GSM7",
    "UCS2",
    "MAX_SEGMENTS",
    "UNSUBSCRIBED",
    "ConsoleSender",
    "DeliveryReport",
    "Hooks",
    "Keyword",
    "KeywordKind",
    "OutboundText",
    "RequestStatus",
    "RewritingHttpClient",
    "Sender",
    "Sent",
    "TextState",
    "TwilioSender",
    "budgeted",
    "classify",
    "create_blueprint",
    "encoding",
    "fit",
    "gsm_safe",
    "is_whatsapp",
    "plain",
    "reply_text",
    "whatsapp_route",
    "help_text",
    "requests_text",
    "segments",
    "status_reply",
    "status_text",
    "transliterate",
]
