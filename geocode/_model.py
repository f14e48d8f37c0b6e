"""Value types every geocoder returns; the rest of the app codes against these only.

Candidates are immutable and carry a score in [0, 1]; a Resolution adds the verdict
("certain", "confirm", "failed", "out_of_city") so callers never re-derive thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

KINDS = ("address", "intersection", "street")
STATUSES = ("certain", "confirm", "failed", "out_of_city")


class GeocoderError(Exception):
    """A backend could not answer (network failure, timeout, bad reply)."""


Kind = Literal["address", "intersection", "street"]  # the street without a house number
Verdict = Literal["certain", "confirm", "failed", "out_of_city"]


@dataclass(frozen=True)
class Candidate:
    """One place the text may mean; `street` is the canonical name, e.g. "Massachusetts Ave"."""

    street: str
    number: int | None
    lat: float
    lon: float
    score: float
    kind: Kind
    zip_code: str | None = None
    cross_street: str | None = None

    @property
    def label(self) -> str:
        """Human string: "123 Massachusetts Ave", "Main St & Elm St" or "Elm St"."""
        if self.kind == "intersection" and self.cross_street:
            return f"{self.street} & {self.cross_street}"
        if self.number is not None and self.kind == "address":
            return f"{self.number} {self.street}"
        return self.street


@dataclass(frozen=True)
class Resolution:
    """A verdict plus the candidates behind it, best first."""

    status: Verdict
    candidates: tuple[Candidate, ...] = ()
    #: (start, end) character offsets, in the text given to `resolve`, of the words taken
    #: as the address; the rest of a sentence ("pothole at ... thanks") is outside it.
    #: None when the backend cannot say (remote services).
    span: tuple[int, int] | None = None

    @property
    def best(self) -> Candidate | None:
        """The top candidate, or None when there is none."""
        return self.candidates[0] if self.candidates else None


@runtime_checkable
class Geocoder(Protocol):
    """What every backend offers: the local gazetteer, geopy services, a fallback chain."""

    def locate(
        self, text: str, zip_code: str | None = None, lang: str = "en"
    ) -> list[Candidate]:
        """Candidates best first (may be empty); `lang` is the resident's ("en", "es")."""
        ...

    def resolve(self, text: str, zip_code: str | None = None, lang: str = "en", *,
                sentence: bool = False) -> Resolution:
        """Candidates plus a verdict. A `sentence` was said about something else and may
        hold no address: a backend may then answer "failed" at once (the local index does)."""
        ...

    def hints(self, limit: int = 500, zip_code: str | None = None) -> list[str]:
        """Phrases for speech recognition (may be empty)."""
        ...


def verdict(candidates: list[Candidate], certain: float = 0.85, margin: float = 0.08) -> Verdict:
    """Status from scores: certain when the top is high and clearly ahead of a different place."""
    if not candidates or candidates[0].score < 0.5:
        return "failed"
    top = candidates[0]
    if top.score < certain:
        return "confirm"
    for other in candidates[1:]:
        if other.label != top.label and top.score - other.score < margin:
            return "confirm"
    return "certain"
