"""The words of outbound and keyword texts, in the resident's language, within two segments.

The app hands over plain `RequestStatus` values; wording comes from the staff prompts (keys
`status_update`, `status_reply`, `my_requests`, ... under the SMS channel). A text is sent in
GSM-7 when transliteration gets it there ("✓" dropped, curly quotes straight, accents GSM-7
lacks removed), else as written in UCS-2 (`budgeted`); either way within two segments, the
city's note being what gets shortened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversation import Say, Wording

from .segments import budgeted

__all__ = ["MAX_SEGMENTS", "RequestStatus", "help_text", "requests_text", "status_text", "word"]

MAX_SEGMENTS = 2


@dataclass(frozen=True)
class RequestStatus:
    """One of a resident's reports as the city last told us: what a status text is about."""

    reference: str
    status: str  # the server's word, lower-case: open, closed, in_progress, ...
    note: str = ""  # the city's status_notes (or latest note)
    lang: str = "en"
    category: str = ""
    address: str = ""


def word(wording: Wording, lang: str, key: str, **params: str) -> str:
    """One prompt's text; '' when the staff file leaves it empty."""
    return wording.text(lang, Say(key, dict(params)))


def _clean(text: str, lang: str) -> str:
    """Whitespace made single spaces; the characters are left to `budgeted`."""
    return " ".join(text.split())


def _status_word(wording: Wording, lang: str, status: str) -> str:
    status = (status or "open").lower()
    named = word(wording, lang, f"status.{status}")
    if named:
        return named
    return status.replace("_", " ")


def _compose(wording: Wording, lang: str, key: str, request: RequestStatus) -> str:
    params = {"reference": request.reference,
              "status": _status_word(wording, lang, request.status),
              "category": request.category, "address": request.address}
    raw_before, _, raw_after = word(wording, lang, key, **params, note="\x00").partition("\x00")
    before, after = _clean(raw_before, lang), _clean(raw_after, lang)
    if raw_before.endswith(" "):
        before += " "
    if raw_after.startswith(" "):
        after = " " + after
    note = _clean(request.note, lang)
    if not note:
        return budgeted(_clean(raw_before + raw_after, lang), max_segments=MAX_SEGMENTS)
    if not note.endswith((".", "!", "?")):
        note += "."
    # the city's words, quoted as given and labelled in the resident's language
    label_before, _, label_after = word(wording, lang, "status_note", note="\x00").partition(
        "\x00")
    before += _clean(label_before, lang) + (" " if label_before.endswith(" ") else "")
    after = _clean(label_after, lang) + after
    if after.strip():  # the template goes on after the note: keep that part whole
        return budgeted(before, note + after, max_segments=MAX_SEGMENTS).strip()
    return budgeted(before, note, max_segments=MAX_SEGMENTS).strip()


def status_text(wording: Wording, request: RequestStatus) -> str:
    """The text sent when a request changes, e.g. 'Demo City 311, report 1234567: closed. ...'"""
    return _compose(wording, request.lang, "status_update", request)


def status_reply(wording: Wording, request: RequestStatus) -> str:
    """The answer to 'STATUS 1234567'."""
    return _compose(wording, request.lang, "status_reply", request)


def requests_text(wording: Wording, lang: str, requests: Sequence[RequestStatus]) -> str:
    """The answer to 'MY REQUESTS': the open ones, newest first, as many as fit."""
    if not requests:
        return budgeted(_clean(word(wording, lang, "my_requests.none"), lang),
                        max_segments=MAX_SEGMENTS)
    head = _clean(word(wording, lang, "my_requests", count=str(len(requests))), lang) + " "
    items = []
    for r in requests:
        item = word(wording, lang, "my_requests.item", reference=r.reference,
                    status=_status_word(wording, lang, r.status), category=r.category,
                    address=r.address)
        items.append(_clean(item, lang))
    return budgeted(head, "; ".join(items), max_segments=MAX_SEGMENTS).strip()


def help_text(wording: Wording, lang: str) -> str:
    """The city's help text (answer to HELP outside a conversation)."""
    return budgeted(_clean(word(wording, lang, "sms_help"), lang), max_segments=MAX_SEGMENTS)
