"""Conversation benchmark: simulated residents report problems on Cambridge's streets.

    .venv/bin/python -m bench.conversations [--per-kind 60] [--seed 11] [--show 3]

Each resident (bench/residents.py: how people talk, written apart from the product) has one
problem at one real address of ../shared/data/cambridge/addresses_dev.csv and answers only
what they are asked, by text or by voice, in English or Spanish. Everything between is the
real app in process: signed Twilio webhooks through Flask, the conversation, the geocoder on
Cambridge's centerlines, the outbox, and the built-in Open311 sandbox. Scored by what reaches
the sandbox: the right service and a location within 100 m of the surveyed point.

Per kind it prints: ok (right service, within 100 m), as_said (filed without a location, for
staff), wrong (wrong service, or more than 100 m away), unfiled (no reference given), lost
(a reference was given but nothing was filed), doubled, and the median number of resident
inputs per filed report. The last line gives `<kind>_ok=... as_said=... wrong=... lost=...
doubled=...` and the medians.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.residents import (
    DETAILS,
    MENU_NAMES,
    PROBLEMS,
    Place,
    Resident,
    asked,
    kind_matches,
    names_match,
    numbers_in,
    options,
)

REPO = Path(__file__).resolve().parents[1]
KINDS = ("en_text_steps", "en_text_oneshot", "en_voice", "es_text", "es_voice")
SHARES = {"POTHOLE": 0.3, "GRAFFITI": 0.15, "STREETLIGHT": 0.2, "TRASH_MISSED": 0.2,
          "OTHER": 0.15}
TOKEN = "bench-token"
CITY = "+16175550311"
MAX_TURNS = 16
NEAR_M = 100.0
_LONG_TYPES = {"Street": "St", "Avenue": "Ave", "Road": "Rd", "Place": "Pl", "Terrace": "Ter",
               "Drive": "Dr", "Parkway": "Pkwy", "Court": "Ct", "Square": "Sq"}
_SHORT_TYPES = ("St", "Ave", "Rd", "Pl", "Ter", "Dr", "Pkwy", "Ct", "Sq", "Blvd", "Hwy", "Way",
                "Ln", "Park", "Row", "Cir")


def shared() -> Path:
    return Path(os.environ.get("INTAKE_SHARED_DATA") or REPO.parent / "shared" / "data")


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def places(folder: Path) -> list[Place]:
    """Addresses with a house number, each with its nearest named corner."""
    corners = []
    for f in json.loads((folder / "intersections.geojson").read_text())["features"]:
        name = f["properties"].get("Intersection") or ""
        streets = [s.strip() for s in name.split("&")]
        if len(streets) == 2 and all(streets):
            lon, lat = f["geometry"]["coordinates"]
            corners.append((lat, lon, streets[0], streets[1]))
    out = []
    with open(folder / "addresses_dev.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            street_part = row["address"].split(",")[0].strip()
            street_part = re.sub(r"\s+(?:unit|apt|apartment|ste|suite|bld|bldg|building|fl|"
                                 r"floor|rm|room|#)\s*\S+$", "", street_part, flags=re.I)
            m = re.match(r"^(\d+)[A-Za-z]?\s+(.+)$", street_part)
            if not m or int(m.group(1)) == 0:
                continue
            words = m.group(2).title().split()
            if len(words) > 2 and words[-1].isdigit():  # "Mt Auburn St 3": a unit
                words = words[:-1]
            words[-1] = _LONG_TYPES.get(words[-1], words[-1])
            kind = words[-1] if words[-1] in _SHORT_TYPES and len(words) > 1 else ""
            name = " ".join(words[:-1] if kind else words)
            lat, lon = float(row["lat"]), float(row["lon"])
            near = [c for c in corners if name.lower() in (c[2].lower() + " " + c[3].lower())]
            best = min(near, key=lambda c: metres(lat, lon, c[0], c[1]), default=None)
            corner = (best[2], best[3]) if best and metres(lat, lon, best[0], best[1]) < 250 \
                else None
            out.append(Place(int(m.group(1)), name, kind, lat, lon, corner))
    return out


@dataclass
class Outcome:
    kind: str
    service: str
    reference: str | None
    inputs: int
    transcript: list[str]


def make_resident(kind: str, place: Place, rng: random.Random) -> Resident:
    service = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
    lang = "es" if kind.startswith("es") else "en"
    resident = Resident(kind, service, place, rng)
    resident.problem = rng.choice(PROBLEMS[service][lang])
    resident.details = rng.choice(DETAILS[lang]) if rng.random() < 0.6 else None
    return resident


# ---- answering ------------------------------------------------------------------------------


def answer(r: Resident, question: str, text: str) -> tuple[str, str]:
    """(how, what): how is 'text', 'speech' or 'dtmf'."""
    es = r.lang == "es"
    keys = r.voice and r.rng.random() < 0.5  # some callers press keys where they can
    speak = "speech" if r.voice else "text"
    if question == "category":
        return speak, r.problem
    if question == "menu":
        for digit, name in options(text):
            if any(word in name.lower() for word in MENU_NAMES[r.service]):
                return ("dtmf" if r.voice else "text"), digit
        return speak, r.problem
    if question == "attribute":
        return ("dtmf", "2") if keys else (speak, "no")
    if question == "address":
        return speak, r.address()
    if question == "house_number":
        return ("dtmf" if r.voice else "text"), str(r.place.number)
    if question == "cross_street":
        return speak, r.corner()
    if question == "landmark":
        return speak, f"near {r.place.number} {r.place.street}"
    if question == "choose":
        fits = [(kind_matches(label, r.place.kind), r.place.number in numbers_in(label),
                 -len(label.split()), -int(digit), digit)
                for digit, label in options(text) if names_match(label, r.place.name)
                and (r.place.number in numbers_in(label) or not numbers_in(label))]
        if fits:  # the one most like their street, with its number, and nothing extra
            return ("dtmf" if r.voice else "text"), max(fits)[-1]
        return ("dtmf" if r.voice else "text"), "9"
    if question == "description":
        if r.details:
            details, r.details = r.details, None
            return speak, details
        return ("dtmf", "") if keys else (speak, "omitir" if es else "skip")
    if question == "confirm":
        right = names_match(text, r.place.name) and r.place.number in numbers_in(text) and (
            not r.place.kind or kind_matches(text, r.place.kind))
        if right:
            return ("dtmf", "1") if keys else (speak, "sí" if es else "yes")
        return speak, ("no, es " if es else "no, it's ") + r.address()
    if question == "what_to_change":
        return ("dtmf" if r.voice else "text"), "2"
    if question == "fallback":
        return ("dtmf", "1") if keys else (speak, "sí" if es else "yes")
    if question == "offer_texts":
        return ("dtmf", "1") if keys else (speak, "sí" if es else "yes")
    if question == "after_transfer":
        return ("dtmf" if r.voice else "text"), "1"
    return speak, "sí" if es else "yes"


REFERENCE = re.compile(r"\d(?:[ ,]*\d){6}")


def reference_in(text: str) -> str | None:
    found = REFERENCE.search(text)
    return re.sub(r"\D", "", found.group()) if found else None


# ---- one conversation -----------------------------------------------------------------------


def texting(sender, r: Resident, phone: str) -> Outcome:
    from intake.simulate import sms_form

    transcript = []
    message = r.first_message()
    for _ in range(MAX_TURNS):
        r.inputs += 1
        reply = sender.post("/sms", sms_form(phone, CITY, message))
        text = " ".join(reply.messages)
        transcript += [f"> {message}", f"< {text}"]
        ref = reference_in(text) if "ref" in text.lower() else None
        if ref:
            return Outcome(r.kind, r.service, ref, r.inputs, transcript)
        question = asked(text)
        if question is None:
            break
        _, message = answer(r, question, text)
    return Outcome(r.kind, r.service, None, r.inputs, transcript)


def calling(sender, r: Resident, phone: str) -> Outcome:
    from intake.simulate import new_sid, voice_form

    call = new_sid("CA")
    reply = sender.post("/voice", voice_form(call, phone, CITY, "ringing"))
    transcript: list[str] = []
    reference = None
    spanish_chosen = False
    for _ in range(MAX_TURNS):
        text = " ".join(reply.says)
        transcript.append(f"< {text}")
        if reference is None and ("reference" in text.lower() or "referencia" in text.lower()):
            reference = reference_in(text)
        if reply.gather is None:
            break
        question = asked(text)
        if r.lang == "es" and not spanish_chosen:
            spanish_chosen = True
            how, what = ("dtmf", "2") if r.rng.random() < 0.6 else ("speech", "español")
        elif question is None:
            break
        else:
            how, what = answer(r, question, text)
        r.inputs += 1
        transcript.append(f"> [{how}] {what}")
        form = voice_form(call, phone, CITY)
        if how == "dtmf":
            form["Digits"] = what
        else:
            form.update(SpeechResult=what, Confidence="0.83")
        reply = sender.post(reply.gather["action"], form)
        if question == "offer_texts" and reference:
            break
    sender.post("/voice/status", {**voice_form(call, phone, CITY, "completed"),
                                  "CallDuration": "95"})
    return Outcome(r.kind, r.service, reference, r.inputs, transcript)


# ---- the run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--show", type=int, default=0, help="transcripts of failures to print")
    parser.add_argument("--kinds", default=",".join(KINDS), help="which kinds of resident")
    parser.add_argument("--verdicts", default="as_said,wrong,unfiled,lost",
                        help="which outcomes --show prints")
    args = parser.parse_args(argv)
    folder = shared() / "cambridge"
    if not folder.exists():
        print(f"shared data not found at {folder} (set INTAKE_SHARED_DATA)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-conv-"))
    os.environ.update(INTAKE_VAR_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
                      TWILIO_AUTH_TOKEN=TOKEN,
                      INTAKE_STREETS=str(folder / "centerlines.geojson"),
                      INTAKE_INTERSECTIONS=str(folder / "intersections.geojson"),
                      INTAKE_CITY="Cambridge", POLL_IN_SERVER="0")
    from sqlalchemy import select

    from intake import db
    from intake.app import OUTBOX, create_app
    from intake.outbox import deliver_due
    from intake.sandbox.models import SandboxRequest
    from intake.webhook_client import WebhookSender

    app = create_app()
    rng = random.Random(args.seed)
    pool = places(folder)
    outcomes: list[tuple[Outcome, Resident]] = []
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bench",
                      timeout=30) as http:
        sender = WebhookSender(http, "http://bench", TOKEN)
        for kind in KINDS:
            if kind not in args.kinds.split(","):
                continue
            for _ in range(args.per_kind):
                r = make_resident(kind, rng.choice(pool), random.Random(rng.random()))
                phone = f"+1617{rng.randrange(2000000, 9999999)}"
                run = calling if r.voice else texting
                outcomes.append((run(sender, r, phone), r))
    worker = app.extensions[OUTBOX]
    while deliver_due(worker.sessions, worker.client):
        pass
    with db.sessions(app)() as session:
        filed = session.scalars(select(SandboxRequest)).all()
    by_ref: dict[str, list[SandboxRequest]] = {}
    for req in filed:
        ref = re.search(r"ref (\d{7})", req.description or "")
        if ref:
            by_ref.setdefault(ref.group(1), []).append(req)
    figures: dict[str, dict[str, float]] = {}
    shown = 0
    kinds = [k for k in KINDS if k in args.kinds.split(",")]
    for kind in kinds:
        tally: Counter[str] = Counter()
        inputs = []
        for out, r in ((o, r) for o, r in outcomes if o.kind == kind):
            reqs = by_ref.get(out.reference or "", [])
            verdict = _verdict(out, r, reqs)
            tally[verdict] += 1
            if len(reqs) > 1:
                tally["doubled"] += 1
            if verdict in ("ok", "as_said", "wrong"):
                inputs.append(out.inputs)
            if verdict in args.verdicts.split(",") and shown < args.show:
                shown += 1
                where = ""
                if reqs and reqs[0].lat is not None:
                    where = (f" (filed {reqs[0].service_code} at {reqs[0].address}, "
                             f"{metres(reqs[0].lat, reqs[0].long, r.place.lat, r.place.lon):.0f}"
                             " m away)")
                print(f"--- {kind} {verdict}: {r.service} at {r.place.number} {r.place.street}"
                      + where)
                print("\n".join(out.transcript))
        n = sum(tally[v] for v in ("ok", "as_said", "wrong", "unfiled", "lost"))
        figures[kind] = {
            "ok": tally["ok"] / n, "as_said": tally["as_said"] / n, "wrong": tally["wrong"] / n,
            "unfiled": tally["unfiled"] / n, "lost": tally["lost"], "doubled": tally["doubled"],
            "inputs": statistics.median(inputs) if inputs else float("nan"),
        }
        f = figures[kind]
        print(f"{kind:16} n={n:3} ok={f['ok']:.1%} as_said={f['as_said']:.1%} "
              f"wrong={f['wrong']:.1%} unfiled={f['unfiled']:.1%} lost={f['lost']:.0f} "
              f"doubled={f['doubled']:.0f} median_inputs={f['inputs']}")
    total = len(outcomes)
    as_said = sum(f["as_said"] for f in figures.values()) / len(figures)
    wrong = sum(f["wrong"] for f in figures.values()) / len(figures)
    parts = [f"{k}_ok={figures[k]['ok']:.3f}" for k in kinds]
    parts += [f"as_said={as_said:.3f}", f"wrong={wrong:.3f}",
              f"lost={sum(int(f['lost']) for f in figures.values())}",
              f"doubled={sum(int(f['doubled']) for f in figures.values())}"]
    parts += [f"{k}_inputs={figures[k]['inputs']}" for k in kinds]
    print(f"residents={total} " + " ".join(parts))
    return 0


def _verdict(out: Outcome, r: Resident, reqs: list) -> str:
    if out.reference is None:
        return "unfiled"
    if not reqs:
        return "lost"
    req = reqs[0]
    if req.service_code != r.service:
        return "wrong"
    if req.lat is None or req.long is None:
        return "as_said"
    if metres(req.lat, req.long, r.place.lat, r.place.lon) > NEAR_M:
        return "wrong"
    return "ok"


if __name__ == "__main__":
    sys.exit(main())
