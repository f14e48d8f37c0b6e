"""Actions to TwiML with the `twilio` builder: speech settings per kind of question.

Rules Twilio imposes (see shared TWILIO.md): only Say/Play/Pause inside Gather; every Gather
has an action and is followed by a Redirect (it falls through on no input); `input` is a
string; a speechModel wants a whole-number speechTimeout; hints at most 500 x 100 chars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from conversation import Ask, Reply, Say, Transfer, Wording

from .speech import say_address

LANGUAGES = {"en": "en-US", "es": "es-US"}
DIAL_TIMEOUT = 25  # seconds the agent line rings before the caller comes back to us
MAX_HINTS = 500
MAX_HINT_CHARS = 100


@dataclass(frozen=True)
class GatherSettings:
    speech_model: str
    speech_timeout: str
    timeout: int
    num_digits: int | None = None
    finish_on_key: str | None = None


SETTINGS = {
    # the opening question: a sentence ("a pothole at 123 Main Street"), or one key (2, 0)
    "open": GatherSettings("phone_call", "2", 6, num_digits=1),
    # short answers: one keypad digit, or a word or two
    "language": GatherSettings("numbers_and_commands", "2", 6, num_digits=1),
    "menu": GatherSettings("numbers_and_commands", "2", 6, num_digits=1),
    "yesno": GatherSettings("numbers_and_commands", "2", 6, num_digits=1),
    "choice": GatherSettings("numbers_and_commands", "2", 6, num_digits=1),
    "number": GatherSettings("numbers_and_commands", "2", 8, finish_on_key="#"),
    # free speech: the address (keypad digits end with #) and the description
    "address": GatherSettings("phone_call", "3", 8, finish_on_key="#"),
    "free": GatherSettings("phone_call", "3", 8, num_digits=1),
}


def spoken_digits(reference: str) -> str:
    """'4017' -> '4, 0, 1, 7' so a voice reads a reference digit by digit."""
    return ", ".join(reference)


def clean_hints(words: Sequence[str]) -> str:
    """Comma-separated hints within Twilio's limits (no commas inside an entry, no repeats)."""
    seen: dict[str, None] = {}
    for word in words:
        entry = " ".join(word.replace(",", " ").split())[:MAX_HINT_CHARS]
        if entry:
            seen.setdefault(entry, None)
    return ",".join(list(seen)[:MAX_HINTS])


def render(
    reply: Reply,
    wording: Wording,
    *,
    answer_url: str,
    silence_url: str,
    agent_number: str | None,
    hints: dict[str, Sequence[str]] | None = None,
    whisper_url: str | None = None,
    dial_url: str | None = None,
) -> str:
    """TwiML for one reply: statements, then the question as a Gather, or a transfer/hang-up.

    Every statement before a question is inside its Gather, so a caller can answer (speak or
    press a key) without waiting for the end: barge-in. A transfer's Dial comes back to
    `dial_url` when the agent line does not answer.
    """
    response = VoiceResponse()
    language = LANGUAGES.get(reply.lang, "en-US")
    pending: list[tuple[str, str]] = []  # (text, the voice's language)
    asked = False

    def flush_into(target: VoiceResponse | Gather) -> None:
        for text, voice in pending:
            target.say(text, language=voice)
        pending.clear()

    for action in reply.actions:
        if isinstance(action, Say):
            extra = {}
            if "reference" in action.params:
                extra["reference"] = spoken_digits(action.params["reference"])
            lang = action.lang or reply.lang
            text = wording.text(lang, action, **extra)
            if text:
                pending.append((text, LANGUAGES.get(lang, language)))
        elif isinstance(action, Ask):
            pending.append((_spoken_question(action, wording, reply.lang), language))
            gather = _gather(action, language, answer_url, (hints or {}).get(action.expect, ()))
            flush_into(gather)
            response.append(gather)
            response.redirect(silence_url, method="POST")
            asked = True
        elif isinstance(action, Transfer):
            flush_into(response)
            if agent_number:
                back = {"action": dial_url, "method": "POST"} if dial_url else {}
                dial = Dial(timeout=DIAL_TIMEOUT, **back)
                whisper = {"url": whisper_url} if whisper_url else {}
                dial.number(agent_number, **whisper)
                response.append(dial)
                asked = asked or bool(dial_url)  # Twilio asks dial_url what comes next
    flush_into(response)
    if not asked:
        response.hangup()
    return str(response)


def _spoken_question(action: Ask, wording: Wording, lang: str) -> str:
    """The question's words, with each address said the way a person says it."""
    spoken = {label: say_address(say, lang) for label, say in action.say_as.items()}
    if action.options and spoken:
        options = tuple((d, spoken.get(label, label)) for d, label in action.options)
        action = replace(action, options=options)
    if "address" in action.params and action.params["address"] in spoken:
        action = replace(action, params={**action.params,
                                         "address": spoken[action.params["address"]]})
    if "street" in action.params and action.params["street"] in spoken:
        action = replace(action, params={**action.params,
                                         "street": spoken[action.params["street"]]})
    return wording.text(lang, action)


def _gather(ask: Ask, language: str, action_url: str, hints: Sequence[str]) -> Gather:
    s = SETTINGS[ask.expect]
    attrs: dict[str, object] = {
        "input": "dtmf speech",
        "action": action_url,
        "method": "POST",
        "language": language,
        "speech_model": s.speech_model,
        "speech_timeout": s.speech_timeout,
        "timeout": s.timeout,
        "barge_in": True,
    }
    if s.num_digits is not None:
        attrs["num_digits"] = s.num_digits
    if s.finish_on_key is not None:
        attrs["finish_on_key"] = s.finish_on_key
    hint_text = clean_hints(hints)
    if hint_text:
        attrs["hints"] = hint_text
    return Gather(**attrs)
