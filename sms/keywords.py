"""Messaging keywords: opt-out, opt-in and help (Twilio's list), and status questions.

A keyword is the whole message, one word, any case, surrounding punctuation ignored, so
"Stop sending me texts about the pothole on Main" is not an opt-out (carriers differ; Twilio
matches the whole body). Reference numbers are the intake's 7 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["HELP", "OPT_IN", "OPT_OUT", "Keyword", "KeywordKind", "classify"]

OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke",
                     "optout"})
OPT_IN = frozenset({"start", "unstop", "yes"})
HELP = frozenset({"help", "info"})
MY_REQUESTS = frozenset({"my requests", "my request", "my reports", "my report",
                         "mis reportes", "mis reporte", "mis solicitudes"})
_STATUS = re.compile(r"^(?:status|estado|ref|reference|referencia)\s*#?\s*(\d{5,12})$")
_BARE_REFERENCE = re.compile(r"^#?(\d{7})$")


class KeywordKind(StrEnum):
    """What a keyword asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    STATUS = "status"  # of one report, by its reference
    MY_REQUESTS = "my_requests"  # the open reports of this number


@dataclass(frozen=True)
class Keyword:
    """What a message asks for."""

    kind: KeywordKind
    word: str = ""
    reference: str = ""
    explicit: bool = True  # False: a bare number, which may also be an answer in a conversation


def _fold(body: str) -> str:
    return " ".join(re.sub(r"[.,!¡?¿;:\"']+", " ", body.lower()).split())


def classify(body: str, opt_out_type: str = "") -> Keyword | None:
    """The keyword a message is, or None for anything else (the conversation's business).

    >>> classify(" Stop. ").kind.value, classify("status 1234567").reference
    ('opt_out', '1234567')
    """
    kind = opt_out_type.strip().upper()
    word = _fold(body)
    if kind == "STOP" or word in OPT_OUT:
        return Keyword(KeywordKind.OPT_OUT, word)
    if kind == "START" or word in OPT_IN:
        return Keyword(KeywordKind.OPT_IN, word)
    if kind == "HELP" or word in HELP:
        return Keyword(KeywordKind.HELP, word)
    if word in MY_REQUESTS:
        return Keyword(KeywordKind.MY_REQUESTS, word)
    found = _STATUS.match(word)
    if found:
        return Keyword(KeywordKind.STATUS, word, found.group(1))
    found = _BARE_REFERENCE.match(word.replace(" ", ""))
    if found:
        return Keyword(KeywordKind.STATUS, word, found.group(1), explicit=False)
    return None
