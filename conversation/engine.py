"""`step(state, event) -> (state, actions)`: the one conversation shared by voice and SMS.

Pure: no I/O, no clock, no randomness. The transition table maps (step, event type) to a
handler; any other pair raises `IllegalEvent` naming both. Three failures at a step end in a
transfer (when an agent line exists) or a polite close, never a loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import words
from .model import (
    Action,
    AddressResolved,
    Ask,
    Category,
    Channel,
    ContinueByText,
    End,
    Event,
    Expect,
    FileRequest,
    HungUp,
    IllegalEvent,
    Place,
    Question,
    RequestFiled,
    ResolveAddress,
    Said,
    Say,
    Silence,
    Started,
    State,
    Step,
    Transfer,
)

MAX_TRIES = 3  # the default; staff may configure another ([conversation] tries)
MAX_CHOICES = 3
STREET_MARGIN = 0.15  # score lead that makes a street-only match clear enough to ask the number
Result = tuple[State, list[Action]]
Handler = Callable[[State, Any], Result]


def start(event: Started) -> Result:
    """A new conversation: greet, then take the first text as an answer if it is one."""
    state = State(channel=event.channel, menu=event.menu, agent=event.agent,
                  max_tries=max(1, event.max_tries))
    greeting: list[Action] = [Say("greeting")]
    text = event.text.strip()
    if text and (words.language_of(text) or words.category_for(text, state.menu)):
        state, actions = _on_language(state, Said(text))
        return state, greeting + actions
    return state, greeting + [question(state)]


def step(state: State, event: Event) -> Result:
    """Advance the conversation by one event."""
    if isinstance(event, Started):
        if state.step is not Step.DONE:
            raise IllegalEvent(event, state.step)
        return start(event)
    if isinstance(event, HungUp):
        return _hung_up(state)
    if isinstance(event, Said) and state.step in ASKING:
        command = _global_command(state, event)
        if command is not None:
            return command
    handler = TABLE.get((state.step, type(event)))
    if handler is None:
        raise IllegalEvent(event, state.step)
    return handler(state, event)


def resume(state: State, channel: Channel, at: Step) -> Result:
    """The conversation moves to another channel at the step it stopped: ask that again."""
    moved = replace(state, channel=channel, step=_STOPPED_AT.get(at, at), attempts=0,
                    ended=None)
    return moved, [question(moved)]


def question(state: State) -> Ask:
    """The question for the current step (the retry wording from the second failure on)."""
    attempt = state.attempts
    if state.step is Step.LANGUAGE:
        return Ask("language", "language", attempt=attempt)
    if state.step is Step.CATEGORY:
        options = tuple((c.digit, c.name(state.lang)) for c in state.menu if c.digit)
        return Ask("category", "menu", options=options, attempt=attempt)
    if state.step is Step.QUESTION:
        q = _current_question(state)
        options = tuple((str(i + 1), c.names.get(state.lang) or c.names.get("en") or c.key)
                        for i, c in enumerate(q.choices))
        expect: Expect = {"choice": "choice", "number": "number"}.get(q.kind, "free")  # type: ignore[assignment]
        return Ask("attribute", expect, {"question": q.prompt(state.lang)}, options=options,
                   attempt=attempt)
    if state.step is Step.ADDRESS:
        return Ask("address", "address", attempt=max(attempt, state.address_tries))
    if state.step is Step.CROSS_STREET:
        return Ask("cross_street", "address", attempt=attempt)
    if state.step is Step.HOUSE_NUMBER:
        assert state.place is not None
        return Ask("house_number", "number", {"street": state.place.label}, attempt=attempt,
                   say_as=_say_as((state.place,)))
    if state.step is Step.ADDRESS_FALLBACK:
        prompt = "address_fallback_agent" if state.agent else "address_fallback"
        return Ask(prompt, "yesno", {"heard": state.heard[0] if state.heard else ""},
                   attempt=attempt)
    if state.step is Step.CONFIRM_ADDRESS:
        assert state.place is not None
        prompt = "confirm_street" if state.place.kind == "street" else "confirm_address"
        return Ask(prompt, "yesno", {"address": state.place.label}, attempt=attempt,
                   say_as=_say_as((state.place,)))
    if state.step is Step.CHOOSE_ADDRESS:
        options = tuple((str(i + 1), p.label) for i, p in enumerate(state.candidates))
        return Ask("choose_address", "choice", options=options, attempt=attempt,
                   say_as=_say_as(state.candidates))
    if state.step is Step.DESCRIPTION:
        return Ask("description", "free", attempt=attempt)
    if state.step is Step.OFFER_TEXTS:
        return Ask("offer_texts", "yesno", attempt=attempt)
    raise IllegalEvent(Said(""), state.step)


# ---- helpers ---------------------------------------------------------------------------


def _advance(state: State, to: Step, **changes: Any) -> Result:
    new = replace(state, step=to, attempts=0, **changes)
    return new, [question(new)]


def _failed(state: State, prompt: str = "not_understood") -> Result:
    """One more failure at this step: apologise and re-ask, or give up on the third."""
    tries = state.attempts + 1
    if tries >= state.max_tries:
        return _give_up(state)
    new = replace(state, attempts=tries)
    return new, [Say(prompt), question(new)]


def _say_as(places: tuple[Place, ...]) -> dict[str, str]:
    return {p.label: p.spoken for p in places if p.spoken and p.spoken != p.label}


def _give_up(state: State) -> Result:
    if state.agent:
        return _transfer(state, "repeated_failures")
    done = replace(state, step=Step.DONE, ended="gave_up")
    return done, [Say("gave_up"), End("gave_up")]


def _transfer(state: State, reason: str) -> Result:
    done = replace(state, step=Step.DONE, ended="transfer")
    return done, [Say("transfer"), Transfer(reason), End("transfer")]


def _global_command(state: State, event: Said) -> Result | None:
    text = event.text.strip()
    if (event.via == "dtmf" and text == "0") or words.is_one_of(text, words.AGENT):
        if not state.agent:  # no agent line, or outside its hours: say when, then go on
            return state, [Say("agent_closed"), question(state)]
        return _transfer(state, "asked")
    if text == "*" or words.is_one_of(text, words.START_OVER):
        fresh = State(channel=state.channel, menu=state.menu, agent=state.agent, lang=state.lang,
                      max_tries=state.max_tries)
        new = replace(fresh, step=Step.CATEGORY)
        return new, [Say("start_over"), question(new)]
    if state.step is not Step.DESCRIPTION and words.is_one_of(text, words.HELP):
        return state, [Say("help"), question(state)]
    return None


# ---- handlers, one per (step, event) ------------------------------------------------------


def _hung_up(state: State) -> Result:
    """Keep what was captured; a call cut off mid-report may go on by text."""
    done = replace(state, step=Step.DONE, ended=state.ended or "hangup")
    midway = state.channel == "voice" and state.step in ASKING + (Step.RESOLVING,) and \
        state.step not in (Step.LANGUAGE, Step.OFFER_TEXTS)
    return done, [ContinueByText(state.step)] if midway else []


_STOPPED_AT = {Step.RESOLVING: Step.ADDRESS}


def _on_language(state: State, event: Said) -> Result:
    lang = {"1": "en", "2": "es"}.get(event.text.strip()) or (
        words.language_of(event.text) if event.via != "dtmf" else None)
    if lang is not None:
        return _advance(state, Step.CATEGORY, lang=lang)
    category = words.category_for(event.text, state.menu) if event.via != "dtmf" else None
    if category is not None:
        return _chosen(state, category)
    return _failed(state)


def _on_category(state: State, event: Said) -> Result:
    lang = words.language_of(event.text) if event.via != "dtmf" else None
    if lang is not None and lang != state.lang:
        return _advance(state, Step.CATEGORY, lang=lang)
    category = words.category_for(event.text, state.menu)
    if category is None:
        return _failed(state)
    return _chosen(state, category)


def _chosen(state: State, category: Category) -> Result:
    """A category is known: its required questions come next, then the address."""
    to = Step.QUESTION if category.questions else Step.ADDRESS
    return _advance(state, to, category=category.code, answers=())


def _current_question(state: State) -> Question:
    category = next(c for c in state.menu if c.code == state.category)
    return category.questions[len(state.answers)]


def _on_question(state: State, event: Said) -> Result:
    q = _current_question(state)
    value = _answer(q, event)
    if value is None:
        return _failed(state)
    answers = (*state.answers, (q.code, value))
    category = next(c for c in state.menu if c.code == state.category)
    to = Step.QUESTION if len(answers) < len(category.questions) else Step.ADDRESS
    return _advance(state, to, answers=answers)


def _answer(q: Question, event: Said) -> str | None:
    text = event.text.strip()
    if q.kind == "choice":
        index = words.choice_index(text, len(q.choices))
        if index is not None:
            return q.choices[index].key
        folded = words.fold(text)
        for choice in q.choices:
            if folded in {words.fold(n) for n in (choice.key, *choice.names.values())}:
                return choice.key
        yes_no = words.yes_or_no(text) if event.via != "dtmf" else None
        if yes_no is not None:  # "yes"/"no" to a Yes/No list named otherwise ("Y", "N")
            for choice in q.choices:
                if words.yes_or_no(choice.names.get("en", choice.key)) is yes_no:
                    return choice.key
        return None
    if q.kind == "number":
        return words.number_in(text)
    return text[:500] or None


def _on_address(state: State, event: Said) -> Result:
    text = event.text.strip()
    if not text:
        return _failed(state)
    letters = state.step is Step.CROSS_STREET and event.via == "dtmf"
    heard = state.heard if letters else (*state.heard, text[:200])
    resolving = replace(state, step=Step.RESOLVING, asked=state.step.value, heard=heard,
                        address_text=state.address_text if letters else text)
    return resolving, [ResolveAddress(text, event.via, letters, state.lang)]


def _on_address_fallback(state: State, event: Said) -> Result:
    answer = _yes_no(event)
    if answer is True:
        return _advance(state, Step.DESCRIPTION, review=True, place=None)
    if answer is False:
        done = replace(state, step=Step.DONE, ended="gave_up")
        return done, [Say("gave_up"), End("gave_up")]
    return _failed(state)


def _on_house_number(state: State, event: Said) -> Result:
    """The street is known; the keypad (or speech) gives the number, or none is known."""
    assert state.place is not None
    number = words.number_in(event.text)
    if number is not None:
        text = f"{number} {state.place.street or state.place.label}"
        resolving = replace(state, step=Step.RESOLVING, asked=state.step.value,
                            number_asked=True, address_text=text)
        return resolving, [ResolveAddress(text, event.via, lang=state.lang)]
    if event.via == "dtmf" or words.is_one_of(event.text, words.SKIP | words.DONT_KNOW):
        return _advance(state, Step.CONFIRM_ADDRESS, number_asked=True)
    return _failed(state)


def _on_resolved(state: State, event: AddressResolved) -> Result:
    found = event.candidates[:MAX_CHOICES]
    if event.status in ("certain", "confirm") and found:
        if event.status == "certain" or len(found) == 1 or _clear_street(found):
            return _place_found(state, found[0], found)
        return _advance(state, Step.CHOOSE_ADDRESS, candidates=found)
    reason = "address_out_of_city" if event.status == "out_of_city" else "address_not_found"
    return _address_failed(state, reason)


def _clear_street(found: tuple[Place, ...]) -> bool:
    """The street is plainly the top match; only its house number is in doubt."""
    return found[0].kind == "street" and found[0].score - found[1].score >= STREET_MARGIN


def _place_found(state: State, place: Place, found: tuple[Place, ...] = ()) -> Result:
    """A street without a house number: ask for the number once; otherwise read it back."""
    if place.kind == "street" and not state.number_asked:
        return _advance(state, Step.HOUSE_NUMBER, place=place, candidates=found)
    return _advance(state, Step.CONFIRM_ADDRESS, place=place, candidates=found)


def _address_failed(state: State, prompt: str) -> Result:
    """Not found: first ask for a cross street (or keypad letters), then the address again."""
    tries = state.address_tries + 1
    if tries >= state.max_tries:
        if not state.heard:
            return _give_up(state)
        # offer to file with the address as given (and a person, when one is there)
        offer = replace(state, step=Step.ADDRESS_FALLBACK, attempts=0, address_tries=tries,
                        place=None, candidates=())
        return offer, [Say(prompt), question(offer)]
    first_miss = tries == 1 and prompt == "address_not_found" and state.asked == Step.ADDRESS
    to = Step.CROSS_STREET if first_miss else Step.ADDRESS
    new = replace(state, step=to, attempts=0, address_tries=tries, place=None, candidates=(),
                  number_asked=False)
    return new, [Say(prompt), question(new)]


def _on_confirm(state: State, event: Said) -> Result:
    answer = _yes_no(event)
    if answer is True:
        return _advance(state, Step.DESCRIPTION)
    if answer is False:
        return _address_failed(state, "address_again")
    return _failed(state)


def _on_choose(state: State, event: Said) -> Result:
    index = words.choice_index(event.text, len(state.candidates))
    if index is not None:
        chosen = state.candidates[index]
        if chosen.kind == "street" and not state.number_asked:
            return _advance(state, Step.HOUSE_NUMBER, place=chosen)
        return _advance(state, Step.DESCRIPTION, place=chosen)
    if event.text.strip() == "9" or words.is_one_of(event.text, words.NONE_OF_THESE):
        return _address_failed(state, "address_again")
    return _failed(state)


def _on_description(state: State, event: Said) -> Result:
    text = event.text.strip()
    skipped = event.via == "dtmf" or not text or words.is_one_of(text, words.SKIP)
    return _file(replace(state, description=None if skipped else text[:4000]))


def _file(state: State) -> Result:
    assert state.category is not None and (state.place is not None or state.review)
    said = " / ".join(state.heard) if state.review else state.address_text or ""
    filing = replace(state, step=Step.FILING, attempts=0)
    return filing, [FileRequest(state.category, None if state.review else state.place, said,
                                state.description, state.lang, state.answers)]


def _on_filed(state: State, event: RequestFiled) -> Result:
    filed = replace(state, reference=event.reference)
    said: list[Action] = [Say("filed", {"reference": event.reference})]
    if state.channel == "voice":
        new = replace(filed, step=Step.OFFER_TEXTS, attempts=0)
        return new, [*said, question(new)]
    done = replace(filed, step=Step.DONE, ended="filed", wants_texts=True)
    return done, [*said, Say("updates_by_text"), End("filed")]


def _on_offer_texts(state: State, event: Said) -> Result:
    answer = _yes_no(event)
    if answer is None and state.attempts + 1 < state.max_tries:
        return _failed(state)
    wants = answer is True
    done = replace(state, step=Step.DONE, ended="filed", wants_texts=wants)
    return done, [Say("texts_yes" if wants else "goodbye"), End("filed")]


def _on_silence(state: State, event: Silence) -> Result:
    if state.step is Step.DESCRIPTION:
        return _file(replace(state, description=None))
    if state.step is Step.OFFER_TEXTS:
        done = replace(state, step=Step.DONE, ended="filed")
        return done, [Say("goodbye"), End("filed")]
    return _failed(state, "no_input")


def _yes_no(event: Said) -> bool | None:
    return words.yes_or_no(event.text)


ASKING = (Step.LANGUAGE, Step.CATEGORY, Step.QUESTION, Step.ADDRESS, Step.CROSS_STREET,
          Step.HOUSE_NUMBER, Step.ADDRESS_FALLBACK, Step.CONFIRM_ADDRESS,
          Step.CHOOSE_ADDRESS, Step.DESCRIPTION, Step.OFFER_TEXTS)

TABLE: dict[tuple[Step, type], Handler] = {
    (Step.LANGUAGE, Said): _on_language,
    (Step.CATEGORY, Said): _on_category,
    (Step.QUESTION, Said): _on_question,
    (Step.ADDRESS, Said): _on_address,
    (Step.CROSS_STREET, Said): _on_address,
    (Step.HOUSE_NUMBER, Said): _on_house_number,
    (Step.ADDRESS_FALLBACK, Said): _on_address_fallback,
    (Step.RESOLVING, AddressResolved): _on_resolved,
    (Step.CONFIRM_ADDRESS, Said): _on_confirm,
    (Step.CHOOSE_ADDRESS, Said): _on_choose,
    (Step.DESCRIPTION, Said): _on_description,
    (Step.FILING, RequestFiled): _on_filed,
    (Step.OFFER_TEXTS, Said): _on_offer_texts,
    **{(s, Silence): _on_silence for s in ASKING},
}
