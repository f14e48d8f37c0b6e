"""The conversation engine: every step and event, as plain calls (no mocks, no I/O)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversation import (
    MAX_TRIES,
    AddressResolved,
    Ask,
    Category,
    ContinueByText,
    End,
    FileRequest,
    HungUp,
    IllegalEvent,
    Place,
    RequestFiled,
    ResolveAddress,
    Said,
    Say,
    Silence,
    Started,
    State,
    Step,
    Transfer,
    dump,
    load,
    resume,
    start,
    step,
)

MENU = (
    Category("POTHOLE", "1", {"en": "Pothole", "es": "Bache"},
             {"en": ("pothole",), "es": ("bache",)}),
    Category("GRAFFITI", "2", {"en": "Graffiti", "es": "Grafiti"}, {"en": ("graffiti", "tag")}),
)
HOME = Place("123 Main St", 42.0, -71.0, 0.97)
OTHER = Place("123 Maine Ave", 42.1, -71.1, 0.91)


def at(step_: Step, channel: str = "voice", **fields: object) -> State:
    base = State(channel=channel, menu=MENU, agent=True, lang="en")  # type: ignore[arg-type]
    defaults: dict[str, object] = {"category": "POTHOLE", "address_text": "123 main"}
    if step_ in (Step.CONFIRM_ADDRESS, Step.DESCRIPTION, Step.FILING, Step.OFFER_TEXTS):
        defaults["place"] = HOME
    if step_ is Step.CHOOSE_ADDRESS:
        defaults["candidates"] = (HOME, OTHER)
    return replace(base, step=step_, **{**defaults, **fields})  # type: ignore[arg-type]


def prompts(actions: list[object]) -> list[str]:
    return [a.prompt for a in actions if isinstance(a, (Say, Ask))]


def test_greeting_then_language_question() -> None:
    state, actions = start(Started("voice", MENU, agent=True))
    assert state.step is Step.LANGUAGE
    assert prompts(actions) == ["greeting", "language"]


@pytest.mark.parametrize(
    ("text", "step_", "lang", "category"),
    [
        ("pothole", Step.ADDRESS, "en", "POTHOLE"),
        ("hola", Step.CATEGORY, "es", None),
        ("ES", Step.CATEGORY, "es", None),
        ("hi there", Step.LANGUAGE, "en", None),
    ],
)
def test_first_text_is_used_when_it_answers(text, step_, lang, category) -> None:
    state, _ = start(Started("sms", MENU, text=text))
    assert (state.step, state.lang, state.category) == (step_, lang, category)


@pytest.mark.parametrize(
    ("said", "lang", "step_"),
    [
        (Said("1", "dtmf"), "en", Step.CATEGORY),
        (Said("2", "dtmf"), "es", Step.CATEGORY),
        (Said("español", "speech"), "es", Step.CATEGORY),
        (Said("English", "text"), "en", Step.CATEGORY),
        (Said("graffiti", "text"), "en", Step.ADDRESS),
    ],
)
def test_language_choice(said, lang, step_) -> None:
    state, actions = step(at(Step.LANGUAGE), said)
    assert (state.lang, state.step) == (lang, step_)
    assert isinstance(actions[-1], Ask)


@pytest.mark.parametrize(
    ("said", "code"),
    [
        (Said("1", "dtmf"), "POTHOLE"),
        (Said("2", "dtmf"), "GRAFFITI"),
        (Said("pot hole", "speech"), "POTHOLE"),
        (Said("there is graffiti on my wall", "speech"), "GRAFFITI"),
        (Said("2", "text"), "GRAFFITI"),
        (Said("Bache", "text"), "POTHOLE"),
    ],
)
def test_category_by_digit_word_or_keyword(said, code) -> None:
    state, actions = step(at(Step.CATEGORY, category=None), said)
    assert state.category == code and state.step is Step.ADDRESS
    assert prompts(actions) == ["address"]


def test_category_menu_lists_names_in_the_chosen_language() -> None:
    state, actions = step(at(Step.LANGUAGE), Said("2", "dtmf"))
    ask = actions[-1]
    assert isinstance(ask, Ask) and ask.options == (("1", "Bache"), ("2", "Grafiti"))


@pytest.mark.parametrize("channel", ["voice", "sms"])
@pytest.mark.parametrize(
    "step_",
    [Step.LANGUAGE, Step.CATEGORY, Step.CONFIRM_ADDRESS, Step.CHOOSE_ADDRESS],
)
def test_two_failures_change_the_prompt_and_three_end(step_, channel) -> None:
    state = at(step_, channel=channel)
    state, first = step(state, Said("banana", "speech"))
    assert prompts(first)[0] == "not_understood" and first[-1].attempt == 1  # type: ignore[union-attr]
    state, second = step(state, Said("banana", "speech"))
    assert second[-1].attempt == 2  # type: ignore[union-attr]
    state, third = step(state, Said("banana", "speech"))
    assert state.step is Step.DONE
    assert any(isinstance(a, Transfer) for a in third)


def test_without_agent_line_three_failures_close_politely() -> None:
    state = replace(at(Step.CATEGORY), agent=False)
    for _ in range(MAX_TRIES):
        state, actions = step(state, Silence())
    assert state.step is Step.DONE and state.ended == "gave_up"
    assert prompts(actions) == ["gave_up"] and isinstance(actions[-1], End)


@pytest.mark.parametrize(
    "step_",
    [Step.LANGUAGE, Step.CATEGORY, Step.ADDRESS, Step.CONFIRM_ADDRESS, Step.CHOOSE_ADDRESS,
     Step.DESCRIPTION, Step.OFFER_TEXTS],
)
@pytest.mark.parametrize(
    "said", [Said("0", "dtmf"), Said("agent", "speech"), Said("Operador", "text")]
)
def test_agent_at_any_step(step_, said) -> None:
    state, actions = step(at(step_), said)
    assert state.step is Step.DONE and state.ended == "transfer"
    assert [type(a) for a in actions] == [Say, Transfer, End]


@pytest.mark.parametrize(
    "step_", [Step.CATEGORY, Step.ADDRESS, Step.CONFIRM_ADDRESS, Step.DESCRIPTION]
)
@pytest.mark.parametrize("said", [Said("*", "dtmf"), Said("start over", "speech")])
def test_start_over_keeps_language_and_clears_the_report(step_, said) -> None:
    state, actions = step(at(step_, lang="es"), said)
    assert state.step is Step.CATEGORY and state.lang == "es"
    assert state.category is None and state.place is None
    assert prompts(actions) == ["start_over", "category"]


@pytest.mark.parametrize(
    "step_", [Step.LANGUAGE, Step.CATEGORY, Step.ADDRESS, Step.CONFIRM_ADDRESS, Step.OFFER_TEXTS]
)
def test_help_explains_and_repeats_the_question(step_) -> None:
    before = at(step_)
    state, actions = step(before, Said("help", "speech"))
    assert state == before
    assert prompts(actions)[0] == "help" and isinstance(actions[-1], Ask)


def test_help_inside_a_description_is_description_text() -> None:
    state, actions = step(at(Step.DESCRIPTION), Said("help", "text"))
    assert isinstance(actions[-1], FileRequest) and actions[-1].description == "help"


def test_address_is_sent_for_resolution() -> None:
    state, actions = step(at(Step.ADDRESS), Said("one twenty three main street", "speech"))
    assert state.step is Step.RESOLVING
    assert actions == [ResolveAddress("one twenty three main street", "speech")]


@pytest.mark.parametrize(
    ("resolved", "step_"),
    [
        (AddressResolved("certain", (HOME,)), Step.CONFIRM_ADDRESS),
        (AddressResolved("confirm", (HOME,)), Step.CONFIRM_ADDRESS),
        (AddressResolved("confirm", (HOME, OTHER)), Step.CHOOSE_ADDRESS),
        (AddressResolved("failed", ()), Step.ADDRESS),
        (AddressResolved("out_of_city", ()), Step.ADDRESS),
    ],
)
def test_resolution_outcomes(resolved, step_) -> None:
    state, actions = step(at(Step.RESOLVING), resolved)
    assert state.step is step_
    assert isinstance(actions[-1], Ask)


def test_confirm_reads_back_the_place() -> None:
    _, actions = step(at(Step.RESOLVING), AddressResolved("certain", (HOME,)))
    assert actions[-1] == Ask("confirm_address", "yesno", {"address": "123 Main St"})


def test_out_of_city_is_said_as_such() -> None:
    _, actions = step(at(Step.RESOLVING), AddressResolved("out_of_city"))
    assert prompts(actions) == ["address_out_of_city", "address"]


def fail_address_three_times(state: State) -> tuple[State, list[object]]:
    for said in ("purple elephant blvd", "somewhere", "over there"):
        state, _ = step(state, Said(said, "speech"))
        state, actions = step(state, AddressResolved("failed"))
    return state, actions


@pytest.mark.parametrize(("agent", "prompt"), [(True, "address_fallback_agent"),
                                               (False, "address_fallback")])
def test_three_failed_addresses_offer_filing_as_said(agent, prompt) -> None:
    state, actions = fail_address_three_times(replace(at(Step.ADDRESS), agent=agent))
    assert state.step is Step.ADDRESS_FALLBACK
    assert prompts(actions) == ["address_not_found", prompt]
    assert actions[-1].params == {"heard": "purple elephant blvd"}  # type: ignore[union-attr]


def test_filing_as_said_is_flagged_for_review_with_every_attempt() -> None:
    state, _ = fail_address_three_times(at(Step.ADDRESS))
    state, actions = step(state, Said("1", "dtmf"))
    assert state.step is Step.DESCRIPTION and state.review and state.place is None
    state, actions = step(state, Said("deep hole", "speech"))
    assert actions == [FileRequest("POTHOLE", None,
                                   "purple elephant blvd / somewhere / over there",
                                   "deep hole", "en")]


def test_after_three_failed_addresses_a_person_is_one_key_away() -> None:
    state, _ = fail_address_three_times(at(Step.ADDRESS))
    state, actions = step(state, Said("0", "dtmf"))
    assert state.ended == "transfer" and any(isinstance(a, Transfer) for a in actions)


def test_declining_to_file_as_said_ends_politely() -> None:
    state, _ = fail_address_three_times(at(Step.ADDRESS))
    state, actions = step(state, Said("no", "speech"))
    assert state.ended == "gave_up" and prompts(actions) == ["gave_up"]


@pytest.mark.parametrize(("said", "step_"), [(Said("1", "dtmf"), Step.DESCRIPTION),
                                              (Said("yes", "speech"), Step.DESCRIPTION),
                                              (Said("sí", "text"), Step.DESCRIPTION),
                                              (Said("2", "dtmf"), Step.ADDRESS),
                                              (Said("no", "speech"), Step.ADDRESS)])
def test_confirmation(said, step_) -> None:
    state, _ = step(at(Step.CONFIRM_ADDRESS), said)
    assert state.step is step_


def test_saying_no_counts_as_an_address_failure() -> None:
    state, actions = step(at(Step.CONFIRM_ADDRESS), Said("no", "speech"))
    assert state.address_tries == 1 and state.place is None
    assert prompts(actions) == ["address_again", "address"]


@pytest.mark.parametrize(("said", "place"), [(Said("2", "dtmf"), OTHER),
                                              (Said("first", "speech"), HOME),
                                              (Said("1", "text"), HOME)])
def test_choosing_among_candidates(said, place) -> None:
    state, _ = step(at(Step.CHOOSE_ADDRESS), said)
    assert state.place == place and state.step is Step.DESCRIPTION


def test_none_of_the_candidates_asks_again() -> None:
    state, _ = step(at(Step.CHOOSE_ADDRESS), Said("none", "speech"))
    assert state.step is Step.ADDRESS and state.address_tries == 1


@pytest.mark.parametrize(
    ("event", "description"),
    [(Said("big hole near the bus stop", "speech"), "big hole near the bus stop"),
     (Said("skip", "text"), None), (Said("", "dtmf"), None), (Silence(), None)],
)
def test_description_then_filing(event, description) -> None:
    state, actions = step(at(Step.DESCRIPTION), event)
    assert state.step is Step.FILING
    assert actions == [FileRequest("POTHOLE", HOME, "123 main", description, "en")]


def test_voice_filing_reads_reference_and_offers_texts() -> None:
    state, actions = step(at(Step.FILING), RequestFiled("40017"))
    assert state.step is Step.OFFER_TEXTS and state.reference == "40017"
    assert actions[0] == Say("filed", {"reference": "40017"})
    assert prompts(actions) == ["filed", "offer_texts"]


def test_sms_filing_subscribes_and_ends() -> None:
    state, actions = step(at(Step.FILING, channel="sms"), RequestFiled("40017"))
    assert state.step is Step.DONE and state.wants_texts
    assert prompts(actions) == ["filed", "updates_by_text"]


@pytest.mark.parametrize(
    ("event", "wants"),
    [(Said("1", "dtmf"), True), (Said("yes", "speech"), True), (Said("2", "dtmf"), False),
     (Silence(), False)],
)
def test_offer_of_texts(event, wants) -> None:
    state, actions = step(at(Step.OFFER_TEXTS), event)
    assert state.step is Step.DONE and state.wants_texts is wants
    assert isinstance(actions[-1], End)


@pytest.mark.parametrize("step_", list(Step))
def test_hang_up_keeps_what_was_captured(step_) -> None:
    before = at(step_)
    state, actions = step(before, HungUp())
    assert state.step is Step.DONE
    assert state.category == before.category and state.place == before.place
    midway = step_ not in (Step.LANGUAGE, Step.FILING, Step.OFFER_TEXTS, Step.DONE)
    assert actions == ([ContinueByText(step_)] if midway else [])


@pytest.mark.parametrize("at_step", [Step.CATEGORY, Step.ADDRESS, Step.RESOLVING,
                                     Step.CONFIRM_ADDRESS, Step.DESCRIPTION])
def test_a_cut_off_call_resumes_by_text_at_the_same_question(at_step) -> None:
    done, _ = step(at(at_step), HungUp())
    state, actions = resume(done, "sms", at_step)
    assert state.channel == "sms" and state.ended is None
    assert state.step is (Step.ADDRESS if at_step is Step.RESOLVING else at_step)
    assert isinstance(actions[-1], Ask) and state.category == "POTHOLE"
    state, _ = step(state, Said("yes" if at_step is Step.CONFIRM_ADDRESS else "1 main st"))
    assert state.step is not Step.DONE


def test_texts_never_continue_a_text_conversation() -> None:
    _, actions = step(at(Step.ADDRESS, channel="sms"), HungUp())
    assert actions == []


@pytest.mark.parametrize(
    ("step_", "event"),
    [(Step.CATEGORY, AddressResolved("certain", (HOME,))), (Step.ADDRESS, RequestFiled("1")),
     (Step.RESOLVING, Said("hello")), (Step.DONE, Said("hello")), (Step.FILING, Silence())],
)
def test_illegal_events_name_the_event_and_step(step_, event) -> None:
    with pytest.raises(IllegalEvent, match=step_.value):
        step(at(step_), event)


@pytest.mark.parametrize("step_", list(Step))
def test_state_survives_storage(step_) -> None:
    state = at(step_, candidates=(HOME, OTHER), reference="123")
    assert load(dump(state)) == state


# ---- the address strategy by the geocoder's confidence (voice issue) -----------------------

MAIN = Place("Main St", 42.0, -71.0, 0.8, kind="street", street="Main St", spoken="Main Street")


def test_a_street_without_number_asks_for_the_number_on_the_keypad() -> None:
    state, actions = step(at(Step.RESOLVING, asked="address"), AddressResolved("confirm", (MAIN,)))
    assert state.step is Step.HOUSE_NUMBER
    ask = actions[-1]
    assert isinstance(ask, Ask) and ask.prompt == "house_number" and ask.expect == "number"
    assert ask.say_as == {"Main St": "Main Street"}


@pytest.mark.parametrize("said", [Said("123", "dtmf"), Said("it's 123", "speech")])
def test_the_keyed_number_is_resolved_on_that_street(said) -> None:
    state, actions = step(at(Step.HOUSE_NUMBER, place=MAIN), said)
    assert state.step is Step.RESOLVING and state.number_asked
    assert actions == [ResolveAddress("123 Main St", said.via)]


@pytest.mark.parametrize("said", [Said("", "dtmf"), Said("I don't know", "speech")])
def test_no_number_reads_back_the_street_alone(said) -> None:
    state, actions = step(at(Step.HOUSE_NUMBER, place=MAIN), said)
    assert state.step is Step.CONFIRM_ADDRESS
    assert actions[-1].prompt == "confirm_street"  # type: ignore[union-attr]


def test_a_number_out_of_range_is_not_asked_twice() -> None:
    state = at(Step.RESOLVING, asked="house_number", number_asked=True)
    state, actions = step(state, AddressResolved("confirm", (MAIN,)))
    assert state.step is Step.CONFIRM_ADDRESS


def test_street_not_found_asks_for_a_cross_street_first() -> None:
    state, actions = step(at(Step.RESOLVING, asked="address"), AddressResolved("failed"))
    assert state.step is Step.CROSS_STREET
    assert prompts(actions) == ["address_not_found", "cross_street"]


@pytest.mark.parametrize(("said", "letters"), [(Said("6246", "dtmf"), True),
                                               (Said("main and elm", "speech"), False)])
def test_cross_street_by_speech_or_keypad_letters(said, letters) -> None:
    state, actions = step(at(Step.CROSS_STREET), said)
    assert actions == [ResolveAddress(said.text, said.via, letters)]


def test_a_street_picked_from_a_list_still_needs_its_number() -> None:
    elm = Place("Elm St", 1, 2, 0.6, kind="street", street="Elm St")
    state, _ = step(at(Step.CHOOSE_ADDRESS, candidates=(MAIN, elm)), Said("2", "dtmf"))
    assert state.step is Step.HOUSE_NUMBER and state.place == elm


def test_the_read_back_says_the_address_as_a_person_would() -> None:
    home = Place("123 Mass Ave", 1, 2, 0.97, spoken="one twenty-three Massachusetts Avenue")
    _, actions = step(at(Step.RESOLVING, asked="address"), AddressResolved("certain", (home,)))
    assert actions[-1].say_as == {"123 Mass Ave": "one twenty-three Massachusetts Avenue"}  # type: ignore[union-attr]


@pytest.mark.parametrize("step_", [Step.CATEGORY, Step.ADDRESS, Step.HOUSE_NUMBER])
def test_agent_outside_hours_says_when_and_carries_on(step_) -> None:
    before = replace(at(step_, place=MAIN), agent=False)
    state, actions = step(before, Said("0", "dtmf"))
    assert state == before
    assert prompts(actions)[0] == "agent_closed" and isinstance(actions[-1], Ask)


@pytest.mark.parametrize("tries", [1, 2, 4])
def test_staff_choose_how_many_tries(tries) -> None:
    state, _ = start(Started("voice", MENU, agent=True, max_tries=tries))
    state, _ = step(state, Said("1", "dtmf"))
    for _ in range(tries):
        assert state.step is Step.CATEGORY
        state, actions = step(state, Said("banana", "speech"))
    assert state.step is Step.DONE and any(isinstance(a, Transfer) for a in actions)
