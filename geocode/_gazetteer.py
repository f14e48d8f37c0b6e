"""The local geocoder: words -> street candidates -> a place on the map, with a score.

Scores multiply independent evidence (name fit, house number inside a range, ZIP agreement),
so every factor is in [0, 1] and so is the product. Nothing here does I/O.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace

import jellyfish
from rapidfuzz import fuzz

from . import _spanish as es
from ._geometry import point_along
from ._index import IndexData, Street
from ._keypad import keypad_matches
from ._match import StreetMatcher, gram_index, shortlist
from ._model import Candidate, Resolution, verdict
from ._names import spoken_name
from ._nearest import OUTSIDE_M, NearestIndex
from ._normalize import normalize
from ._numbers import UNITS
from ._parse import Query, parse
from ._places import build_places, words
from ._sentence import OTHER, SentenceReader, Tok, Window, direction, tokenize

#: How far to the side of the centerline an interpolated house sits (metres).
SIDE_OFFSET_M = 18.0  # typical set-back of a house; tuned on Cambridge's surveyed points
STREET_ONLY = 0.8  # confidence cap when we only know the street
MAX_CANDIDATES = 5
EARLY = 0.03  # a window that can come no closer than this to the best is not read
MAX_TEXT = 200  # characters; a spoken or texted address is far shorter
DROPPED = 0.93  # per word of a window read without it
ZIP_MISMATCH = 0.95  # weak: ZIPs in street layers are often wrong near boundaries


class Gazetteer:
    """Streets of one city, searchable by spoken or typed text."""

    def __init__(self, data: IndexData, city: str | None = None) -> None:
        self.data = data
        self.city = city or data.city
        self.zips = frozenset(z for s in data.streets.values() for z in s.zips)
        self.matcher = StreetMatcher(data.streets)
        self._midpoints = {name: _midpoint(s) for name, s in data.streets.items()}
        self._numbers = {
            name: sorted(s.points) for name, s in data.streets.items() if s.points
        }
        self._nearest: NearestIndex | None = None  # built on the first reverse lookup
        places = data.places
        if places is None:  # an index built by hand: learn the names now
            places = data.places = build_places(
                set(self.zips), [n for n in [data.city, *data.place_names] if n], data.state)
        if self.city and words(self.city):
            places.home.add(words(self.city))
            places.towns.discard(words(self.city))
        vocab = {w for v in self.matcher.variants for w in v.key.base if w.isalpha()}
        self._vocab = sorted(vocab)
        self._vocab_grams = gram_index(self._vocab)
        self._vocab_sounds = {jellyfish.metaphone(w) for w in vocab if len(w) >= 4}
        self._heard: dict[str, bool] = {}
        self._placed: dict[tuple[str, int | None], Candidate] = {}
        self.reader = SentenceReader(vocab, places, self.zips, self._misheard_street_word)

    @property
    def streets(self) -> list[str]:
        """Canonical street names, sorted."""
        return sorted(self.data.streets)

    def __repr__(self) -> str:
        return f"<Gazetteer {len(self.data.streets)} streets from {self.data.source!r}>"

    # -- public API ---------------------------------------------------------------------

    def locate(
        self, text: str, zip_code: str | None = None, lang: str = "en"
    ) -> list[Candidate]:
        """Candidates best first: gaz.locate("one twenty three mass av")[0].label."""
        return list(self.resolve(text, zip_code, lang).candidates)

    def resolve(self, text: str, zip_code: str | None = None, lang: str = "en", *,
                sentence: bool = False) -> Resolution:
        """Candidates plus "certain", "confirm", "failed" or "out_of_city"; `span` is where
        the address is in `text` ("there's a pothole at [10 Harvard St], thanks").

        A `sentence` said about something else ("pothole", "skip") with no word an address
        is made of (a number, a street type, a place, a word of a street name, heard loosely)
        fails at once: it gives no window, and the whole text read as a typed address only
        guesses ("man": Main St?), which helps an answer to "what is the address?" alone.
        """
        text = text[:MAX_TEXT]
        self._placed.clear()  # per sentence: its windows share streets and numbers
        toks = tokenize(text)
        labels = self.reader.label(toks, lang)
        if sentence and all(lab == OTHER for lab in labels):
            return Resolution("failed", ())
        best: dict[str, tuple[Candidate, Window]] = {}
        read: list[tuple[set[int], float]] = []
        for window in self.reader.windows(labels, [t.word for t in toks]):
            top = max((c.score for c, _ in best.values()), default=0.0)
            if top >= window.ceiling + EARLY:
                break  # windows come best ceiling first: none left can change the answer
            inside = set(window.indices)
            if any(inside <= seen for seen, score in read if score >= 0.85):
                continue  # part of words already read well: the matcher tried their parts
            found = self._read(window, toks, labels, lang, zip_code, top)
            read.append((inside, found[0].score if found else 0.0))
            for cand in found:
                cand = _rescore(cand, cand.score * window.factor)
                had = best.get(cand.label)
                if had is None or cand.score > had[0].score:
                    if had is not None and had[0].number is not None and cand.number is None:
                        cand, window_ = _rescore(had[0], cand.score), had[1]  # keep the number
                        best[cand.label] = (cand, window_)
                    else:
                        best[cand.label] = (cand, window)
        if not best and toks:  # no street word known: the whole text, as a typed address
            whole = Window(tuple(range(len(toks))), 1)
            for cand in self._run(" ".join(t.word for t in toks), zip_code):
                best.setdefault(cand.label, (_rescore(cand, cand.score * 0.9), whole))
        ranked = sorted(best.values(), key=lambda cw: -cw[0].score)[:MAX_CANDIDATES]
        used = set(ranked[0][1].indices) if ranked else set()
        if self.reader.elsewhere(toks, labels, used):
            return Resolution("out_of_city", ())
        candidates = [c for c, _ in ranked]
        span = None
        if ranked:
            first, last = ranked[0][1].indices[0], ranked[0][1].indices[-1]
            span = (toks[first].start, toks[last].end)
        return Resolution(verdict(candidates), tuple(candidates), span)

    def keypad(self, digits: str) -> Resolution:
        """Streets whose name starts with letters keyed on a phone ("6246" -> Main St)."""
        names = keypad_matches(digits, list(self.data.streets))
        if not names:
            return Resolution("failed", ())
        score = STREET_ONLY if len(names) == 1 else STREET_ONLY * 0.75
        found = [_rescore(self._midpoint_candidate(self.data.streets[n], None), score)
                 for n in names[:MAX_CANDIDATES]]
        return Resolution("certain" if len(names) == 1 else "confirm", tuple(found))

    def nearest(self, lat: float, lon: float, max_m: float = OUTSIDE_M) -> Candidate | None:
        """The address nearest a point (a shared location), or None outside the city."""
        if self._nearest is None:
            self._nearest = NearestIndex(self.data)
        return self._nearest.nearest(lat, lon, max_m)

    def number_range(self, street: str) -> tuple[int, int] | None:
        """The lowest and highest house number on a street, to tell a resident (or None)."""
        found = self.data.streets.get(street)
        if found is None:
            return None
        numbers = [n for seg in found.segments
                   for n in (seg.l_from, seg.l_to, seg.r_from, seg.r_to) if n] + list(found.points)
        return (min(numbers), max(numbers)) if numbers else None

    def hints(self, limit: int = 500, zip_code: str | None = None) -> list[str]:
        """Street names as said aloud, for Twilio `hints` (<= limit entries, <= 100 chars)."""
        streets = sorted(
            self.data.streets.values(),
            key=lambda s: (
                zip_code is not None and zip_code not in s.zips,
                -self.matcher.prominence.get(s.name, 0.0),
                s.name,
            ),
        )
        out: list[str] = []
        seen: set[str] = set()
        for phrase in [spoken_name(s.name) for s in streets] + [
            spoken_name(a) for s in streets for a in sorted(s.aliases)
        ]:
            phrase = phrase[:100]
            if phrase.lower() not in seen:
                seen.add(phrase.lower())
                out.append(phrase)
            if len(out) >= limit:
                break
        return out

    # -- internals ----------------------------------------------------------------------

    def _run(self, text: str, zip_code: str | None) -> list[Candidate]:
        """Candidates for the words of one address (no sentence around it)."""
        best: dict[str, Candidate] = {}
        for k, reading in enumerate(normalize(text)[:3]):
            if best and max(c.score for c in best.values()) >= 0.97:
                break  # a later, less likely reading cannot do better
            query = parse(reading)
            weight = 1.0
            if k and query.street[1:] and query.street[0] in UNITS and \
                    query.street[0] not in self.reader.street_words:
                # "twenty two | two gurney st": no street starts with "two", so the word
                # was said twice; the matcher need not try it as part of a name
                query, weight = replace(query, street=query.street[1:]), 0.9
            for cand in self._locate_query(query, query.zip_code or zip_code):
                if weight != 1.0:
                    cand = _rescore(cand, cand.score * weight)
                if cand.label not in best or cand.score > best[cand.label].score:
                    best[cand.label] = cand
        return sorted(best.values(), key=lambda c: -c.score)[:MAX_CANDIDATES]

    def _read(self, window: Window, toks: list[Tok], labels: list[str], lang: str,
              zip_code: str | None, top: float) -> list[Candidate]:
        """Candidates for the words of one window: as said, and without the words no street
        has ("24 I think cliftan"), which may be misheard pieces of a name or just talk."""
        ks = window.indices
        readings = [(list(ks), 1.0)]
        # a Spanish hesitation that some street is named by ("este"): also read without it
        pause = {k for k in ks if toks[k].word in es.HESITATIONS and labels[k] != "other"}
        if pause and lang != "es" and not es.looks_spanish([t.word for t in toks]):
            pause = set()
        if window.others or pause:
            plain = [k for j, k in enumerate(ks) if k not in pause and (
                labels[k] != "other" or (j + 1 < len(ks) and labels[ks[j + 1]] == "type"))]
            if plain:  # a word left out may have been a piece of the name ("est oak pl")
                readings.append((plain, DROPPED ** (len(ks) - len(plain) - len(pause))))
        best: dict[str, Candidate] = {}
        for indices, weight in readings:
            found = max((c.score for c in best.values()), default=0.0) * window.factor
            if max(top, found) >= weight * window.ceiling + EARLY:
                break  # this reading cannot come near what the sentence already gave
            said = [direction(toks[k].word) if labels[k] == "dir" else toks[k].word
                    for k in indices]
            if lang == "es" or es.looks_spanish(said):
                said = es.rewrite(said)
            for cand in self._run(" ".join(said), zip_code):
                cand = _rescore(cand, cand.score * weight) if weight != 1.0 else cand
                if cand.label not in best or cand.score > best[cand.label].score:
                    best[cand.label] = cand
        return sorted(best.values(), key=lambda c: -c.score)[:MAX_CANDIDATES]

    def _misheard_street_word(self, word: str) -> bool:
        """A word close in letters or sound to a word of some street name ("hamshire")."""
        if len(word) < 4 or not word.isalpha():
            return False
        known = self._heard.get(word)
        if known is None:
            known = jellyfish.metaphone(word) in self._vocab_sounds or any(
                fuzz.ratio(word, self._vocab[i]) >= 80
                for i in shortlist(word, self._vocab_grams, self._vocab))
            if len(self._heard) > 50_000:
                self._heard.clear()
            self._heard[word] = known
        return known

    def _locate_query(self, q: Query, zip_code: str | None) -> list[Candidate]:
        if not q.street:
            return []
        if q.cross:
            return self._crossing(q)
        out = []
        matched = self.matcher.match(q.street)
        floor = matched[0][1] - 0.3 if matched else 0.0  # far behind: cannot be chosen
        for name, name_score in matched:
            if name_score < floor:
                break
            street = self.data.streets[name]
            cand = self._place(street, q.number, name_score)
            if zip_code and street.zips and zip_code not in street.zips:
                cand = _rescore(cand, cand.score * ZIP_MISMATCH)
            out.append(cand)
        return out

    def _crossing(self, q: Query) -> list[Candidate]:
        firsts = self.matcher.match(q.street, limit=6)
        seconds = self.matcher.match(q.cross or (), limit=6)
        out: list[Candidate] = []
        for a, sa in firsts:
            for b, sb in seconds:
                for lat, lon in self.data.crossings.get((min(a, b), max(a, b)), []):
                    score = 0.99 * math.sqrt(sa * sb)
                    out.append(Candidate(a, None, lat, lon, score, "intersection", None, b))
        if not out:  # no such corner: offer the first street, unsure
            for a, sa in firsts[:2]:
                out.append(_rescore(self._midpoint_candidate(self.data.streets[a], None), sa * 0.6))
        return out

    def forget(self) -> None:
        """Drop what earlier calls taught the caches (for honest timing in benchmarks)."""
        self._heard.clear()
        self._placed.clear()
        self.matcher.forget()

    def _place(self, street: Street, number: int | None, name_score: float) -> Candidate:
        key = (street.name, number)
        found = self._placed.get(key)
        if found is None:
            found = self._placed[key] = self._place_unscored(street, number)
        return _rescore(found, found.score * name_score)

    def _place_unscored(self, street: Street, number: int | None) -> Candidate:
        """The place on `street` for `number`, scored by how well the number fits (0..1)."""
        name_score = 1.0
        if number is None:
            return _rescore(self._midpoint_candidate(street, None), name_score * STREET_ONLY)
        found = self._from_points(street, number) if street.points else None
        if found is None and street.segments:
            found = self._from_ranges(street, number)
        if found is None:
            return _rescore(self._midpoint_candidate(street, number), name_score * 0.75)
        (lat, lon, zip_code), factor = found
        return Candidate(street.name, number, lat, lon, name_score * factor, "address", zip_code)

    def _from_ranges(
        self, street: Street, n: int
    ) -> tuple[tuple[float, float, str | None], float] | None:
        """Interpolate n on the side whose range holds it; else the nearest range end."""
        best: tuple[tuple[int, int], tuple[float, float, str | None]] | None = None
        for seg in street.segments:
            for (a, b), side, zip_code in (
                ((seg.r_from, seg.r_to), 1.0, seg.zip_right),
                ((seg.l_from, seg.l_to), -1.0, seg.zip_left),
            ):
                if not a and not b:
                    continue
                lo, hi = min(a, b), max(a, b)
                gap = lo - n if n < lo else max(0, n - hi)
                rank = (gap, (n - a) % 2)  # inside beats near; right parity beats wrong
                if gap > 20 or (best is not None and rank >= best[0]):
                    continue
                t = 0.5 if a == b else (min(max(n, lo), hi) - a) / (b - a)
                lon, lat = point_along(seg.coords, t, side * SIDE_OFFSET_M)
                best = (rank, (lat, lon, zip_code))
                if rank == (0, 0):
                    return best[1], 1.0
        if best is None:
            return None
        return best[1], (0.97 if best[0][0] == 0 else 0.9)

    def _from_points(
        self, street: Street, n: int
    ) -> tuple[tuple[float, float, str | None], float] | None:
        if n in street.points:
            return street.points[n][0], 1.0
        numbers = self._numbers[street.name]
        i = bisect.bisect_left(numbers, n)
        lo = next((m for m in reversed(numbers[:i]) if m % 2 == n % 2), None)
        hi = next((m for m in numbers[i:] if m % 2 == n % 2), None)
        if lo is not None and hi is not None and hi - lo <= 40:
            (la, oa, za), (lb, ob, _) = street.points[lo][0], street.points[hi][0]
            f = (n - lo) / (hi - lo)
            return (la + (lb - la) * f, oa + (ob - oa) * f, za), 0.95
        below = numbers[i - 1] if i else None  # the nearest either side; a tie goes below
        above = numbers[i] if i < len(numbers) else None
        closest = below if below is not None and (above is None or n - below <= above - n) \
            else above
        if closest is None:
            return None
        if abs(closest - n) <= 10:
            return street.points[closest][0], 0.9
        return None

    def _midpoint_candidate(self, street: Street, number: int | None) -> Candidate:
        lat, lon, zip_code = self._midpoints[street.name]
        return Candidate(street.name, number, lat, lon, 0.0, "street", zip_code)


def _rescore(cand: Candidate, score: float) -> Candidate:
    return Candidate(
        cand.street, cand.number, cand.lat, cand.lon, max(0.0, min(1.0, score)), cand.kind,
        cand.zip_code, cand.cross_street,
    )  # fmt: skip


def _midpoint(street: Street) -> tuple[float, float, str | None]:
    """A point on the street near the middle of all its pieces."""
    if street.segments:
        mids = [(point_along(s.coords, 0.5), s.zip_right or s.zip_left) for s in street.segments]
    else:
        mids = [((lon, lat), z) for spots in street.points.values() for lat, lon, z in spots]
    cx = sum(m[0][0] for m in mids) / len(mids)
    cy = sum(m[0][1] for m in mids) / len(mids)
    (lon, lat), zip_code = min(mids, key=lambda m: (m[0][0] - cx) ** 2 + (m[0][1] - cy) ** 2)
    return lat, lon, zip_code
