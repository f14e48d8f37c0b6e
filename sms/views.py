"""Messaging webhooks: a text becomes one `Inbound` keyed by (From, To); the reply is TwiML.

Opt-out keywords are Twilio's and the carrier's business: the conversation never answers them.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from conversation import Inbound, Reply, Said, Wording

from .render import render

OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
Handle = Callable[[Inbound], Reply]


def create_blueprint(handle: Handle, wording: Wording) -> Blueprint:
    bp = Blueprint("sms", __name__)

    @bp.post("")
    def incoming() -> Response:
        form = request.form
        body = form.get("Body", "")
        if body.strip().lower() in OPT_OUT or form.get("OptOutType") == "STOP":
            return Response(str(MessagingResponse()), mimetype="text/xml")
        sender, city = form.get("From", ""), form.get("To", "")
        message = form.get("MessageSid") or form.get("SmsSid") or ""
        reply = handle(Inbound(channel="sms", key=f"{sender}|{city}", delivery_id=message,
                               event=Said(body, "text"), phone=sender, city_number=city,
                               text=body))
        return Response(render(reply, wording), mimetype="text/xml")

    @bp.post("/status")
    def status() -> Response:
        return Response(status=204)

    return bp
