"""Already reported: before filing, an open request like this one nearby is offered to follow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversation import (
    DuplicatesFound,
    Ended,
    Existing,
    FileRequest,
    FindDuplicates,
    FollowRequest,
    RequestFollowed,
    Said,
    Step,
    dump,
    load,
    step,
)

from .test_engine import HOME, asked, at, prompts

FOUND = DuplicatesFound((Existing("12345", 2), Existing("12399", 5)))


def confirming(channel: str = "sms"):  # noqa: ANN201
    return replace(at(Step.CONFIRM, channel), check_duplicates=True)


def checked(found: DuplicatesFound = FOUND, channel: str = "sms"):  # noqa: ANN201
    state, actions = step(confirming(channel), Said("yes"))
    assert actions == [FindDuplicates("POTHOLE", HOME.lat, HOME.lon)]
    assert state.step is Step.CHECKING
    return step(state, found)


def test_nothing_nearby_files_at_once() -> None:
    state, actions = checked(DuplicatesFound())
    assert state.step is Step.FILING and isinstance(actions[-1], FileRequest)


def test_the_nearest_open_request_is_offered() -> None:
    state, actions = checked()
    assert state.step is Step.OFFER_DUPLICATE
    ask = asked(actions)
    assert ask.prompt == "duplicate_offer" and ask.params == {"request": "12345", "days": "2"}


@pytest.mark.parametrize(("days", "prompt"), [(0, "duplicate_offer_today"),
                                              (1, "duplicate_offer_yesterday")])
def test_today_and_yesterday_are_said_so(days: int, prompt: str) -> None:
    _, actions = checked(DuplicatesFound((Existing("12345", days),)))
    assert asked(actions).prompt == prompt


@pytest.mark.parametrize("answer", ["1", "get updates", "seguir"])
def test_one_follows_the_existing_request(answer: str) -> None:
    state, _ = checked()
    state, actions = step(state, Said(answer))
    assert actions == [FollowRequest("12345", "POTHOLE", HOME, "en")]
    state, actions = step(state, RequestFollowed("7654321"))
    assert state.step is Step.DONE and state.ended == Ended.FOLLOWED and state.wants_texts
    assert prompts(actions) == ["following"]
    assert actions[0].params == {"request": "12345", "reference": "7654321"}  # type: ignore[union-attr]


@pytest.mark.parametrize("answer", ["2", "new report", "nuevo"])
def test_two_files_a_new_report(answer: str) -> None:
    state, _ = checked()
    state, actions = step(state, Said(answer))
    assert state.step is Step.FILING and isinstance(actions[-1], FileRequest)


def test_by_voice_the_same_offer_by_keypad() -> None:
    state, actions = checked(channel="voice")
    assert asked(actions).expect == "choice"
    state, actions = step(state, Said("1", "dtmf"))
    assert isinstance(actions[0], FollowRequest)


def test_unclear_answers_never_block_the_report() -> None:
    state, _ = checked()
    for _ in range(state.max_tries - 1):
        state, actions = step(state, Said("banana"))
        assert prompts(actions)[0] == "not_understood"
    state, actions = step(state, Said("banana"))
    assert isinstance(actions[-1], FileRequest)


def test_dont_know_files_and_the_offer_survives_storage() -> None:
    state, _ = checked()
    assert load(dump(state)) == state
    state, actions = step(state, Said("I don't know"))
    assert isinstance(actions[-1], FileRequest)


def test_without_the_check_yes_files_as_before() -> None:
    state, actions = step(at(Step.CONFIRM), Said("yes"))
    assert isinstance(actions[-1], FileRequest)
