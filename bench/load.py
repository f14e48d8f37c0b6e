"""Load benchmark: a storm of simultaneous residents against the production layout.

    nice .venv/bin/python -m bench.load [--quick] [--conversations 500] [--seconds 300]
                                        [--backend postgresql|sqlite] [--workers 2]

Starts `intake serve --workers N` (gunicorn) and one `intake worker` on a throw-away
PostgreSQL schema (or a SQLite file) with Cambridge's streets, then drives them over
loopback from this process: `--conversations` simulated residents at once (bench/residents:
voice and SMS, English and Spanish, one problem at a real Cambridge address each), every
webhook signed, with think times between steps (2-6 s; 1-3 s with --quick). Each resident
starts a new conversation when done, until `--seconds` have passed.

Prints the number of completed conversations, webhook latency p50/p95/p99/max (and p99 of
the address steps, which geocode), errors (non-200 answers, failed connections, apologies),
reports filed on the built-in Open311 sandbox against references handed out, duplicates,
latency by step, a profile of the slowest kind of step (in process), and the server's CPU
per webhook against a floor app (same gunicorn, same signature check, static TwiML).
The last line: `conversations=... p50_ms=... p99_ms=... p99_address_ms=... errors=...
filed=... expected=... duplicates=...` (then cpu figures).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import cast
from urllib.parse import urlencode, urlsplit

import httpx

from bench.conversations import (
    CITY,
    KINDS,
    TOKEN,
    calling,
    make_resident,
    places,
    shared,
    texting,
)
from bench.residents import asked

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("INTAKE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test") \
    .replace("+psycopg", "")
ADDRESS_STEPS = ("address", "cross_street", "house_number", "landmark")


class Recorder:
    """Latencies of every webhook, by the question it answered; errors."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_step: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.references: list[str] = []
        self.completed = 0
        self.started = time.monotonic()
        self.timeline: list[tuple[float, float]] = []  # (when answered, latency)
        self.begun: list[tuple[float, bool]] = []  # (when, by voice) of each conversation

    def add(self, step: str, seconds: float) -> None:
        with self.lock:
            self.by_step[step].append(seconds)
            self.timeline.append((time.monotonic() - self.started, seconds))

    def begin(self, voice: bool) -> None:
        with self.lock:
            self.begun.append((time.monotonic() - self.started, voice))

    def minutes(self) -> list[tuple[int, int, int, list[float]]]:
        """Per whole minute of the run: calls begun, texts begun, latencies (is it flat?)."""
        last = int(max((t for t, _ in self.timeline), default=0) // 60)
        rows = []
        for m in range(last):  # the last, partial minute is left out
            calls = sum(1 for t, v in self.begun if m * 60 <= t < (m + 1) * 60 and v)
            texts = sum(1 for t, v in self.begun if m * 60 <= t < (m + 1) * 60 and not v)
            rows.append((m, calls, texts,
                         [s for t, s in self.timeline if m * 60 <= t < (m + 1) * 60]))
        return rows

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class TimedSender:
    """A WebhookSender that thinks before each step, times it, and notes what it answered."""

    def __init__(self, inner, recorder: Recorder, think: tuple[float, float],
                 rng: random.Random) -> None:
        self.inner = inner
        self.recorder = recorder
        self.think = think
        self.rng = rng
        self.question = "start"

    def post(self, path: str, form: dict[str, str], **kwargs):
        if not path.endswith("/status"):
            time.sleep(self.rng.uniform(*self.think))
        started = time.perf_counter()
        try:
            reply = self.inner.post(path, form, **kwargs)
        except httpx.HTTPError as exc:
            self.recorder.error(f"{type(exc).__name__} on {path}")
            raise
        took = time.perf_counter() - started
        step = "status" if path.endswith("/status") else self.question
        self.recorder.add(step, took)
        text = " ".join(reply.says + reply.messages)
        if reply.status not in (200, 204):
            self.recorder.error(f"HTTP {reply.status} on {path}")
        elif "something went wrong" in text.lower() or "problema técnico" in text.lower():
            self.recorder.error(f"apology on {path}")
        self.question = asked(text) or "other"
        return reply


class LightClient:
    """What the residents post with: one kept-alive `http.client` connection per thread.

    httpx spent ~1.5 ms of CPU per request here, as much as the server's floor app: on a
    2-core machine the driver's CPU and its GIL, shared by 500 threads, are part of every
    latency measured. Errors are raised as httpx's, so callers handle both alike.
    """

    def __init__(self, timeout: float = 30.0, idle: float = 4.0) -> None:
        self.timeout = timeout
        self.idle = idle  # dropped before the server's 5 s keep-alive closes it
        self.local = threading.local()

    def post(self, url: str, data: dict[str, str], headers: dict[str, str]) -> SimpleNamespace:
        import http.client

        parts = urlsplit(url)
        conn = getattr(self.local, "conn", None)
        if conn is None or time.monotonic() - self.local.used > self.idle:
            if conn is not None:
                conn.close()
            conn = self.local.conn = http.client.HTTPConnection(parts.netloc,
                                                                timeout=self.timeout)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("POST", target, urlencode(data).encode(), {
                **headers, "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            body = response.read().decode()
        except (http.client.HTTPException, OSError) as exc:
            conn.close()
            self.local.conn = None
            raise httpx.TransportError(f"{type(exc).__name__}: {exc}") from exc
        self.local.used = time.monotonic()
        return SimpleNamespace(status_code=response.status, text=body)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of processes and their children, living or reaped (a gunicorn
    worker recycled during the run counts too), from /proc, in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        for proc in [pid, *children(pid)]:
            try:
                fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def postgres_seconds() -> float:
    """CPU of every PostgreSQL server process on the machine, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.endswith("(postgres"):
            fields = tail.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_seconds() -> float:
    """Busy CPU time of the whole machine (all cores), from /proc/stat, in seconds."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


class CpuSampler(threading.Thread):
    """Once a minute of the run: CPU used by this driver, the web server, the worker,
    PostgreSQL and the whole machine, to tell a slow minute's cause (who had the cores)."""

    def __init__(self, web: int, worker: int, started: float) -> None:
        super().__init__(daemon=True)
        self.pids = {"web": web, "worker": worker}
        self.started = started
        self.rows: list[dict[str, float]] = []
        self.stopped = threading.Event()

    def sample(self) -> dict[str, float]:
        return {"driver": sum(os.times()[:2]),
                **{k: cpu_seconds([pid]) for k, pid in self.pids.items()},
                "postgres": postgres_seconds(), "machine": machine_seconds()}

    def run(self) -> None:
        last = self.sample()
        minute = 1
        while not self.stopped.wait(max(0.0, self.started + 60 * minute - time.monotonic())):
            now = self.sample()
            self.rows.append({k: (now[k] - last[k]) / 60 for k in now})  # cores used
            last, minute = now, minute + 1


def children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out += children(k)
    return out


def wait_ready(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited early")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_residents(url: str, recorder: Recorder, conversations: int, seconds: float,
                  think: tuple[float, float], seed: int,
                  kinds: tuple[str, ...] = KINDS) -> None:
    from intake.webhook_client import WebhookSender

    pool = places(shared() / "cambridge")
    deadline = time.monotonic() + seconds
    # idle connections dropped before gunicorn's 5 s keep-alive closes them, as the proxy
    # in front does (deploy/nginx.conf): otherwise a POST can meet a connection just closed
    http = cast(httpx.Client, LightClient(timeout=30, idle=4))

    def resident(n: int) -> None:
        rng = random.Random(seed * 100003 + n)
        time.sleep(rng.uniform(0, think[1] * 2))  # arrivals spread out, not all at once
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            r = make_resident(kind, rng.choice(pool), random.Random(rng.random()))
            phone = f"+1617{rng.randrange(2000000, 9999999)}"
            recorder.begin(r.voice)
            sender = TimedSender(WebhookSender(http, url, TOKEN), recorder, think, rng)
            try:
                outcome = (calling if r.voice else texting)(sender, r, phone)
            except httpx.HTTPError:
                continue
            with recorder.lock:
                recorder.completed += 1
                if outcome.reference:
                    recorder.references.append(outcome.reference)

    threads = [threading.Thread(target=resident, args=(n,), daemon=True)
               for n in range(conversations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def cpu_ratio(web: int, url: str, workers: int, threads: int, requests: int,
              rounds: int = 3) -> tuple[float, float]:
    """CPU ms per webhook of the real app and of the floor app (same server, same signature
    check), measured in turns, `rounds` times each, the least of each kept: on a shared
    machine the least disturbed turn is the nearest to what the code costs."""
    from intake.simulate import sms_form
    from intake.webhook_client import WebhookSender

    port = free_port()
    env = {**os.environ, "FLOOR_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-k",
                             "gthread", "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                             "--keep-alive", "5", "--log-level", "warning",
                             "bench.floor_app:app"], cwd=REPO, env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", proc, "floor app")
        app_ms, floor_ms = [], []
        for turn in range(rounds):
            app_ms.append(app_cpu(web, url, requests // rounds, first=turn * requests))
            floor_ms.append(_cpu_per_request(
                proc.pid, f"http://127.0.0.1:{port}", requests // rounds,
                lambda s, n: s.post("/sms", sms_form(f"+1617555{n:04d}", CITY, "hello")),
                WebhookSender))
        return min(app_ms), min(floor_ms)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def app_cpu(pid: int, url: str, requests: int, first: int = 0) -> float:
    """CPU ms per webhook of the real app: SMS conversations' first two steps."""
    from intake.simulate import sms_form
    from intake.webhook_client import WebhookSender

    def two_steps(sender, n: int):
        phone = f"+1618{n:07d}"
        sender.post("/sms", {**sms_form(phone, CITY, "pothole"), "MessageSid": f"SMc{n}a"})
        return sender.post("/sms", {**sms_form(phone, CITY, "skip"), "MessageSid": f"SMc{n}b"})

    return _cpu_per_request(pid, url, requests, two_steps, WebhookSender, per_call=2,
                            first=first)


def _cpu_per_request(pid: int, url: str, requests: int, call, sender_class,
                     per_call: int = 1, first: int = 0) -> float:
    from concurrent.futures import ThreadPoolExecutor

    http = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=16, keepalive_expiry=4))
    sender = sender_class(http, url, TOKEN)
    for n in range(20):  # warm up
        call(sender, 900000 + n)
    before = cpu_seconds([pid])
    def once(n: int) -> None:
        for _ in range(3):  # a kept-alive connection the server closed meanwhile: again
            try:
                call(sender, n)
                return
            except httpx.TransportError:
                continue

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(once, range(first, first + requests // per_call)))
    used = cpu_seconds([pid]) - before
    http.close()
    return 1000 * used / requests


def profile_step(step: str, samples: int = 40) -> list[str]:
    """Where the time of one kind of step goes: cProfile of the app in this process."""
    import cProfile
    import io
    import pstats

    from intake.app import create_app
    from intake.simulate import sms_form
    from intake.webhook_client import WebhookSender

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-prof-"))
    folder = shared() / "cambridge"
    os.environ.update(INTAKE_VAR_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'p.sqlite3'}",
                      TWILIO_AUTH_TOKEN=TOKEN, INTAKE_STREETS=str(folder / "centerlines.geojson"),
                      INTAKE_INTERSECTIONS=str(folder / "intersections.geojson"),
                      INTAKE_CITY="Cambridge", POLL_IN_SERVER="0", SMS_RATE_LIMIT="0")
    app = create_app()
    pool = places(folder)
    rng = random.Random(5)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bench") as http:
        sender = WebhookSender(http, "http://bench", TOKEN)
        phones = [f"+1619{n:07d}" for n in range(samples)]
        for phone in phones:
            sender.post("/sms", {**sms_form(phone, CITY, "pothole"),
                                 "MessageSid": uuid.uuid4().hex})
        profiler = cProfile.Profile()
        for phone in phones:
            place = rng.choice(pool)
            body = f"{place.number} {place.street}" if step in ADDRESS_STEPS else "skip"
            form = {**sms_form(phone, CITY, body), "MessageSid": uuid.uuid4().hex}
            profiler.enable()
            sender.post("/sms", form)
            profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"/(intake|conversation|geocode|sms|ivr)/", 14)
    stats.sort_stats("tottime").print_stats(10)  # and the functions that spend it themselves
    return [ln for ln in out.getvalue().splitlines()
            if ln.strip() and not ln.lstrip().startswith(("Ordered", "List reduced"))]


def start_layout(backend: str, workers: int, threads: int, tmp: Path):
    folder = shared() / "cambridge"
    schema = None
    if backend == "postgresql":
        import psycopg

        schema = f"bench_load_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = (PG_ADMIN.replace("postgresql://", "postgresql+psycopg://")
               + f"?options=-csearch_path%3D{schema}")
    else:
        url = f"sqlite:///{tmp / 'load.sqlite3'}"
    from geocode import load_gazetteer

    # the street index is built once here, so each server process only loads the cache
    load_gazetteer(folder / "centerlines.geojson", intersections=folder / "intersections.geojson",
                   cache_dir=tmp / "cache", city="Cambridge")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
           "DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "INTAKE_VAR_DIR": str(tmp),
           "INTAKE_STREETS": str(folder / "centerlines.geojson"),
           "INTAKE_INTERSECTIONS": str(folder / "intersections.geojson"),
           "INTAKE_CITY": "Cambridge", "PUBLIC_BASE_URL": base, "LOG_LEVEL": "WARNING",
           "OUTBOX_INTERVAL": "0.5", "POLL_IN_SERVER": "0", "SMS_RATE_LIMIT": "0",
           "MAX_OPEN_CONVERSATIONS": "0"}
    web = subprocess.Popen([sys.executable, "-m", "intake.cli", "serve", "--workers",
                            str(workers), "--threads", str(threads), "--port", str(port)],
                           cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    wait_ready(base + "/readyz", web, "intake serve")
    worker = subprocess.Popen([sys.executable, "-m", "intake.cli", "worker"], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL)
    return base, url, schema, web, worker


def count_filed(db_url: str, references: list[str]) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [d for (d,) in conn.execute(text("SELECT description FROM sandbox_requests"))]
    engine.dispose()
    seen: dict[str, int] = defaultdict(int)
    for d in rows:
        m = re.search(r"ref (\d{7})", d or "")
        if m:
            seen[m.group(1)] += 1
    filed = sum(1 for ref in set(references) if seen.get(ref))
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    return filed, duplicates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one minute, 100 residents")
    parser.add_argument("--conversations", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="residents' kinds, comma-separated (en_voice,es_voice: calls only)")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds takes some of {','.join(KINDS)}")
    conversations = args.conversations or (100 if args.quick else 500)
    seconds = args.seconds or (60 if args.quick else 300)
    think = (1.0, 3.0) if args.quick else (2.0, 6.0)
    if not (shared() / "cambridge").exists():
        print(f"shared data not found at {shared()} (set INTAKE_SHARED_DATA)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    base, db_url, schema, web, worker = start_layout(args.backend, args.workers, args.threads,
                                                     tmp)
    recorder = Recorder()
    try:
        cpu_before = cpu_seconds([web.pid])
        started = time.monotonic()
        recorder.started = started
        sampler = CpuSampler(web.pid, worker.pid, started)
        sampler.start()
        run_residents(base, recorder, conversations, seconds, think, args.seed, kinds)
        elapsed = time.monotonic() - started
        sampler.stopped.set()
        served = sum(len(v) for v in recorder.by_step.values())
        cpu_run = 1000 * (cpu_seconds([web.pid]) - cpu_before) / max(served, 1)
        deadline = time.monotonic() + 120  # let the worker drain the outbox
        filed, duplicates = count_filed(db_url, recorder.references)
        while filed < len(set(recorder.references)) and time.monotonic() < deadline:
            time.sleep(2)
            filed, duplicates = count_filed(db_url, recorder.references)
        app_ms, floor_ms = cpu_ratio(web.pid, base, args.workers, args.threads,
                                     900 if args.quick else 3000)
    finally:
        for proc in (web, worker):
            proc.terminate()
        for proc in (web, worker):
            proc.wait(timeout=60)
        if schema:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    everything = [s for v in recorder.by_step.values() for s in v]
    addressing = [s for k in ADDRESS_STEPS for s in recorder.by_step.get(k, [])]
    ordinary = [s for k, v in recorder.by_step.items() if k not in ADDRESS_STEPS for s in v]
    ms = 1000
    print(f"backend={args.backend} workers={args.workers}x{args.threads} residents at once="
          f"{conversations} for {elapsed:.0f} s: {served} webhooks ({served / elapsed:.1f}/s)")
    print(f"{'step':16} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for step, values in sorted(recorder.by_step.items(), key=lambda kv: -percentile(kv[1], .99)):
        print(f"{step:16} {len(values):6} {ms * statistics.median(values):8.1f} "
              f"{ms * percentile(values, .99):8.1f} {ms * max(values):8.1f}")
    minutes = recorder.minutes()
    print(f"{'minute':>6} {'calls':>6} {'texts':>6} {'webhooks':>8} {'p50 ms':>8} {'p99 ms':>8}"
          "   cores used by: driver web worker postgres (machine)")
    for m, calls, texts, lat in minutes:
        cpu = sampler.rows[m] if m < len(sampler.rows) else None
        used = (f"   {cpu['driver']:6.2f} {cpu['web']:4.2f} {cpu['worker']:6.2f} "
                f"{cpu['postgres']:8.2f} ({cpu['machine']:.2f})" if cpu else "")
        print(f"{m + 1:6} {calls:6} {texts:6} {len(lat):8} {ms * percentile(lat, .5):8.1f} "
              f"{ms * percentile(lat, .99):8.1f}{used}")
    steady = minutes[1:] or minutes  # the first minute is residents arriving
    calls_min = statistics.mean(c for _, c, _, _ in steady) if steady else 0.0
    texts_min = statistics.mean(t for _, _, t, _ in steady) if steady else 0.0
    worst_minute = max((percentile(lat, .99) for *_, lat in steady if lat), default=float("nan"))
    print(f"ordinary steps p99 {ms * percentile(ordinary, .99):.1f} ms; address steps p99 "
          f"{ms * percentile(addressing, .99):.1f} ms")
    if recorder.errors:
        errs: dict[str, int] = defaultdict(int)
        for e in recorder.errors:
            errs[e] += 1
        print("errors: " + ", ".join(f"{k} x{n}" for k, n in sorted(errs.items())))
    slowest = max(recorder.by_step, key=lambda k: percentile(recorder.by_step[k], .99))
    print(f"profile of the slowest kind of step ({slowest}), in process:")
    for line in profile_step(slowest):
        print("  " + line)
    print(f"server CPU per webhook: {cpu_run:.2f} ms during the run; {app_ms:.2f} ms on two "
          f"SMS steps vs {floor_ms:.2f} ms for the floor app (x{app_ms / floor_ms:.1f})")
    print(f"conversations={recorder.completed} p50_ms={ms * percentile(everything, .5):.1f} "
          f"p95_ms={ms * percentile(everything, .95):.1f} "
          f"p99_ms={ms * percentile(everything, .99):.1f} "
          f"max_ms={ms * max(everything, default=0):.1f} "
          f"p99_address_ms={ms * percentile(addressing, .99):.1f} "
          f"errors={len(recorder.errors)} filed={filed} expected={len(set(recorder.references))} "
          f"duplicates={duplicates} cpu_ms_per_webhook={app_ms:.2f} "
          f"floor_cpu_ms={floor_ms:.2f} cpu_ratio={app_ms / floor_ms:.1f} "
          f"calls_per_min={calls_min:.0f} texts_per_min={texts_min:.0f} "
          f"p99_worst_minute_ms={ms * worst_minute:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
