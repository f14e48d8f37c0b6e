"""The staff file as the city's IT person meets it: check-config, a refused start, live reloads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from intake.simulate import new_sid, voice_form

from .conftest import ROOT, start_server

BROKEN = ('[city]\nagent_number = 15555550100\n'
          '[prompts.en]\ngreting = "Hello"\nfiled = "Your number is {ref}."\n'
          '[[categories]]\ncode = "GRAFFITI"\ndigit = "4"\nnames = { en = "graffiti" }\n'
          '[[categories]]\ncode = "TRASH"\ndigit = "4"\nnames = { en = "trash" }\n')


def intake(*args: str, env: dict[str, str] | None = None, timeout: float = 120
           ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "INTAKE_CONFIG"}
    return subprocess.run([sys.executable, "-m", "intake.cli", *args], text=True,
                          capture_output=True, cwd=ROOT, env={**environ, **(env or {})},
                          timeout=timeout)


def test_check_config_prints_every_problem_and_fails(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text(BROKEN)
    done = intake("check-config", str(staff))
    assert done.returncode == 1
    out = done.stdout
    assert f"{staff}:2: error: city.agent_number" in out and '"+15555550100"' in out
    assert f"{staff}:4: error: prompts.en.greting" in out and 'did you mean "greeting"' in out
    assert "{ref} is not offered" in out and "did you mean {reference}?" in out
    assert "digit 4: 'graffiti' and 'trash'" in out
    assert "4 errors" in out


def test_check_config_reads_intake_config_and_passes_a_good_file(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[city]\nname = "Springfield"\n')
    done = intake("check-config", env={"INTAKE_CONFIG": str(staff),
                                       "INTAKE_VAR_DIR": str(tmp_path / "var")})
    assert done.returncode == 0, done.stdout
    assert f"{staff}: no problems" in done.stdout
    assert intake("check-config", str(tmp_path / "nope.toml")).returncode == 1


def test_serve_refuses_a_broken_file_with_the_same_messages_and_no_traceback(
        tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text(BROKEN)
    done = intake("serve", "--port", "9", env={"INTAKE_CONFIG": str(staff),
                                               "INTAKE_VAR_DIR": str(tmp_path / "var")})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert f"{staff}:4: error: prompts.en.greting" in done.stderr
    assert "digit 4: 'graffiti' and 'trash'" in done.stderr
    assert not (tmp_path / "var" / "intake.sqlite3").exists()  # nothing was started


def _says(http: httpx.Client, url: str, path: str, form: dict[str, str]) -> str:
    from intake.webhook_client import WebhookSender

    from .conftest import TOKEN

    return WebhookSender(http, url, TOKEN).post(path, form).text


def test_a_running_server_takes_up_a_good_change_mid_call_and_keeps_on_a_bad_one(
        tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[prompts.en]\naddress = "Where is it? Say the address."\n'
                     '[prompts.es]\naddress = "¿Dónde está? Diga la dirección."\n')
    proc, server = start_server(tmp_path, f"sqlite:///{tmp_path / 'intake.sqlite3'}",
                                INTAKE_CONFIG=str(staff), CONFIG_RELOAD_SECONDS="0.2")
    try:
        with httpx.Client(timeout=20) as http:
            call = new_sid("CA")
            form = voice_form(call, "+15555550171", "+15555550311")
            assert "Welcome to Demo City" in _says(http, server.url, "/voice", form)
            said = _says(http, server.url, "/voice/answer?turn=1", {**form, "Digits": "1"})
            assert "Where is it? Say the address." in said
            # mid-call, staff re-word the address question: the same call hears the new one
            staff.write_text('[prompts.en]\naddress = "Tell me the street address, please."\n'
                             '[prompts.es]\naddress = "Dígame la dirección, por favor."\n')
            _wait_for_log(server.log, "reloaded")
            said = _says(http, server.url, "/voice/silence?turn=2", form)
            assert "Tell me the street address, please." in said
            # a broken change is logged and not used; the call goes on with the last good file
            staff.write_text('[prompts.en]\naddress = "Say the {adress}."\n')
            _wait_for_log(server.log, "has errors")
            log = server.log.read_text()
            assert "{adress} is not offered" in log and "still using the previous" in log
            other = voice_form(new_sid("CA"), "+15555550172", "+15555550311")
            assert "Welcome to Demo City" in _says(http, server.url, "/voice", other)
            said = _says(http, server.url, "/voice/answer?turn=1", {**other, "Digits": "1"})
            assert "Tell me the street address, please." in said and "{adress}" not in said
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for_log(log: Path, words: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while words not in log.read_text():
        assert time.monotonic() < deadline, f"no {words!r} in the server log:\n{log.read_text()}"
        time.sleep(0.1)


def test_the_it_person_adds_a_user_and_changes_a_password(tmp_path: Path) -> None:
    env = {"INTAKE_VAR_DIR": str(tmp_path / "var"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'intake.sqlite3'}"}

    def users(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if k != "INTAKE_CONFIG"}
        return subprocess.run([sys.executable, "-m", "intake.cli", "users", *args], text=True,
                              input=stdin, capture_output=True, cwd=ROOT,
                              env={**environ, **env}, timeout=120)

    added = users("add", "dana", "--role", "viewer", "--password-stdin",
                  stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "can now log in at /console/login" in added.stdout
    again = users("add", "dana", "--password-stdin", stdin="a long enough password\n")
    assert again.returncode == 1 and "already a user 'dana'" in again.stderr
    short = users("add", "eve", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 10" in short.stderr
    assert "dana" in users("list").stdout and "viewer" in users("list").stdout
    changed = users("passwd", "dana", "--password-stdin", stdin="another long password\n")
    assert changed.returncode == 0 and "unlocked" in changed.stdout
    assert users("passwd", "nobody", "--password-stdin", stdin="x" * 12 + "\n").returncode == 1
