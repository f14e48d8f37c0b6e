"""Recognising short answers (yes/no, help, agent, languages, categories) in English and Spanish.

Matching is on the whole answer after folding case, accents and punctuation, so a description
that merely contains "help" is not taken as a command.
"""

from __future__ import annotations

import re
import unicodedata

from .model import Category

YES = {"yes", "yeah", "yep", "yup", "y", "correct", "right", "sure", "ok", "okay",
       "that's right", "thats right", "yes please", "si", "claro", "correcto", "esta bien", "vale"}
NO = {"no", "nope", "n", "wrong", "incorrect", "not right", "no gracias", "incorrecto"}
AGENT = {"agent", "operator", "representative", "person", "human", "a person", "an agent",
         "talk to a person", "agente", "operador", "operadora", "persona", "representante"}
START_OVER = {"start over", "restart", "start again", "reset", "empezar de nuevo",
              "comenzar de nuevo", "reiniciar", "otra vez"}
HELP = {"help", "ayuda", "info", "?", "what", "que"}
SKIP = {"skip", "none", "no", "nothing", "no description", "omitir", "nada", "ninguna", "n/a"}
DONT_KNOW = {"i don't know", "i dont know", "dont know", "don't know", "not sure", "no idea",
             "no se", "no lo se", "no number", "sin numero"}
NONE_OF_THESE = {"none", "none of them", "none of these", "neither", "no", "ninguna",
                 "ninguno", "ninguna de esas"}
LANGUAGES = {
    "en": {"english", "en", "ingles", "in english"},
    "es": {"espanol", "es", "spanish", "en espanol", "hola", "buenos dias", "buenas tardes",
           "buenas noches"},
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "primero": 1, "primera": 1, "segundo": 2,
            "segunda": 2, "tercero": 3, "tercera": 3, "one": 1, "two": 2, "three": 3,
            "uno": 1, "dos": 2, "tres": 3}


def fold(text: str) -> str:
    """Lower-case, strip accents and surrounding punctuation: 'Sí.' -> 'si'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[.,!¡¿;:\"]+", " ", plain.lower())
    return " ".join(plain.split())


def is_one_of(text: str, words: set[str]) -> bool:
    return fold(text) in words


YES_FIRST = {"yes", "yeah", "yep", "yup", "sure", "correct", "right", "si", "claro", "ok", "okay"}
NO_FIRST = {"no", "nope", "nah", "wrong", "incorrect", "incorrecto"}


def yes_or_no(text: str) -> bool | None:
    """True for yes, False for no, from the keypad (1/2) or the first word ('no thanks')."""
    folded = fold(text)
    if folded == "1" or folded in YES:
        return True
    if folded == "2" or folded in NO:
        return False
    first = folded.split(" ", 1)[0] if folded else ""
    if first in YES_FIRST:
        return True
    if first in NO_FIRST:
        return False
    return None


def number_in(text: str) -> str | None:
    """The digits of an answer such as '3', '3 cars' or '#3'."""
    digits = re.findall(r"\d+", text)
    return digits[0] if len(digits) == 1 else None


def language_of(text: str) -> str | None:
    folded = fold(text)
    for lang, words in LANGUAGES.items():
        if folded in words:
            return lang
    return None


def category_for(text: str, menu: tuple[Category, ...]) -> Category | None:
    """The category named by a digit, a number, a name or a keyword in any language."""
    folded = fold(text)
    if not folded:
        return None
    for cat in menu:
        if cat.digit and folded == cat.digit:
            return cat
    squashed = folded.replace(" ", "")
    words = set(folded.split())
    for cat in menu:
        terms = [*cat.names.values()] + [k for ks in cat.keywords.values() for k in ks]
        for term in terms:
            t = fold(term)
            if not t:
                continue
            if t == folded or t.replace(" ", "") == squashed:
                return cat
            if (" " in t and t in folded) or t in words:
                return cat
    return None


def choice_index(text: str, count: int) -> int | None:
    """A 0-based choice from a digit or an ordinal word, if within `count`."""
    folded = fold(text)
    number = int(folded) if folded.isdigit() else ORDINALS.get(folded.removeprefix("the "))
    if number is not None and 1 <= number <= count:
        return number - 1
    return None
