"""Photos in the engine: kept (three at most), refused ones named, GPS offered never taken."""

from __future__ import annotations

from conversation import (
    AddressResolved,
    FileRequest,
    LocatePoint,
    PhotosSent,
    Place,
    Said,
    Say,
    Step,
    dump,
    load,
    step,
)
from sms.media import media_items

from .test_engine import asked, at, begin, prompts

URL = "https://city.example/media/a.jpg"
NEAR = Place("45 Elm St", 41.25, -98.75, 1.0, "address", "Elm St")


def test_a_photo_alone_first_starts_a_report_and_is_kept() -> None:
    state, _ = begin()
    state, actions = step(state, PhotosSent((URL,)))
    assert prompts(actions) == ["photo_added", "category"]
    assert state.photos == (URL,)


def test_photos_are_filed_with_the_report() -> None:
    state, _ = step(at(Step.CONFIRM), PhotosSent((URL,)))
    assert state.step is Step.CONFIRM
    state, actions = step(state, Said("yes"))
    filed = [a for a in actions if isinstance(a, FileRequest)]
    assert filed and filed[0].media == (URL,)


def test_words_with_a_photo_are_an_answer() -> None:
    state, actions = step(at(Step.DESCRIPTION), PhotosSent((URL,), text="Deep and wide"))
    assert prompts(actions)[0] == "photo_added"
    assert state.description == "Deep and wide" and state.step is Step.CONFIRM


def test_refused_photos_are_named_and_the_report_goes_on() -> None:
    state, actions = step(at(Step.ADDRESS), PhotosSent((), ("size", "type", "size")))
    assert prompts(actions) == ["photo_refused.size", "photo_refused.type", "address"]
    assert state.step is Step.ADDRESS and state.photos == ()


def test_at_most_three_photos() -> None:
    state, _ = step(at(Step.ADDRESS), PhotosSent(("a", "b")))
    state, actions = step(state, PhotosSent(("c", "d")))
    assert state.photos == ("a", "b", "c")
    assert "photo_refused.too_many" in prompts(actions)
    said = [a for a in actions if isinstance(a, Say) and a.prompt == "photo_refused.too_many"]
    assert said[0].params == {"max": "3"}


def test_gps_is_offered_never_used_silently() -> None:
    state, actions = step(at(Step.ADDRESS), PhotosSent((URL,), lat=41.25, lon=-98.75))
    assert actions[-1] == LocatePoint(41.25, -98.75, "en") and state.place is None
    state, actions = step(state, AddressResolved("confirm", (NEAR,)))
    assert asked(actions).prompt == "confirm_photo_place"
    assert asked(actions).params == {"address": "45 Elm St"} and state.place is None
    state, _ = step(state, Said("yes"))
    assert state.place == NEAR
    assert load(dump(state)) == state


def test_gps_is_not_offered_when_the_place_is_known() -> None:
    state, actions = step(at(Step.CONFIRM), PhotosSent((URL,), lat=41.25, lon=-98.75))
    assert not any(isinstance(a, LocatePoint) for a in actions)
    assert asked(actions).prompt == "confirm_report"


def test_media_items_from_the_form() -> None:
    form = {"NumMedia": "2", "MediaUrl0": "https://a/0", "MediaContentType0": "image/jpeg",
            "MediaUrl1": "https://a/1", "MediaContentType1": "image/png"}
    assert media_items(form) == (("https://a/0", "image/jpeg"), ("https://a/1", "image/png"))
    assert media_items({"NumMedia": "0"}) == ()
    assert media_items({"NumMedia": "x", "MediaUrl0": "https://a/0"}) == (("https://a/0", ""),)


def test_a_photo_at_the_already_reported_offer_is_kept_and_the_offer_asked_again() -> None:
    from dataclasses import replace

    from conversation import DuplicatesFound, Existing
    state = replace(at(Step.CONFIRM), check_duplicates=True)
    state, _ = step(state, Said("yes"))
    state, _ = step(state, DuplicatesFound((Existing("12345", 2),)))
    state, actions = step(state, PhotosSent((URL,), lat=41.25, lon=-98.75))
    assert state.photos == (URL,) and state.step is Step.OFFER_DUPLICATE
    assert prompts(actions) == ["photo_added", "duplicate_offer"]
