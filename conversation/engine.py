"""`step(state, event) -> (state, actions)`: the one conversation shared by voice and SMS.

Pure: no I/O, no clock, no randomness. The transition table maps (step, event type) to a
handler; any other pair raises `IllegalEvent` naming both.

Mixed initiative: any answer may carry the category, the address, a description, the
language or consent to texts. Every slot an answer carries is filled (the geocoder finds the
address inside the sentence), then only what is missing is asked, and one confirmation reads
the report back. Commands (help, agent, start over, cancel, "I don't know", a language) are
understood at every question and never taken as an answer. Failures at one question reword
it, then try another way (the menu, cross streets, the address as said), and after the
configured tries end with a person: a transfer that comes back if nobody answers, or a
callback; what was captured is filed, never dropped.
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
    DuplicatesFound,
    End,
    Ended,
    Event,
    Expect,
    FileRequest,
    FindDuplicates,
    FollowRequest,
    HungUp,
    IllegalEvent,
    LocatePoint,
    LocationShared,
    PhotosSent,
    Place,
    PlaceKind,
    Question,
    QuestionKind,
    Reason,
    RequestCallback,
    RequestFiled,
    RequestFollowed,
    ResolveAddress,
    Said,
    Say,
    Silence,
    Started,
    State,
    Step,
    Transfer,
    TransferEnded,
)

MAX_TRIES = 3  # the default; staff may configure another ([conversation] tries)
MAX_CHOICES = 3
MAX_TEXT = 500  # characters of one answer that are looked at
STREET_MARGIN = 0.15  # score lead that makes a street-only match clear enough to ask the number
SENTENCE_FLOOR = 0.6  # an address found inside a sentence below this score is not taken
Result = tuple[State, list[Action]]
Handler = Callable[[State, Any], Result]


def start(event: Started) -> Result:
    """A new conversation: greet, then take a first text as an answer if it is one."""
    languages = event.languages or ("en",)
    state = State(channel=event.channel, menu=event.menu, agent=event.agent,
                  max_tries=max(1, event.max_tries), languages=languages, lang=languages[0],
                  other=event.other if _category(event.menu, event.other) else None,
                  check_duplicates=event.check_duplicates)
    text = event.text.strip()[:MAX_TEXT]
    detected = words.detect_language(text) if text else None
    if detected in languages:
        state = replace(state, lang=detected)
    greeting: list[Action] = [Say("greeting")]
    if len(languages) > 1:
        greeting.append(Say("language_offer"))
    if event.again:  # another report in the same conversation: its language and last place
        state = replace(state, lang=event.lang if event.lang in languages else state.lang,
                        last_place=event.last_place)
        greeting = [Say("new_report")]
    if not text or words.is_greeting(text):
        return state, greeting + [question(state)]
    new, actions = step(state, Said(text))
    return new, greeting + actions


def step(state: State, event: Event) -> Result:
    """Advance the conversation by one event."""
    if isinstance(event, Started):
        if state.step is not Step.DONE:
            raise IllegalEvent(event, state.step)
        return start(event)
    if isinstance(event, HungUp):
        return _hung_up(state)
    if isinstance(event, Said) and state.step in ASKING:
        command = _command(state, event)
        if command is not None:
            return command
    if isinstance(event, LocationShared) and state.step in TAKES_POINTS:
        return _on_location(state, event)
    if isinstance(event, PhotosSent) and state.step in ASKING:
        return _on_photos(state, event)
    handler = TABLE.get((state.step, type(event)))
    if handler is None:
        raise IllegalEvent(event, state.step)
    return handler(state, event)


def resume(state: State, channel: Channel, at: Step) -> Result:
    """The conversation moves to another channel at the step it stopped: ask that again."""
    moved = replace(state, channel=channel, step=_asking(at), attempts=0, ended=None)
    return moved, [question(moved)]


def question(state: State) -> Ask:
    """The question for the current step (the retry wording from the second failure on)."""
    attempt = state.attempts
    step_ = state.step
    if step_ in (Step.CATEGORY, Step.LANGUAGE):
        if attempt == 0:
            return Ask("category", "open")
        options = tuple((c.digit, c.name(state.lang)) for c in state.menu if c.digit)
        return Ask("category_menu", "menu", options=options, attempt=attempt)
    if step_ is Step.QUESTION:
        q = _current_question(state)
        options = tuple((str(i + 1), c.names.get(state.lang) or c.names.get("en") or c.key)
                        for i, c in enumerate(q.choices))
        return Ask("attribute", _EXPECT.get(q.kind, "free"), {"question": q.prompt(state.lang)},
                   options=options, attempt=attempt)
    if step_ is Step.ADDRESS:
        return Ask("address", "address", attempt=max(attempt, state.address_tries))
    if step_ is Step.CROSS_STREET:
        return Ask("cross_street", "address", attempt=attempt)
    if step_ is Step.LANDMARK:
        return Ask("landmark", "free", attempt=attempt)
    if step_ is Step.HOUSE_NUMBER:
        assert state.place is not None
        place = state.place
        if place.number is not None:
            low, high = place.numbers or (0, 0)
            prompt = "house_number_unknown" if place.numbers else "house_number_missing"
            return Ask(prompt, "number", {"street": place.street or place.label,
                                          "number": str(place.number), "low": str(low),
                                          "high": str(high)}, attempt=attempt)
        return Ask("house_number", "number", {"street": place.label}, attempt=attempt,
                   say_as=_say_as((place,)))
    if step_ is Step.ADDRESS_FALLBACK:
        prompt = "address_fallback_agent" if state.agent else "address_fallback"
        return Ask(prompt, "yesno", {"heard": state.heard[-1] if state.heard else ""},
                   attempt=attempt)
    if step_ is Step.CHOOSE_ADDRESS:
        options = tuple((str(i + 1), p.label) for i, p in enumerate(state.candidates))
        return Ask("choose_address", "choice", options=options, attempt=attempt,
                   say_as=_say_as(state.candidates))
    if step_ is Step.DESCRIPTION:
        return Ask("description", "free", attempt=attempt)
    if step_ in (Step.CONFIRM, Step.CONFIRM_ADDRESS):
        return _confirm_question(state)
    if step_ is Step.CHANGE:
        return Ask("what_to_change", "choice", attempt=attempt)
    if step_ is Step.AFTER_TRANSFER:
        return Ask("after_transfer", "choice", attempt=attempt)
    if step_ is Step.OFFER_TEXTS:
        return Ask("offer_texts", "yesno", attempt=attempt)
    if step_ is Step.OFFER_DUPLICATE:
        prompt = {0: "duplicate_offer_today", 1: "duplicate_offer_yesterday"}.get(
            state.duplicate_days, "duplicate_offer")
        return Ask(prompt, "choice", {"request": state.duplicate,
                                      "days": str(state.duplicate_days)}, attempt=attempt)
    if step_ is Step.CONFIRM_PLACE and state.candidates:
        prompt = {"last": "confirm_last_place", "photo": "confirm_photo_place"}.get(
            state.offered, "confirm_place")
        return Ask(prompt, "yesno", {"address": state.candidates[0].label},
                   attempt=attempt, say_as=_say_as(state.candidates[:1]))
    raise IllegalEvent(Said(""), step_)


_EXPECT: dict[QuestionKind, Expect] = {QuestionKind.CHOICE: "choice", QuestionKind.NUMBER: "number"}


def _confirm_question(state: State) -> Ask:
    category = _category(state.menu, state.category)
    problem = category.name(state.lang) if category else (state.category or "")
    if state.review or state.place is None:
        heard = state.heard[-1] if state.heard else state.address_text or ""
        return Ask("confirm_report_review", "yesno", {"problem": problem, "heard": heard},
                   attempt=state.attempts)
    prompt = "confirm_report_street" if state.place.kind == PlaceKind.STREET else "confirm_report"
    return Ask(prompt, "yesno", {"problem": problem, "address": state.place.label},
               attempt=state.attempts, say_as=_say_as((state.place,)))


# ---- helpers ---------------------------------------------------------------------------


def _category(menu: tuple[Category, ...], code: str | None) -> Category | None:
    return next((c for c in menu if c.code == code), None) if code else None


def _advance(state: State, to: Step, **changes: Any) -> Result:
    new = replace(state, step=to, attempts=0, **changes)
    return new, [question(new)]


def _next(state: State, said: list[Action] | None = None) -> Result:
    """Ask for the first slot still missing; with every slot filled, read the report back."""
    before = said or []
    category = _category(state.menu, state.category)
    if category is None:
        to = Step.CATEGORY
    elif len(state.answers) < len(category.questions):
        to = Step.QUESTION
    elif state.place is None and not state.review:
        if state.last_place is not None:
            return _offer_place(state, state.last_place, "last", Step.ADDRESS, before)
        to = Step.ADDRESS
    elif state.description is None and not state.described:
        to = Step.DESCRIPTION
    elif state.confirmed:
        return _file(state)
    else:
        to = Step.CONFIRM
    attempts = state.attempts if to is state.step and to is Step.CATEGORY else 0
    if to is Step.CATEGORY and state.tried:
        attempts = max(1, attempts)  # the problem was said and not understood: the menu
    new = replace(state, step=to, attempts=attempts, asked="", pending="", probe=False,
                  correcting=False, filled=False)
    return new, [*before, question(new)]


def _failed(state: State, prompt: str = "not_understood") -> Result:
    """One more failure at this step: apologise and re-ask, or give up on the last try."""
    tries = state.attempts + 1
    if tries >= state.max_tries:
        return _give_up(state)
    new = replace(state, attempts=tries)
    return new, [Say(prompt), question(new)]


def _say_as(places: tuple[Place, ...]) -> dict[str, str]:
    """How each place is said aloud (the voice reads house numbers as people do)."""
    return {p.label: p.spoken or p.label for p in places}


def _give_up(state: State) -> Result:
    """Out of tries: a person if one can be reached; what was captured is never dropped."""
    if state.step is Step.AFTER_TRANSFER:
        return _callback(state, Reason.NO_ANSWER)
    if state.channel == "voice" and state.agent:
        return _transfer(state, Reason.REPEATED_FAILURES)
    if state.channel == "sms":
        # a text conversation waits: the resident may call, or answer again later
        kept = replace(state, attempts=0)
        return kept, [Say("gave_up_text"), question(kept)]
    done = replace(state, step=Step.DONE, ended=Ended.GAVE_UP)
    return done, [Say("gave_up"), End(Ended.GAVE_UP)]


def _transfer(state: State, reason: Reason) -> Result:
    """Voice: dial the agent line; if nobody answers the caller comes back (TransferEnded)."""
    waiting = replace(state, step=Step.TRANSFERRING, resume_at=_asking(state.step).value,
                      attempts=0)
    return waiting, [Say("transfer"), Transfer(reason)]


def _agent(state: State) -> Result:
    if not state.agent:  # no agent line, or outside its hours: say when, then go on
        return state, [Say("agent_closed"), question(state)]
    if state.channel == "voice":
        return _transfer(state, Reason.ASKED)
    # by text: how to reach a person, and the report waits for the resident
    return replace(state, attempts=0), [Say("agent_by_text"), question(state)]


def _command(state: State, event: Said) -> Result | None:
    text = event.text.strip()
    if event.via == "dtmf":
        kind = {"0": "agent", "*": "start_over"}.get(text)
    else:
        kind = "agent" if text in ("0", "zero", "cero") else words.command(text)
    if kind is None:
        return None
    if kind == "agent":
        return _agent(state)
    if kind == "start_over":
        fresh = State(channel=state.channel, menu=state.menu, agent=state.agent, lang=state.lang,
                      languages=state.languages, other=state.other, max_tries=state.max_tries)
        return fresh, [Say("start_over"), question(fresh)]
    if kind == "cancel":
        done = replace(state, step=Step.DONE, ended=Ended.CANCELLED)
        return done, [Say("cancelled"), End(Ended.CANCELLED)]
    if kind == "help":
        return state, [Say(_HELP.get(state.step, "help")), question(state)]
    if kind == "menu" and state.step in (Step.CATEGORY, Step.LANGUAGE):
        shown = replace(state, attempts=max(1, state.attempts))
        return shown, [question(shown)]
    if kind == "dont_know":
        return _dont_know(state)
    if kind.startswith("lang:"):
        lang = kind.removeprefix("lang:")
        if lang not in state.languages:
            return None
        switched = replace(state, lang=lang)
        return switched, [question(switched)]
    return None


_HELP = {
    Step.CATEGORY: "help.category", Step.LANGUAGE: "help.category",
    Step.QUESTION: "help.attribute", Step.ADDRESS: "help.address",
    Step.CROSS_STREET: "help.cross_street", Step.LANDMARK: "help.address",
    Step.HOUSE_NUMBER: "help.house_number", Step.CHOOSE_ADDRESS: "help.choose_address",
    Step.ADDRESS_FALLBACK: "help.address_fallback", Step.DESCRIPTION: "help.description",
    Step.CONFIRM: "help.confirm", Step.CONFIRM_ADDRESS: "help.confirm",
    Step.CHANGE: "help.confirm", Step.AFTER_TRANSFER: "help.after_transfer",
    Step.OFFER_TEXTS: "help.offer_texts", Step.CONFIRM_PLACE: "help.confirm_place",
    Step.OFFER_DUPLICATE: "help.duplicate_offer",
}


def _dont_know(state: State) -> Result:
    """"I don't know": skip what can be skipped, otherwise try the next way of asking."""
    s = state.step
    if s in (Step.CATEGORY, Step.LANGUAGE):
        if state.attempts == 0:
            shown = replace(state, attempts=1)
            return shown, [question(shown)]
        other = _category(state.menu, state.other)
        if other is not None:
            return _chosen(state, other)
        return _failed(state)
    if s is Step.ADDRESS:
        return _advance(state, Step.CROSS_STREET, address_tries=state.address_tries + 1)
    if s is Step.CROSS_STREET:
        if state.heard:
            return _advance(state, Step.ADDRESS_FALLBACK)
        return _advance(state, Step.LANDMARK)
    if s is Step.HOUSE_NUMBER:
        return _next(replace(state, number_asked=True, place=_without_number(state.place)))
    if s is Step.CHOOSE_ADDRESS:
        return _address_failed(state, "address_again")
    if s is Step.DESCRIPTION:
        return _next(replace(state, description=None, described=True))
    if s is Step.OFFER_TEXTS:
        done = replace(state, step=Step.DONE, ended=Ended.FILED)
        return done, [Say("goodbye"), End(Ended.FILED)]
    if s is Step.CONFIRM_PLACE:
        return _place_declined(state)
    if s is Step.OFFER_DUPLICATE:
        return _file(state)
    return _failed(state)


def _without_number(place: Place | None) -> Place | None:
    """A street place without the number that was not found on it."""
    return replace(place, number=None) if place is not None else None


# ---- handlers, one per (step, event) ------------------------------------------------------


def _hung_up(state: State) -> Result:
    """Keep what was captured; a call cut off mid-report may go on by text."""
    done = replace(state, step=Step.DONE, ended=state.ended or Ended.HANGUP)
    at = Step(state.resume_at) if state.step in _AWAY and state.resume_at else state.step
    midway = (state.channel == "voice" and state.step is not Step.DONE
              and at in ASKING + (Step.RESOLVING,) and at is not Step.OFFER_TEXTS)
    return done, [ContinueByText(at)] if midway else []


_AWAY = (Step.TRANSFERRING, Step.AFTER_TRANSFER)


def _asking(at: Step) -> Step:
    """The question to ask again for a step that was waiting on something else."""
    return {Step.RESOLVING: Step.ADDRESS, Step.LANGUAGE: Step.CATEGORY,
            Step.CONFIRM_ADDRESS: Step.CONFIRM, Step.TRANSFERRING: Step.CATEGORY,
            Step.AFTER_TRANSFER: Step.CATEGORY}.get(at, at)


def _on_category(state: State, event: Said) -> Result:
    text = event.text.strip()
    if (event.via == "dtmf" and state.attempts == 0 and text == "2" and state.lang != "es"
            and "es" in state.languages):  # "Para español, oprima 2" before the menu is read
        switched = replace(state, lang="es")
        return switched, [question(switched)]
    if event.via == "dtmf" or text.isdigit():  # a menu number, keyed or typed
        category = next((c for c in state.menu if c.digit and c.digit == text), None)
        return _chosen(state, category) if category else _missed_category(state, "")
    return _take(state, event)


def _missed_category(state: State, text: str) -> Result:
    """No category in the answer: the menu next; after that, the catch-all with their words."""
    tried = (*state.tried, text[:300]) if text else state.tried
    other = _category(state.menu, state.other)
    if other is not None and state.attempts >= 1 and text:
        return _chosen(replace(state, tried=tried), other)
    return _failed(replace(state, tried=tried))


def _chosen(state: State, category: Category) -> Result:
    """A category is known; what the resident said of the problem before is its description."""
    changes: dict[str, Any] = {"category": category.code, "answers": ()}
    if state.description is None and state.tried:
        changes.update(description=" / ".join(state.tried)[:4000], described=True)
    return _next(replace(state, **changes))


def _take(state: State, event: Said, correcting: bool = False) -> Result:
    """Fill every slot a free answer carries; the address is looked for by the geocoder."""
    text = event.text.strip()[:MAX_TEXT]
    if not text:
        return _failed(state)
    changes: dict[str, Any] = {}
    if words.wants_texts(text):
        changes["wants_texts"] = True
        text = words.without_consent(text)
    category = words.category_for(text, state.menu)
    if category is not None and (state.category is None or correcting) and \
            category.code != state.category:
        changes.update(category=category.code, answers=())
    filled = "category" in changes
    if state.place is None or correcting:
        if correcting and state.place is not None and state.place.street:
            number = words.house_number_phrase(text)
            if number is not None:  # "no, it's 125": the same street, another number
                text = f"{number} {state.place.street}"
        looking = replace(state, **changes, step=Step.RESOLVING, asked=state.step.value,
                          pending=text, probe=True, correcting=correcting, filled=filled)
        # a correction is looked up whatever it says; a sentence only if it may hold one
        return looking, [ResolveAddress(text, lang=state.lang, sentence=not correcting)]
    return _took(replace(state, **changes), text, None, filled, correcting)


def _took(state: State, text: str, span: tuple[int, int] | None, filled: bool,
          correcting: bool = False) -> Result:
    """After a free answer at `state.step`: keep its details, then ask what is missing.

    At the category question an answer that named no category is a miss (its words are kept
    for the catch-all); elsewhere an answer that filled nothing is not understood.
    """
    if state.step in (Step.CATEGORY, Step.LANGUAGE) and state.category is None and span is None:
        return _missed_category(state, text)
    state, kept = _absorb(state, text, span, correcting)
    if not (filled or kept or span):
        return _failed(state)
    return _next(state)


def _absorb(state: State, text: str, span: tuple[int, int] | None,
            correcting: bool = False) -> tuple[State, bool]:
    """Keep what an answer says beyond its category and address: the description (or, with
    no category yet, words for the catch-all). Returns the state and whether a slot filled."""
    rest = words.outside(text, span)
    category = _category(state.menu, state.category)
    if not words.details(rest, words.category_terms(category) if category else []):
        return state, False
    if category is None:  # an address and words we could not place: show the menu next
        return replace(state, tried=(*state.tried, _clean(text)),
                       attempts=max(1, state.attempts)), False
    if state.description is None:
        return replace(state, description=_clean(text), described=True), True
    if correcting:  # more words at the read-back: they add to the description
        return replace(state, description=f"{state.description} / {_clean(text)}"[:4000]), True
    return state, False


def _clean(text: str) -> str:
    return " ".join(text.split())[:4000]


def _current_question(state: State) -> Question:
    category = _category(state.menu, state.category)
    assert category is not None
    return category.questions[len(state.answers)]


def _on_question(state: State, event: Said) -> Result:
    q = _current_question(state)
    value = _answer(q, event)
    if value is None:
        return _failed(state)
    return _next(replace(state, answers=(*state.answers, (q.code, value))))


def _answer(q: Question, event: Said) -> str | None:
    text = event.text.strip()
    if q.kind == QuestionKind.CHOICE:
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
    if q.kind == QuestionKind.NUMBER:
        return words.number_in(text)
    return text[:500] or None


def _on_address(state: State, event: Said) -> Result:
    text = event.text.strip()[:MAX_TEXT]
    if not text:
        return _failed(state)
    letters = state.step is Step.CROSS_STREET and event.via == "dtmf"
    heard = state.heard if letters else (*state.heard, text[:200])
    resolving = replace(state, step=Step.RESOLVING, asked=state.step.value, heard=heard,
                        address_text=state.address_text if letters else text, pending=text,
                        probe=False)
    return resolving, [ResolveAddress(text, letters, state.lang)]


def _on_landmark(state: State, event: Said) -> Result:
    """Where it is, in the resident's words: filed for staff to place on the map."""
    text = event.text.strip()
    if not text or event.via == "dtmf":
        return _failed(state)
    return _next(replace(state, heard=(*state.heard, text[:200]), review=True, place=None,
                         address_text=text[:500]))


def _on_address_fallback(state: State, event: Said) -> Result:
    answer = words.yes_or_no(event.text)
    if answer is True:
        return _next(replace(state, review=True, place=None, confirmed=True))
    if answer is False:
        done = replace(state, step=Step.DONE, ended=Ended.GAVE_UP)
        return done, [Say("gave_up"), End(Ended.GAVE_UP)]
    return _failed(state)


def _on_house_number(state: State, event: Said) -> Result:
    """The street is known; the keypad (or speech) gives the number, or none is known."""
    assert state.place is not None
    number = words.number_in(event.text)
    if number is not None:
        text = f"{number} {state.place.street or state.place.label}"
        resolving = replace(state, step=Step.RESOLVING, asked=state.step.value,
                            number_asked=True, address_text=text, pending=text, probe=False)
        return resolving, [ResolveAddress(text, lang=state.lang)]
    if event.via == "dtmf" or words.is_one_of(event.text, words.SKIP):
        return _next(replace(state, number_asked=True, place=_without_number(state.place)))
    return _failed(state)


def _on_resolved(state: State, event: AddressResolved) -> Result:
    found = event.candidates[:MAX_CHOICES]
    located = event.status in ("certain", "confirm") and bool(found)
    if state.probe:  # an address looked for inside a sentence
        text, filled, correcting = state.pending, state.filled, state.correcting
        if not located or found[0].score < SENTENCE_FLOOR:
            if correcting and not filled and _looks_like_address(text):
                return _address_failed(_settled(state), "address_not_found")
            return _took(_settled(state), text, None, filled, correcting)
        said = text[event.span[0]:event.span[1]] if event.span else text
        if event.status == "confirm" and not _names_a_place(said):
            # "the road has a deep hole in it": street names like its words, but nothing in
            # it is shaped like an address; asking "Which one? Holly Ave…" would puzzle
            return _took(_settled(state), text, None, filled, correcting)
        if correcting and state.place is not None and found[0].label == state.place.label:
            # the same place again: the words do not find what the resident means
            return _address_failed(_settled(state), "address_again")
        heard = replace(state, heard=(*state.heard, said[:200]), address_text=said[:500],
                        number_asked=False)
        took, _ = _absorb(_settled(heard), text, event.span or (0, len(text)), correcting)
        return _place_result(took, event.status, found)
    if located:
        if event.span is not None:  # what surrounds the address may describe the problem
            state, _ = _absorb(state, state.pending, event.span)
        return _place_result(_settled(state), event.status, found)
    reason = "address_out_of_city" if event.status == "out_of_city" else "address_not_found"
    return _address_failed(_settled(state), reason)


def _looks_like_address(text: str) -> bool:
    """A house number, or words shaped like a street name ("Elm Street", "calle Elm")."""
    said = words.tokens(text)
    return any(ch.isdigit() for ch in text) or bool(said) and (
        said[-1] in _STREET_TYPES or said[0] in {"calle", "avenida"})


_STREET_TYPES = frozenset("street st avenue ave road rd boulevard blvd drive dr".split())
_PLACE_WORDS = _STREET_TYPES | frozenset("""
av lane ln way place pl court ct terrace ter square sq parkway pkwy highway hwy circle cir row
corner esquina calle avenida carretera
""".split())


def _names_a_place(text: str) -> bool:
    """Words shaped like a place: a number (digits or said), a street type, a corner."""
    said = words.tokens(text)
    return any(ch.isdigit() for ch in text) or any(
        w in _PLACE_WORDS or words.is_number_word(w) for w in said)


def _settled(state: State) -> State:
    """Back at the step that asked, the resolving done."""
    asked = Step(state.asked) if state.asked else state.step
    return replace(state, step=_asking(asked), asked="", pending="", probe=False,
                   correcting=False, filled=False)


def _place_result(state: State, status: str, found: tuple[Place, ...]) -> Result:
    """A place from the geocoder: take it, ask for its house number, or let them choose."""
    if status == "certain" or len(found) == 1 or _clear_street(found):
        place = found[0]
        if place.kind == PlaceKind.STREET and (not state.number_asked or place.number is not None):
            return _advance(state, Step.HOUSE_NUMBER, place=place, candidates=found,
                            place_sure=False)
        return _next(replace(state, place=place, candidates=found,
                             place_sure=status == "certain"))
    return _advance(state, Step.CHOOSE_ADDRESS, candidates=found, place=None)


def _clear_street(found: tuple[Place, ...]) -> bool:
    """The street is plainly the top match; only its house number is in doubt."""
    return found[0].kind == PlaceKind.STREET and found[0].score - found[1].score >= STREET_MARGIN


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
    first_miss = tries == 1 and prompt == "address_not_found" and state.step is Step.ADDRESS
    to = Step.CROSS_STREET if first_miss else Step.ADDRESS
    new = replace(state, step=to, attempts=0, address_tries=tries, place=None, candidates=(),
                  number_asked=False, place_sure=False)
    return new, [Say(prompt), question(new)]


def _on_choose(state: State, event: Said) -> Result:
    index = words.choice_index(event.text, len(state.candidates))
    if index is not None:
        chosen = state.candidates[index]
        if chosen.kind == PlaceKind.STREET and not state.number_asked:
            return _advance(state, Step.HOUSE_NUMBER, place=chosen)
        return _next(replace(state, place=chosen, place_sure=True))
    if event.text.strip() == "9" or words.is_one_of(event.text, words.NONE_OF_THESE):
        return _address_failed(state, "address_again")
    return _failed(state)


def _on_description(state: State, event: Said) -> Result:
    text = event.text.strip()
    skipped = event.via == "dtmf" or not text or words.is_one_of(text, words.SKIP)
    description = None if skipped else text[:4000]
    if description and state.description:  # words given before stay; these add to them
        description = f"{state.description} / {description}"[:4000]
    return _next(replace(state, description=description or state.description, described=True))


def _on_confirm(state: State, event: Said) -> Result:
    """The read-back: yes files; no asks what to change; anything else is the change."""
    answer = words.yes_or_no(event.text)
    rest = words.after_yes_or_no(event.text) if event.via != "dtmf" else ""
    if answer is True and not rest:
        return _file(state)
    if answer is True and words.is_one_of(rest, words.YES | {"please", "por favor", "thanks",
                                                              "thank you", "gracias"}):
        return _file(state)
    if answer is False and not rest:
        return _advance(state, Step.CHANGE)
    if event.via == "dtmf":
        return _failed(state)
    return _correct(state, Said(rest or event.text, event.via))


def _correct(state: State, event: Said) -> Result:
    target = words.change_target(event.text)
    if target is not None:
        return _change(state, target)
    return _take(state, event, correcting=True)


def _on_change(state: State, event: Said) -> Result:
    picked = {"1": "category", "2": "address", "3": "description"}.get(event.text.strip())
    if picked is None and event.via == "dtmf":
        return _failed(state)
    if picked is not None:
        return _change(state, picked)
    if words.yes_or_no(event.text) is True and not words.after_yes_or_no(event.text):
        return _advance(state, Step.CONFIRM)
    return _correct(state, event)


def _change(state: State, target: str) -> Result:
    if target == "category":  # the menu, straight away
        menu = replace(state, step=Step.CATEGORY, category=None, answers=(), attempts=1)
        return menu, [question(menu)]
    if target == "address":
        return _advance(state, Step.ADDRESS, place=None, candidates=(), place_sure=False,
                        number_asked=False, review=False, confirmed=False)
    return _advance(state, Step.DESCRIPTION, description=None, described=False)


def _file(state: State) -> Result:
    assert state.category is not None and (state.place is not None or state.review)
    if (state.check_duplicates and not state.checked and not state.review and not state.callback
            and state.place is not None):
        checking = replace(state, step=Step.CHECKING, attempts=0, checked=True)
        return checking, [FindDuplicates(state.category, state.place.lat, state.place.lon)]
    said = " / ".join(state.heard) if state.review else state.address_text or ""
    filing = replace(state, step=Step.FILING, attempts=0)
    return filing, [FileRequest(state.category, None if state.review else state.place, said,
                                state.description, state.lang, state.answers, state.photos)]


def _on_filed(state: State, event: RequestFiled) -> Result:
    filed = replace(state, reference=event.reference)
    said: list[Action] = [Say("filed", {"reference": event.reference})]
    if state.callback:
        done = replace(filed, step=Step.DONE, ended=Ended.CALLBACK, wants_texts=state.wants_texts
                       or state.channel == "sms")
        return done, [*said, RequestCallback(Reason.NO_ANSWER, event.reference),
                      Say("callback_recorded"), End(Ended.CALLBACK)]
    if state.channel == "voice" and not state.wants_texts:
        new = replace(filed, step=Step.OFFER_TEXTS, attempts=0)
        return new, [*said, question(new)]
    done = replace(filed, step=Step.DONE, ended=Ended.FILED, wants_texts=True)
    return done, [*said, Say("updates_by_text"), End(Ended.FILED)]


def _on_offer_texts(state: State, event: Said) -> Result:
    answer = words.yes_or_no(event.text)
    if answer is None and state.attempts + 1 < state.max_tries:
        return _failed(state)
    wants = answer is True
    done = replace(state, step=Step.DONE, ended=Ended.FILED, wants_texts=wants)
    return done, [Say("texts_yes" if wants else "goodbye"), End(Ended.FILED)]


def _on_transfer_ended(state: State, event: TransferEnded) -> Result:
    """The agent line answered (the call is theirs) or did not: then the caller is back."""
    if event.status in ("completed", "answered", "in-progress"):
        done = replace(state, step=Step.DONE, ended=Ended.TRANSFER)
        return done, [End(Ended.TRANSFER)]
    back = replace(state, step=Step.AFTER_TRANSFER, attempts=0)
    return back, [Say("transfer_failed"), question(back)]


def _on_after_transfer(state: State, event: Said) -> Result:
    text = event.text.strip()
    choice = {"1": "finish", "2": "callback"}.get(text) or (
        words.after_transfer_choice(text) if event.via != "dtmf" else None)
    if choice == "finish":
        at = Step(state.resume_at) if state.resume_at else Step.CATEGORY
        back = replace(state, step=_asking(at), attempts=0, agent=False)
        return back, [question(back)]
    if choice == "callback":
        return _callback(state, Reason.ASKED)
    return _failed(state)


def _callback(state: State, reason: Reason) -> Result:
    """A person will call back; a report with a problem and a place is filed as it stands."""
    if state.category is not None and (state.place is not None or state.heard):
        review = state.place is None
        return _file(replace(state, callback=True, review=review or state.review))
    done = replace(state, step=Step.DONE, ended=Ended.CALLBACK, callback=True)
    return done, [RequestCallback(reason), Say("callback_recorded"), End(Ended.CALLBACK)]


def _on_silence(state: State, event: Silence) -> Result:
    if state.step is Step.DESCRIPTION:
        return _next(replace(state, description=state.description, described=True))
    if state.step is Step.OFFER_TEXTS:
        done = replace(state, step=Step.DONE, ended=Ended.FILED)
        return done, [Say("goodbye"), End(Ended.FILED)]
    return _failed(state, "no_input")


# ---- shared points (a WhatsApp location, a map link, a photo's GPS) ----------------------


def _on_location(state: State, event: LocationShared, offered: str = "point") -> Result:
    """A point on the map: find the nearest address, then ask whether that is the place."""
    back = state.asked if state.step is Step.CONFIRM_PLACE else _asking(state.step).value
    text = event.text.strip()[:MAX_TEXT]
    if text:
        state, _ = _words_with_point(state, text)
    locating = replace(state, step=Step.LOCATING, asked=back, attempts=0, candidates=(),
                       offered=offered, last_place=None)
    return locating, [LocatePoint(event.lat, event.lon, state.lang)]


def _words_with_point(state: State, text: str) -> tuple[State, bool]:
    """The words sent with a point: the problem's category, and its description."""
    category = words.category_for(text, state.menu)
    if category is not None and state.category is None:
        state = replace(state, category=category.code, answers=())
    return _absorb(state, text, None)


def _on_located(state: State, event: AddressResolved) -> Result:
    found = event.candidates[:1]
    back = _settled(state)
    if event.status not in ("certain", "confirm") or not found:
        return back, [Say("location_out_of_city"), question(back)]
    return _offer_place(back, found[0], state.offered or "point", back.step)


def _offer_place(state: State, place: Place, offered: str, back: Step,
                 said: list[Action] | None = None) -> Result:
    """Ask whether the problem is at `place` (a shared point, a photo's, the last report's)."""
    offer = replace(state, step=Step.CONFIRM_PLACE, asked=back.value, candidates=(place,),
                    attempts=0, offered=offered, last_place=None, pending="", probe=False,
                    correcting=False, filled=False)
    return offer, [*(said or []), question(offer)]


def _on_confirm_place(state: State, event: Said) -> Result:
    """Yes takes the place; no asks for the address; an address typed instead is looked up."""
    answer = words.yes_or_no(event.text)
    if answer is True and state.candidates:
        place = state.candidates[0]
        back = _settled(state)
        return _next(replace(back, place=place, place_sure=True, candidates=(), review=False,
                             number_asked=True, address_text=place.label))
    if answer is False:
        return _place_declined(state)
    if _looks_like_address(event.text):
        return _on_address(replace(_settled(state), step=Step.ADDRESS, candidates=()), event)
    return _failed(state)


def _place_declined(state: State) -> Result:
    back = replace(_settled(state), candidates=())
    if back.place is not None:  # a place was already known: keep it
        return _next(back)
    return _advance(back, Step.ADDRESS)


# ---- photos ---------------------------------------------------------------------------------

MAX_PHOTOS = 3


def _on_photos(state: State, event: PhotosSent) -> Result:
    """Photos are kept (at most MAX_PHOTOS); refused ones are named; the report goes on.

    A photo's GPS position is offered ("Is it near 45 Elm St?") when no place is known yet.
    """
    room = max(0, MAX_PHOTOS - len(state.photos))
    kept = event.urls[:room]
    refused = list(dict.fromkeys(event.refused))
    if len(event.urls) > room and "too_many" not in refused:
        refused.append("too_many")
    state = replace(state, photos=(*state.photos, *kept))
    said: list[Action] = [Say("photo_added")] if kept else []
    said += [Say(f"photo_refused.{reason}", {"max": str(MAX_PHOTOS)}) for reason in refused]
    if event.text.strip():
        new, actions = step(state, Said(event.text))
        return new, [*said, *actions]
    if (kept and event.lat is not None and event.lon is not None and state.place is None
            and not state.review):
        new, actions = _on_location(state, LocationShared(event.lat, event.lon), "photo")
        return new, [*said, *actions]
    return state, [*said, question(state)]


# ---- already reported: follow an open request nearby instead of filing a second one ------


def _on_duplicates(state: State, event: DuplicatesFound) -> Result:
    """Nothing like it (or the city did not answer): file. Otherwise offer the nearest."""
    if not event.found:
        return _file(state)
    nearest = event.found[0]
    offer = replace(state, step=Step.OFFER_DUPLICATE, attempts=0,
                    duplicate=nearest.request_id[:64], duplicate_days=max(0, nearest.days))
    return offer, [question(offer)]


def _on_offer_duplicate(state: State, event: Said) -> Result:
    """1 follows the existing request; 2 files a new report; unclear answers never block."""
    text = event.text.strip()
    choice = {"1": "follow", "2": "file"}.get(text)
    if choice is None and event.via != "dtmf":
        choice = words.duplicate_choice(text)
    if choice == "follow":
        following = replace(state, step=Step.FOLLOWING, attempts=0)
        return following, [FollowRequest(state.duplicate, state.category or "", state.place,
                                         state.lang)]
    if choice == "file":
        return _file(state)
    if state.attempts + 1 >= state.max_tries:
        return _file(state)  # never block a report on this question
    return _failed(state)


def _on_followed(state: State, event: RequestFollowed) -> Result:
    done = replace(state, step=Step.DONE, ended=Ended.FOLLOWED, reference=event.reference,
                   wants_texts=True)
    return done, [Say("following", {"request": state.duplicate,
                                     "reference": event.reference}), End(Ended.FOLLOWED)]


ASKING = (Step.LANGUAGE, Step.CATEGORY, Step.QUESTION, Step.ADDRESS, Step.CROSS_STREET,
          Step.LANDMARK, Step.HOUSE_NUMBER, Step.ADDRESS_FALLBACK, Step.CONFIRM_ADDRESS,
          Step.CHOOSE_ADDRESS, Step.DESCRIPTION, Step.CONFIRM, Step.CHANGE,
          Step.AFTER_TRANSFER, Step.OFFER_TEXTS, Step.CONFIRM_PLACE, Step.OFFER_DUPLICATE)
# where a shared point is taken as the location (a call cannot share one)
TAKES_POINTS = tuple(s for s in ASKING if s not in (Step.AFTER_TRANSFER, Step.OFFER_TEXTS,
                                                    Step.OFFER_DUPLICATE))

TABLE: dict[tuple[Step, type], Handler] = {
    (Step.LANGUAGE, Said): _on_category,
    (Step.CATEGORY, Said): _on_category,
    (Step.QUESTION, Said): _on_question,
    (Step.ADDRESS, Said): _on_address,
    (Step.CROSS_STREET, Said): _on_address,
    (Step.LANDMARK, Said): _on_landmark,
    (Step.HOUSE_NUMBER, Said): _on_house_number,
    (Step.ADDRESS_FALLBACK, Said): _on_address_fallback,
    (Step.RESOLVING, AddressResolved): _on_resolved,
    (Step.CONFIRM_ADDRESS, Said): _on_confirm,
    (Step.CONFIRM, Said): _on_confirm,
    (Step.CHANGE, Said): _on_change,
    (Step.CHOOSE_ADDRESS, Said): _on_choose,
    (Step.DESCRIPTION, Said): _on_description,
    (Step.FILING, RequestFiled): _on_filed,
    (Step.OFFER_TEXTS, Said): _on_offer_texts,
    (Step.TRANSFERRING, TransferEnded): _on_transfer_ended,
    (Step.AFTER_TRANSFER, Said): _on_after_transfer,
    (Step.LOCATING, AddressResolved): _on_located,
    (Step.CONFIRM_PLACE, Said): _on_confirm_place,
    (Step.CHECKING, DuplicatesFound): _on_duplicates,
    (Step.OFFER_DUPLICATE, Said): _on_offer_duplicate,
    (Step.FOLLOWING, RequestFollowed): _on_followed,
    **{(s, Silence): _on_silence for s in ASKING},
}
