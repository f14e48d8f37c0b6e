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

from conversation import HungUp, Inbound, Reply, Said, Say, Silence, State, TransferEnded, Wording

from .twiml import LANGUAGES, render
from .whisper import whisper_text

ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
log = logging.getLogger(__name__)
Handle = Callable[[Inbound], Reply]


def create_blueprint(
    handle: Handle,
    wording: Wording,
    *,
    agent_number: str | None | Callable[[], str | None],
    hints: Callable[[], dict[str, Sequence[str]]] = dict,
    conversation: Callable[[str], State | None] = lambda call: None,
    languages: Callable[[], Sequence[str]] = lambda: ("en", "es"),
) -> Blueprint:
    """The voice webhooks; `conversation` is a call's state as stored (None: none yet),
    `languages` the city's, its main one first."""
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
        for lang in caller_languages(request.form.get("CallSid", "")):
            if text := wording.text(lang, Say("trouble")):
                answer.say(text, language=LANGUAGES.get(lang, "en-US"))
        if number := agent():
            answer.dial(number)
        answer.hangup()
        return Response(str(answer), mimetype="text/xml")

    @bp.post("/whisper")
    def whisper() -> Response:
        """Played to the agent before the caller is connected: what was captured so far."""
        state = conversation(request.args.get("call", ""))
        if state is None:  # nothing stored of the call: its wording in the city's language
            state = State("voice", lang=languages()[0], languages=tuple(languages()))
        answer = VoiceResponse()
        answer.say(whisper_text(state, wording), language=LANGUAGES.get(state.languages[0],
                                                                          "en-US"))
        return Response(str(answer), mimetype="text/xml")

    def caller_languages(call: str) -> Sequence[str]:
        """The caller's language if the call got that far, else every one the city offers."""
        try:
            state = conversation(call) if call else None
        except Exception:  # noqa: BLE001 - the storage that failed may fail again
            log.warning("the language of call %s is unknown; apologising in all", call[-6:])
            state = None
        return (state.lang,) if state is not None else languages()

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
