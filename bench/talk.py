"""How residents talk about a place, for the address benchmark; the matcher never imports this.

Written from a description of calls and texts to a city's service line, not from the matcher:

- People wrap the address in a sentence. Before it: a greeting, who they are, why they call,
  the problem in their own words ("there's a huge pothole", "the light is out"), and a
  preposition ("at", "on", "right by", "in front of", "near", "outside", "across from").
  After it: the town, sometimes the state or ZIP, sometimes a neighbourhood; then thanks,
  "please", "that's it", "bye", "okay".
- Speech has hesitations ("um", "uh", "like", "you know", "I think") anywhere, repeats a word,
  and sometimes takes a number back: "forty five, no, forty seven Pearl".
- Texts are shorter: lower case, no punctuation or too much, "thx", "pls", "plz".
- Spanish speakers put the type first ("calle Pearl", "avenida Massachusetts") and the house
  number last ("calle Pearl 45", "... número 45") or say "45 de la calle Pearl"; they say
  numbers arithmetically ("cuarenta y cinco", "ciento veinte", "mil doscientos treinta") or
  digit by digit ("uno dos tres"), keep English street names (sometimes spelt the Spanish
  way), and wrap them in Spanish ("hay un bache en ...", "gracias", "por favor").
  A Spanish recogniser (es-US) writes numbers as digits about half the time.
- Spoken Spanish hesitates too: "eh", "este", "pues", "o sea", "bueno", and as much the
  regional and rural ones ("pos", "ehm", "mira", "mire", "digamos", "fíjese", "o sea que",
  "pues mire"), a vowel held on ("esteee") and a search for the word ("este, cómo se
  llama"; the recogniser writes no pause or comma).
"""

from __future__ import annotations

import random
import re

# -- English ----------------------------------------------------------------------------------

GREETINGS = ["", "", "", "hi", "hello", "hey", "good morning", "yes hi", "hi there",
             "hello, yes"]
SELF = ["", "", "", "this is a resident", "I live nearby and", "I'm a neighbor and",
        "my name is Pat and", "I drive by every day and"]
WHY = ["", "", "I'm calling about", "I want to report", "I'd like to report", "there's",
       "there is", "I need to report", "just wanted to let you know there's", "we have",
       "can someone look at", "I'm texting about", "reporting"]
PROBLEMS = ["a pothole", "a huge pothole", "a streetlight out", "graffiti", "a broken light",
            "trash that wasn't picked up", "a fallen tree branch", "a big crack in the road",
            "a missing stop sign", "a water leak", "an abandoned car", "a dead animal",
            "a blocked storm drain", "broken glass", "illegal dumping", ""]
PREPOSITIONS = ["at", "at", "on", "on", "by", "right by", "in front of", "near", "outside",
                "across from", "next to", "around", "right at", "over at", "outside of"]
CLOSERS = ["", "", "", "thank you", "thanks", "thanks a lot", "please", "thank you so much",
           "that's it", "okay", "bye", "thanks bye", "sorry", "if you can", "asap",
           "it's been there for weeks", "please fix it", "appreciate it"]
FILLERS = ["um", "uh", "uhh", "like", "you know", "I think", "er", "so", "okay so", "hmm"]
TEXTISMS = {"thank you": "thx", "thanks": "thx", "please": "pls", "you": "u", "are": "r"}
CORRECTIONS = ["no", "sorry", "I mean", "no wait", "sorry I mean", "actually"]


def _maybe(rng: random.Random, p: float, text: str) -> str:
    return text if rng.random() < p else ""


def _join(*parts: str) -> str:
    return re.sub(r"\s+([,.?!])", r"\1", " ".join(p for p in parts if p)).strip()


def place_tail(rng: random.Random, city: str, state: str, zips: list[str],
               hoods: list[str]) -> str:
    """Where the resident adds the town: ", Cambridge", "in Westbrook Maine", "02139"."""
    r = rng.random()
    if r < 0.45:
        return ""
    if r < 0.6:
        return rng.choice([f"in {city}", f", {city}", f"here in {city}", city])
    if r < 0.7:
        return rng.choice([f"{city} {state}", f", {city}, {state}", f"in {city}, {state}"])
    if r < 0.8 and zips:
        return rng.choice([rng.choice(zips), f"{city} {rng.choice(zips)}"])
    if hoods:
        return rng.choice([f"in {rng.choice(hoods)}", f"near {rng.choice(hoods)}",
                           f", {rng.choice(hoods)}"])
    return f"in {city}"


def _hesitate(words: list[str], rng: random.Random) -> list[str]:
    out: list[str] = []
    for w in words:
        if rng.random() < 0.06:
            out.append(rng.choice(FILLERS))
        out.append(w)
        if rng.random() < 0.02:
            out.append(w)  # a word said twice
    return out


def conversational(address: str, rng: random.Random, city: str, state: str, zips: list[str],
                   hoods: list[str], wrong_number: str | None = None,
                   typed: bool = False) -> str:
    """The address inside what a resident says or types."""
    head = _join(_maybe(rng, 0.5, rng.choice(GREETINGS)), _maybe(rng, 0.3, rng.choice(SELF)),
                 rng.choice(WHY))
    problem = rng.choice(PROBLEMS) if head.split()[-1:] not in ([], ["about"]) or \
        rng.random() < 0.5 else ""
    lead = _join(head, problem, rng.choice(PREPOSITIONS) if problem or head else "")
    if wrong_number and rng.random() < 0.06:
        m = re.match(r"^(\S+(?: \S+)?)\s", address)
        if m:
            address = _join(wrong_number + ",", rng.choice(CORRECTIONS) + ",", address)
    tail = place_tail(rng, city, state, zips, hoods)
    if rng.random() < 0.15 and tail:  # the town first: "Cambridge, 45 Pearl St"
        text = _join(lead, tail.lstrip(", ") + ",", address, rng.choice(CLOSERS))
    else:
        text = _join(lead, address, tail, rng.choice(CLOSERS))
    words = text.split()
    if not typed:
        words = _hesitate(words, rng)
        text = " ".join(words).replace(",", "" if rng.random() < 0.5 else ",")
    else:
        text = " ".join(TEXTISMS.get(w, w) if rng.random() < 0.3 else w for w in words)
        if rng.random() < 0.6:
            text = text.lower()
        if rng.random() < 0.3:
            text += rng.choice(["!", "!!", ".", " ?"])
    return text


# -- Spanish ----------------------------------------------------------------------------------

_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_TEENS = ("diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve "
          "veinte veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis "
          "veintisiete veintiocho veintinueve").split()
_TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta", 6: "sesenta", 7: "setenta",
         8: "ochenta", 9: "noventa"}
_HUNDREDS = {1: "ciento", 2: "doscientos", 3: "trescientos", 4: "cuatrocientos",
             5: "quinientos", 6: "seiscientos", 7: "setecientos", 8: "ochocientos",
             9: "novecientos"}
ES_TYPES = {"st": "calle", "street": "calle", "ave": "avenida", "avenue": "avenida",
            "av": "avenida", "blvd": "bulevar", "boulevard": "bulevar", "rd": "camino",
            "road": "camino", "hwy": "carretera", "highway": "carretera", "pl": "plaza",
            "place": "plaza", "ter": "terraza", "terrace": "terraza", "cir": "círculo",
            "circle": "círculo", "sq": "plaza", "square": "plaza", "dr": "", "drive": "",
            "ln": "", "lane": "", "ct": "", "court": "", "way": "", "pkwy": "",
            "parkway": ""}
ES_ORDINALS = {1: "primera", 2: "segunda", 3: "tercera", 4: "cuarta", 5: "quinta",
               6: "sexta", 7: "séptima", 8: "octava", 9: "novena", 10: "décima"}
ES_OPENERS = ["", "", "hola", "buenos días", "buenas tardes", "sí, hola", "oiga"]
ES_WHY = ["", "", "quiero reportar", "llamo por", "hay", "tenemos", "quisiera reportar",
          "le escribo por", "les aviso que hay"]
ES_PROBLEMS = ["un bache", "un bache muy grande", "una luz apagada", "grafiti",
               "basura sin recoger", "un árbol caído", "una fuga de agua", "un carro abandonado",
               "vidrios rotos", ""]
ES_PREPOSITIONS = ["en", "en", "en la", "frente a", "cerca de", "al lado de", "por", "enfrente de"]
ES_CLOSERS = ["", "", "gracias", "muchas gracias", "por favor", "gracias, adiós", "eso es todo",
              "ok gracias", "se lo agradezco"]
ES_FILLERS = ["eh", "este", "pues", "o sea", "mmm", "bueno", "pos", "ehm", "mira", "mire",
              "digamos", "o sea que", "fíjese", "esteee", "pues mire", "este cómo se llama",
              "eeh", "ajá"]
ES_CORRECTIONS = ["no", "perdón", "digo", "no, perdón", "mejor dicho"]


def number_es(n: int, rng: random.Random) -> str:
    """A house number as a Spanish speaker says it."""
    if rng.random() < 0.15 and n >= 100:
        return " ".join(_UNITS[int(d)] for d in str(n))
    return _es(n)


def _es(n: int) -> str:
    if n < 10:
        return _UNITS[n]
    if n < 30:
        return _TEENS[n - 10]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f" y {_UNITS[unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if hundreds == 1 and rest == 0:
            return "cien"
        return _HUNDREDS[hundreds] + (f" {_es(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "mil" if thousands == 1 else f"{_es(thousands)} mil"
    return head + (f" {_es(rest)}" if rest else "")


def _street_es(street: str, rng: random.Random) -> tuple[str, str]:
    """(type said in Spanish or "", the name): "Pearl St" -> ("calle", "Pearl")."""
    words = street.split()
    kind = words[-1].lower().strip(".") if len(words) > 1 else ""
    if kind in ES_TYPES:
        name = " ".join(words[:-1])
        said = ES_TYPES[kind]
        m = re.fullmatch(r"(\d+)(st|nd|rd|th)", name.lower())
        if m and int(m.group(1)) in ES_ORDINALS and rng.random() < 0.7:
            return "", f"la {ES_ORDINALS[int(m.group(1))]} {said}".strip()
        if not said:  # no Spanish word people use for it: the English type stays
            return "", street
        return said, name
    return "", street


def spanish(number: str, street: str, rng: random.Random, city: str, state: str,
            asr: bool = False, sentence: bool = True,
            fillers: list[str] | None = None) -> str:
    """The address as a Spanish speaker gives it (by text, or as es-US speech output);
    each hesitation put in is also added to `fillers`, for a benchmark to split by."""
    kind, name = _street_es(street, rng)
    if number and (not asr or rng.random() < 0.5):
        said = number_es(int(number), rng) if rng.random() < 0.75 else number
    else:
        said = number
    r = rng.random()
    if not number:
        address = _join(kind, name)
    elif kind and r < 0.4:
        address = _join(kind, name, rng.choice(["", "", "número", "#"]), said)
    elif kind and r < 0.6:
        address = _join(said, "de la" if kind == "calle" else "de la", kind, name)
    elif kind and r < 0.75:
        address = _join(said, name, {"calle": "Street", "avenida": "Avenue"}.get(kind, ""))
    else:
        address = _join(said, name) if not kind else _join(kind, name, said)
    if asr:
        address = address.lower()
    if not sentence:
        return address
    tail = ""
    if rng.random() < 0.35:
        tail = rng.choice([f"en {city}", f", {city}", f"{city}, {state}", f"aquí en {city}"])
    lead = _join(_maybe(rng, 0.4, rng.choice(ES_OPENERS)), rng.choice(ES_WHY))
    lead = _join(lead, rng.choice(ES_PROBLEMS) if lead else "",
                 rng.choice(ES_PREPOSITIONS) if lead else "")
    words = _join(lead, address, tail, rng.choice(ES_CLOSERS)).split()
    if asr:
        words = [w for w in words if w not in (",", "#")]
        out: list[str] = []
        for w in words:
            if rng.random() < 0.05:
                out.append(rng.choice(ES_FILLERS))
                if fillers is not None:
                    fillers.append(out[-1])
            out.append(w.strip(","))
        words = out
    return " ".join(words)


def wrong_number(number: str, rng: random.Random) -> str:
    """A number said first and then taken back."""
    n = int(number)
    return str(max(1, n + rng.choice([-10, -2, 2, 10, 100])))
