"""A real `intake serve` process per database, talked to over HTTP like Twilio would; the
production layout's processes (`spawn`) and what a city server was given (`filed_on_the_city`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from intake.webhook_client import WebhookSender
from tests.databases import BACKENDS, database_url

TOKEN = "e2e-auth-token-not-a-secret"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    log: Path
    database_url: str

    def sender(self, http: httpx.Client, token: str = TOKEN) -> WebhookSender:
        return WebhookSender(http, self.url, token)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(tmp: Path, db_url: str, **env: str) -> tuple[subprocess.Popen[bytes], Server]:
    port = free_port()
    log = tmp / "server.log"
    environ = {k: v for k, v in os.environ.items() if k != "TWILIO_AUTH_TOKEN"}
    environ.update(INTAKE_VAR_DIR=str(tmp / "var"), DATABASE_URL=db_url,
                   TWILIO_AUTH_TOKEN=TOKEN, OUTBOX_INTERVAL="0.2", TRUSTED_PROXIES="127.0.0.1")
    environ.update(env)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "intake.cli", "serve", "--port", str(port)],
                                cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, Server(url, log, db_url)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise AssertionError(f"server did not answer /healthz:\n{log.read_text()}")


def spawn(tmp: Path, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    environ = {k: v for k, v in os.environ.items() if k != "TWILIO_AUTH_TOKEN"}
    environ.update(env)
    with open(tmp / f"{name}.log", "ab") as out:  # the process has its own copy
        return subprocess.Popen([sys.executable, "-m", "intake.cli", *args], cwd=ROOT,
                                env=environ, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not ready:\n{log.read_text()}")


def filed_on_the_city(city: Server, refs: list[str]) -> dict[str, int]:
    engine = create_engine(city.database_url)
    with engine.connect() as conn:
        rows = [d for (d,) in conn.execute(text("SELECT description FROM sandbox_requests"))]
    engine.dispose()
    return {ref: sum(f"ref {ref}" in (d or "") for d in rows) for ref in refs}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"server-{request.param}")
    with database_url(request.param, tmp) as db_url:
        proc, srv = start_server(tmp, db_url)
        try:
            yield srv
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client
