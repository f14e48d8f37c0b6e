"""The conversation engine: every step and event, as plain calls (no mocks, no I/O).

The geocoder's side is played by hand: where the engine asks to resolve words, the test
answers with the `AddressResolved` a geocoder would give for them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversation import (
    MAX_TRIES,
    AddressResolved,
    Ask,
    Category,
    Choice,
    ContinueByText,
    End,
    Ended,
    FileRequest,
    HungUp,
    IllegalEvent,
    Place,
    PlaceKind,
    Question,
    QuestionKind,
    Reason,
    RequestCallback,
    RequestFiled,
    ResolveAddress,
    Said,
    Say,
    Silence,
    Started,
    State,
    Step,
    Transfer,
    TransferEnded,
    dump,
    load,
    question,
    resume,
    start,
    step,
)

MENU = (
    Category("POTHOLE", "1", {"en": "pothole", "es": "bache"},
             {"en": ("pothole", "hole in the road"), "es": ("bache", "hoyo")}),
    Category("GRAFFITI", "2", {"en": "graffiti", "es": "grafiti"},
             {"en": ("graffiti", "tag"), "es": ("grafiti",)}),
    Category("STREETLIGHT", "3", {"en": "broken streetlight", "es": "luz de calle rota"},
             {"en": ("streetlight", "street light", "light out")}),
    Category("OTHER", "5", {"en": "something else", "es": "otra cosa"}),
    Category("VEHICLE", "6", {"en": "abandoned vehicle"}, {"en": ("abandoned car",)},
             questions=(Question("PLATE", {"en": "What is the plate?"}),
                        Question("DAYS", {"en": "How many days?"}, QuestionKind.NUMBER))),
)
HOME = Place("123 Main St", 42.0, -71.0, 0.97, street="Main St", spoken="123 Main Street")
NEAR = Place("125 Main St", 42.0, -71.0, 0.97, street="Main St")
MAINE = Place("123 Maine Ave", 42.1, -71.1, 0.91, street="Maine Ave")
MAIN_STREET = Place("Main St", 42.0, -71.0, 0.8, PlaceKind.STREET, "Main St")
CORNER = Place("Main St & Elm St", 42.0, -71.0, 0.95, PlaceKind.INTERSECTION, "Main St")


def sure(place: Place = HOME, span: tuple[int, int] | None = None) -> AddressResolved:
    return AddressResolved("certain", (place,), span)


NOTHING = AddressResolved("failed", ())


def begin(channel: str = "sms", text: str = "", **started: object) -> tuple[State, list]:
    return start(Started(channel, MENU, agent=True, text=text, other="OTHER",  # type: ignore[arg-type]
                         **started))  # type: ignore[arg-type]


def answer(state: State, actions: list, resolved: AddressResolved | None = None
           ) -> tuple[State, list]:
    """Feed the geocoder's answer when the engine asked for one."""
    if any(isinstance(a, ResolveAddress) for a in actions):
        assert resolved is not None, f"the engine asked to resolve: {actions}"
        return step(state, resolved)
    assert resolved is None, f"the engine did not ask to resolve: {actions}"
    return state, actions


def say(state: State, text: str, resolved: AddressResolved | None = None,
        via: str = "text") -> tuple[State, list]:
    return answer(*step(state, Said(text, via)), resolved)  # type: ignore[arg-type]


def first(text: str, resolved: AddressResolved | None = None,
          channel: str = "sms") -> tuple[State, list]:
    return answer(*begin(channel, text), resolved)


def asked(actions: list) -> Ask:
    found = [a for a in actions if isinstance(a, Ask)]
    assert found, f"no question in {actions}"
    return found[-1]


def prompts(actions: list) -> list[str]:
    return [a.prompt for a in actions if isinstance(a, (Say, Ask))]


def at(step_: Step, channel: str = "sms", **fields: object) -> State:
    """A conversation standing at `step_` with what that step needs already filled."""
    base = State(channel=channel, menu=MENU, agent=True, other="OTHER")  # type: ignore[arg-type]
    need: dict[str, object] = {}
    if step_ not in (Step.CATEGORY,):
        need["category"] = "POTHOLE"
    if step_ in (Step.DESCRIPTION, Step.CONFIRM, Step.CHANGE, Step.OFFER_TEXTS, Step.FILING):
        need.update(place=HOME, address_text="123 main st", heard=("123 main st",))
    if step_ in (Step.CONFIRM, Step.CHANGE, Step.OFFER_TEXTS, Step.FILING):
        need.update(described=True)
    if step_ is Step.HOUSE_NUMBER:
        need.update(place=MAIN_STREET, heard=("main street",))
    if step_ is Step.CHOOSE_ADDRESS:
        need.update(candidates=(HOME, MAINE), heard=("123 main",))
    if step_ in (Step.CROSS_STREET, Step.ADDRESS_FALLBACK):
        need.update(heard=("123 mian",), address_tries=1)
    if step_ is Step.QUESTION:
        need.update(category="VEHICLE")
    if step_ is Step.AFTER_TRANSFER:
        need.update(resume_at="address")
    return replace(base, step=step_, **{**need, **fields})  # type: ignore[arg-type]


# ---- the start ------------------------------------------------------------------------------


def test_a_call_opens_with_an_open_question_and_the_other_language() -> None:
    state, actions = begin("voice")
    assert prompts(actions) == ["greeting", "language_offer", "category"]
    assert asked(actions).expect == "open" and state.step is Step.CATEGORY


def test_a_city_with_one_language_offers_no_other() -> None:
    _, actions = begin("voice", languages=("en",))
    assert prompts(actions) == ["greeting", "category"]


@pytest.mark.parametrize("text, lang", [("Hi", "en"), ("Hola", "es"), ("hello?", "en"),
                                        ("Buenos días", "es"), ("ES", "es")])
def test_a_greeting_alone_gets_the_open_question_in_its_language(text, lang) -> None:
    state, actions = begin("sms", text)
    assert state.lang == lang and prompts(actions)[-1] == "category"


def test_the_menu_is_read_only_after_a_miss_or_on_request() -> None:
    state, actions = begin("voice")
    assert asked(actions).options == ()
    state, actions = say(state, "blah blah", NOTHING, via="speech")
    menu = asked(actions)
    assert menu.prompt == "category_menu" and ("1", "pothole") in menu.options
    state, actions = say(begin("voice")[0], "menu", via="speech")
    assert asked(actions).prompt == "category_menu"


# ---- what a first message may carry --------------------------------------------------------

# (text, the address's span or None when there is none, what is asked next, the slots)
ONE_SHOT = [
    ("pothole", None, "address", {"category": "POTHOLE"}),
    ("123 Main St", (0, 11), "category", {"place": HOME}),
    ("pothole at 123 Main St", (11, 22), "description", {"category": "POTHOLE", "place": HOME}),
    ("There's a pothole in front of 123 Main St, thanks", (30, 41), "description",
     {"category": "POTHOLE", "place": HOME}),
    ("Huge pothole at 123 Main St, my tire blew out", (16, 27), "confirm_report",
     {"category": "POTHOLE", "place": HOME,
      "description": "Huge pothole at 123 Main St, my tire blew out"}),
    ("pothole so deep my tire blew out", None, "address",
     {"category": "POTHOLE", "description": "pothole so deep my tire blew out"}),
    ("Hola, hay un bache en la calle Main 123", (21, 39), "description",
     {"category": "POTHOLE", "place": HOME, "lang": "es"}),
    ("hay un bache enorme, se me poncho una llanta", None, "address",
     {"category": "POTHOLE", "lang": "es",
      "description": "hay un bache enorme, se me poncho una llanta"}),
    ("text me when it's fixed: pothole at 123 Main St", (11, 22), "description",
     {"category": "POTHOLE", "wants_texts": True, "place": HOME}),
]


@pytest.mark.parametrize("text, span, next_prompt, slots", ONE_SHOT,
                         ids=[t for t, *_ in ONE_SHOT])
def test_every_slot_a_first_message_carries_is_kept(text, span, next_prompt, slots) -> None:
    resolved = sure(HOME, span) if span else NOTHING
    state, actions = first(text, resolved)
    assert asked(actions).prompt == next_prompt
    for name, value in slots.items():
        assert getattr(state, name) == value, name
    if "description" not in slots and next_prompt != "description":
        assert state.description is None


def test_the_address_words_are_sent_to_the_geocoder_in_the_residents_language() -> None:
    state, actions = begin("sms", "Hola, hay un bache en la calle Main 123")
    look = [a for a in actions if isinstance(a, ResolveAddress)]
    assert look and look[0].text.startswith("Hola") and look[0].lang == "es"


def test_a_sentence_is_looked_up_as_one_and_a_correction_always() -> None:
    _, actions = begin("sms", "there is a pothole")
    assert [a.sentence for a in actions if isinstance(a, ResolveAddress)] == [True]
    _, actions = step(at(Step.CONFIRM), Said("no the address is 123 Maine Ave"))
    assert [a.sentence for a in actions if isinstance(a, ResolveAddress)] == [False]


def test_one_shot_text_files_in_three_answers() -> None:
    state, _ = first("pothole at 123 Main St", sure(HOME, (11, 22)))
    state, actions = say(state, "it is deep")
    assert asked(actions).prompt == "confirm_report"
    assert asked(actions).params == {"problem": "pothole", "address": "123 Main St"}
    state, actions = say(state, "yes")
    filing = [a for a in actions if isinstance(a, FileRequest)]
    assert filing == [FileRequest("POTHOLE", HOME, "123 Main St", "it is deep", "en")]


def test_an_address_guess_inside_a_sentence_below_the_floor_is_not_taken() -> None:
    weak = AddressResolved("confirm", (replace(MAINE, score=0.55),), (0, 5))
    state, actions = first("pothole near the school", weak)
    assert state.place is None and asked(actions).prompt == "address"


def test_a_street_in_a_first_message_asks_for_its_number() -> None:
    state, actions = first("pothole on main street", AddressResolved(
        "confirm", (MAIN_STREET, replace(MAINE, score=0.5)), (11, 22)))
    assert asked(actions).prompt == "house_number" and state.place == MAIN_STREET


@pytest.mark.parametrize("text", ["the road has a deep hole in it", "hay un hoyo en la esquina"
                                  .replace("esquina", "vereda")])
def test_words_only_like_street_names_are_not_offered_as_places(text: str) -> None:
    """Nothing in the sentence is shaped like an address: no "Which one? Holly Ave…";
    the problem is asked about, then the address."""
    holly = replace(MAIN_STREET, label="Holly Ave", street="Holly Ave", score=0.7)
    state, actions = first(text, AddressResolved("confirm", (holly, MAIN_STREET), (17, 21)))
    assert state.place is None and not state.candidates
    assert asked(actions).prompt != "choose_address"


def test_close_places_in_a_first_message_are_offered_by_number() -> None:
    state, actions = first("pothole at 123 main", AddressResolved("confirm", (HOME, MAINE),
                                                                   (11, 19)))
    ask = asked(actions)
    assert ask.prompt == "choose_address" and [o[1] for o in ask.options] == [
        "123 Main St", "123 Maine Ave"]
    state, actions = say(state, "1")
    assert state.place == HOME and asked(actions).prompt == "description"


# ---- the catch-all ---------------------------------------------------------------------------


def test_an_unknown_problem_gets_the_menu_once_then_the_catch_all_with_its_words() -> None:
    state, actions = first("dead raccoon in the road", NOTHING)
    assert prompts(actions)[-2:] == ["not_understood", "category_menu"]
    state, actions = say(state, "it smells really bad", NOTHING)
    assert state.category == "OTHER"
    assert state.description == "dead raccoon in the road / it smells really bad"
    assert asked(actions).prompt == "address"


def test_a_problem_not_understood_beside_an_address_gets_the_menu_after_the_place() -> None:
    state, actions = first("huge sinkhole opened up near 123 main",
                           AddressResolved("confirm", (HOME, MAINE), (29, 37)))
    assert asked(actions).prompt == "choose_address"
    state, actions = say(state, "1")
    assert asked(actions).prompt == "category_menu"
    state, actions = say(state, "1")
    assert state.category == "POTHOLE"
    assert state.description == "huge sinkhole opened up near 123 main"


def test_a_problem_chosen_from_the_menu_keeps_the_words_said_before() -> None:
    state, _ = first("dead raccoon in the road", NOTHING)
    state, actions = say(state, "5")
    assert state.category == "OTHER" and state.description == "dead raccoon in the road"


def test_without_a_catch_all_a_problem_nobody_named_ends_with_a_person() -> None:
    state = replace(at(Step.CATEGORY, "voice"), other=None)
    for _ in range(MAX_TRIES - 1):
        state, _ = say(state, "blah", NOTHING, via="speech")
    state, actions = say(state, "blah", NOTHING, via="speech")
    assert any(isinstance(a, Transfer) for a in actions)


# ---- commands at every step ------------------------------------------------------------------

STEPS = [Step.CATEGORY, Step.QUESTION, Step.ADDRESS, Step.CROSS_STREET, Step.HOUSE_NUMBER,
         Step.CHOOSE_ADDRESS, Step.ADDRESS_FALLBACK, Step.DESCRIPTION, Step.CONFIRM,
         Step.CHANGE]


@pytest.mark.parametrize("step_", STEPS)
@pytest.mark.parametrize("words", ["agent", "operator", "representative",
                                   "I want to speak to a person", "talk to a human please",
                                   "quiero hablar con una persona", "0"])
def test_agent_by_voice_transfers_from_any_step(step_, words) -> None:
    state = at(step_, "voice")
    via = "dtmf" if words == "0" else "speech"
    new, actions = step(state, Said(words, via))  # type: ignore[arg-type]
    assert any(isinstance(a, Transfer) for a in actions)
    assert new.step is Step.TRANSFERRING and new.resume_at == step_.value


@pytest.mark.parametrize("step_", STEPS)
@pytest.mark.parametrize("words", ["agent", "0", "talk to a person"])
def test_agent_by_text_gives_the_number_and_keeps_the_report(step_, words) -> None:
    state = at(step_, "sms")
    new, actions = step(state, Said(words))
    assert prompts(actions)[0] == "agent_by_text"
    assert asked(actions) == question(state) and new == replace(state, attempts=0)


@pytest.mark.parametrize("step_", STEPS)
def test_help_explains_the_step_and_asks_again(step_) -> None:
    state = at(step_)
    new, actions = step(state, Said("help"))
    assert new == state
    assert prompts(actions)[0].startswith("help.") and asked(actions) == question(state)


@pytest.mark.parametrize("step_", STEPS)
@pytest.mark.parametrize("words, via", [("start over", "text"), ("empezar de nuevo", "text"),
                                        ("*", "dtmf")])
def test_start_over_keeps_the_language_and_clears_the_report(step_, words, via) -> None:
    state = at(step_, "voice", lang="es")
    new, actions = step(state, Said(words, via))  # type: ignore[arg-type]
    assert new.step is Step.CATEGORY and new.lang == "es" and new.category is None
    assert new.place is None and prompts(actions) == ["start_over", "category"]


@pytest.mark.parametrize("step_", STEPS)
@pytest.mark.parametrize("words", ["cancel my report", "never mind", "cancelar"])
def test_cancel_ends_without_filing(step_, words) -> None:
    new, actions = step(at(step_), Said(words))
    assert new.step is Step.DONE and new.ended == Ended.CANCELLED
    assert not any(isinstance(a, FileRequest) for a in actions)


@pytest.mark.parametrize("step_", STEPS)
@pytest.mark.parametrize("words, lang", [("español", "es"), ("ES", "es"), ("Spanish", "es")])
def test_a_language_switch_at_any_step_keeps_every_slot(step_, words, lang) -> None:
    state = at(step_)
    new, actions = step(state, Said(words))
    assert new == replace(state, lang=lang) and asked(actions) == question(new)
    back, _ = step(new, Said("English"))
    assert back == state


def test_a_language_the_city_does_not_offer_is_not_switched_to() -> None:
    state = replace(at(Step.ADDRESS), languages=("en",))
    new, actions = step(state, Said("español"))
    assert new.lang == "en"


def test_press_2_at_the_opening_is_spanish() -> None:
    state, _ = begin("voice")
    new, actions = step(state, Said("2", "dtmf"))
    assert new.lang == "es" and asked(actions).prompt == "category"


@pytest.mark.parametrize("words", ["I don't know", "no sé", "not sure", "idk"])
@pytest.mark.parametrize("step_, expect", [
    (Step.ADDRESS, "cross_street"),
    (Step.CROSS_STREET, "address_fallback_agent"),
    (Step.HOUSE_NUMBER, "description"),
    (Step.CHOOSE_ADDRESS, "address"),
    (Step.DESCRIPTION, "confirm_report"),
    (Step.CATEGORY, "category_menu"),
])
def test_i_dont_know_skips_or_tries_another_way(words, step_, expect) -> None:
    new, actions = step(at(step_), Said(words))
    assert asked(actions).prompt == expect
    assert not any(isinstance(a, ResolveAddress) for a in actions)


def test_i_dont_know_at_cross_streets_with_nothing_heard_asks_for_a_landmark() -> None:
    state, actions = step(at(Step.CROSS_STREET, heard=()), Said("I don't know"))
    assert asked(actions).prompt == "landmark"
    state, actions = step(state, Said("behind the library"))
    assert state.review and asked(actions).prompt == "description"


def test_a_command_is_never_a_description() -> None:
    for words in ("help", "agent", "español"):
        new, actions = step(at(Step.DESCRIPTION), Said(words))
        assert new.description is None and not any(isinstance(a, FileRequest) for a in actions)


def test_a_description_that_mentions_help_is_a_description() -> None:
    new, actions = step(at(Step.DESCRIPTION), Said("cars need help to get around it"))
    assert new.description == "cars need help to get around it"


# ---- the read-back and corrections -----------------------------------------------------------


@pytest.mark.parametrize("words", ["yes", "Yes please", "sí", "1", "correct", "ok"])
def test_yes_files(words) -> None:
    new, actions = step(at(Step.CONFIRM), Said(words, "dtmf" if words == "1" else "text"))
    assert new.step is Step.FILING and any(isinstance(a, FileRequest) for a in actions)


@pytest.mark.parametrize("words, via", [("no", "text"), ("2", "dtmf"), ("wrong", "text")])
def test_no_asks_what_to_change(words, via) -> None:
    new, actions = step(at(Step.CONFIRM), Said(words, via))  # type: ignore[arg-type]
    assert asked(actions).prompt == "what_to_change" and new.place == HOME


def test_a_new_number_changes_only_the_number() -> None:
    state, actions = step(at(Step.CONFIRM, description="deep"), Said("no, it's 125"))
    assert [a.text for a in actions if isinstance(a, ResolveAddress)] == ["125 Main St"]
    state, actions = step(state, sure(NEAR, (0, 11)))
    assert state.place == NEAR and state.category == "POTHOLE" and state.description == "deep"
    assert asked(actions).prompt == "confirm_report"


def test_a_new_category_changes_only_the_category() -> None:
    state, actions = say(at(Step.CONFIRM, description="deep"), "it's graffiti", NOTHING)
    assert state.category == "GRAFFITI" and state.place == HOME and state.description == "deep"
    assert asked(actions).prompt == "confirm_report"


def test_a_new_address_changes_only_the_address() -> None:
    state, actions = say(at(Step.CONFIRM), "no the address is 123 Maine Ave", sure(MAINE))
    assert state.place == MAINE and state.category == "POTHOLE"
    assert asked(actions).prompt == "confirm_report"


def test_a_correction_that_finds_the_same_place_again_asks_for_the_address() -> None:
    state, actions = say(at(Step.CONFIRM), "no, it's 123 Main St", sure(HOME))
    assert prompts(actions)[-2:] == ["address_again", "address"] and state.address_tries == 1


def test_an_address_correction_not_found_asks_for_the_address() -> None:
    state, actions = say(at(Step.CONFIRM), "no, 99 Nowhere Blvd", NOTHING)
    assert prompts(actions)[-2:] == ["address_not_found", "address"] and state.place is None


@pytest.mark.parametrize("pick, expect", [("1", "category_menu"), ("2", "address"),
                                          ("3", "description")])
def test_what_to_change_by_key(pick, expect) -> None:
    state, actions = step(at(Step.CHANGE, "voice"), Said(pick, "dtmf"))
    assert asked(actions).prompt == expect


def test_naming_the_part_to_change() -> None:
    state, actions = step(at(Step.CONFIRM), Said("the address is wrong"))
    assert asked(actions).prompt == "address" and state.place is None


def test_more_words_at_the_read_back_add_to_the_description() -> None:
    state, actions = say(at(Step.CONFIRM, description="deep"),
                         "also it's right in the bike lane", NOTHING)
    assert state.description == "deep / also it's right in the bike lane"
    assert asked(actions).prompt == "confirm_report"


def test_the_read_back_says_the_address_as_a_person_would() -> None:
    ask = question(at(Step.CONFIRM, "voice"))
    assert ask.say_as == {"123 Main St": "123 Main Street"}


def test_a_street_without_number_is_read_back_as_such() -> None:
    ask = question(at(Step.CONFIRM, place=MAIN_STREET))
    assert ask.prompt == "confirm_report_street"


# ---- addresses -------------------------------------------------------------------------------


def test_the_address_question_sends_the_words_and_a_sure_place_moves_on() -> None:
    state, actions = step(at(Step.ADDRESS, "voice", lang="es"), Said("123 main", "speech"))
    assert actions == [ResolveAddress("123 main", lang="es")]
    state, actions = step(state, sure())
    assert state.place == HOME and state.place_sure and asked(actions).prompt == "description"


def test_words_around_an_answered_address_become_the_description() -> None:
    state, _ = step(at(Step.ADDRESS), Said("123 Main St, deep hole that blew my tire"))
    state, actions = step(state, sure(HOME, (0, 11)))
    assert state.description == "123 Main St, deep hole that blew my tire"
    assert asked(actions).prompt == "confirm_report"


def test_a_street_not_found_asks_for_cross_streets_then_the_address() -> None:
    state, _ = step(at(Step.ADDRESS), Said("99 nowhere"))
    state, actions = step(state, NOTHING)
    assert prompts(actions) == ["address_not_found", "cross_street"]
    state, _ = step(state, Said("main and elm"))
    state, actions = step(state, AddressResolved("certain", (CORNER,)))
    assert state.place == CORNER


def test_cross_street_by_keypad_spells_letters() -> None:
    state, actions = step(at(Step.CROSS_STREET, "voice"), Said("6246", "dtmf"))
    assert actions == [ResolveAddress("6246", True, "en")]


def test_out_of_city_is_said_as_such() -> None:
    state, _ = step(at(Step.ADDRESS), Said("1 main st springfield"))
    _, actions = step(state, AddressResolved("out_of_city"))
    assert prompts(actions)[0] == "address_out_of_city"


@pytest.mark.parametrize("agent, prompt", [(True, "address_fallback_agent"),
                                           (False, "address_fallback")])
def test_addresses_never_found_offer_filing_as_said(agent, prompt) -> None:
    state = at(Step.ADDRESS, agent=agent)
    for words in ("99 nowhere", "main and nowhere", "99 nowhere st"):
        state, _ = step(state, Said(words))
        state, actions = step(state, NOTHING)
    assert asked(actions).prompt == prompt
    state, actions = step(state, Said("yes"))
    assert asked(actions).prompt == "description"
    state, actions = step(state, Said("skip"))
    filing = [a for a in actions if isinstance(a, FileRequest)]
    assert filing and filing[0].place is None
    assert filing[0].address_text == "99 nowhere / main and nowhere / 99 nowhere st"


def test_declining_to_file_as_said_ends_politely() -> None:
    new, actions = step(at(Step.ADDRESS_FALLBACK), Said("no"))
    assert new.ended == Ended.GAVE_UP and isinstance(actions[-1], End)


def test_a_number_not_on_the_street_is_explained_with_its_range() -> None:
    odd = replace(MAIN_STREET, number=9999, numbers=(1, 480))
    state, actions = step(at(Step.ADDRESS), Said("9999 Main St"))
    state, actions = step(state, AddressResolved("confirm", (odd,)))
    ask = asked(actions)
    assert ask.prompt == "house_number_unknown"
    assert ask.params == {"street": "Main St", "number": "9999", "low": "1", "high": "480"}
    state, actions = step(state, Said("123"))
    assert actions == [ResolveAddress("123 Main St", lang="en")]


def test_the_keyed_number_is_resolved_on_that_street() -> None:
    state, actions = step(at(Step.HOUSE_NUMBER, "voice"), Said("123", "dtmf"))
    assert actions == [ResolveAddress("123 Main St", lang="en")]
    state, actions = step(state, sure())
    assert state.place == HOME


@pytest.mark.parametrize("said", [Said("", "dtmf"), Said("skip"), Said("no")])
def test_no_house_number_keeps_the_street(said) -> None:
    state, actions = step(at(Step.HOUSE_NUMBER), said)
    assert state.place == MAIN_STREET and asked(actions).prompt == "description"


def test_none_of_the_choices_asks_the_address_again() -> None:
    state, actions = step(at(Step.CHOOSE_ADDRESS), Said("9", "dtmf"))
    assert state.step is Step.ADDRESS and state.candidates == ()


# ---- questions the city's server requires ---------------------------------------------------


def test_required_questions_are_asked_in_order_before_the_address() -> None:
    state, actions = first("abandoned car", NOTHING)
    assert asked(actions).params == {"question": "What is the plate?"}
    state, actions = say(state, "ABC 123")
    assert asked(actions).params == {"question": "How many days?"}
    state, actions = say(state, "about 5 days")
    assert state.answers == (("PLATE", "ABC 123"), ("DAYS", "5"))
    assert asked(actions).prompt == "address"


def test_a_choice_question_takes_a_digit_or_a_name() -> None:
    menu = (Category("X", "1", {"en": "x"}, questions=(Question(
        "SIZE", {"en": "Size?"}, QuestionKind.CHOICE, (Choice("S", {"en": "small"}),
                                            Choice("L", {"en": "large"}))),)),)
    state = State(channel="sms", menu=menu, step=Step.QUESTION, category="X")
    assert step(state, Said("2"))[0].answers == (("SIZE", "L"),)
    assert step(state, Said("small"))[0].answers == (("SIZE", "S"),)
    assert step(state, Said("huge"))[0].answers == ()


# ---- filing, texts, transfers ----------------------------------------------------------------


def test_a_call_reads_the_reference_and_offers_texts() -> None:
    state, _ = step(at(Step.CONFIRM, "voice"), Said("yes"))
    state, actions = step(state, RequestFiled("1234567"))
    assert prompts(actions) == ["filed", "offer_texts"]
    state, actions = step(state, Said("1", "dtmf"))
    assert state.wants_texts and state.ended == Ended.FILED


def test_a_caller_who_asked_for_texts_is_not_asked_again() -> None:
    state, _ = step(at(Step.CONFIRM, "voice", wants_texts=True), Said("yes"))
    state, actions = step(state, RequestFiled("1234567"))
    assert state.step is Step.DONE and state.wants_texts


def test_a_texter_is_subscribed() -> None:
    state, _ = step(at(Step.CONFIRM), Said("yes"))
    state, actions = step(state, RequestFiled("1234567"))
    assert prompts(actions) == ["filed", "updates_by_text"] and state.wants_texts


def test_an_unanswered_transfer_comes_back_and_finishes_the_report() -> None:
    state, actions = step(at(Step.DESCRIPTION, "voice"), Said("0", "dtmf"))
    assert state.step is Step.TRANSFERRING
    state, actions = step(state, TransferEnded("no-answer"))
    assert prompts(actions) == ["transfer_failed", "after_transfer"]
    state, actions = step(state, Said("1", "dtmf"))
    assert state.step is Step.DESCRIPTION and asked(actions).prompt == "description"
    assert not state.agent  # not dialled again into the same empty line


@pytest.mark.parametrize("status", ["busy", "failed", "no-answer", "canceled"])
def test_a_callback_files_what_was_captured(status) -> None:
    state, _ = step(at(Step.DESCRIPTION, "voice"), Said("agent", "speech"))
    state, _ = step(state, TransferEnded(status))
    state, actions = step(state, Said("2", "dtmf"))
    assert [a for a in actions if isinstance(a, FileRequest)]
    state, actions = step(state, RequestFiled("7654321"))
    assert RequestCallback(Reason.NO_ANSWER, "7654321") in actions
    assert state.ended == Ended.CALLBACK and isinstance(actions[-1], End)


def test_a_callback_before_anything_was_said_is_recorded_alone() -> None:
    state, _ = step(at(Step.CATEGORY, "voice"), Said("0", "dtmf"))
    state, _ = step(state, TransferEnded("busy"))
    state, actions = step(state, Said("call me back", "speech"))
    assert RequestCallback(Reason.ASKED) in actions and state.ended == Ended.CALLBACK


def test_silence_after_an_unanswered_transfer_ends_in_a_callback_not_a_loop() -> None:
    state, _ = step(at(Step.ADDRESS, "voice"), Said("0", "dtmf"))
    state, _ = step(state, TransferEnded("no-answer"))
    for _ in range(MAX_TRIES):
        state, actions = step(state, Silence())
    assert not any(isinstance(a, Transfer) for a in actions)
    assert state.callback


def test_an_answered_transfer_ends_the_call() -> None:
    state, _ = step(at(Step.ADDRESS, "voice"), Said("0", "dtmf"))
    state, actions = step(state, TransferEnded("completed"))
    assert state.ended == Ended.TRANSFER and actions == [End(Ended.TRANSFER)]


def test_agent_outside_hours_says_when_and_carries_on() -> None:
    state = at(Step.ADDRESS, "voice", agent=False)
    new, actions = step(state, Said("0", "dtmf"))
    assert new == state and prompts(actions) == ["agent_closed", "address"]


def test_sms_out_of_tries_keeps_the_report_and_gives_the_number() -> None:
    state = at(Step.CHOOSE_ADDRESS)
    for _ in range(MAX_TRIES):
        state, actions = step(state, Said("purple"))
    assert prompts(actions)[0] == "gave_up_text" and state.step is Step.CHOOSE_ADDRESS


@pytest.mark.parametrize("tries", [1, 2, 5])
def test_staff_choose_how_many_tries(tries) -> None:
    state = replace(at(Step.CHOOSE_ADDRESS, "voice"), max_tries=tries)
    for _n in range(tries):
        state, actions = step(state, Said("purple", "speech"))
    assert any(isinstance(a, Transfer) for a in actions)


def test_the_second_failure_rewords_the_question() -> None:
    state = at(Step.CHOOSE_ADDRESS)
    state, actions = step(state, Said("purple"))
    assert prompts(actions) == ["not_understood", "choose_address"]
    assert asked(actions).attempt == 1
    state, actions = step(state, Said("purple"))
    assert asked(actions).attempt == 2  # the ".retry" wording


# ---- hanging up, storage, illegal events ----------------------------------------------------


@pytest.mark.parametrize("step_", [Step.CATEGORY, Step.ADDRESS, Step.DESCRIPTION, Step.CONFIRM])
def test_a_call_cut_off_midway_may_go_on_by_text(step_) -> None:
    new, actions = step(at(step_, "voice"), HungUp())
    assert new.ended == Ended.HANGUP and actions == [ContinueByText(step_)]
    moved, asked_again = resume(new, "sms", step_)
    assert moved.channel == "sms" and asked_again == [question(moved)]


def test_a_call_cut_off_while_on_hold_goes_on_where_it_was() -> None:
    state, _ = step(at(Step.ADDRESS, "voice"), Said("0", "dtmf"))
    _, actions = step(state, HungUp())
    assert actions == [ContinueByText(Step.ADDRESS)]


def test_texts_never_continue_a_text_conversation() -> None:
    _, actions = step(at(Step.ADDRESS), HungUp())
    assert actions == []


@pytest.mark.parametrize("step_, event", [(Step.FILING, Said("hi")),
                                          (Step.CATEGORY, RequestFiled("1")),
                                          (Step.ADDRESS, TransferEnded("busy"))])
def test_illegal_events_name_the_event_and_step(step_, event) -> None:
    with pytest.raises(IllegalEvent, match=f"{type(event).__name__}.*{step_.value}"):
        step(at(step_), event)


@pytest.mark.parametrize("step_", STEPS + [Step.AFTER_TRANSFER, Step.OFFER_TEXTS])
def test_state_survives_storage(step_) -> None:
    state = at(step_, place=replace(MAIN_STREET, number=9, numbers=(1, 99)), tried=("x",))
    assert load(dump(state)) == state


def test_a_state_stored_by_an_older_version_still_loads() -> None:
    old = dump(at(Step.ADDRESS))
    del old["languages"], old["tried"]
    old["gone"] = 1
    assert load(old).step is Step.ADDRESS
