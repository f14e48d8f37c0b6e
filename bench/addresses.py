"""Address benchmark: written, typed and spoken addresses against Cambridge's own streets.

    .venv/bin/python -m bench.addresses [--seed 7] [--show 10]

Sets, over ../shared/data/cambridge/addresses_dev.csv ($INTAKE_SHARED_DATA overrides):
  written  the address exactly as in the file (units, upper case, city/ZIP tails);
  typed    what residents type: lower case, no city, abbreviations ("av", "mass"), unit as
           "#3" or "apt 3", and a keyboard typo in the street name (adjacent key, dropped,
           doubled or swapped letters) in 70% of rows;
  spoken   an ASR-error model (below) applied to the written address.

ASR-error model (seeded, one draw per row): the house number is said the ways people say it
("one twenty three", "one two three", "twelve oh five", "fifteen hundred", "a hundred and
ten") or comes back as digits (30%); ordinals become words ("sixth"); types and "Mt" are
expanded; aliases are said ("mass avenue"); homophones replace words (Main->Maine, Gray->Grey,
Hayes->Haze, ...; 40% where one exists); the street type is dropped (20%) or misheard
("street"->"treat", "road"->"rode"; 8%); a long word is split in two (15%, "cam bridge");
one phonetic error lands in the street name (35%: ph/f, c/k, s/z, doubled letters, vowels);
fillers are added (40%: "um", "I'm at", "in front of"); units, city and ZIP are not said.

Truth: the street is the nearest (to the surveyed point) street whose name or alias matches
the written street by WRatio >= 85; rows with no such street within 300 m count as misses
for every system. Distances are from the surveyed point to the best candidate.
Latency: each text is located three times and the median kept (other processes share the
machine); gc.freeze() after loading, as a preloading server would.
Baseline: usaddress tags, then rapidfuzz WRatio extractOne over the raw street names, then
the same range interpolation; it shows what the normaliser and matcher add.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import usaddress
from rapidfuzz import fuzz, process

from bench import talk
from geocode import Candidate, Gazetteer, Resolution, load_gazetteer, verdict
from geocode._geometry import haversine_m
from geocode._names import name_key, tokens_of
from geocode._numbers import ORDINALS, TENS, UNITS

REPO = Path(__file__).resolve().parents[1]
Locate = Callable[[str], list[Candidate]]

# --- the ASR-error model -------------------------------------------------------------------

_UNIT_WORDS = {v: k for k, v in UNITS.items() if k not in ("oh", "o")}
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TEENS = dict(enumerate(_TEEN_WORDS.split(), start=10))
_TENS_WORDS = {v: k for k, v in TENS.items() if k != "fourty"}
_ORDINAL_WORDS = {v: k for k, v in ORDINALS.items()}
HOMOPHONES = {
    "main": "maine", "gray": "grey", "hayes": "haze", "ware": "wear", "pearl": "purl",
    "berkeley": "barkley", "rice": "rise", "hurley": "hurly", "allen": "alan",
    "cambridge": "came bridge", "hampshire": "hamshire", "lee": "lea", "wood": "would",
    "hill": "hell", "church": "church", "green": "greene", "brown": "browne", "ellery": "ellary",
    "fayerweather": "fair weather", "kirkland": "kirklin", "inman": "in man",
    "whittemore": "whitmore", "prospect": "prospekt", "chauncy": "chauncey",
}  # fmt: skip
TYPE_SAID = {
    "st": "street", "ave": "avenue", "rd": "road", "pl": "place", "dr": "drive",
    "ct": "court", "ter": "terrace", "pkwy": "parkway", "pk": "park", "ln": "lane",
    "cir": "circle", "hwy": "highway", "blvd": "boulevard", "sq": "square", "tpk": "turnpike",
}  # fmt: skip
TYPE_MISHEARD = {"street": "treat", "road": "rode", "place": "plays", "court": "caught",
                 "avenue": "avenues", "drive": "dr ive", "terrace": "terrace's"}
SOUND_SWAPS = [("ph", "f"), ("ck", "k"), ("c", "k"), ("s", "z"), ("ee", "ea"), ("ie", "y"),
               ("y", "ie"), ("tt", "t"), ("ll", "l"), ("rr", "r"), ("ss", "s"), ("nn", "n"),
               ("ou", "ow"), ("er", "ur"), ("a", "e"), ("i", "e"), ("o", "a"), ("th", "t"),
               ("w", "wh"), ("v", "b"), ("d", "t"), ("g", "j"), ("x", "ks"), ("qu", "kw")]
FILLERS = ["um", "uh", "i'm at", "it's", "the address is", "in front of", "um i'm at",
           "yeah it's", "near"]
ALIASES_SAID = {"massachusetts ave": "mass avenue", "mount auburn": "mount auburn"}
KEYBOARD = "qwertyuiop asdfghjkl zxcvbnm"


def two_digits(n: int) -> str:
    if n < 10:
        return _UNIT_WORDS[n]
    if n < 20:
        return _TEENS[n]
    tens, unit = divmod(n, 10)
    return _TENS_WORDS[tens * 10] + (f" {_UNIT_WORDS[unit]}" if unit else "")


def say_number(n: int, rng: random.Random) -> str:
    """House number as a person says it."""
    style = rng.random()
    if n < 100 or style < 0.1:
        return two_digits(n) if n < 100 else " ".join(_UNIT_WORDS[int(d)] for d in str(n))
    if n % 100 == 0 and n < 10_000:
        head = n // 100
        return ("a hundred" if head == 1 else f"{two_digits(head)} hundred") if head < 100 \
            else f"{two_digits(n // 1000)} thousand"
    if style < 0.2:
        return " ".join(_UNIT_WORDS[int(d)] for d in str(n))
    if style < 0.3 and n < 1000:
        head, rest = divmod(n, 100)
        lead = "a hundred" if head == 1 and rng.random() < 0.5 else f"{_UNIT_WORDS[head]} hundred"
        return f"{lead} and {two_digits(rest)}" if rest else lead
    head, rest = divmod(n, 100)
    tail = two_digits(rest) if rest >= 10 else f"oh {_UNIT_WORDS[rest]}"
    return f"{two_digits(head)} {tail}"


def phonetic_error(word: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in SOUND_SWAPS if a in word[1:]]
    if not options:
        return word
    a, b = rng.choice(options)
    i = word.index(a, 1)
    return word[:i] + b + word[i + len(a):]


def split_address(address: str) -> tuple[str, str]:
    """("123", "Massachusetts Ave") from a written address (units and city dropped)."""
    first = address.split(",")[0].strip()
    m = re.match(r"^(\d+)\S*\s+(.*)$", first)
    number, street = (m.group(1), m.group(2)) if m else ("", first)
    street = re.sub(r"\s+(unit|apt|bld)\b.*$", "", street, flags=re.I)
    street = re.sub(r"\s+\d+\w*$|\s+\d*[A-Z]$", "", street)  # trailing bare unit ("3R")
    return number, street.strip()


def spoken(address: str, rng: random.Random) -> str:
    number, street = split_address(address)
    words = re.sub(r"[.']", "", street.lower()).split()
    joined = " ".join(words)
    for written, said in ALIASES_SAID.items():
        if joined.startswith(written) and rng.random() < 0.5:
            words = said.split() + words[len(written.split()):]
    out: list[str] = []
    for i, w in enumerate(words):
        last = i == len(words) - 1
        if m := re.fullmatch(r"(\d+)(st|nd|rd|th)", w):
            w = _ORDINAL_WORDS.get(int(m.group(1)), w)
        elif w == "mt":
            w = "mount"
        elif last and w in TYPE_SAID:
            w = TYPE_SAID[w]
        out.append(w)
    has_type = len(out) > 1 and out[-1] in TYPE_SAID.values()
    base = out[:-1] if has_type else out
    kind = out[-1:] if has_type else []
    homophones = [i for i, w in enumerate(base) if w in HOMOPHONES]
    if homophones and rng.random() < 0.4:
        i = rng.choice(homophones)
        base[i] = HOMOPHONES[base[i]]
    elif rng.random() < 0.35:
        longest = max(range(len(base)), key=lambda k: len(base[k]))
        base[longest] = phonetic_error(base[longest], rng)
    long_words = [i for i, w in enumerate(base) if len(w) >= 8 and w.isalpha()]
    if long_words and rng.random() < 0.15:
        i = rng.choice(long_words)
        cut = len(base[i]) // 2
        base[i] = base[i][:cut] + " " + base[i][cut:]
    r = rng.random()
    if kind and r < 0.2:
        kind = []
    elif kind and r < 0.28:
        kind = [TYPE_MISHEARD.get(kind[0], kind[0])]
    said_number = number
    if number and rng.random() < 0.7:
        said_number = say_number(int(number), rng)
    text = " ".join(p for p in [said_number, *base, *kind] if p)
    if rng.random() < 0.4:
        text = f"{rng.choice(FILLERS)} {text}"
    return text


CAMBRIDGE_TAILS = ("", "", ", cambridge", " cambridge ma", ", 02139")


def typed(address: str, rng: random.Random, tails: tuple[str, ...] = CAMBRIDGE_TAILS) -> str:
    number, street = split_address(address)
    words = street.lower().split()
    if words and words[-1] in ("street", "avenue") or rng.random() < 0.3:
        swaps = {"street": "st", "avenue": "av", "ave": "av", "road": "rd", "place": "pl"}
        words = [swaps.get(w, w) for w in words]
    text = " ".join(words)
    if text.startswith("massachusetts") and rng.random() < 0.5:
        text = "mass" + text[len("massachusetts"):]
    if rng.random() < 0.7:
        text = keyboard_typo(text, rng)
    unit = rng.choice(["", "", "", " #3", " apt 2", ", unit 1"])
    tail = rng.choice(tails)
    return f"{number} {text}{unit}{tail}".strip()


def keyboard_typo(text: str, rng: random.Random) -> str:
    head = text.split()[0] if text.split() else ""
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i < max(len(head), 3)]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    kind = rng.random()
    if kind < 0.3:
        row = next((r for r in KEYBOARD.split() if text[i] in r), "")
        j = row.index(text[i]) if row else 0
        near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)] or [text[i]]
        return text[:i] + rng.choice(near) + text[i + 1:]
    if kind < 0.55:
        return text[:i] + text[i + 1:]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


# --- truth and baseline --------------------------------------------------------------------


TRUTH_ABBREVIATIONS = {"street": "st", "avenue": "ave", "road": "rd", "parkway": "pkwy",
                       "place": "pl", "drive": "dr", "saint": "st", "mount": "mt"}


def truth_street(gaz: Gazetteer, address: str, lat: float, lon: float) -> str | None:
    """Best-named street (ties: nearest) near the surveyed point; None if none is close."""
    _, written = split_address(address)
    words = re.sub(r"[.']", "", written.lower()).split()
    written = " ".join(TRUTH_ABBREVIATIONS.get(w, w) for w in words)
    found: list[tuple[float, float, str]] = []
    for street in gaz.data.streets.values():
        names = [
            " ".join(TRUTH_ABBREVIATIONS.get(w, w) for w in re.sub(r"[.']", "", n.lower()).split())
            for n in [street.name, *street.aliases]
        ]
        similarity = max(fuzz.WRatio(written, n) for n in names)
        if similarity < 85 and not any(written.split()[:1] == n.split()[:1] for n in names):
            continue
        dist = min(
            haversine_m(lat, lon, y, x) for seg in street.segments for x, y in seg.coords
        )
        if dist < 300:
            found.append((-round(similarity), dist, street.name))
    return min(found)[2] if found else None


def baseline(gaz: Gazetteer) -> Locate:
    names = list(gaz.data.streets)

    def locate(text: str) -> list[Candidate]:
        try:
            tags, _ = usaddress.tag(text)
        except usaddress.RepeatedLabelError:
            return []
        street = " ".join(v for k, v in tags.items() if k.startswith("StreetName"))
        digits = re.match(r"\d+", tags.get("AddressNumber", ""))
        if not street:
            return []
        out = []
        for name, score, _ in process.extract(street, names, scorer=fuzz.WRatio, limit=3):
            number = int(digits.group()) if digits else None
            cand = gaz._place(gaz.data.streets[name], number, score / 100)
            out.append(cand)
        return out

    return locate


# --- measuring -----------------------------------------------------------------------------

Row = tuple[str, float, float, "str | None"]
Resolve = Callable[[str], Resolution]


def measure(resolve: Resolve, rows: list[Row], lang: str = "en") -> dict[str, float]:
    """top-1/3 street, distance, latency, and how often 'certain' or 'out_of_city' was wrong."""
    top1 = top3 = w50 = w100 = certain = certain_wrong = outside = 0
    errors: list[float] = []
    times: list[float] = []
    for text, lat, lon, truth in rows:
        runs = []
        owner = getattr(resolve, "__self__", None)
        for _ in range(3):
            if isinstance(owner, Gazetteer):
                owner.forget()  # each run from cold caches, as a new sentence would be
            started = time.perf_counter()
            result = resolve(text) if lang == "en" else resolve_es(resolve, text)
            runs.append((time.perf_counter() - started) * 1000)
        times.append(sorted(runs)[1])
        found = list(result.candidates)
        streets = [c.street for c in found]
        top1 += bool(truth and streets[:1] == [truth])
        top3 += bool(truth and truth in streets[:3])
        if result.status == "certain":
            certain += 1
            certain_wrong += bool(truth and streets[:1] != [truth])
        outside += result.status == "out_of_city"
        err = haversine_m(lat, lon, found[0].lat, found[0].lon) if found else 1e7
        errors.append(err)
        w50 += err <= 50
        w100 += err <= 100
    n = len(rows)
    times.sort()
    return {
        "top1": top1 / n, "top3": top3 / n, "w50": w50 / n, "w100": w100 / n,
        "median_m": statistics.median(errors), "p50_ms": times[n // 2],
        "p99_ms": times[min(n - 1, int(n * 0.99))], "n": n, "certain": certain,
        "certain_wrong": certain_wrong, "outside": outside,
    }  # fmt: skip


def resolve_es(resolve: Resolve, text: str) -> Resolution:
    owner = getattr(resolve, "__self__", None)
    if isinstance(owner, Gazetteer):
        return owner.resolve(text, lang="es")
    return resolve(text)


def baseline_resolve(gaz: Gazetteer) -> Resolve:
    locate = baseline(gaz)

    def resolve(text: str) -> Resolution:
        found = locate(text)
        return Resolution(verdict(found), tuple(found))

    return resolve


def synthetic_city(folder: Path, points: int = 40_000, seed: int = 3) -> Path:
    """An OpenAddresses CSV of `points` addresses on made-up streets (~1,400 at 40k points,
    ~30,000 at a million)."""
    rng = random.Random(seed)
    stems = ("oak elm pine maple cedar birch walnut chestnut willow spruce aspen hawthorn "
             "lincoln washington jefferson madison monroe jackson franklin hamilton adams "
             "river lake hill valley meadow forest park spring summer autumn winter sunset "
             "harbor bay ridge grove orchard mill church school market bridge station").split()
    prefixes = ["", "", "", "north ", "south ", "east ", "west ", "old ", "new "]
    kinds = ["St", "Ave", "Rd", "Ln", "Dr", "Ct", "Pl", "Way", "Blvd", "Ter"]
    streets = sorted({
        f"{rng.choice(prefixes)}{rng.choice(stems)}{rng.choice(['', rng.choice(stems)])} "
        f"{rng.choice(kinds)}".title()
        for _ in range(max(1500, points // 25))
    })
    path = folder / f"synthetic_{points}.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow("LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE".split(","))
        for k in range(points):
            street = streets[k % len(streets)]
            origin = hash(street) % 1000
            num = 2 * (k // len(streets)) + 1 + (k % 2)
            out.writerow([-98.7 + origin * 1e-4 + num * 1e-5, 41.2 + origin * 1e-4, num,
                          street, "", "Synthetic", "", "ZZ", f"{10000 + origin % 7}"])
    return path


CAMBRIDGE_HOODS = ["Central Square", "Inman Square", "Cambridgeport", "East Cambridge",
                   "Porter Square", "Kendall Square", "North Cambridge", "Harvard Square",
                   "Mid-Cambridge", "Riverside", "Huron Village"]
WESTBROOK_HOODS = ["Prides Corner", "Cumberland Mills", "Saccarappa", "downtown",
                   "the Westbrook Commons"]


def city_sets(raw: list[tuple[str, float, float]], truths: list[str | None], rng: random.Random,
              city: str, state: str, zips: list[str], hoods: list[str],
              tails: tuple[str, ...]) -> dict[str, tuple[str, list[Row]]]:
    """name -> (language, rows): written, typed, spoken, and each conversational and Spanish."""
    sets: dict[str, tuple[str, list[Row]]] = {}
    rows = list(zip(raw, truths, strict=True))
    sets["written"] = ("en", [(a, lat, lon, t) for (a, lat, lon), t in rows])
    typed_rows = [(typed(a, rng, tails), lat, lon, t) for (a, lat, lon), t in rows]
    spoken_rows = [(spoken(a, rng), lat, lon, t) for (a, lat, lon), t in rows]
    sets["typed"] = ("en", typed_rows)
    sets["spoken"] = ("en", spoken_rows)

    def wrong(address: str) -> str | None:
        number, _ = split_address(address)
        return talk.wrong_number(number, rng) if number.isdigit() else None

    sets["conv_typed"] = ("en", [
        (talk.conversational(typed(a, rng, ("",)), rng, city, state, zips, hoods, wrong(a),
                             typed=True), lat, lon, t) for (a, lat, lon), t in rows])
    sets["conv_spoken"] = ("en", [
        (talk.conversational(spoken(a, rng), rng, city.lower(), state, zips, hoods, wrong(a)),
         lat, lon, t) for (a, lat, lon), t in rows])
    es_typed, es_spoken = [], []
    for (a, lat, lon), t in rows:
        number, street = split_address(a)
        es_typed.append((talk.spanish(number, street, rng, city, state), lat, lon, t))
        es_spoken.append((talk.spanish(number, street, rng, city.lower(), state, asr=True),
                          lat, lon, t))
    sets["es_typed"] = ("es", es_typed)
    sets["es_spoken"] = ("es", es_spoken)
    return sets


def run_city(label: str, gaz: Gazetteer, sets: dict[str, tuple[str, list[Row]]], show: int,
             baseline_sets: tuple[str, ...] = ()) -> dict[str, dict[str, float]]:
    for text, *_ in sets["written"][1][:50]:  # warm up caches and rapidfuzz
        gaz.resolve(text)
    header = f"{'city':9} {'system':8} {'set':11} {'top1':>6} {'top3':>6} {'<100m':>6} " \
             f"{'p50ms':>6} {'p99ms':>6} {'sure':>5} {'sure✗':>5} {'out':>4}"  # fmt: skip
    print(header)
    results: dict[str, dict[str, float]] = {}
    systems: list[tuple[str, Resolve, tuple[str, ...]]] = [
        ("geocode", gaz.resolve, tuple(sets)), ("baseline", baseline_resolve(gaz), baseline_sets)]
    for system, resolve, names in systems:
        for name in names:
            lang, rows = sets[name]
            r = measure(resolve, rows, lang)
            if system == "geocode":
                results[name] = r
            print(f"{label:9} {system:8} {name:11} {r['top1']:6.1%} {r['top3']:6.1%} "
                  f"{r['w100']:6.1%} {r['p50_ms']:6.2f} {r['p99_ms']:6.2f} "
                  f"{int(r['certain']):5d} {int(r['certain_wrong']):5d} {int(r['outside']):4d}")
            if show and system == "geocode":
                shown = 0
                for text, _, _, truth in rows:
                    got = gaz.resolve(text, lang=lang)
                    best = got.candidates[:1]
                    if truth and (not best or best[0].street != truth) and shown < show:
                        shown += 1
                        print(f"    miss {text!r}: want {truth}, {got.status} "
                              f"{[(c.label, round(c.score, 2)) for c in got.candidates[:3]]}")
    return results


def summary(results: dict[str, dict[str, float]], prefix: str = "") -> str:
    """conv_top1, es_top1 (spoken and typed together), certain_wrong, out_of_city_false."""
    def pooled(names: list[str], key: str) -> float:
        n = sum(results[x]["n"] for x in names)
        return sum(results[x][key] * results[x]["n"] for x in names) / n

    certain = sum(r["certain"] for r in results.values())
    wrong = sum(r["certain_wrong"] for r in results.values())
    rows = sum(r["n"] for r in results.values())
    outside = sum(r["outside"] for r in results.values())
    return (f"{prefix}conv_top1={pooled(['conv_typed', 'conv_spoken'], 'top1'):.3f} "
            f"{prefix}conv_spoken_top1={results['conv_spoken']['top1']:.3f} "
            f"{prefix}conv_spoken_top3={results['conv_spoken']['top3']:.3f} "
            f"{prefix}es_top1={pooled(['es_typed', 'es_spoken'], 'top1'):.3f} "
            f"{prefix}es_spoken_top1={results['es_spoken']['top1']:.3f} "
            f"{prefix}certain_wrong={wrong / max(1, certain):.4f} "
            f"{prefix}out_of_city_false={outside / rows:.4f}")


def westbrook_rows(path: Path, gaz: Gazetteer, rng: random.Random, count: int
                   ) -> list[tuple[tuple[str, float, float], str | None]]:
    """A seeded sample of Westbrook's points as written addresses, with their street."""
    by_key = {name_key(tokens_of(n)).full: n for n in gaz.data.streets}
    with path.open(newline="") as fh:
        points = [r for r in csv.DictReader(fh) if r["NUMBER"].strip() and r["STREET"].strip()]
    out = []
    for r in rng.sample(points, min(count, len(points))):
        unit = f" {r['UNIT']}" if r["UNIT"] and rng.random() < 0.5 else ""
        tail = rng.choice(["", f", {r['CITY']}, {r['REGION']} {r['POSTCODE']}", ""])
        address = f"{r['NUMBER']} {r['STREET']}{unit}{tail}"
        truth = by_key.get(name_key(tokens_of(r["STREET"])).full)
        out.append(((address, float(r["LAT"]), float(r["LON"])), truth))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print N misses per set")
    parser.add_argument("--westbrook-rows", type=int, default=700)
    parser.add_argument("--million", action="store_true",
                        help="also measure a 1,000,000-point synthetic city (minutes)")
    args = parser.parse_args(argv)
    data = Path(os.environ.get("INTAKE_SHARED_DATA", REPO.parent / "shared" / "data"))
    folder = data / "cambridge"
    if not (folder / "addresses_dev.csv").exists():
        print(f"shared data not found under {data} (set INTAKE_SHARED_DATA)", file=sys.stderr)
        return 2
    keys: list[str] = []
    with tempfile.TemporaryDirectory() as cache:
        gaz = load_gazetteer(folder / "centerlines.geojson", folder / "intersections.geojson",
                             cache_dir=cache, city="Cambridge")  # fmt: skip
        with (folder / "addresses_dev.csv").open(newline="") as fh:
            raw = [(r["address"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)]
        truths = [truth_street(gaz, a, lat, lon) for a, lat, lon in raw]
        rng = random.Random(args.seed)
        sets = city_sets(raw, truths, rng, "Cambridge", "Massachusetts",
                         ["02138", "02139", "02140", "02141", "02142"], CAMBRIDGE_HOODS,
                         CAMBRIDGE_TAILS)
        print(f"{len(raw)} Cambridge addresses, {sum(t is None for t in truths)} without a "
              f"truth street")
        gc.freeze()  # as a server does after loading: old objects leave the collector's scans
        g = run_city("cambridge", gaz, sets, args.show, ("written", "typed", "spoken"))
        p99 = max(g[x]["p99_ms"] for x in ("written", "typed", "spoken"))
        keys.append(
            f"written_top1={g['written']['top1']:.3f} typed_top1={g['typed']['top1']:.3f} "
            f"spoken_top1={g['spoken']['top1']:.3f} spoken_top3={g['spoken']['top3']:.3f} "
            f"written_w100={g['written']['w100']:.3f} p99_ms={p99:.2f} "
            f"conv_p99_ms={max(g[x]['p99_ms'] for x in g):.2f} " + summary(g))

        westbrook = data / "westbrook-me" / "addresses.csv"
        if westbrook.exists():
            wgaz = load_gazetteer(westbrook, cache_dir=cache)
            rng = random.Random(args.seed)
            sample = westbrook_rows(westbrook, wgaz, rng, args.westbrook_rows)
            wsets = city_sets([r for r, _ in sample], [t for _, t in sample], rng, "Westbrook",
                              "Maine", ["04092"], WESTBROOK_HOODS,
                              ("", "", ", westbrook", " westbrook me", ", 04092"))
            print(f"{len(sample)} Westbrook points ({len(wgaz.data.streets)} streets)")
            w = run_city("westbrook", wgaz, wsets, args.show)
            keys.append(
                f"westbrook_typed_top1={w['typed']['top1']:.3f} "
                f"westbrook_spoken_top1={w['spoken']['top1']:.3f} "
                f"westbrook_p99_ms={max(w[x]['p99_ms'] for x in w):.2f} "
                + summary(w, "westbrook_"))

        for points in (40_000, 1_000_000) if args.million else (40_000,):
            keys.append(scale(Path(cache), points, args.seed))
    print(" ".join(keys))
    return 0


def scale(folder: Path, points: int, seed: int) -> str:
    """p50/p99 per resolve on a synthetic city of `points`; at 1M also load time and memory."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = synthetic_city(folder, points, seed=3)
    started = time.perf_counter()
    big = load_gazetteer(path, cache_dir=None)
    load_s = time.perf_counter() - started
    gc.freeze()  # as a preloading server does: the index leaves the collector's scans
    rss_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    rows: list[Row] = []
    rng = random.Random(seed)
    for street in rng.sample(sorted(big.data.streets), 400):
        number = rng.choice(sorted(big.data.streets[street].points))
        lat, lon, _ = big.data.streets[street].points[number][0]
        address = f"{number} {street}"
        tails = ("", ", synthetic", " synthetic zz")
        for text in (address, typed(address, rng, tails), spoken(address, rng),
                     talk.conversational(spoken(address, rng), rng, "synthetic", "zz", [], [])):
            rows.append((text, lat, lon, street))
    for text, *_ in rows[:50]:
        big.resolve(text)
    r = measure(big.resolve, rows)
    n_points = sum(len(s.points) for s in big.data.streets.values())
    tag = "40k" if points == 40_000 else "1m"
    print(f"synthetic city: {n_points} address points, {len(big.data.streets)} streets, "
          f"top1 {r['top1']:.1%}, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
          f"load {load_s:.1f} s, +{rss_mb:.0f} MB")
    extra = f" load_s_{tag}={load_s:.1f} rss_mb_{tag}={rss_mb:.0f}" if tag == "1m" else ""
    return f"p50_ms_{tag}={r['p50_ms']:.2f} p99_ms_{tag}={r['p99_ms']:.2f}{extra}"


if __name__ == "__main__":
    raise SystemExit(main())
