"""SMS length the way carriers count it: GSM-7 (160, 153 per part) or UCS-2 (70, 67 per part).

One character outside the GSM-7 alphabet turns the whole text into UCS-2, which more than
halves what fits. `transliterate` writes what has a plain equivalent plainly (curly quotes,
dashes, accents GSM-7 lacks; a check mark or an emoji is dropped) and leaves what has none
(another script); `budgeted` sends the plain text when that makes it GSM-7, else the text as
written in UCS-2, and `fit` shortens a text's tail until it fits in the allowed segments.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["GSM7", "UCS2", "budgeted", "encoding", "fit", "gsm_safe", "segments",
           "transliterate", "units"]

GSM7 = "GSM-7"
UCS2 = "UCS-2"

_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENDED = set("^{}\\[~]|€\f")  # two septets each (escape + character)
_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    "\u2022": "-", "\u00b7": "-", "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2044": "/", "\u00d7": "x", "\u0131": "i", "\u0142": "l", "\u0141": "L",
    "\u0111": "d", "\u0110": "D", "\u0153": "oe", "\u0152": "OE", "\u00fe": "th",
    "\u00f0": "d", "\u00b0": " degrees", "\u2116": "No.",
}
_DROPPED = "\x00"  # stands for a symbol with no plain equivalent, until spacing is tidied
_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


def encoding(text: str) -> str:
    """GSM7 when every character is in the GSM-7 alphabet (or its extension), else UCS2."""
    return GSM7 if all(c in _BASIC or c in _EXTENDED for c in text) else UCS2


def _cost(char: str, enc: str) -> int:
    if enc == GSM7:
        return 2 if char in _EXTENDED else 1
    return 2 if ord(char) > 0xFFFF else 1  # UTF-16 surrogate pair


def units(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    enc = encoding(text)
    return sum(_cost(c, enc) for c in text)


def segments(text: str) -> int:
    """How many SMS segments the text is billed and sent as (0 for an empty text).

    >>> segments("x" * 160), segments("x" * 161), segments("ñ" * 70), segments("á" * 71)
    (1, 2, 1, 2)
    """
    if not text:
        return 0
    enc = encoding(text)
    single, part = _LIMITS[enc]
    if units(text) <= single:
        return 1
    # pack parts without splitting an escape pair or a surrogate pair across two parts
    count, used = 1, 0
    for char in text:
        cost = _cost(char, enc)
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return count


def gsm_safe(text: str) -> str:
    """The text with typographic characters made plain and other non-GSM letters unaccented.

    >>> gsm_safe("It’s fixed — thanks…")
    "It's fixed - thanks..."
    """
    return "".join(c if c in _BASIC or c in _EXTENDED else "?" for c in transliterate(text))


def _plain(char: str) -> str:
    """One character as GSM-7 (or `_DROPPED`), or itself when it has no plain equivalent."""
    if char in _BASIC or char in _EXTENDED:
        return char
    if char in _PLAIN:
        return _PLAIN[char]
    kind = unicodedata.category(char)
    if kind.startswith("Z") or kind == "Cc":
        return " "
    # compatibility forms too: "™" -> "TM", "½" -> "1/2", full-width letters -> ASCII
    decomposed = "".join(_PLAIN.get(c, c) for c in unicodedata.normalize("NFKD", char)
                         if not unicodedata.combining(c))
    if decomposed and all(c in _BASIC or c in _EXTENDED for c in decomposed):
        return decomposed
    if kind.startswith("S") or kind in ("Cf", "Cs", "Co", "Mn", "Me"):
        return _DROPPED  # check marks, arrows, emoji and their modifiers: no words lost
    return char  # a letter of another script: only UCS-2 carries it


def transliterate(text: str) -> str:
    """The text with every character that has a plain GSM-7 equivalent written plainly.

    >>> transliterate("Fixed ✓ — it’s done. Reparación")
    "Fixed - it's done. Reparacion"
    """
    out = "".join(_plain(c) for c in text)
    if _DROPPED not in out:
        return out
    out = re.sub(r"[ ]*\x00+", "\x01", out)  # a dropped symbol takes the space before it
    out = re.sub(r"^\x01[ ]*", "", out)  # or, first in the text, the space after it
    return out.replace("\x01", "")


def budgeted(head: str, tail: str = "", max_segments: int = 2) -> str:
    """`head` + `tail` in at most `max_segments`: plain GSM-7 when transliteration gets it
    there (the most words fit), else as written in UCS-2; `tail` shortened if need be."""
    plain_head, plain_tail = transliterate(head), transliterate(tail)
    if encoding(plain_head + plain_tail) == GSM7:
        return fit(plain_head, plain_tail, max_segments)
    return fit(head, tail, max_segments)


def fit(head: str, tail: str = "", max_segments: int = 2, ellipsis: str = "...") -> str:
    """`head` + `tail`, with `tail` cut at a word (and marked) until it fits `max_segments`.

    The head (reference number, status) is never cut; if it alone is too long, it is cut.
    """
    whole = head + tail
    if segments(whole) <= max_segments:
        return whole
    words = tail.split(" ")
    while words:
        words.pop()
        shorter = head + " ".join(words).rstrip(" ,.;:") + ellipsis
        if words and segments(shorter) <= max_segments:
            return shorter
    text = head.rstrip()
    while segments(text) > max_segments:
        text = text[:-1]
    return text
