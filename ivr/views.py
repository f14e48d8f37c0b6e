"""Voice webhooks: each Twilio form becomes one `Inbound`, each `Reply` one TwiML document.

A Gather's action URL carries the turn number, so a repeated delivery of the same answer
(same CallSid and turn) is recognised by the application and answered the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import Blueprint, Response, request, url_for
from flask.typing import ResponseReturnValue
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from conversation import HungUp, Inbound, Reply, Said, Silence, TransferEnded, Wording

from .twiml import render

ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
TROUBLE = {
    "en": "Sorry, something went wrong on our side. Please call again in a few minutes.",
    "es": "Lo sentimos, tenemos un problema técnico. Por favor llame de nuevo en unos minutos.",
}
log = logging.getLogger(__name__)
Handle = Callable[[Inbound], Reply]


def create_blueprint(
    handle: Handle,
    wording: Wording,
    *,
    agent_number: str | None | Callable[[], str | None],
    hints: Callable[[], dict[str, Sequence[str]]] = dict,
    summary: Callable[[str], str] = lambda call: "",
) -> Blueprint:
    bp = Blueprint("ivr", __name__)

    def agent() -> str | None:
        """The agent line now (a callable follows a reloaded staff file)."""
        return agent_number() if callable(agent_number) else agent_number

    def twiml(reply: Reply) -> Response:
        body = render(
            reply, wording,
            answer_url=url_for("ivr.answer", turn=reply.turn),
            silence_url=url_for("ivr.silence", turn=reply.turn),
            agent_number=agent(),
            hints=hints(),
            whisper_url=url_for("ivr.whisper", call=request.form.get("CallSid", "")),
            dial_url=url_for("ivr.dialled", turn=reply.turn),
        )
        return Response(body, mimetype="text/xml")

    def inbound(delivery: str, event: Said | Silence | HungUp | TransferEnded | None) -> Inbound:
        call = request.form.get("CallSid", "")
        return Inbound(channel="voice", key=call, delivery_id=f"{call}:{delivery}", event=event,
                       phone=request.form.get("From"), city_number=request.form.get("To"))

    @bp.post("")
    def incoming() -> Response:
        return twiml(handle(inbound("start", None)))

    @bp.post("/answer")
    def answer() -> Response:
        turn = request.args.get("turn", "?")
        form = request.form
        event: Said | Silence
        if "Digits" in form:
            event = Said(form["Digits"], "dtmf")
        elif form.get("SpeechResult", "").strip():
            event = Said(form["SpeechResult"], "speech", _number(form.get("Confidence")))
        else:
            event = Silence()
        return twiml(handle(inbound(turn, event)))

    @bp.post("/dial")
    def dialled() -> Response:
        """The agent line was dialled: answered (the call is theirs) or not (back to us)."""
        status = request.form.get("DialCallStatus", "").strip().lower() or "failed"
        return twiml(handle(inbound(f"dial:{request.args.get('turn', '?')}",
                                    TransferEnded(status))))

    @bp.post("/silence")
    def silence() -> Response:
        return twiml(handle(inbound(request.args.get("turn", "?"), Silence())))

    @bp.errorhandler(Exception)
    def trouble(exc: Exception) -> ResponseReturnValue:
        """Last resort: a caller hears an apology (and a person, if one is there), never a 500."""
        if isinstance(exc, HTTPException):
            return exc.get_response()
        log.exception("voice webhook %s failed", request.path)
        answer = VoiceResponse()
        answer.say(TROUBLE["en"], language="en-US")
        answer.say(TROUBLE["es"], language="es-US")
        if number := agent():
            answer.dial(number)
        answer.hangup()
        return Response(str(answer), mimetype="text/xml")

    @bp.post("/whisper")
    def whisper() -> Response:
        """Played to the agent before the caller is connected: what was captured so far."""
        answer = VoiceResponse()
        answer.say(summary(request.args.get("call", "")), language="en-US")
        return Response(str(answer), mimetype="text/xml")

    @bp.post("/status")
    def status() -> Response:
        call_status = request.form.get("CallStatus", "")
        if call_status in ENDED:
            handle(inbound(f"status:{call_status}", HungUp()))
        return Response(status=204)

    return bp


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
