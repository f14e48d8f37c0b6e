"""The database goes away in the middle of a storm of texts and comes back.

Between the intake and PostgreSQL sits a TCP proxy that this test cuts (every open
connection dropped, new ones refused: what clients see of a restart) and restores, so the
shared server itself is never restarted. While it is cut, every webhook is answered at once
with the spoken or texted apology, never an error page for Twilio to read out; every reference
handed out is filed at the city exactly once; once it is back the service answers and files
again by itself, no process restarted. Both layouts: the demo's one `intake serve` process,
and production's `intake serve --workers 2` (gunicorn) beside an `intake worker`.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from intake.lifecycle import ReportState
from intake.simulate import new_sid, sms_form, voice_form
from tests.databases import database_url

from .conftest import TOKEN, Server, filed_on_the_city, free_port, spawn, start_server, wait_ready

pytestmark = pytest.mark.postgres
CITY = "+15555550311"
TWILIO_TIMEOUT = 15  # seconds Twilio waits for a webhook's answer before its own message
SORRY = "something went wrong on our side"
KEY = "city-key-outage-test"
STALL = 0.3  # seconds the city takes to answer after storing a request
STEPS = ("pothole", "123 main st", "deep", "yes")


class Proxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until cut; `restore` listens again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            _drop(self.listener)
            self.listener = None
        with self.lock:
            dropped, self.open = self.open, []
        for sock in dropped:
            _drop(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _drop(client)
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _drop(source)
        _drop(sink)


def _drop(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Residents:
    """Texters filing potholes over and over from new numbers, noting every answer."""

    def __init__(self, url: str) -> None:
        self.url = url + "/sms"
        self.validator = RequestValidator(TOKEN)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[tuple[int, str, float, float]] = []  # status, body, sent, took
        self.references: list[str] = []
        self.threads = [threading.Thread(target=self._resident, args=(n,), daemon=True)
                        for n in range(4)]

    def __enter__(self) -> Residents:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def _resident(self, n: int) -> None:
        count = 0
        with httpx.Client(timeout=60) as http:
            while not self.stop.is_set():
                count += 1
                phone = f"+1555557{n:02d}{count:02d}"
                for body in STEPS:
                    form = sms_form(phone, CITY, body)
                    started = time.monotonic()
                    answer = http.post(self.url, data=form, headers={
                        "X-Twilio-Signature": self.validator.compute_signature(self.url, form)})
                    took = time.monotonic() - started
                    with self.lock:
                        self.answers.append((answer.status_code, answer.text, started, took))
                        if "Reference number: " in answer.text:
                            self.references.append(answer.text.split("Reference number: ")[1][:7])
                    if SORRY in answer.text:
                        break  # the resident gives up on this one and texts again later
                time.sleep(0.05)

    def wait_for(self, count: int, what: str) -> None:
        deadline = time.monotonic() + 120
        while len(self.references) < count:
            assert time.monotonic() < deadline, f"{what}: {self.answers[-3:]}"
            time.sleep(0.1)


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[str, str, Proxy]]:
    """(the real database's URL, the URL through the proxy, the proxy)."""
    with database_url("postgresql", tmp_path) as url:
        host_port = url.split("@", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        proxy = Proxy((host, int(port)))
        try:
            yield url, url.replace(f"@{host_port}/", f"@127.0.0.1:{proxy.port}/"), proxy
        finally:
            proxy.cut()


def signed_post(http: httpx.Client, url: str, form: dict[str, str]) -> tuple[httpx.Response,
                                                                                float]:
    started = time.monotonic()
    answer = http.post(url, data=form, headers={
        "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)})
    return answer, time.monotonic() - started


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Server]:
    """The city's Open311 server, on a database of its own that no cut reaches; it answers
    0.3 s after storing a request, so a cut can fall between its POST and our record of it."""
    (tmp_path / "city").mkdir()
    proc, server = start_server(tmp_path / "city", f"sqlite:///{tmp_path / 'city.sqlite3'}",
                                OPEN311_API_KEY=KEY,
                                SANDBOX_FAULTS=f"timeout-share=1,timeout={STALL}")
    yield server
    proc.terminate()
    proc.wait(timeout=20)


def start_intake(tmp: Path, db_url: str, city: Server, workers: int
                 ) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """The demo layout (workers=0: one waitress process that also delivers) or production's:
    `intake serve --workers N` (gunicorn, webhooks only) beside one `intake worker`."""
    # a report whose POST's answer could not be recorded waits out its lease and the settle
    # time before it is looked up (120 s and 30 s by default): shortened here
    env = {"OPEN311_ENDPOINT": city.url + "/open311/v2/", "OPEN311_API_KEY": KEY,
           "OUTBOX_INTERVAL": "0.2", "OUTBOX_LEASE_SECONDS": "3",
           "OUTBOX_SETTLE_SECONDS": "1"}
    if not workers:
        proc, server = start_server(tmp, db_url, **env)
        return server.url, [proc]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env.update(DATABASE_URL=db_url, TWILIO_AUTH_TOKEN=TOKEN, INTAKE_VAR_DIR=str(tmp / "var"),
               PUBLIC_BASE_URL=url)
    procs = [spawn(tmp, "web", ["serve", "--workers", str(workers), "--threads", "4", "--port",
                                str(port)], env), spawn(tmp, "worker", ["worker"], env)]
    try:
        wait_ready(url, procs[0], tmp / "web.log")
        deadline = time.monotonic() + 90  # the worker delivers as the residents begin
        while "delivering reports" not in (tmp / "worker.log").read_text():
            assert procs[1].poll() is None and time.monotonic() < deadline, \
                (tmp / "worker.log").read_text()
            time.sleep(0.2)
    except AssertionError:
        for proc in procs:
            proc.terminate()
        raise
    return url, procs


def filed_count(city: Server, residents: Residents) -> int:
    with residents.lock:
        refs = list(residents.references)
    return sum(filed_on_the_city(city, refs).values())


@pytest.mark.parametrize("workers", [0, 2], ids=["one-process", "gunicorn-and-worker"])
def test_a_database_restart_during_a_storm(proxied: tuple[str, str, Proxy], city: Server,
                                           tmp_path: Path, workers: int) -> None:
    real_url, through_proxy, proxy = proxied
    url, procs = start_intake(tmp_path, through_proxy, city, workers)
    try:
        with Residents(url) as residents, httpx.Client(timeout=60) as http:
            residents.wait_for(6, "no reports before the outage")
            filed_before = filed_count(city, residents)
            deadline = time.monotonic() + 30
            while filed_count(city, residents) == filed_before:  # the city just stored one
                assert time.monotonic() < deadline, "nothing filed before the outage"
                time.sleep(0.02)
            proxy.cut()
            cut_at = time.monotonic()
            confirmed = list(residents.references)
            time.sleep(2)  # the residents keep texting into the outage
            call, took_call = signed_post(http, url + "/voice",
                                          voice_form(new_sid("CA"), "+15555550900", CITY))
            text_, took_text = signed_post(http, url + "/sms",
                                           sms_form("+15555550901", CITY, "pothole"))
            alive, ready = http.get(url + "/livez"), http.get(url + "/readyz")
            restored_at = time.monotonic()
            proxy.restore()
            residents.wait_for(len(residents.references) + 6, "nothing filed after the outage")

        # during the outage: at once, Twilio's 200 with an apology, spoken or texted
        assert call.status_code == 200 and "<Say" in call.text and SORRY in call.text
        assert text_.status_code == 200 and "<Message>" in text_.text and SORRY in text_.text
        assert max(took_call, took_text) < TWILIO_TIMEOUT
        # a balancer routing on /livez keeps sending Twilio here, to the apology above
        assert alive.status_code == 200 and ready.status_code == 503
        during = [body for _, body, started, took in residents.answers
                  if started > cut_at + 0.1 and started + took < restored_at]
        assert during and all(SORRY in body and "<Message>" in body for body in during), during
        # at no moment an error page or an answer later than Twilio waits
        assert {status for status, _, _, _ in residents.answers} == {200}
        assert max(took for _, _, _, took in residents.answers) < TWILIO_TIMEOUT

        # after it, by itself: a call is greeted, every reference ever given is filed once
        with httpx.Client(timeout=30) as http:
            greeted, _ = signed_post(http, url + "/voice",
                                     voice_form(new_sid("CA"), "+15555550902", CITY))
        assert greeted.status_code == 200 and SORRY not in greeted.text
        # a restart too quick to notice in between: the connections it dropped are replaced
        proxy.cut()
        proxy.restore()
        with httpx.Client(timeout=30) as http:
            quick = [signed_post(http, url + "/sms",
                                 sms_form(f"+155555509{n:02d}", CITY, "pothole"))[0]
                     for n in range(10, 14)]
        assert all(a.status_code == 200 and SORRY not in a.text for a in quick), \
            [a.text for a in quick]
        references = set(residents.references)
        assert set(confirmed) <= references
        engine = create_engine(real_url)
        deadline = time.monotonic() + 60
        while True:
            with engine.connect() as conn:
                states = {ref: (status, attempts, error) for ref, status, attempts, error in
                          conn.execute(text("SELECT reference, status, attempts, last_error "
                                            "FROM reports"))}
            delivered = {ref for ref, (status, _, _) in states.items()
                         if status == ReportState.DELIVERED}
            if references <= delivered or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        engine.dispose()
        assert references <= delivered, {ref: states.get(ref) for ref in references - delivered}
        assert filed_on_the_city(city, sorted(references)) == {ref: 1 for ref in references}
        # nothing had to be restarted to get there, and the POST the cut left unrecorded
        # was found at the city rather than sent again
        assert [proc.poll() for proc in procs] == [None] * len(procs)
        delivering = tmp_path / ("worker.log" if workers else "server.log")
        assert "found already filed" in delivering.read_text()
        if workers:
            booted = (tmp_path / "web.log").read_text().count("Booting worker")
            assert booted == workers, (tmp_path / "web.log").read_text()[-3000:]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
