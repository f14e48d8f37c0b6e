"""The terminal commands a newcomer uses: `intake simulate` and `intake replay`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, TOKEN, Server, start_server


def intake(*args: str, stdin: str = "", token: str = TOKEN, var: Path | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TWILIO_AUTH_TOKEN": token}
    if var is not None:
        env["INTAKE_VAR_DIR"] = str(var)
    return subprocess.run([sys.executable, "-m", "intake.cli", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120)


def test_simulated_texts_file_a_report(server: Server) -> None:
    done = intake("simulate", "sms", "--url", server.url, "--from", "+15555550161",
                  stdin="pothole\n123 main st\nskip\nyes\n")
    assert done.returncode == 0, done.stderr
    assert "Pothole at 123 Main St" in done.stdout and "Reference number" in done.stdout


def test_a_simulated_call_hears_the_prompts_and_ends(server: Server) -> None:
    done = intake("simulate", "call", "--url", server.url, "--from", "+15555550162",
                  stdin="1\none twenty three main street\n#\n1\n2\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Para español, oprima 2" in out and "Pothole at one twenty-three Main Street" in out
    assert "reference number" in out and "[the IVR hung up]" in out


def test_the_simulator_runs_the_service_itself_when_none_answers(tmp_path: Path) -> None:
    done = intake("simulate", "sms", "--url", "http://127.0.0.1:9", "--from", "+15555550163",
                  stdin="pothole\n", var=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "running the service in this process" in done.stdout
    assert "street address" in done.stdout


def test_replay_checks_a_recording_and_says_ok(server: Server) -> None:
    done = intake("replay", str(ROOT / "fixtures" / "sms_english.json"), "--url", server.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: sms_english.json" in done.stdout


def test_replay_with_the_wrong_token_fails_loudly(server: Server) -> None:
    done = intake("replay", str(ROOT / "fixtures" / "sms_english.json"), "--url", server.url,
                  token="not-the-token")
    assert done.returncode == 1
    assert "FAILED: sms_english.json" in done.stdout and "HTTP 403" in done.stdout


def test_replay_against_nothing_is_one_clear_line() -> None:
    done = intake("replay", str(ROOT / "fixtures" / "sms_english.json"), "--url",
                  "http://127.0.0.1:9")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot reach the service at http://127.0.0.1:9" in done.stderr


def test_the_polling_loop_stops_at_sigterm_between_passes(tmp_path: Path) -> None:
    """`intake poll --loop` as a container's PID 1: SIGTERM must end it, not be ignored."""
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "INTAKE_VAR_DIR": str(tmp_path),
           "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "poll.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "intake.cli", "poll", "--loop",
                                 "--interval", "600"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "tracked=" not in log.read_text() and proc.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert proc.poll() is None, log.read_text()  # the first pass is done: it waits 600 s
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text()  # returned, not killed by it
    finally:
        proc.kill()
        proc.wait()


def test_the_demo_server_stops_cleanly_at_sigterm(tmp_path: Path) -> None:
    """`docker stop` or `kill` ends `intake serve` like Ctrl-C does, not by being killed."""
    proc, srv = start_server(tmp_path, f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, srv.log.read_text()
        assert "open311-intake stopped" in srv.log.read_text()
    finally:
        proc.kill()
        proc.wait()
