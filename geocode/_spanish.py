"""Spanish addresses to the English shape the parser knows: "calle Pearl cuarenta y cinco" ->
"45 pearl st", "la quinta avenida y Main" -> "5th ave and main".

Spanish puts the street type first and the house number last, says numbers arithmetically
("mil doscientos treinta") or digit by digit ("uno dos tres"), and joins corners with "y".
Words are accent-folded and lower case before they reach this module.
"""

from __future__ import annotations

UNITS = {"cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
         "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9}
TEENS = {"diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
         "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
         "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
         "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
         "veintiocho": 28, "veintinueve": 29}
TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
        "ochenta": 80, "noventa": 90}
HUNDREDS = {"cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200,
            "trescientos": 300, "trescientas": 300, "cuatrocientos": 400,
            "cuatrocientas": 400, "quinientos": 500, "quinientas": 500, "seiscientos": 600,
            "seiscientas": 600, "setecientos": 700, "setecientas": 700, "ochocientos": 800,
            "ochocientas": 800, "novecientos": 900, "novecientas": 900}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | frozenset(HUNDREDS) | {
    "mil"}

ORDINALS = {"primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3,
            "tercera": 3, "tercer": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
            "sexto": 6, "sexta": 6, "septimo": 7, "septima": 7, "setimo": 7, "setima": 7,
            "octavo": 8, "octava": 8, "noveno": 9, "novena": 9, "decimo": 10, "decima": 10}
_ORDINAL_ENDINGS = ("ra", "ro", "da", "do", "ta", "to", "va", "vo", "na", "no", "er", "a", "o")

#: Spanish street types -> the USPS key the gazetteer uses.
TYPES = {"calle": "st", "c": "st", "cll": "st", "avenida": "ave", "av": "ave", "avda": "ave",
         "bulevar": "blvd", "boulevard": "blvd", "blvd": "blvd", "carretera": "hwy",
         "autopista": "hwy", "plaza": "plz", "callejon": "aly", "circulo": "cir",
         "glorieta": "cir", "rotonda": "cir", "terraza": "ter", "sendero": "trl",
         "camino": "rd", "pasaje": "pl", "paseo": "way", "carr": "hwy"}
#: Words joining a number or a corner to the street, dropped: "45 de la calle Pearl".
GLUE = frozenset("de del la el los las numero num nro nº".split())
#: Words saying "and" between two streets, and words that only announce a corner.
CORNER = frozenset({"y", "e", "con", "esquina"})
CORNER_INTRO = frozenset({"entre", "cruce", "interseccion", "esquina"})
#: Hesitations and fillers ("pues", "o sea"): no part of an address, like English "um".
#: A street really named by one of them ("Este") is still a street word, never a filler.
HESITATIONS = frozenset("pues este eh ehh em emm mm mmm bueno".split())
HESITATION_PHRASES = frozenset({("o", "sea"), ("a", "ver"), ("es", "que")})
MARKERS = frozenset(TYPES) | frozenset(ORDINALS) | NUMBER_WORDS | {"calle", "avenida"}


def is_number_word(tok: str) -> bool:
    return tok in NUMBER_WORDS


def ordinal(tok: str) -> int | None:
    """ "quinta" -> 5, "5ta" -> 5, "1er" -> 1."""
    if tok in ORDINALS:
        return ORDINALS[tok]
    for end in _ORDINAL_ENDINGS:
        head = tok[: -len(end)]
        if tok.endswith(end) and head.isdigit() and 0 < int(head) < 200:
            return int(head)
    return None


def _one(tokens: list[str], i: int) -> tuple[int, int]:
    """One arithmetic number from tokens[i:]: (value, next index); value 0 when none."""
    total = current = 0
    level = 10_000  # the smallest magnitude taken so far; each word must go below it
    j = i
    while j < len(tokens):
        tok = tokens[j]
        if tok == "mil":
            if level <= 1000:
                break
            total, current, level = (current or 1) * 1000, 0, 1000
        elif tok in HUNDREDS and level > 100:
            current, level = current + HUNDREDS[tok], 100
        elif tok in TENS and level > 10:
            current, level = current + TENS[tok], 10
            if j + 2 < len(tokens) and tokens[j + 1] == "y" and tokens[j + 2] in UNITS:
                current, level, j = current + UNITS[tokens[j + 2]], 1, j + 2
            elif j + 1 < len(tokens) and tokens[j + 1] in UNITS and UNITS[tokens[j + 1]]:
                current, level, j = current + UNITS[tokens[j + 1]], 1, j + 1
        elif tok in TEENS and level > 10:
            current, level = current + TEENS[tok], 1
        elif tok in UNITS and level > 1:
            if level == 10_000 and UNITS[tok] == 0:
                return 0, j + 1  # "cero" said alone: a digit of its own
            current, level = current + UNITS[tok], 1
        elif tok.isdigit() and j == i:
            return int(tok), j + 1
        else:
            break
        j += 1
    return total + current, j


def number_run(tokens: list[str]) -> str | None:
    """Digits for Spanish number words: "cuarenta y cinco" 45, "uno dos tres" 123,
    "mil doscientos treinta" 1230, "doce cero cinco" 1205. None if not all are numbers."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        value, j = _one(tokens, i)
        if j == i:
            return None
        out.append(str(value))
        i = j
    return "".join(out) or None


def _numbers(tokens: list[str]) -> list[str]:
    """Spanish number runs to digits; "y" inside a number is taken, elsewhere kept."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and (tokens[j] in NUMBER_WORDS or (
                tokens[j] == "y" and j > i and tokens[j - 1] in TENS and j + 1 < len(tokens)
                and tokens[j + 1] in UNITS)):
            j += 1
        if j > i:
            digits = number_run(tokens[i:j])
            out.extend([digits] if digits else tokens[i:j])
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


def _name_end(tokens: list[str], i: int) -> int:
    j = i
    while j < len(tokens) and not tokens[j].isdigit() and tokens[j] not in CORNER \
            and tokens[j] not in GLUE and tokens[j] not in ("and", "#", "no"):
        j += 1
    return j


def rewrite(tokens: list[str]) -> list[str]:
    """Spanish word order and numbers to the English shape; English input passes unchanged."""
    toks = _numbers(tokens)
    out: list[str] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok in ("la", "el") and nxt is not None and nxt.isdigit() and len(nxt) <= 3 \
                and (i + 2 >= len(toks) or toks[i + 2] in CORNER or toks[i + 2] in TYPES):
            out.append(f"{nxt}th")  # "Main y la 5": the fifth (avenue, street)
            i += 2
            continue
        if tok in CORNER_INTRO and not out:
            i += 1
            continue
        if tok in CORNER:
            if out:
                out.append("and")
            i += 1
            continue
        if tok in ("no", "#") and nxt is not None and nxt.isdigit():
            i += 1  # "No. 12": número
            continue
        if tok in GLUE:
            i += 1
            continue
        value = ordinal(tok)
        if value is not None and not tok.isdigit():
            out.append(f"{value}th")
            i += 1
            continue
        if tok in TYPES and nxt is not None:
            kind = TYPES[tok]
            if nxt.isdigit() and len(nxt) <= 3 and (i + 2 >= len(toks) or toks[i + 2] in CORNER
                                                     or not toks[i + 2].isdigit()):
                out += [f"{nxt}th", kind]  # "calle 5": Fifth Street
                i += 2
                continue
            end = _name_end(toks, i + 1)
            if end > i + 1:  # "calle Pearl": the type goes after the name
                out += [*toks[i + 1 : end], kind]
                i = end
                continue
        if tok in TYPES and (i > 0 or nxt is None):
            out.append(TYPES[tok])
            i += 1
            continue
        out.append(tok)
        i += 1
    return _number_first(out)


def _number_first(toks: list[str]) -> list[str]:
    """ "pearl st 45" -> "45 pearl st": a house number said after the street."""
    if len(toks) < 2 or toks[0].isdigit() or not toks[-1].isdigit():
        return toks
    if "and" in toks or toks[-2] in _NUMBERED_ROADS:
        return toks
    return [toks[-1], *toks[:-1]]


_NUMBERED_ROADS = frozenset("route rte ruta highway hwy interstate i us sr carretera".split())


def looks_spanish(tokens: list[str]) -> bool:
    """Words only Spanish would use for an address (a type, a number or ordinal word)."""
    return any(t in MARKERS and t not in ("c", "av", "blvd", "boulevard") for t in tokens)


def hesitation(words: list[str], i: int) -> bool:
    """Whether words[i] is a Spanish hesitation, alone or as part of "o sea", "a ver"."""
    w = words[i]
    if w in HESITATIONS:
        return True
    return (i + 1 < len(words) and (w, words[i + 1]) in HESITATION_PHRASES) or (
        i > 0 and (words[i - 1], w) in HESITATION_PHRASES)
