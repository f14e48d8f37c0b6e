"""The conversation's data: steps, state, events and actions, all frozen.

The engine never performs I/O; the application performs `Action`s and feeds results back as
`Event`s. Prompts are named by key; wording lives with the channel adapters and staff config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Channel = Literal["voice", "sms"]
Via = Literal["dtmf", "speech", "text"]
Expect = Literal["language", "open", "menu", "yesno", "address", "choice", "number", "free"]


class QuestionKind(StrEnum):
    """How a service's required attribute is answered."""

    CHOICE = "choice"  # one of its choices, by digit or name
    NUMBER = "number"
    TEXT = "text"


class PlaceKind(StrEnum):
    """What a located place is."""

    ADDRESS = "address"
    INTERSECTION = "intersection"
    STREET = "street"  # the street is known, the house number is not


class Ended(StrEnum):
    """How a conversation ended (stored; the console counts them)."""

    FILED = "filed"
    FOLLOWED = "followed"  # the resident follows a request already open at the city
    TRANSFER = "transfer"
    CALLBACK = "callback"
    CANCELLED = "cancelled"
    GAVE_UP = "gave_up"
    HANGUP = "hangup"
    TOO_MANY_OPEN = "too_many_open"  # refused: the number has too many conversations going


class Reason(StrEnum):
    """Why a person is brought in: a transfer, or a callback (stored with its request)."""

    ASKED = "asked"  # the resident asked for a person
    NO_ANSWER = "no_answer"  # the agent line did not answer the transfer
    REPEATED_FAILURES = "repeated_failures"  # the configured tries at one question ran out


class Step(StrEnum):
    LANGUAGE = "language"  # no longer asked; kept so conversations stored before still load
    CATEGORY = "category"
    QUESTION = "question"
    ADDRESS = "address"
    CROSS_STREET = "cross_street"
    LANDMARK = "landmark"
    HOUSE_NUMBER = "house_number"
    RESOLVING = "resolving"
    ADDRESS_FALLBACK = "address_fallback"
    CHOOSE_ADDRESS = "choose_address"
    CONFIRM_ADDRESS = "confirm_address"  # as LANGUAGE: answered like CONFIRM
    DESCRIPTION = "description"
    CONFIRM = "confirm"
    CHANGE = "change"
    TRANSFERRING = "transferring"
    AFTER_TRANSFER = "after_transfer"
    FILING = "filing"
    OFFER_TEXTS = "offer_texts"
    CHECKING = "checking"  # looking for open requests like this one nearby
    OFFER_DUPLICATE = "offer_duplicate"  # "This looks like request 12345... Reply 1 or 2"
    FOLLOWING = "following"  # subscribing the resident to an existing request
    LOCATING = "locating"  # a shared point is being placed on the city's streets
    CONFIRM_PLACE = "confirm_place"  # "Is it near 45 Elm St?"
    DONE = "done"


@dataclass(frozen=True)
class Choice:
    """One allowed answer to a list question: the server's key and its names per language."""

    key: str
    names: dict[str, str]


@dataclass(frozen=True)
class Question:
    """A required attribute of the service, asked before the address.

    `kind`: how it is answered (a choice of `choices`, a number, or text).
    """

    code: str
    prompts: dict[str, str]
    kind: QuestionKind = QuestionKind.TEXT
    choices: tuple[Choice, ...] = ()

    def prompt(self, lang: str) -> str:
        return self.prompts.get(lang) or self.prompts.get("en") or self.code


@dataclass(frozen=True)
class Category:
    """One menu entry: the Open311 service code, its keypad digit, names and keywords."""

    code: str
    digit: str
    names: dict[str, str]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.code


@dataclass(frozen=True)
class Place:
    """A located address as the engine sees it (the geocoder's candidate, reduced).

    `kind` says whether it is an address, an intersection or a street without a number;
    `spoken` is the label as a person says it ("one twenty-three Main Street"). A street
    with a `number` is one whose said number was not found there; `numbers` is the range
    the street's numbers run (lowest, highest), when known.
    """

    label: str
    lat: float
    lon: float
    score: float = 1.0
    kind: PlaceKind = PlaceKind.ADDRESS
    street: str = ""
    spoken: str = ""
    number: int | None = None
    numbers: tuple[int, int] | None = None


@dataclass(frozen=True)
class State:
    """One conversation's slots (category, answers, place, description) and where it stands."""

    channel: Channel
    step: Step = Step.CATEGORY
    lang: str = "en"
    languages: tuple[str, ...] = ("en", "es")  # what the city offers, its main language first
    menu: tuple[Category, ...] = ()
    other: str | None = None  # the catch-all service code, when staff named one
    agent: bool = False
    max_tries: int = 3
    category: str | None = None
    answers: tuple[tuple[str, str], ...] = ()
    address_text: str | None = None
    heard: tuple[str, ...] = ()  # every address as the resident gave it
    review: bool = False  # filing with the address as given; staff check the location
    asked: str = ""  # the step whose answer is being resolved
    pending: str = ""  # the words being resolved, for what surrounds the address
    probe: bool = False  # resolving a whole sentence: finding no address there is no failure
    correcting: bool = False  # the resolving words change what was read back
    filled: bool = False  # the resolving words already filled a slot (a category)
    number_asked: bool = False
    candidates: tuple[Place, ...] = ()
    place: Place | None = None
    place_sure: bool = False  # the geocoder was certain, or the resident chose the place
    description: str | None = None
    described: bool = False  # a description was given or declined
    tried: tuple[str, ...] = ()  # problems said that matched no category
    confirmed: bool = False  # the resident already agreed to file (address as said)
    resume_at: str = ""  # the step a transfer left, to come back to if nobody answers
    callback: bool = False  # the resident asked to be called back
    attempts: int = 0
    address_tries: int = 0
    reference: str | None = None
    wants_texts: bool = False
    ended: Ended | None = None
    offered: str = ""  # where the place at CONFIRM_PLACE came from: "point", "last" or "photo"
    last_place: Place | None = None  # the previous report's place, offered once (Reply NEW)
    check_duplicates: bool = False  # look for open requests like this one before filing
    checked: bool = False  # open requests like this one nearby were looked for
    photos: tuple[str, ...] = ()  # published photo URLs, filed with the report
    duplicate: str = ""  # the existing request offered instead of filing
    duplicate_days: int = 0  # how many days ago it was reported


# ---- events: what happened -------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """A call came in or a first text arrived (its body, if any, in `text`)."""

    channel: Channel
    menu: tuple[Category, ...]
    agent: bool = False
    text: str = ""
    max_tries: int = 3
    languages: tuple[str, ...] = ("en", "es")
    other: str | None = None
    again: bool = False  # "NEW" after a report: no greeting, the language and place kept
    check_duplicates: bool = False  # look for open requests like this one before filing
    lang: str | None = None
    last_place: Place | None = None


@dataclass(frozen=True)
class Said:
    """The resident answered: keypad digits, a speech transcript or a text message."""

    text: str
    via: Via = "text"
    confidence: float | None = None


@dataclass(frozen=True)
class Silence:
    """The question timed out with no answer (voice)."""


@dataclass(frozen=True)
class AddressResolved:
    """The geocoder's verdict; `span` is where the address was in the words resolved."""

    status: Literal["certain", "confirm", "failed", "out_of_city"]
    candidates: tuple[Place, ...] = ()
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class RequestFiled:
    reference: str


@dataclass(frozen=True)
class HungUp:
    """The caller hung up (voice status callback)."""


@dataclass(frozen=True)
class TransferEnded:
    """The agent line was dialled; Twilio's `DialCallStatus` (completed, no-answer, busy...)."""

    status: str


@dataclass(frozen=True)
class LocationShared:
    """The resident shared a point: a WhatsApp location, a map link, typed coordinates.

    `label` is what the sender's app called it; `text` the words sent with it.
    """

    lat: float
    lon: float
    label: str = ""
    text: str = ""


@dataclass(frozen=True)
class Existing:
    """An open request of the same service near the place: its id, and its age in days."""

    request_id: str
    days: int = 0


@dataclass(frozen=True)
class DuplicatesFound:
    """What the app found before filing (nearest first; empty: none, or the city failed)."""

    found: tuple[Existing, ...] = ()


@dataclass(frozen=True)
class RequestFollowed:
    """The resident follows an existing request; `reference` is ours for it."""

    reference: str


@dataclass(frozen=True)
class PhotosSent:
    """Photos arrived: their published URLs, why others were refused, the first GPS position
    found in them, and the words sent with them."""

    urls: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    text: str = ""


Event = (Started | Said | Silence | AddressResolved | RequestFiled | HungUp | TransferEnded
         | LocationShared | DuplicatesFound | RequestFollowed | PhotosSent)


# ---- actions: what the application must do ----------------------------------------------


@dataclass(frozen=True)
class Say:
    """A statement to speak or text; `params` fill the wording template. `lang` is for one
    whose language is not known yet: said in each offered one, not only the reply's."""

    prompt: str
    params: dict[str, str] = field(default_factory=dict)
    lang: str | None = None  # None: the reply's language


@dataclass(frozen=True)
class Ask:
    """A question; `expect` tells the adapter which input and speech settings fit."""

    prompt: str
    expect: Expect
    params: dict[str, str] = field(default_factory=dict)
    options: tuple[tuple[str, str], ...] = ()
    attempt: int = 0
    say_as: dict[str, str] = field(default_factory=dict)  # label -> how to say it aloud


@dataclass(frozen=True)
class ResolveAddress:
    """Find `text` on the city's streets; `letters`: keypad digits spelling a street's start."""

    text: str
    letters: bool = False
    lang: str = "en"  # the resident's language: how numbers and street words are said
    # a whole sentence said at another question ("pothole", "skip"): an address may be in
    # it or not, so the geocoder need not guess one from words no street has (an answer to
    # the address question, or a correction, is read whole when nothing else is found)
    sentence: bool = False


@dataclass(frozen=True)
class LocatePoint:
    """Find the address nearest a point; the answer is an `AddressResolved`."""

    lat: float
    lon: float
    lang: str = "en"


@dataclass(frozen=True)
class FindDuplicates:
    """Look for open requests of `service_code` near the point; answered by DuplicatesFound."""

    service_code: str
    lat: float
    lon: float


@dataclass(frozen=True)
class FollowRequest:
    """Subscribe the resident to the status texts of an existing request."""

    request_id: str
    service_code: str
    place: Place | None
    lang: str


@dataclass(frozen=True)
class FileRequest:
    """File the report; `place` is None when the address is filed as given, for review."""

    service_code: str
    place: Place | None
    address_text: str
    description: str | None
    lang: str
    attributes: tuple[tuple[str, str], ...] = ()
    media: tuple[str, ...] = ()  # published photo URLs


@dataclass(frozen=True)
class Transfer:
    """Hand the resident to a person (voice: dial the agent line; SMS: say how to call)."""

    reason: Reason


@dataclass(frozen=True)
class End:
    reason: Ended


@dataclass(frozen=True)
class RequestCallback:
    """Record that the resident wants a person to call back (staff see the list)."""

    reason: Reason
    reference: str | None = None


@dataclass(frozen=True)
class ContinueByText:
    """The caller hung up mid-way: offer to finish by text at `step`, if they allow texts."""

    step: Step


Action = (Say | Ask | ResolveAddress | FileRequest | Transfer | End | ContinueByText
          | RequestCallback | LocatePoint | FindDuplicates | FollowRequest)


class IllegalEvent(Exception):
    """An event arrived in a step that cannot take it."""

    def __init__(self, event: object, step: Step) -> None:
        super().__init__(f"cannot handle {type(event).__name__} in step {step.value!r}")
        self.event = event
        self.step = step
