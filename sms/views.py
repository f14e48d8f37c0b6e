"""Messaging webhooks: a text becomes one `Inbound` keyed by (From, To); the reply is TwiML.

Before the conversation sees a text, keywords are handled here: opt-out (STOP and Twilio's
list, or `OptOutType=STOP`) is recorded and never answered by the conversation; START/UNSTOP
opt back in (YES only when the number is opted out: otherwise it is an answer); HELP outside
a conversation gets the city's help text; `STATUS 1234567`, a bare reference number of one of
the sender's own reports, and `MY REQUESTS` are answered from the app's records.
`POST /status` records Twilio's delivery callbacks. Storage is reached only through `Hooks`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from conversation import Event, Inbound, LocationShared, Reply, Said, Wording

from .keywords import OPT_OUT, KeywordKind, classify
from .locations import find_location, whatsapp_location
from .media import media_items
from .render import render
from .texts import RequestStatus, help_text, requests_text, status_reply, word

__all__ = ["OPT_OUT", "DeliveryReport", "Hooks", "create_blueprint"]

Handle = Callable[[Inbound], Reply]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    """One status callback: which message (our id from the callback URL, Twilio's SID)."""

    text_id: str | None
    message_sid: str | None
    status: str
    error_code: int | None = None


def _nothing(*_: object) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    """What the app provides to the SMS channel; the defaults keep nothing and know nothing."""

    opt_out: Callable[[str, str], None] = _nothing  # (phone, keyword)
    opt_in: Callable[[str], None] = _nothing
    is_opted_out: Callable[[str], bool] = lambda phone: False
    in_conversation: Callable[[str], bool] = lambda key: False  # key 'From|To'
    status_for: Callable[[str, str], RequestStatus | None] = lambda phone, ref: None
    open_requests: Callable[[str], Sequence[RequestStatus]] = lambda phone: ()
    language: Callable[[str], str] = lambda phone: "en"
    conversation_language: Callable[[str], str | None] = lambda key: None  # of the open one
    languages: Callable[[], Sequence[str]] = lambda: ("en", "es")  # the city's, main first
    record_delivery: Callable[[DeliveryReport], None] = _nothing


def _twiml(text: str = "") -> Response:
    response = MessagingResponse()
    if text:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


def _event(form: dict[str, str], body: str) -> Event:
    """A shared location (WhatsApp's, or a map link or coordinates in the text), else words."""
    point = whatsapp_location(form) or find_location(body)
    if point is not None:
        return LocationShared(point.lat, point.lon, point.label, point.rest)
    return Said(body, "text")


def create_blueprint(handle: Handle, wording: Wording, hooks: Hooks | None = None) -> Blueprint:
    bp = Blueprint("sms", __name__)
    app = hooks or Hooks()

    def keyword_answer(sender: str, key: str, body: str, opt_out_type: str) -> Response | None:
        """The answer to a keyword, or None when the conversation should have the text."""
        keyword = classify(body, opt_out_type)
        if keyword is None:
            return None
        if keyword.kind == KeywordKind.OPT_OUT:
            app.opt_out(sender, keyword.word or "stop")
            return _twiml()  # Twilio (and the carrier) confirm; nothing more may be sent
        if keyword.kind == KeywordKind.OPT_IN:
            if keyword.word == "yes" and not app.is_opted_out(sender):
                return None  # an answer ("yes, that address") inside a conversation
            app.opt_in(sender)
            return _twiml(word(wording, app.language(sender), "sms_opted_in"))
        if keyword.kind == KeywordKind.HELP:
            if app.in_conversation(key):
                return None  # the conversation's own help fits the question being asked
            return _twiml(help_text(wording, app.language(sender)))
        if keyword.kind == KeywordKind.MY_REQUESTS:
            lang = app.language(sender)
            return _twiml(requests_text(wording, lang, app.open_requests(sender)))
        found = app.status_for(sender, keyword.reference)
        if found is not None:
            return _twiml(status_reply(wording, found))
        if not keyword.explicit:
            return None  # a bare number that is not one of theirs: maybe an answer
        return _twiml(word(wording, app.language(sender), "status_unknown",
                           reference=keyword.reference))

    @bp.post("")
    def incoming() -> Response:
        form = request.form
        body = form.get("Body", "")
        sender, city = form.get("From", ""), form.get("To", "")
        key = f"{sender}|{city}"
        answered = keyword_answer(sender, key, body, form.get("OptOutType", ""))
        if answered is not None:
            return answered
        message = form.get("MessageSid") or form.get("SmsSid") or ""
        reply = handle(Inbound(channel="sms", key=key, delivery_id=message,
                               event=_event(form.to_dict(), body), phone=sender,
                               city_number=city, text=body, media=media_items(form)))
        return Response(render(reply, wording), mimetype="text/xml")

    @bp.errorhandler(Exception)
    def trouble(exc: Exception) -> ResponseReturnValue:
        """Last resort: the resident gets an apology, never a 500 (Twilio would retry)."""
        if isinstance(exc, HTTPException):
            return exc.get_response()
        log.exception("sms webhook %s failed", request.path)
        if request.path.endswith("/status"):
            return Response(status=204)
        form = request.form
        langs = trouble_languages(f"{form.get('From', '')}|{form.get('To', '')}")
        return _twiml(" / ".join(t for t in (word(wording, lang, "trouble") for lang in langs)
                                 if t))

    def trouble_languages(key: str) -> Sequence[str]:
        """The texter's language if a conversation is going, else every one the city offers."""
        try:
            lang = app.conversation_language(key)
        except Exception:  # noqa: BLE001 - the storage that failed may fail again
            log.warning("the language of a texter is unknown; apologising in all")
            lang = None
        return (lang,) if lang else app.languages()

    @bp.post("/status")
    def status() -> Response:
        form = request.form
        code = form.get("ErrorCode", "").strip()
        app.record_delivery(DeliveryReport(
            text_id=request.args.get("text") or None,
            message_sid=form.get("MessageSid") or form.get("SmsSid") or None,
            status=(form.get("MessageStatus") or form.get("SmsStatus") or "").lower(),
            error_code=int(code) if code.isdigit() else None,
        ))
        return Response(status=204)

    return bp
