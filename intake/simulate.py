"""`intake simulate sms|call`: a terminal conversation, as a resident would have it.

Voice: type digits (e.g. `1`, `123#`) for the keypad, any other line for speech, an empty
line for silence, `/hangup` to hang up. SMS: every line is a text message.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator

from .webhook_client import Twiml, WebhookSender

ACCOUNT = "AC" + "0" * 32
Ask = Callable[[], str | None]
Show = Callable[[str], None]


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def voice_form(
    call_sid: str, caller: str, city: str, status: str = "in-progress"
) -> dict[str, str]:
    """The fields Twilio posts with every voice webhook (see shared TWILIO.md)."""
    return {
        "CallSid": call_sid, "AccountSid": ACCOUNT, "From": caller, "To": city,
        "Caller": caller, "Called": city, "CallStatus": status, "Direction": "inbound",
        "ApiVersion": "2010-04-01", "FromCountry": "US", "ToCountry": "US",
    }


def sms_form(sender: str, city: str, body: str) -> dict[str, str]:
    sid = new_sid("SM")
    return {
        "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT,
        "From": sender, "To": city, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "ApiVersion": "2010-04-01", "FromCountry": "US", "ToCountry": "US",
    }


def simulate_call(sender: WebhookSender, ask: Ask, show: Show, caller: str, city: str) -> Twiml:
    """Run one call until it hangs up or transfers; returns the last TwiML."""
    call = new_sid("CA")
    twiml = sender.post("/voice", voice_form(call, caller, city, "ringing"))
    while True:
        for line in twiml.says:
            show(f"  [{'agent line' if twiml.dial else 'IVR'}] {line}")
        if twiml.status != 200:
            show(f"  [server answered HTTP {twiml.status}] {twiml.body.strip()}")
            return twiml
        if twiml.dial:
            show(f"  [transferring the call to {twiml.dial}]")
            return twiml
        gather = twiml.gather
        if gather is None:
            show("  [the IVR hung up]")
            return twiml
        answer = ask()
        form = voice_form(call, caller, city)
        if answer is None or answer.strip() == "/hangup":
            sender.post("/voice/status", {**form, "CallStatus": "completed", "CallDuration": "42"})
            show("  [you hung up]")
            return twiml
        line = answer.strip()
        if not line:
            twiml = sender.post(twiml.redirect or "/voice/silence", form)
        elif re.fullmatch(r"[0-9*#]+", line):
            digits = line.removesuffix(gather.get("finishOnKey", "#"))
            twiml = sender.post(gather["action"], {**form, "Digits": digits})
        else:
            twiml = sender.post(gather["action"],
                                {**form, "SpeechResult": line, "Confidence": "0.9"})


def simulate_sms(sender: WebhookSender, ask: Ask, show: Show, phone: str, city: str) -> None:
    """Send each typed line as a text and show the reply, until end of input."""
    while (line := ask()) is not None:
        twiml = sender.post("/sms", sms_form(phone, city, line))
        if twiml.status != 200:
            show(f"  [server answered HTTP {twiml.status}] {twiml.body.strip()}")
        for message in twiml.messages:
            for part in message.splitlines():
                show(f"  [311] {part}")


def lines(stream: Iterator[str], prompt: Callable[[str], None]) -> Ask:
    def ask() -> str | None:
        prompt("> ")
        try:
            return next(stream).rstrip("\n")
        except StopIteration:
            return None

    return ask
