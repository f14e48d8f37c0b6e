"""Simulated residents for the conversation benchmark: how people report a problem.

Written from a description of how residents talk, not from the product's word lists (the
product never imports this module, and this module imports nothing of the product's):

- Texters in a hurry put everything in one message ("big pothole in front of 40 Avon Hill
  St, my tire blew"); others start with "hi" and answer one question at a time, only what is
  asked. They type lower case, drop the street type, abbreviate, make a typo now and then.
- Callers answer in speech as a recogniser writes it: lower case, no punctuation, numbers
  mostly as digits, sometimes as words ("forty two"), street types said in full; some press
  keys for yes/no and menus.
- Spanish speakers greet in Spanish, name the problem in their words ("hay un bache", "no
  recogieron la basura"), give the street name as it is written on the sign but in Spanish
  order ("calle Avon Hill 40", "Avon Hill número 40", "el 40 de Avon Hill"), sometimes with
  Spanish number words ("cuarenta"); callers press 2 or say "español".
- Nobody reads the menu until they must; a resident picks from a menu by the name of their
  problem. At the read-back a resident checks the street and the number, says yes when they
  are right, and otherwise says no and gives the address again.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# ---- what residents report, in their own words --------------------------------------------

PROBLEMS: dict[str, dict[str, list[str]]] = {
    "POTHOLE": {
        "en": ["pothole", "there's a huge pothole", "big hole in the road",
               "a pot hole that wrecked my tire", "the road has a deep hole in it",
               "potholes all over", "crater in the street"],
        "es": ["hay un bache", "un bache muy grande", "un hoyo en la calle",
               "hay un hoyo enorme en el pavimento", "baches en la calle"],
    },
    "GRAFFITI": {
        "en": ["graffiti", "someone spray painted the wall", "graffiti on the mailbox",
               "tagging all over the bridge", "vandals painted graffiti on the fence"],
        "es": ["grafiti en la pared", "pintaron grafiti en el muro", "hay grafiti",
               "rayaron la pared con pintura"],
    },
    "STREETLIGHT": {
        "en": ["the streetlight is out", "street light not working", "broken street light",
               "the light pole is dark at night", "streetlight keeps flickering"],
        "es": ["la luz de la calle no funciona", "el poste de luz está apagado",
               "la farola está rota", "no hay luz en la calle"],
    },
    "TRASH_MISSED": {
        "en": ["they didn't pick up my trash", "missed trash pickup",
               "garbage wasn't collected", "recycling was skipped this week",
               "trash still at the curb"],
        "es": ["no recogieron la basura", "la basura sigue en la acera",
               "no pasaron por la basura", "se olvidaron de la basura"],
    },
    "OTHER": {
        "en": ["dead raccoon in the road", "a tree branch fell on the sidewalk",
               "fire hydrant leaking water", "loud construction at night",
               "a shopping cart dumped on the sidewalk"],
        "es": ["hay un animal muerto en la calle", "se cayó una rama en la acera",
               "un hidrante pierde agua", "hay un carrito abandonado en la acera"],
    },
}
#: words a resident recognises their problem by in a menu (reading, not guessing)
MENU_NAMES = {
    "POTHOLE": ("pothole", "bache"), "GRAFFITI": ("graffiti", "grafiti"),
    "STREETLIGHT": ("streetlight", "luz"), "TRASH_MISSED": ("trash", "basura"),
    "OTHER": ("something else", "otra cosa"),
}
DETAILS = {
    "en": ["it's really deep", "been there for weeks", "cars are swerving around it",
           "right next to the bus stop", "it is getting worse", "kids walk by here every day"],
    "es": ["es muy grande", "lleva semanas así", "los carros lo esquivan",
           "está junto a la parada del autobús", "cada día está peor"],
}
GREETINGS = {"en": ["hi", "Hello", "hey", "Hi there", "good morning"],
             "es": ["Hola", "hola buenas", "Buenos días", "buenas tardes"]}
CARRIERS_BEFORE = {
    "en": ["{p} at {a}", "{p} in front of {a}", "there's {p} near {a}", "{p} by {a}",
           "hi, {p} on {a}", "{a}: {p}", "{p} outside {a}, thanks"],
    "es": ["{p} en {a}", "hola, {p} en {a}", "{p} frente a {a}", "{p} cerca de {a}, gracias",
           "buenas, {p} en {a} por favor"],
}
TYPES = {"St": "street", "Ave": "avenue", "Rd": "road", "Pl": "place", "Ter": "terrace",
         "Dr": "drive", "Pkwy": "parkway", "Ct": "court", "Sq": "square", "Blvd": "boulevard",
         "Hwy": "highway", "Way": "way", "Ln": "lane", "Park": "park", "Row": "row",
         "Cir": "circle"}
TIPOS = {"St": "calle", "Ave": "avenida", "Rd": "camino", "Blvd": "bulevar", "Pl": "plaza",
         "Sq": "plaza", "Dr": "calle", "Ter": "calle", "Pkwy": "avenida"}

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNO = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
        "quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés "
        "veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve").split()
_DECENAS = "- - - treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_CIENTOS = ("- ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
            "ochocientos novecientos").split()


def english_number(n: int, rng: random.Random) -> str:
    """How people say a house number: 42 'forty two', 123 'one twenty three' or 'one two three'."""
    def two(k: int) -> str:
        if k < 20:
            return _ONES[k]
        tens, ones = divmod(k, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if n < 100:
        return two(n)
    if n < 1000 and rng.random() < 0.3:
        return " ".join(_ONES[int(d)] for d in str(n))
    high, low = divmod(n, 100)
    if low == 0:
        return f"{two(high)} hundred"
    return f"{two(high)} {('oh ' + _ONES[low]) if low < 10 else two(low)}"


def spanish_number(n: int) -> str:
    """'cuarenta y dos', 'ciento veintitrés', 'mil doscientos' (up to 9999)."""
    def under100(k: int) -> str:
        if k < 30:
            return _UNO[k]
        tens, ones = divmod(k, 10)
        return _DECENAS[tens] + (f" y {_UNO[ones]}" if ones else "")

    def under1000(k: int) -> str:
        if k == 100:
            return "cien"
        hundreds, rest = divmod(k, 100)
        head = _CIENTOS[hundreds] if hundreds else ""
        return " ".join(x for x in (head, under100(rest) if rest else "") if x)

    thousands, rest = divmod(n, 1000)
    head = "" if not thousands else ("mil" if thousands == 1 else f"{_UNO[thousands]} mil")
    return " ".join(x for x in (head, under1000(rest) if rest else "") if x)


def typo(word: str, rng: random.Random) -> str:
    """One slip of the thumb: a dropped, doubled or swapped letter."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


@dataclass(frozen=True)
class Place:
    """Where the problem is: a real address with its surveyed point."""

    number: int
    name: str  # "Avon Hill"
    kind: str  # "St"
    lat: float
    lon: float
    corner: tuple[str, str] | None = None  # the nearest named intersection's two streets

    @property
    def street(self) -> str:
        return f"{self.name} {self.kind}".strip()


@dataclass
class Resident:
    """One person with one problem, and the habits they bring to a conversation."""

    kind: str  # en_text_steps | en_text_oneshot | en_voice | es_text | es_voice
    service: str
    place: Place
    rng: random.Random
    problem: str = ""
    details: str | None = None
    inputs: int = 0
    said: list[str] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return "es" if self.kind.startswith("es") else "en"

    @property
    def voice(self) -> bool:
        return self.kind.endswith("voice")

    # -- the address, the way this resident gives it ----------------------------------------

    def address(self) -> str:
        p, rng = self.place, self.rng
        if self.lang == "es":
            return self._spanish_address()
        if self.voice:
            number = str(p.number) if rng.random() < 0.7 else english_number(p.number, rng)
            kind = TYPES.get(p.kind, p.kind.lower()) if rng.random() < 0.85 else ""
            return " ".join(x for x in (number, p.name.lower(), kind) if x)
        name = p.name if rng.random() < 0.5 else p.name.lower()
        if rng.random() < 0.12:
            words = name.split()
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = typo(words[longest], rng)
            name = " ".join(words)
        kind = rng.choice((p.kind, p.kind.lower(), TYPES.get(p.kind, p.kind).lower(),
                           TYPES.get(p.kind, p.kind).title(), ""))
        return f"{p.number} {name} {kind}".strip()

    def _spanish_address(self) -> str:
        p, rng = self.place, self.rng
        number = spanish_number(p.number) if rng.random() < (0.5 if self.voice else 0.2) \
            else str(p.number)
        tipo = TIPOS.get(p.kind)
        name = p.name if rng.random() < 0.6 else p.name.lower()
        english = f"{name} {TYPES.get(p.kind, p.kind) if self.voice else p.kind}"
        shapes = [f"{number} {english}", f"{english} {number}", f"{english} número {number}",
                  f"el {number} de {english}"]
        if tipo:
            shapes += [f"{tipo} {name} {number}", f"{tipo} {name} número {number}",
                       f"{number} de la {tipo} {name}" if tipo == "calle"
                       else f"{tipo} {name} {number}"]
        said = rng.choice(shapes)
        return said.lower() if self.voice else said

    def corner(self) -> str:
        if self.place.corner is None:
            return "i don't know" if self.lang == "en" else "no sé"
        a, b = self.place.corner
        joiner = " y " if self.lang == "es" else rng_choice(self.rng, (" and ", " & ", " at "))
        return a + joiner + b

    def first_message(self) -> str:
        """What a texter sends first; a caller says nothing until asked."""
        rng = self.rng
        if self.kind in ("en_text_steps",):
            return rng.choice(GREETINGS["en"])
        if self.kind == "es_text" and rng.random() < 0.5:
            return rng.choice(GREETINGS["es"])
        shape = rng.choice(CARRIERS_BEFORE[self.lang])
        text = shape.format(p=self.problem, a=self.address())
        if self.details and rng.random() < 0.5:
            text += (", " if rng.random() < 0.5 else ". ") + self.details
            self.details = None  # said already: not asked again
        return text


def rng_choice(rng: random.Random, options: tuple[str, ...]) -> str:
    return rng.choice(options)


# ---- reading what the city's line says ---------------------------------------------------

ASKS = [  # (what is asked, words that show it), most specific first; English and Spanish
    ("filed", r"reference number|número de referencia|referencia es|report is filed|"
              r"reporte fue registrado"),
    ("after_transfer", r"call you back|le llame|le llamen"),
    ("what_to_change", r"what should i change|qué cambio"),
    ("fallback", r"as you (?:said|wrote) it|como lo dijo|como la escribió|como la dijo"),
    ("choose", r"\b1\)|press 1 for|oprima 1 para|\b1 for\b|\b1 para\b|reply 9|or 9 if|o 9 si"),
    ("confirm", r"reply yes to file|to file it|para registrarlo|responda si para"),
    ("address", r"house number and (?:the )?street|número y la calle|número de la casa y el "
                r"nombre"),
    ("house_number", r"house number|what is the number|cuál es el número|número de la casa|"
                     r"marque el número"),
    ("cross_street", r"cross streets|calles que cruzan"),
    ("landmark", r"where it is in your own words|dónde está con sus palabras|describe the place|"
                 r"describa el lugar"),
    ("offer_texts", r"text (?:message )?when the status|mensaje de texto cuando"),
    ("attribute", r"offensive|ofensivo"),
    ("description", r"descri"),
    ("address", r"street address|where is it|dónde está|cuál es la dirección|house number "
                r"and street|número y la calle"),
    ("menu", r"reply with a number|press \d+ for|oprima \d+ para|responda con un número"),
    ("category", r"what would you like to report|qué desea reportar"),
]


def asked(text: str) -> str | None:
    """What the last message asks for, as a resident would understand it."""
    low = text.lower()
    tail = low[-260:]  # the question is at the end of a reply
    offered = " ".join(label for _, label in options(text)).lower()
    if offered and any(w in offered for names in MENU_NAMES.values() for w in names):
        return "menu"  # a list of problems, not of places
    for name, pattern in ASKS:
        if re.search(pattern, tail):
            return name
    return None


def options(text: str) -> list[tuple[str, str]]:
    """The numbered choices offered: '1) 40 Avon Hill St;' or 'Press 1 for x, 2 for y'."""
    found = re.findall(r"(\d)\)\s*([^;\n]+)", text)
    if found:
        return found
    found = re.findall(r"(?:: |; )(\d) ([^;\n]+);", text)  # "Reply with a number: 1 pothole;"
    if found:
        return found
    return re.findall(r"(?:press |oprima |, |^)(\d) (?:for|para) ([^,.]+)", text.lower())


_SPOKEN = {w: i for i, w in enumerate(_ONES)} | {w: 10 * i for i, w in enumerate(_TENS) if i > 1}


def numbers_in(text: str) -> set[int]:
    """Numbers a resident hears in a read-back: digits, or said ('one twenty-three',
    'twelve oh five', 'one oh three', 'fifteen hundred', 'eighty-three')."""
    out = {int(d) for d in re.findall(r"\d+", text)}
    words = [w.strip(",.") for w in text.lower().replace("-", " ").split()]
    for start in range(len(words)):
        digits = ""
        i = start
        while i < len(words):
            w = words[i]
            if w == "oh" and i + 1 < len(words) and _SPOKEN.get(words[i + 1], 99) < 10:
                digits += "0" + str(_SPOKEN[words[i + 1]])
                i += 2
            elif w == "hundred" and digits:
                digits += "00"
                i += 1
            elif w in _SPOKEN:
                value = _SPOKEN[w]
                if value >= 20 and i + 1 < len(words) and 0 < _SPOKEN.get(words[i + 1], 99) < 10:
                    value += _SPOKEN[words[i + 1]]
                    i += 1
                digits += str(value)
                i += 1
            else:
                break
            out.add(int(digits))
    return out


def names_match(said: str, street_name: str) -> bool:
    """The street's name appears in what was read back, as a resident would recognise it:
    most of its words ("Bishop Allen Dr" for "Bishop Richard Allen Dr", not "Avon St" for
    "Avon Hill St")."""
    low = said.lower().replace("'", "")
    words = [w for w in re.findall(r"[a-z0-9]+", street_name.lower().replace("'", ""))
             if len(w) > 1]
    if not words:
        return False
    heard = [w for w in words
             if any(re.search(rf"\b{re.escape(f)}\b", low) for f in (w, *SHORT_FORMS.get(w, ())))
             or re.search(rf"\b{re.escape(w)}", low)]
    return bool(heard) and 3 * len(heard) >= 2 * len(words)


# Short forms anyone reads as the word on a street sign ("St Paul St" is Saint Paul Street).
SHORT_FORMS = {"saint": ("st",), "mount": ("mt",), "fort": ("ft",), "north": ("n",),
               "south": ("s",), "east": ("e",), "west": ("w",), "doctor": ("dr",)}


def kind_matches(said: str, kind: str) -> bool:
    """The street type read back is the resident's ("Pkwy" or "Parkway" for a parkway)."""
    low = said.lower()
    forms = {kind.lower(), TYPES.get(kind, kind).lower()}
    return any(re.search(rf"\b{re.escape(f)}\b", low) for f in forms if f)
