"""Voice rendering: every reply the engine can produce becomes TwiML Twilio accepts."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

import conversation as conv
import conversation.engine
from conversation import Ask, End, Ended, Reason, Reply, Say, Transfer
from intake.config import load_config
from ivr.lint import twiml_problems
from ivr.twiml import clean_hints, render, spoken_digits
from ivr.whisper import whisper_text

WORDING = load_config().wording("voice")
MENU = load_config().menu


def voice(reply: Reply, hints: dict[str, list[str]] | None = None) -> str:
    return render(reply, WORDING, answer_url="/voice/answer?turn=3",
                  silence_url="/voice/silence?turn=3", agent_number="+15555550100",
                  hints=hints)


STREET = conv.Place("Main St", 1, 2, 0.8, "street", "Main St", "Main Street", 9999, (1, 480))
LONG = conv.Place("1234 Massachusetts Ave", 1, 2, 0.9, "address", "Massachusetts Ave",
                  "1234 Massachusetts Avenue")
TRIO = (LONG, conv.Place("1234 Massachusetts Ave Ext", 1, 2, 0.9, "address",
                         "Massachusetts Ave Ext", "1234 Massachusetts Avenue Extension"),
        conv.Place("Martin Luther King Jr Blvd & Massachusetts Ave", 1, 2, 0.9, "intersection",
                   "Martin Luther King Jr Blvd",
                   "Martin Luther King Junior Boulevard & Massachusetts Avenue"))


def every_question() -> list[Ask]:
    """The question of every asking step, first try and retry, with long real-looking values."""
    state = conv.State("voice", menu=MENU, category="STREETLIGHT", place=LONG, candidates=TRIO,
                       heard=("twelve thirty four mass av near the big church",),
                       resume_at="address")
    asks = []
    for step in conv.engine.ASKING:
        for attempts in (0, 1, 2):
            at = conv.State(**{**state.__dict__, "step": step, "attempts": attempts})
            if step is conv.Step.QUESTION:
                continue
            if step is conv.Step.HOUSE_NUMBER:
                asks.append(conv.question(conv.State(**{**at.__dict__, "place": STREET})))
            asks.append(conv.question(at))
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


def test_transfer_dials_the_agent_line_with_a_whisper_and_comes_back() -> None:
    body = render(Reply("en", 3, (Say("transfer"), Transfer(Reason.ASKED))), WORDING,
                  answer_url="/a", silence_url="/s", agent_number="+15555550100",
                  whisper_url="/voice/whisper?call=CA1", dial_url="/voice/dial?turn=3")
    root = ElementTree.fromstring(body)
    assert [v.tag for v in root] == ["Say", "Dial"] and twiml_problems(body) == []
    dial = root.find("Dial")
    assert dial.get("action") == "/voice/dial?turn=3" and int(dial.get("timeout")) > 10
    number = root.find("Dial/Number")
    assert number.text == "+15555550100" and number.get("url") == "/voice/whisper?call=CA1"


def test_every_question_lets_the_caller_answer_before_the_prompt_ends() -> None:
    for ask in every_question():
        body = voice(Reply("en", 3, (Say("not_understood"), ask)))
        root = ElementTree.fromstring(body)
        gather = root.find("Gather")
        assert gather.get("bargeIn") == "true"
        assert [v.tag for v in root] == ["Gather", "Redirect"], "every word inside the Gather"


WORDS_PER_SECOND = 150 / 60  # a normal speaking rate: 150 words a minute


def seconds(text: str) -> float:
    """How long a voice takes to say `text` at a normal rate (digits are said one by one)."""
    words = text.replace("-", " ").split()
    return len(words) / WORDS_PER_SECOND


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_voice_prompt_takes_at_most_twelve_seconds(lang: str) -> None:
    said: dict[str, float] = {}
    for ask in every_question():
        body = voice(Reply(lang, 3, (ask,)))
        for say in ElementTree.fromstring(body).iter("Say"):
            said[f"{ask.prompt}.{ask.attempt}"] = seconds(say.text or "")
    params = {"reference": "1234567", "heard": "x", "problem": "broken streetlight"}
    for key, (channels, _) in conv.PROMPTS.items():
        if "voice" in channels:
            body = voice(Reply(lang, 3, (Say(key, params), End(Ended.FILED))))
            for say in ElementTree.fromstring(body).iter("Say"):
                said[key] = seconds(say.text or "")
    too_long = {k: round(v, 1) for k, v in said.items() if v > 12}
    assert not too_long, too_long
    assert len(said) > 40


def test_the_choices_are_said_the_way_the_read_back_says_them() -> None:
    ask = conv.question(conv.State("voice", menu=MENU, step=conv.Step.CHOOSE_ADDRESS,
                                   candidates=TRIO))
    text = " ".join(s.text or "" for s in ElementTree.fromstring(
        voice(Reply("en", 3, (ask,)))).iter("Say"))
    assert "1 for twelve thirty-four Massachusetts Avenue," in text
    assert "2 for twelve thirty-four Massachusetts Avenue Extension," in text
    assert "1234" not in text


@pytest.mark.parametrize(
    ("spoken", "lang", "said"),
    [("123 Massachusetts Avenue", "en", "one twenty-three Massachusetts Avenue"),
     ("1205 Main Street", "en", "twelve oh five Main Street"),
     ("1205 Main Street", "es", "1205 Main Street"),
     ("Main Street & Elm Street", "es", "Main Street y Elm Street")],
)
def test_read_back_says_the_address_naturally(spoken: str, lang: str, said: str) -> None:
    ask = Ask("confirm_report", "yesno", {"problem": "pothole", "address": "X"},
              say_as={"X": spoken})
    assert said in voice(Reply(lang, 3, (ask,)))


def test_a_reply_without_a_question_hangs_up() -> None:
    body = voice(Reply("en", 3, (Say("goodbye"), End(Ended.FILED))))
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


@pytest.mark.parametrize(("street", "said"), [
    ("Broad Canal Wy", "Broad Canal Way"), ("Elm St N", "Elm Street North"),
    ("St Paul St", "Saint Paul Street"), ("Mt Auburn St", "Mount Auburn Street"),
    ("N Main St", "North Main Street"), ("Martin Luther King Jr Blvd",
                                         "Martin Luther King Junior Boulevard"),
    ("Harvard Sq", "Harvard Square"), ("Walden St", "Walden Street"),
])
def test_street_names_are_read_out_in_full(street: str, said: str) -> None:
    """The voice never reads an abbreviation: a caller would not recognise "Wy" or "St Paul"."""
    from geocode import spoken_name

    assert spoken_name(street) == said


@pytest.mark.parametrize(("main", "expected"), [
    ("en", "A 311 caller, speaking Spanish. Report: broken streetlight. Location: twelve "
           "thirty-four Massachusetts Avenue. Description: flickering"),
    ("es", "Una llamada al 3 1 1. Reporte: luz de calle rota. Lugar: 1234 Massachusetts "
           "Avenue. Descripción: flickering"),
])
def test_the_whisper_tells_the_agent_what_was_captured_in_the_citys_main_language(
        main: str, expected: str) -> None:
    languages = (main, "es" if main == "en" else "en")
    state = conv.State("voice", lang="es", languages=languages, menu=MENU,
                       category="STREETLIGHT", place=LONG, description="flickering")
    assert whisper_text(state, WORDING) == expected
    nothing = conv.State("voice", lang="en", languages=languages)
    assert whisper_text(nothing, WORDING).endswith(
        "Nothing was captured yet." if main == "en" else "Todavía no se tomó ningún dato.")
