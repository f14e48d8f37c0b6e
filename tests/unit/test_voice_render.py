"""Voice rendering: every reply the engine can produce becomes TwiML Twilio accepts."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

import conversation as conv
from conversation import Ask, End, Reply, Say, Transfer
from intake.config import load_config
from ivr.lint import twiml_problems
from ivr.twiml import clean_hints, render, spoken_digits

WORDING = load_config().wording("voice")
MENU = load_config().menu


def voice(reply: Reply, hints: dict[str, list[str]] | None = None) -> str:
    return render(reply, WORDING, answer_url="/voice/answer?turn=3",
                  silence_url="/voice/silence?turn=3", agent_number="+15555550100",
                  hints=hints)


def every_question() -> list[Ask]:
    """The question of every asking step, in both languages, first try and retry."""
    state = conv.State("voice", menu=MENU, category="POTHOLE",
                       place=conv.Place("123 Main St", 1, 2),
                       candidates=(conv.Place("123 Main St", 1, 2),
                                   conv.Place("123 Mill St", 1, 2)))
    asks = []
    for step in (conv.Step.LANGUAGE, conv.Step.CATEGORY, conv.Step.ADDRESS,
                 conv.Step.CONFIRM_ADDRESS, conv.Step.CHOOSE_ADDRESS, conv.Step.DESCRIPTION,
                 conv.Step.OFFER_TEXTS):
        for attempts in (0, 2):
            asks.append(conv.question(conv.State(**{**state.__dict__, "step": step,
                                                    "attempts": attempts})))
    return asks


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("ask", every_question(), ids=lambda a: f"{a.prompt}-{a.attempt}")
def test_every_question_renders_valid_twiml(ask: Ask, lang: str) -> None:
    body = voice(Reply(lang, 3, (Say("not_understood"), ask)),
                 hints={"address": ["Main St", "Elm St"], "menu": ["pothole"]})
    assert twiml_problems(body) == []
    gather = ElementTree.fromstring(body).find("Gather")
    assert gather is not None and gather.get("language") == {"en": "en-US", "es": "es-US"}[lang]
    assert "{" not in body, "a placeholder was left unfilled"


def test_address_question_carries_street_hints_and_keypad_end() -> None:
    body = voice(Reply("en", 3, (Ask("address", "address"),)),
                 hints={"address": ["Main St", "Elm St"]})
    gather = ElementTree.fromstring(body).find("Gather")
    assert gather.get("hints") == "Main St,Elm St" and gather.get("finishOnKey") == "#"


def test_reference_is_read_digit_by_digit() -> None:
    body = voice(Reply("en", 3, (Say("filed", {"reference": "4017"}), Ask("offer_texts", "yesno"))))
    assert "4, 0, 1, 7" in body and twiml_problems(body) == []


def test_transfer_dials_the_agent_line_with_a_whisper() -> None:
    body = render(Reply("en", 3, (Say("transfer"), Transfer("asked"), End("transfer"))), WORDING,
                  answer_url="/a", silence_url="/s", agent_number="+15555550100",
                  whisper_url="/voice/whisper?call=CA1")
    root = ElementTree.fromstring(body)
    assert [v.tag for v in root] == ["Say", "Dial", "Hangup"]
    number = root.find("Dial/Number")
    assert number.text == "+15555550100" and number.get("url") == "/voice/whisper?call=CA1"


@pytest.mark.parametrize(
    ("spoken", "lang", "said"),
    [("123 Massachusetts Avenue", "en", "one twenty-three Massachusetts Avenue"),
     ("1205 Main Street", "en", "twelve oh five Main Street"),
     ("1205 Main Street", "es", "1205 Main Street"),
     ("Main Street & Elm Street", "es", "Main Street y Elm Street")],
)
def test_read_back_says_the_address_naturally(spoken: str, lang: str, said: str) -> None:
    ask = Ask("confirm_address", "yesno", {"address": "X"}, say_as={"X": spoken})
    assert said in voice(Reply(lang, 3, (ask,)))


def test_a_reply_without_a_question_hangs_up() -> None:
    body = voice(Reply("en", 3, (Say("goodbye"), End("filed"))))
    assert [v.tag for v in ElementTree.fromstring(body)] == ["Say", "Hangup"]


def test_hints_stay_within_twilio_limits() -> None:
    many = [f"Street number {i}, with a comma" for i in range(800)] + ["x" * 300]
    entries = clean_hints(many).split(",")
    assert len(entries) == 500 and all(len(e) <= 100 for e in entries)


def test_spoken_digits() -> None:
    assert spoken_digits("1205") == "1, 2, 0, 5"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('<Response><Gather input="dtmf speech"><Say>x</Say></Gather><Redirect>/a</Redirect>'
         "</Response>", "Gather without action"),
        ('<Response><Gather action="/a" input="[\'dtmf\']"/><Redirect>/a</Redirect></Response>',
         "Gather input"),
        ('<Response><Gather action="/a" input="dtmf"><Dial>1</Dial></Gather><Hangup/></Response>',
         "<Dial> inside Gather"),
        ('<Response><Gather action="/a" input="dtmf"/></Response>', "not Redirect or Hangup"),
        ('<Response><Gather action="/a" input="speech" speechModel="phone_call" '
         'speechTimeout="auto"/><Hangup/></Response>', "speechTimeout"),
    ],
)
def test_the_checker_catches_broken_twiml(body: str, problem: str) -> None:
    assert any(problem in p for p in twiml_problems(body))
