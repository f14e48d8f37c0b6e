"""The production layout on PostgreSQL: `intake serve --workers 2` (gunicorn) beside two
`intake worker` processes, against a separate city server; workers killed mid-delivery.

Every report is filed exactly once, however many workers there are and however often one
is killed between its POST and recording the answer.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from intake.lifecycle import ReportState
from intake.simulate import sms_form
from tests.databases import database_url

from .conftest import TOKEN, Server, filed_on_the_city, free_port, spawn, start_server, wait_ready

pytestmark = pytest.mark.postgres
CITY = "+15555550311"
KEY = "city-key-production-test"
METRICS = "metrics-token-for-tests"


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Server]:
    """The city's Open311 server: every call stalls 0.6 s after its work is committed."""
    (tmp_path / "city").mkdir()
    proc, server = start_server(tmp_path / "city", f"sqlite:///{tmp_path / 'city.sqlite3'}",
                                OPEN311_API_KEY=KEY,
                                SANDBOX_FAULTS="timeout-share=1,timeout=0.6")
    yield server
    proc.terminate()
    proc.wait(timeout=20)


def file_reports(url: str, count: int) -> list[str]:
    """Text `count` potholes at once from different numbers; returns the answers' refs."""
    sender_url = url + "/sms"
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)

    def one(n: int) -> str:
        phone = f"+1555556{n:04d}"
        with httpx.Client(timeout=30) as http:
            for step, body in enumerate(["pothole", "123 main st", "deep", "yes"]):
                form = {**sms_form(phone, CITY, body), "MessageSid": f"SMp{n:04d}{step}"}
                answer = http.post(sender_url, data=form, headers={
                    "X-Twilio-Signature": validator.compute_signature(sender_url, form)})
                assert answer.status_code == 200, answer.text
        return answer.text.split("Reference number: ")[1][:7]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def test_workers_killed_mid_delivery_file_every_report_once(city: Server, tmp_path: Path
                                                            ) -> None:
    with database_url("postgresql", tmp_path) as db_url:
        env = {"DATABASE_URL": db_url, "TWILIO_AUTH_TOKEN": TOKEN,
               "INTAKE_VAR_DIR": str(tmp_path / "var"), "OPEN311_ENDPOINT":
               city.url + "/open311/v2/", "OPEN311_API_KEY": KEY, "METRICS_TOKEN": METRICS,
               "OUTBOX_INTERVAL": "0.2", "OUTBOX_LEASE_SECONDS": "3",
               "OUTBOX_SETTLE_SECONDS": "1"}
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env["PUBLIC_BASE_URL"] = url
        web = spawn(tmp_path, "web", ["serve", "--workers", "2", "--threads", "4", "--port",
                                      str(port)], env)
        workers: list[subprocess.Popen[bytes]] = []
        try:
            wait_ready(url, web, tmp_path / "web.log")
            refs = file_reports(url, 16)
            assert len(set(refs)) == 16
            workers = [spawn(tmp_path, f"worker{n}", ["worker"], env) for n in range(2)]
            for _ in range(4):  # both workers die right after the city stored a POST
                seen = sum(filed_on_the_city(city, refs).values())
                deadline = time.monotonic() + 90
                while sum(filed_on_the_city(city, refs).values()) == seen:
                    assert time.monotonic() < deadline, "nothing was filed"
                    time.sleep(0.05)
                for n, proc in enumerate(workers):
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    workers[n] = spawn(tmp_path, f"worker{n}", ["worker"], env)
            deadline = time.monotonic() + 120
            metrics = ""
            while f'intake_outbox_reports{{state="{ReportState.DELIVERED}"}} 16.0' not in metrics:
                assert time.monotonic() < deadline, metrics
                time.sleep(0.5)
                metrics = httpx.get(url + "/metrics",
                                    headers={"Authorization": f"Bearer {METRICS}"}).text
            assert filed_on_the_city(city, refs) == {ref: 1 for ref in refs}
            logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in range(2))
            assert "found already filed" in logs  # a killed POST was adopted, not re-sent
            assert httpx.get(url + "/metrics").status_code == 403
            assert "intake_webhook_seconds_bucket" in metrics
        finally:
            for proc in (web, *workers):
                proc.terminate()
            for proc in (web, *workers):
                proc.wait(timeout=30)
