"""Recognising what a resident's words carry, in English and Spanish: commands, yes/no,
languages, categories, and whether a sentence holds more than its category and address.

Commands and short answers match the whole answer after folding case, accents and
punctuation (or a few fixed phrasings), so a description that merely contains "help" is not
taken as a command. Categories are found anywhere in a sentence, by whole words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Category

YES = {"yes", "yeah", "yep", "yup", "y", "correct", "right", "sure", "ok", "okay",
       "that's right", "thats right", "yes please", "si", "claro", "correcto", "esta bien", "vale",
       "si por favor", "that is right", "file it", "go ahead", "send it", "yes file it",
       "de acuerdo", "asi es", "exacto", "perfecto", "sounds good", "looks good", "yes it is"}
NO = {"no", "nope", "n", "wrong", "incorrect", "not right", "no gracias", "incorrecto",
      "that's wrong", "thats wrong", "no thanks", "no thank you", "not quite", "no es correcto",
      "esta mal"}
AGENT = {"agent", "operator", "representative", "person", "human", "a person", "an agent",
         "talk to a person", "speak to a person", "real person", "live person", "someone",
         "agente", "operador", "operadora", "persona", "representante", "una persona",
         "a human", "an operator", "a representative", "customer service", "humano"}
_AGENT_PHRASE = re.compile(
    r"\b(?:speak|talk|speaking|talking)\s+(?:to|with)\s+(?:a|an|the|some|your)?\s*"
    r"(?:real\s+|live\s+)?(?:person|human|agent|operator|representative|someone|somebody|"
    r"people|staff)\b"
    r"|\b(?:hablar|comunicarme|comunicar)\s+con\s+(?:una?|el|la|algun|alguien)?\s*"
    r"(?:persona|agente|operador|operadora|representante|alguien|humano)?\b"
)
START_OVER = {"start over", "restart", "start again", "reset", "empezar de nuevo",
              "comenzar de nuevo", "reiniciar", "otra vez", "begin again", "start from scratch",
              "empezar otra vez"}
CANCEL = {"cancel", "cancel it", "cancel report", "cancel my report", "cancel the report",
          "cancel this", "never mind", "nevermind", "forget it", "cancelar", "cancela",
          "cancelalo", "olvidalo", "olvidelo", "ya no", "no importa", "cancelar reporte"}
HELP = {"help", "ayuda", "info", "?", "what", "que", "help me", "i need help", "necesito ayuda",
        "what do i do", "que hago", "como", "how"}
MENU = {"menu", "options", "list", "the list", "opciones", "lista", "choices", "categories",
        "what are my options", "cuales son las opciones"}
SKIP = {"skip", "none", "no", "nothing", "no description", "omitir", "nada", "ninguna", "n/a",
        "nothing else", "no thanks", "no gracias", "nada mas", "thats it", "that's it",
        "thats all", "that's all", "eso es todo", "pass"}
DONT_KNOW = {"i don't know", "i dont know", "dont know", "don't know", "not sure", "no idea",
             "no se", "no lo se", "no number", "sin numero", "i do not know", "idk", "unknown",
             "i'm not sure", "im not sure", "ni idea", "no estoy seguro", "no estoy segura",
             "no sabria decir", "no tengo idea", "i have no idea", "no clue", "dunno"}
NONE_OF_THESE = {"none", "none of them", "none of these", "neither", "no", "ninguna",
                 "ninguno", "ninguna de esas", "neither of them", "ninguno de esos"}
LANGUAGES = {
    "en": {"english", "en", "ingles", "in english", "english please", "en ingles"},
    "es": {"espanol", "es", "spanish", "en espanol", "espanol por favor", "in spanish",
           "castellano"},
}
GREETINGS = {"hi", "hello", "hey", "hola", "buenos dias", "buenas tardes", "buenas noches",
             "buenas", "good morning", "good afternoon", "good evening", "hi there", "yo",
             "hello there", "hey there", "start", "report", "reportar", "311", "hi 311"}
WANTS_TEXTS = re.compile(r"\b(?:text me|send me (?:a )?texts?|keep me (?:updated|posted)|"
                         r"mandame (?:un )?(?:texto|mensaje)|avisenme|avisame)\b")
ORDINALS = {"first": 1, "second": 2, "third": 3, "primero": 1, "primera": 1, "segundo": 2,
            "segunda": 2, "tercero": 3, "tercera": 3, "one": 1, "two": 2, "three": 3,
            "uno": 1, "dos": 2, "tres": 3, "the first one": 1, "the second one": 2,
            "the third one": 3, "number one": 1, "number two": 2, "number three": 3,
            "el primero": 1, "la primera": 1, "el segundo": 2, "la segunda": 2}
CHANGE_WORDS = {
    "category": {"problem", "the problem", "category", "type", "the type", "issue", "problema",
                 "el problema", "tipo", "categoria"},
    "address": {"address", "the address", "location", "the location", "place", "where",
                "street", "direccion", "la direccion", "lugar", "ubicacion", "calle"},
    "description": {"description", "the description", "details", "descripcion",
                    "la descripcion", "detalles"},
}
AFTER_TRANSFER = {
    "finish": {"finish", "continue", "finish it", "with you", "terminar", "continuar", "seguir"},
    "callback": {"call me back", "callback", "call back", "a call back", "call me",
                 "llamenme", "llameme", "que me llamen", "devolver la llamada"},
}

# Words that carry no report of their own: function words, greetings, fillers, thanks and
# the way people point at a place. What is left of a sentence after these, its category words
# and its address is what the resident told us about the problem.
_FILLER = set("""
a an the this that these those it its it's its there there's theres here is are was were be
been being am i i'm im my me we our you your he she they them his her to of in on at by for
from with near next nearby by around across behind beside outside inside front corner side
and or but so just also very really please thanks thank thx ty hi hello hey ok okay um uh
er hmm well yes yeah no not sorry want wanted would like report reporting to calling call
i'd id need needs needed have has had got get there's can could you'd let know about
some any one street st avenue ave road rd right left up down over under between
address location located spot area block same problem issue something thing
el la los las un una unos unas de del en al y o que es esta estan hay por favor gracias
hola buenos buenas dias tardes noches quiero queria reportar reporte necesito tengo un
frente esquina cerca junto lado calle avenida numero aqui alli ahi mi mis su sus con para
se le lo muy bien pues este esta eso esa
""".split())

_SPANISH = set("""
hola hay un una unos unas el la los las del en de que por favor gracias calle avenida
bache baches basura esquina frente cerca numero esta estan tengo quiero queria reportar
reporte necesito luz farola grafiti pintada roto rota rotos hoyo agujero buenos buenas dias
tardes noches y con para mi mis su sus muy aqui alli donde cuadra entre
""".split())
_ENGLISH = set("""
hi hello hey the a an is are there there's theres in on at of and to my i i'm it it's
please thanks thank you pothole trash garbage light street near front corner report want
would like have has broken missed pickup graffiti wall sidewalk road big huge deep
""".split())
_STRONG_SPANISH = {"hola", "bache", "baches", "gracias", "calle", "avenida", "esquina",
                   "basura", "hay", "buenos", "buenas", "por favor", "farola"}


def fold(text: str) -> str:
    """Lower-case, strip accents and surrounding punctuation: 'Sí.' -> 'si'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[.,!¡¿;:\"]+", " ", plain.lower())
    return " ".join(plain.split())


def tokens(text: str) -> list[str]:
    """Folded words without punctuation: "There's a pothole!" -> ['there's', 'a', 'pothole']."""
    return re.findall(r"[a-z0-9']+", fold(text).replace("?", " "))


def is_one_of(text: str, words: set[str]) -> bool:
    return fold(text).rstrip("?").strip() in words


YES_FIRST = {"yes", "yeah", "yep", "yup", "sure", "correct", "right", "si", "claro", "ok",
             "okay"}
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


def after_yes_or_no(text: str) -> str:
    """What follows a leading yes or no: "no, it's 125" -> "it's 125"."""
    words = text.strip().split(maxsplit=1)
    if words and fold(words[0]) in YES_FIRST | NO_FIRST:
        return words[1].lstrip(" ,.-") if len(words) > 1 else ""
    return text.strip()


def number_in(text: str) -> str | None:
    """The digits of an answer such as '3', '3 cars' or '#3'."""
    digits = re.findall(r"\d+", text)
    return digits[0] if len(digits) == 1 else None


def language_of(text: str) -> str | None:
    """The language a whole answer names ("español", "English", "ES"), if it names one."""
    folded = fold(text)
    for lang, words in LANGUAGES.items():
        if folded in words:
            return lang
    return None


def detect_language(text: str) -> str | None:
    """The language a sentence is written in, when its words say so clearly; else None."""
    named = language_of(text)
    if named is not None:
        return named
    words = tokens(text)
    folded = fold(text)
    spanish = sum(w in _SPANISH for w in words) + 2 * sum(c in "áéíóúñ¿¡" for c in text.lower())
    spanish += sum(1 for s in _STRONG_SPANISH if " " in s and s in folded)
    english = sum(w in _ENGLISH for w in words)
    strong = any(w in _STRONG_SPANISH for w in words)
    if spanish > english and (spanish >= 2 or strong):
        return "es"
    if english > spanish and english >= 1:
        return "en"
    return None


_GREETING_WORDS = {w for g in GREETINGS for w in g.split()} | {"there", "hello", "311", "and",
                                                                "please", "thanks", "y"}


def is_greeting(text: str) -> bool:
    """Only a greeting (or the language's name): "Hi", "Hola buenas!", "good morning 311"."""
    folded = fold(text).rstrip("?!").strip()
    said = tokens(text)
    return (folded in GREETINGS or language_of(text) is not None or not said
            or all(w in _GREETING_WORDS for w in said))


def command(text: str) -> str | None:
    """The command a whole answer is: agent, start_over, cancel, help, menu, dont_know,
    or "lang:es" / "lang:en"; None for anything else."""
    folded = fold(text).rstrip("?").strip()
    if not folded:
        return None
    if folded in AGENT or (len(folded) < 60 and _AGENT_PHRASE.search(folded)
                           and not re.search(r"\d", folded)):
        return "agent"
    for name, words in (("start_over", START_OVER), ("cancel", CANCEL), ("help", HELP),
                        ("menu", MENU), ("dont_know", DONT_KNOW)):
        if folded in words:
            return name
    lang = language_of(text)
    return f"lang:{lang}" if lang else None


def wants_texts(text: str) -> bool:
    """The resident asks for text updates in passing ("text me when it's fixed")."""
    return WANTS_TEXTS.search(fold(text)) is not None


def without_consent(text: str) -> str:
    """The text without its request for texts: "text me when fixed: pothole" -> "pothole"."""
    match = re.search(r"(?i)\b(?:text me|send me (?:a )?texts?|keep me (?:updated|posted)|"
                      r"m[aá]ndame (?:un )?(?:texto|mensaje)|av[ií]s[ae]me|av[ií]senme)"
                      r"(?:\s+(?:when|once|if|cuando)\b[^,:;.]*)?[,:;.]?", text)
    if match is None:
        return text
    return (text[:match.start()] + text[match.end():]).strip(" ,:;.") or text


def _variants(word: str) -> set[str]:
    """A word and its plain forms: "potholes" -> pothole, "painted" -> paint, "tagging" -> tag."""
    out = {word}
    for ending in ("es", "s", "ed", "d", "ing"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            stem = word[: -len(ending)]
            out.add(stem)
            if len(stem) > 2 and stem[-1] == stem[-2]:  # "tagging" -> "tagg" -> "tag"
                out.add(stem[:-1])
    return out


def _stem(word: str) -> str:
    return min(_variants(word), key=len)


@dataclass(frozen=True)
class _Term:
    """One name or keyword of a category, folded, split and stemmed once."""

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]


# Each category's terms, kept by identity (a Category holds dicts, so it cannot be a key):
# a menu lives as long as the staff file or the city's catalogue does, and folding every
# name and keyword again on each text was a fifth of a webhook's CPU.
_PREPARED: dict[int, tuple[Category, tuple[_Term, ...]]] = {}
_PREPARED_MAX = 2048


def _terms(cat: Category) -> tuple[_Term, ...]:
    kept = _PREPARED.get(id(cat))
    if kept is not None and kept[0] is cat:
        return kept[1]
    folded = (fold(x) for x in (*cat.names.values(),
                                *(k for ks in cat.keywords.values() for k in ks)))
    terms = []
    for term in folded:
        if term:
            found = tuple(re.findall(r"[a-z0-9']+", term))
            terms.append(_Term(term, found, tuple(_stem(w) for w in found)))
    if len(_PREPARED) >= _PREPARED_MAX:  # menus rebuilt many times over: start afresh
        _PREPARED.clear()
    _PREPARED[id(cat)] = (cat, tuple(terms))
    return tuple(terms)


def category_terms(cat: Category) -> list[str]:
    return [t.text for t in _terms(cat)]


def category_for(text: str, menu: tuple[Category, ...]) -> Category | None:
    """The category named by a digit, a number, a name or a keyword anywhere in a sentence.

    The longest matching term wins, so "broken streetlight" beats "light".
    """
    folded = fold(text)
    if not folded:
        return None
    for cat in menu:
        if cat.digit and folded == cat.digit:
            return cat
    words = tokens(text)
    present = set().union(*(_variants(w) for w in words)) if words else set()
    joined = " " + " ".join(words) + " "
    stems = " " + " ".join(_stem(w) for w in words) + " "
    squashed = "".join(words)
    best: tuple[int, Category] | None = None
    for cat in menu:
        for term in _terms(cat):
            if not term.words:
                continue
            if len(term.words) == 1:
                hit = term.words[0] in present or term.stems[0] in present or (
                    len(term.words[0]) > 3 and term.words[0] == squashed)
            else:
                hit = " " + " ".join(term.words) + " " in joined or \
                    " " + " ".join(term.stems) + " " in stems or \
                    "".join(term.words) == squashed
            if hit and (best is None or len(term.text) > best[0]):
                best = (len(term.text), cat)
    return best[1] if best else None


def details(text: str, menu_terms: list[str]) -> bool:
    """Whether words outside the address tell something beyond the category (a description).

    "there's a pothole in front of" -> False; "huge pothole, my tire blew" -> True.
    """
    skip = set(_FILLER)
    for term in menu_terms:
        skip.update(re.findall(r"[a-z0-9']+", term))
    left = [w for w in tokens(text)
            if not ({w} & skip or _variants(w) & skip) and not w.isdigit() and len(w) > 1]
    return len(left) >= 2 or any(len(w) >= 7 for w in left)


def outside(text: str, span: tuple[int, int] | None) -> str:
    """The text without the characters in `span`."""
    if span is None:
        return text
    start, end = span
    return (text[:start] + " " + text[end:]).strip()


_NUMBER_WORDS = set("""
zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety hundred thousand and cero uno una dos tres cuatro cinco seis siete ocho nueve diez
once doce trece catorce quince dieciseis diecisiete dieciocho diecinueve veinte veinti
veintiuno veintidos veintitres veinticuatro veinticinco veintiseis veintisiete veintiocho
veintinueve treinta cuarenta cincuenta sesenta setenta ochenta noventa cien ciento
doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos
novecientos mil y
""".split())
_NOT_ALONE = {"and", "y", "oh", "one", "un", "una", "uno", "once", "zero", "cero"}


def is_number_word(word: str) -> bool:
    """A word that says a number on its own ("twenty", "ciento"), not "and" or "one"."""
    return word in _NUMBER_WORDS and word not in _NOT_ALONE


_AROUND_NUMBER = {"it's", "its", "it", "is", "number", "no", "the", "es", "el", "numero",
                  "actually", "sorry", "not", "but", "house", "wait", "perdon", "casa", "la"}


def house_number_phrase(text: str) -> str | None:
    """The house number said alone ("125", "no, it's four twelve", "es el ciento veinte")."""
    said = [w for w in tokens(text) if w not in _AROUND_NUMBER]
    if said and any(w.isdigit() or w not in {"and", "y"} for w in said) and all(
            w.isdigit() or w in _NUMBER_WORDS for w in said):
        if sum(w.isdigit() for w in said) <= 1:
            return " ".join(said)
    return None


def choice_index(text: str, count: int) -> int | None:
    """A 0-based choice from a digit or an ordinal word, if within `count`."""
    folded = fold(text)
    number = int(folded) if folded.isdigit() else ORDINALS.get(folded.removeprefix("the "))
    if number is not None and 1 <= number <= count:
        return number - 1
    return None


def change_target(text: str) -> str | None:
    """What a resident wants to change, named in a few words ("the address is wrong")."""
    folded = fold(text)
    said = tokens(text)
    if len(said) > 6 or any(w.isdigit() for w in said):
        return None  # a longer answer is the change itself, not its name
    for target, words in CHANGE_WORDS.items():
        if folded in words or set(said) & _CHANGE_NAMES[target]:
            return target
    return None


_CHANGE_NAMES = {  # single words that name a part of the report inside a short answer
    "category": {"problem", "category", "type", "problema", "categoria", "tipo"},
    "address": {"address", "location", "direccion", "ubicacion"},
    "description": {"description", "details", "descripcion", "detalles"},
}


def after_transfer_choice(text: str) -> str | None:
    """'finish' or 'callback' from a word, after the agent line did not answer."""
    folded = fold(text)
    for choice, words in AFTER_TRANSFER.items():
        if folded in words or any(" " in w and w in folded for w in words):
            return choice
    return None


DUPLICATE = {
    "follow": {"updates", "get updates", "follow", "follow it", "that one", "same", "same one",
               "actualizaciones", "seguir", "ese", "esa", "el mismo", "la misma"},
    "file": {"new", "new report", "file", "file it", "file new", "different", "another",
             "nuevo", "nuevo reporte", "otro", "otra", "diferente", "reportar"},
}


def duplicate_choice(text: str) -> str | None:
    """'follow' (the existing request) or 'file' (a new report), from the resident's words."""
    folded = fold(text)
    for choice, said in DUPLICATE.items():
        if folded in said or any(" " in w and w in folded for w in said):
            return choice
    return None
