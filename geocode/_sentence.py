"""The address inside a sentence: which words are the address, and is another place named?

Each word is labelled from what the city's own street file knows (street words, types,
directionals, the city's place names) and from the number normaliser; everything else is
"other". An address is a window of words that starts at a house number or a street word and
ends at a street word, type or trailing number; a window may hold a few other words (misheard
pieces) at a small cost each, and the gazetteer scores every window, so carrier phrases,
thanks, hesitations and the category said in the same breath cost little wherever they
stand. No list of phrases is needed: a word is "other" because no street is called that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from . import _spanish as es
from ._match import heard_type
from ._numbers import ORDINALS, is_number_token
from ._places import STATE_ABBRS, STATE_NAMES, PlaceData, fold
from ._vocab import DIRECTIONALS, FILLER_WORDS, STREET_TYPES, UNIT_WORDS

_CHUNK = re.compile(r"[^\s,;:!?()\"]+|[,;:!?]")
_SYMBOLS = {"&": "and", "@": "at", "/": "and", "+": "and", "#": "#", "y/o": "y"}
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
_ZIP = re.compile(r"^\d{5}(\d{4})?$")
_DIGIT = re.compile(r"\d")
_RANGE = re.compile(r"(\d+)\s*-\s*\d+[a-z]?$")
_UNIT_LETTER = re.compile(r"^(\d+)-?[a-z]$")
_PLAIN = re.compile(r"[a-z0-9#&]+")
_SPLIT = re.compile(r"[^a-z0-9#&]+")
#: Words that join two streets into a corner; free inside a window, never at its ends.
CONNECT = frozenset({"and", "at", "&", "cross", "y", "con", "esquina", "e"})
#: Words that take back what was just said ("forty five, no, forty seven").
CORRECT = frozenset({"no", "sorry", "perdon", "digo", "actually", "wait", "mean", "sea",
                     "correction", "oops", "rather", "mejor"})
_PLACE_BEFORE = frozenset({"in", "en", "of", "de", ","})
_ES_UNITS = frozenset({"apartamento", "apto", "depto", "departamento", "piso", "unidad"})
_EN_AMBIGUOUS = frozenset({"once", "un", "una", "mil", "e", "y", "c", "av"})
#: Words that make a town's name into a longer local one ("Cumberland Mills", "Pride's
#: Corner"): a name we do not know, so no evidence of another town.
PLACE_GENERICS = frozenset(
    "mills mill corner corners village falls heights center centre junction station harbor "
    "beach district neighborhood area side downtown highlands farms plains point port "
    "square sq hill hills park landing crossing common green".split())
_DIRECTION_WORDS = ("north", "south", "east", "west")
MAX_WINDOWS = 14
MAX_WINDOW = 10  # tokens
OTHER_COST = 0.97  # score factor per word inside a window that no street has
AHEAD = 0.94  # a street alone said before the house number


@dataclass
class Tok:
    word: str
    start: int
    end: int
    caps: bool = False  # typed as two capitals ("MA")
    comma: bool = False  # a comma or full stop came just before


def tokenize(text: str) -> list[Tok]:
    """Folded word tokens with character offsets into `text`."""
    out: list[Tok] = []
    comma = False
    shouted = text.upper() == text  # all capitals: "MA" is no sign of a state
    for m in _CHUNK.finditer(text):
        raw = m.group()
        if raw in ",;:!?":
            comma = True
            continue
        digits = _DIGIT.search(raw) is not None
        # "street." ends a sentence; "St." does too, harmlessly
        after = raw.endswith(".") and len(raw) > 3 and not digits
        word = raw.lower() if raw.isascii() else fold(raw)
        word = _SYMBOLS.get(word, word)
        if digits or not raw.isascii() and _DIGIT.search(word):
            word = _RANGE.sub(r"\1", word)  # 14-16
            word = _UNIT_LETTER.sub(r"\1", word)  # 44-B, 41B: the unit letter goes
        word = word.replace("'", "").replace("’", "").replace(".", "")
        parts = [word] if _PLAIN.fullmatch(word) else [p for p in _SPLIT.split(word) if p]
        caps = raw.isupper() and len(raw) == 2 and not shouted
        for part in parts:
            out.append(Tok(part, m.start(), m.end(), caps, comma))
            comma = False
        comma = comma or after
    return out


def direction(word: str) -> str:
    """A direction as spelt: "nort" -> "north" (known spellings pass unchanged)."""
    if word in DIRECTIONALS:
        return word
    return max(_DIRECTION_WORDS, key=lambda d: fuzz.ratio(word, d))


# -- labels ---------------------------------------------------------------------------------

NUM, NUMC, TYPE, DIR, ORD, VOCAB, CONN, GLUE, UNIT, HOME, TOWN, ZIP, STATE, MARK, OTHER = (
    "num numc type dir ord vocab conn glue unit home town zip state mark other".split())
_STARTS = frozenset({NUM, VOCAB, ORD, DIR})
_ENDS = frozenset({VOCAB, TYPE, ORD, DIR})
_BREAKS = frozenset({HOME, TOWN, ZIP, MARK, STATE})


@dataclass(frozen=True)
class Window:
    """Token indices taken as the address, and how many of them no street has."""

    indices: tuple[int, ...]
    others: int
    short: bool = False  # leaves out a street type said right after it
    numbered: bool = True  # holds a house number or a corner (else: a street at most)
    apart: bool = False  # a street alone while a house number was said elsewhere
    ahead: bool = False  # ... and before it: addresses say the number first ("in front of 12")

    @property
    def factor(self) -> float:
        return float(OTHER_COST ** self.others) * (0.9 if self.short else 1.0) * (
            0.92 if self.apart else 1.0) * (AHEAD if self.ahead else 1.0)

    @property
    def ceiling(self) -> float:
        """The best score this window can reach: a street alone is capped (STREET_ONLY)."""
        return self.factor * (1.0 if self.numbered else 0.8)


def _number_groups(words: list[str], spanish: bool) -> list[int]:
    """Length of the number group starting at each index (0 if none starts there)."""
    n = len(words)
    lengths = [0] * n
    i = 0
    while i < n:
        j = i
        if words[i].isdigit():
            j = i + 1
        else:
            while j < n and not words[j].isdigit():
                w = words[j]
                prev = words[j - 1] if j > i else None
                nxt = words[j + 1] if j + 1 < n else None
                if is_number_token(w, prev, nxt) and not (w == "o" and j == i):
                    j += 1
                elif es.is_number_word(w) and (spanish or w not in _EN_AMBIGUOUS):
                    j += 1
                elif w == "y" and j > i and words[j - 1] in es.TENS and nxt in es.UNITS:
                    j += 1
                else:
                    break
        if j > i:
            lengths[i] = j - i
            i = j
        else:
            i += 1
    return lengths


class SentenceReader:
    """Labels a city's sentences; built once per gazetteer from its street words."""

    def __init__(self, street_words: set[str], places: PlaceData, zips: frozenset[str],
                 is_street_word: object) -> None:
        self.street_words = street_words
        self.places = places
        self.zips = zips
        self._is_street_word = is_street_word  # callable: fuzzy test for misheard words

    def street_word(self, word: str) -> bool:
        if word in self.street_words:
            return True
        fn = self._is_street_word
        return bool(callable(fn) and fn(word))

    def label(self, toks: list[Tok], lang: str) -> list[str]:
        words = [t.word for t in toks]
        spanish = lang == "es" or es.looks_spanish(words)
        groups = _number_groups(words, spanish)
        labels = [OTHER] * len(toks)
        i = 0
        while i < len(toks):
            if groups[i]:
                labels[i] = NUM
                for k in range(i + 1, i + groups[i]):
                    labels[k] = NUMC
                i += groups[i]
                continue
            labels[i] = self._word_label(words, i, spanish)
            if labels[i] == OTHER and i + 1 < len(toks) and not groups[i + 1] and \
                    (words[i] + words[i + 1]) in self.street_words:
                labels[i] = labels[i + 1] = VOCAB  # a word heard in two: "cam bridge"
                i += 2
                continue
            if labels[i] == UNIT and i + 1 < len(toks) and toks[i].word not in ("rear",):
                labels[i + 1] = UNIT
                i += 2
                continue
            i += 1
        self._zips_and_places(toks, labels)
        self._corrections(words, labels)
        return labels

    def _word_label(self, words: list[str], i: int, spanish: bool) -> str:
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w in STREET_TYPES and (w not in ("c", "av") or i > 0):
            return TYPE
        if w in es.TYPES and (spanish or w in ("calle", "avenida")):
            return TYPE
        if w in ORDINALS or _ORDINAL.match(w) or (spanish and es.ordinal(w) is not None):
            return ORD
        if w in CONNECT and (w not in ("y", "e", "con", "esquina") or spanish):
            return CONN
        if spanish and (w in es.GLUE or (w in ("no", "#") and nxt is not None and (
                nxt.isdigit() or es.is_number_word(nxt)))):
            return GLUE
        if w == "#" or (w in UNIT_WORDS and i > 0) or (spanish and w in _ES_UNITS):
            return UNIT
        if w in DIRECTIONALS and (len(w) > 2 or i and words[i - 1] in STREET_TYPES or (
                nxt is not None and not (spanish and w == "e") and self.street_word(nxt))):
            return DIR
        if w in CORRECT:
            return MARK
        if spanish and w in es.HESITATIONS and w not in self.street_words:
            return OTHER  # "este", "bueno": not a misheard direction or street word
        if 4 <= len(w) <= 6 and nxt is not None and w not in self.street_words and any(
                fuzz.ratio(w, d) >= 75 for d in _DIRECTION_WORDS):
            return DIR  # "nort mill terrace", "wedt oak st": a typed or misheard direction
        if len(w) > 1 and self.street_word(w):
            return VOCAB
        near_number = any(x.isdigit() or x in ORDINALS or is_number_token(x)
                          for x in words[max(0, i - 3) : i])
        before = words[i - 1] if i else ""
        if i and heard_type(w) is not None and (before not in STREET_TYPES or before in
                                                 self.street_words) and (
                self.street_word(before) or near_number):
            return TYPE  # "burkshire plays", "east bridge treat": a type misheard
        return OTHER

    def _zips_and_places(self, toks: list[Tok], labels: list[str]) -> None:
        words = [t.word for t in toks]
        n = len(toks)
        for i, w in enumerate(words):
            nxt = labels[i + 1] if i + 1 < n else None
            if labels[i] == NUM and _ZIP.match(w) and nxt not in (VOCAB, TYPE, ORD, DIR, NUMC):
                labels[i] = ZIP
        i = 0
        while i < n:
            size = self._name_at(words, labels, i, self.places.home, HOME, toks)
            if size:
                i += size
                continue
            found = _state_at(words, i) if labels[i] in (OTHER, VOCAB) else None
            if found is not None:
                place_before = i > 0 and labels[i - 1] in (HOME, TOWN)
                if found[1] == 1 and len(words[i]) == 2:  # "MA", "me", "in": only when typed so
                    last = i + 1 == n or labels[i + 1] == ZIP
                    ok = toks[i].caps or (place_before or toks[i].comma) and last
                else:
                    ok = labels[i] == OTHER or toks[i].comma or place_before
                if ok:
                    for k in range(i, i + found[1]):
                        labels[k] = STATE
                    i += found[1]
                    continue
            size = self._name_at(words, labels, i, self.places.towns, TOWN, toks, True)
            i += size or 1

    def _name_at(self, words: list[str], labels: list[str], i: int,
                 names: set[tuple[str, ...]], label: str, toks: list[Tok],
                 town: bool = False) -> int:
        """Label a place name starting at i; its length, or 0. Other towns need a place's
        position (after "in" or a comma, before a state or ZIP); the city's own need none."""
        for size in (3, 2, 1):
            name = tuple(words[i : i + size])
            if len(name) < size or name not in names:
                continue
            if any(labels[k] not in (OTHER, VOCAB, DIR) for k in range(i, i + size)):
                continue
            if any(toks[k].comma for k in range(i + 1, i + size)):
                continue  # "Elm St N, Cambridge" is no "N Cambridge"
            after = labels[i + size] if i + size < len(labels) else None
            before = labels[i - 1] if i else None
            trailing = i >= 2 and labels[i - 2] in (VOCAB, TYPE, GLUE)  # "calle Elm 91 ..."
            numbered = before == NUM and not trailing and size == 1 and after not in (ZIP, STATE)
            spanish_type = i > 0 and words[i - 1] in es.TYPES and words[i - 1] not in STREET_TYPES
            if after == TYPE or spanish_type or numbered:
                continue  # "Cambridge St", "calle Cambridge", "10 Cambridge": a street
            if town and i + size < len(words) and words[i + size] in PLACE_GENERICS:
                continue  # "Cumberland Mills": a longer local name, not the town
            if town:
                after_word = words[i + size] if i + size < len(words) else ""
                typed_state = after_word in STATE_ABBRS and toks[i + size].caps
                end = i + size == len(words) or toks[i + size].comma
                placed = (toks[i].comma and end) or (i and words[i - 1] in ("in", "en")) or \
                    typed_state or after_word in STATE_NAMES or after == ZIP
                if not placed or i == 0:
                    continue
            for k in range(i, i + size):
                labels[k] = label
            return size
        return 0

    def _corrections(self, words: list[str], labels: list[str]) -> None:
        """Take back a number said before a correction: "45, no, 47 Pearl"."""
        for m, label in enumerate(labels):
            if label != MARK:
                continue
            nxt = next((k for k in range(m + 1, len(labels)) if labels[k] not in (MARK, OTHER)),
                       None)
            if nxt is None or labels[nxt] != NUM:
                labels[m] = OTHER
                continue
            before = [k for k in range(max(0, m - 4), m) if labels[k] == NUM]
            if not before:
                labels[m] = OTHER if words[m] != "no" else labels[m]
                continue
            start = before[-1]
            for k in range(start, m + 1):
                if labels[k] in (NUM, NUMC, MARK):
                    labels[k] = MARK  # dropped: said and taken back

    # -- windows ----------------------------------------------------------------------------

    def windows(self, labels: list[str], words: list[str]) -> list[Window]:
        """Candidate address windows, most promising first."""
        spanish_starts = {TYPE, GLUE}
        found: list[tuple[tuple[float, int, int], Window]] = []
        n = len(labels)
        for s in range(n):
            if labels[s] not in _STARTS and labels[s] not in spanish_starts:
                continue
            if labels[s] == TYPE and words[s] not in self.street_words and \
                    words[s] not in es.TYPES:
                continue  # "street ..." starts no English address; "calle ..." a Spanish one
            taken: list[int] = []
            others = 0
            streety = False
            for e in range(s, min(n, s + MAX_WINDOW)):
                lab = labels[e]
                if lab in _BREAKS:
                    if lab == MARK:
                        continue
                    break
                if lab == OTHER and (words[e] in FILLER_WORDS or es.hesitation(words, e)):
                    continue  # a hesitation ("um", "pues"): no part of the address, no cost
                if lab == OTHER:
                    others += 1
                    if others > 2:
                        break
                if lab == UNIT:
                    continue
                taken.append(e)
                if lab in (VOCAB, TYPE, ORD) and e > s or labels[s] in (VOCAB, TYPE, ORD):
                    streety = True
                end_ok = lab in _ENDS or (lab == NUM and streety and e > s)
                if lab == NUM and e + 1 < n and labels[e + 1] == NUMC:
                    end_ok = False
                if lab == NUMC and streety and (e + 1 >= n or labels[e + 1] != NUMC):
                    end_ok = True
                if not end_ok or not taken:
                    continue
                inner = tuple(taken)
                if inner[-1] != e:
                    continue
                named = any(self._names(labels, words, inner, j) for j in range(len(inner)))
                if not named:
                    continue  # no word of a street name: "de calle", "un bache en la calle"
                # a misheard name word right before its type is free ("avon hell street")
                cost = sum(labels[k] == OTHER and not (j + 1 < len(inner) and
                                                       labels[inner[j + 1]] == TYPE)
                           for j, k in enumerate(inner))
                # address words left just outside: the window is probably too short
                # (a hesitation that is also a street's name, "este", leaves nothing out)
                short = (e + 1 < n and labels[e + 1] in (TYPE, VOCAB, ORD, DIR) and
                         words[e + 1] not in es.HESITATIONS) or (
                    s > 0 and labels[s - 1] in (VOCAB, ORD, DIR) and
                    words[s - 1] not in es.HESITATIONS)
                numbered = any(labels[k] in (NUM, CONN) for k in inner)
                window = Window(inner, cost, short, numbered)
                rank = (-window.ceiling, 0 if labels[s] == NUM else 1, -len(inner))
                found.append((rank, window))
        if any(w.numbered for _, w in found):
            first = labels.index(NUM) if NUM in labels else n
            found = [(r, w) if w.numbered else (
                (r[0] * 0.92 * (AHEAD if w.indices[-1] < first else 1.0), *r[1:]),
                replace(w, apart=True, ahead=w.indices[-1] < first)) for r, w in found]
        found.sort(key=lambda rw: rw[0])
        seen: set[tuple[int, ...]] = set()
        out: list[Window] = []
        for _, w in found:
            if w.indices not in seen:
                seen.add(w.indices)
                out.append(w)
            if len(out) >= MAX_WINDOWS:
                break
        return out

    def _names(self, labels: list[str], words: list[str], inner: tuple[int, ...],
               j: int) -> bool:
        """Whether the j-th word of a window can be (part of) a street's name."""
        k = inner[j]
        lab = labels[k]
        after = labels[inner[j + 1]] if j + 1 < len(inner) else None
        if lab in (VOCAB, ORD):
            return True
        if lab == TYPE:  # "calle 5"; "Garden Street", "12 Park": a type word some street has
            return after == NUM or words[k] in self.street_words and (
                after == TYPE or after is None and j > 0 and labels[inner[j - 1]] in (NUM, NUMC))
        if lab == DIR:  # "South Street"
            return after == TYPE
        return lab == OTHER and after == TYPE and len(words[k]) > 2  # "avon hell street"

    # -- evidence of another place ------------------------------------------------------

    def elsewhere(self, toks: list[Tok], labels: list[str], used: set[int]) -> bool:
        """Whether words outside the address name another town, state or ZIP."""
        for i, tok in enumerate(toks):
            if i in used:
                continue
            if labels[i] == ZIP:
                code = tok.word[:5]
                if code not in self.zips and self.zips and self.places.is_real_zip(code):
                    return True
            elif labels[i] == STATE:
                found = _state_at([t.word for t in toks], i)
                if found is not None and found[0] != self.places.state:
                    return True
            elif labels[i] == TOWN:
                return True
        return False


def _state_at(words: list[str], i: int) -> tuple[str, int] | None:
    """(state abbreviation, words) for a state named at words[i]."""
    for size in (3, 2, 1):
        name = " ".join(words[i : i + size])
        if len(words[i : i + size]) == size and name in STATE_NAMES:
            return STATE_NAMES[name], size
    if words[i] in STATE_ABBRS:
        return words[i], 1
    return None
