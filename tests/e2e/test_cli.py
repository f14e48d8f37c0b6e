"""The terminal commands a newcomer uses: `intake simulate` and `intake replay`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, TOKEN, Server


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
