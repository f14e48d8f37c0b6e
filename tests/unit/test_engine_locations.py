"""Shared points in the engine: a location is placed, read back, and taken only on a yes."""

from __future__ import annotations

from conversation import (
    AddressResolved,
    FileRequest,
    LocatePoint,
    LocationShared,
    Place,
    ResolveAddress,
    Said,
    Started,
    Step,
    dump,
    load,
    start,
    step,
)

from .test_engine import HOME, MENU, State, asked, at, begin, prompts

POINT = LocationShared(41.2512, -98.7486)
NEAREST = Place("120 Main St", 41.2512, -98.7486, 1.0, "address", "Main St")
FOUND = AddressResolved("confirm", (NEAREST,))


def shared(state: State, event: LocationShared = POINT,
           found: AddressResolved = FOUND) -> tuple[State, list]:
    state, actions = step(state, event)
    assert actions == [LocatePoint(event.lat, event.lon, state.lang)]
    assert state.step is Step.LOCATING
    return step(state, found)


def test_a_location_at_the_address_question_is_read_back_then_taken_on_yes() -> None:
    state, actions = shared(at(Step.ADDRESS))
    assert state.step is Step.CONFIRM_PLACE
    assert asked(actions).prompt == "confirm_place"
    assert asked(actions).params == {"address": "120 Main St"}
    assert state.place is None  # never used before the resident says so
    state, actions = step(state, Said("yes"))
    assert state.place == NEAREST and state.place_sure
    assert state.step is Step.DESCRIPTION


def test_no_asks_for_the_street_address() -> None:
    state, _ = shared(at(Step.ADDRESS))
    state, actions = step(state, Said("no"))
    assert state.step is Step.ADDRESS and state.place is None
    assert asked(actions).prompt == "address"


def test_an_address_typed_instead_of_yes_is_looked_up() -> None:
    state, _ = shared(at(Step.ADDRESS))
    state, actions = step(state, Said("125 Main St"))
    assert state.step is Step.RESOLVING
    assert isinstance(actions[0], ResolveAddress) and actions[0].text == "125 Main St"


def test_outside_the_city_is_refused_kindly_and_the_question_asked_again() -> None:
    state, actions = shared(at(Step.ADDRESS), found=AddressResolved("out_of_city"))
    assert prompts(actions) == ["location_out_of_city", "address"]
    assert state.step is Step.ADDRESS


def test_a_location_first_with_words_fills_the_problem_too() -> None:
    state, _ = begin()
    event = LocationShared(41.2512, -98.7486, text="pothole, deep one in the bike lane")
    state, actions = shared(state, event)
    assert state.category == "POTHOLE" and state.step is Step.CONFIRM_PLACE
    state, actions = step(state, Said("yes"))
    assert state.step is Step.CONFIRM
    assert asked(actions).params["address"] == "120 Main St"
    assert "bike lane" in (state.description or "")
    state, actions = step(state, Said("yes"))
    filed = [a for a in actions if isinstance(a, FileRequest)]
    assert filed and filed[0].place == NEAREST


def test_a_location_at_the_read_back_replaces_the_address_after_a_yes() -> None:
    state, _ = shared(at(Step.CONFIRM))
    assert state.place == HOME  # kept until the new one is agreed
    state, actions = step(state, Said("yes"))
    assert state.place == NEAREST and state.step is Step.CONFIRM
    declined, actions = shared(at(Step.CONFIRM))
    declined, actions = step(declined, Said("no"))
    assert declined.place == HOME and declined.step is Step.CONFIRM


def test_commands_work_at_the_place_question() -> None:
    state, _ = shared(at(Step.ADDRESS))
    state, actions = step(state, Said("help"))
    assert prompts(actions) == ["help.confirm_place", "confirm_place"]
    state, actions = step(state, Said("banana"))
    assert prompts(actions) == ["not_understood", "confirm_place"]


def test_the_place_question_survives_storage() -> None:
    state, _ = shared(at(Step.ADDRESS))
    assert load(dump(state)) == state


def test_a_second_location_at_the_place_question_replaces_the_first() -> None:
    state, _ = shared(at(Step.ADDRESS))
    other = Place("300 Oak St", 41.26, -98.74, 1.0, "address", "Oak St")
    state, actions = shared(state, LocationShared(41.26, -98.74),
                            AddressResolved("confirm", (other,)))
    assert asked(actions).params == {"address": "300 Oak St"}
    state, _ = step(state, Said("yes"))
    assert state.place == other and state.step is Step.DESCRIPTION


# ---- Reply NEW: another report, the same language, the last place offered ------------------


def again(lang: str = "es", last: Place | None = HOME) -> tuple[State, list]:
    return start(Started("sms", MENU, agent=True, other="OTHER", again=True, lang=lang,
                         last_place=last))


def test_new_keeps_the_language_and_skips_the_greeting() -> None:
    state, actions = again()
    assert state.lang == "es"
    assert prompts(actions) == ["new_report", "category"]


def test_new_offers_the_last_place_once_the_problem_is_known() -> None:
    state, _ = again()
    state, actions = step(state, Said("1", "text"))
    assert state.step is Step.CONFIRM_PLACE
    assert asked(actions).prompt == "confirm_last_place"
    assert asked(actions).params == {"address": HOME.label}
    state, actions = step(state, Said("si"))
    assert state.place == HOME and state.step is Step.DESCRIPTION


def test_new_with_another_place_declined_asks_the_address_and_never_offers_again() -> None:
    state, _ = again("en")
    state, _ = step(state, Said("1", "text"))
    state, actions = step(state, Said("no"))
    assert state.step is Step.ADDRESS and state.place is None and state.last_place is None
    assert asked(actions).prompt == "address"


def test_new_without_a_last_place_asks_the_address() -> None:
    state, _ = again("en", None)
    state, actions = step(state, Said("1", "text"))
    assert state.step is Step.ADDRESS


def test_the_offer_survives_storage() -> None:
    state, _ = again()
    assert load(dump(state)) == state
