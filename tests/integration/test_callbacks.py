"""A caller whose transfer is not answered asks for a call back: staff see it and mark it done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from conversation import Inbound, Said, TransferEnded
from intake import db
from intake.app import create_app
from intake.cli import main
from intake.settings import Settings
from intake.storage import CallbackRequest, Report
from tests.databases import BACKENDS, database_url

CALLER = "+15555550188"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    with database_url(request.param, tmp_path) as url:
        env = {"DATABASE_URL": url, "INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t"}
        flask_app = create_app(Settings.from_env(env))
        yield flask_app, env
        db.sessions(flask_app).kw["bind"].dispose()


def call(flask_app: Flask, turn: str, event: object) -> str:
    intake = flask_app.extensions["intake"]
    reply = intake.handle(Inbound("voice", "CAcallback1", f"CAcallback1:{turn}", event,  # type: ignore[arg-type]
                                  phone=CALLER, city_number="+15555550311"))
    wording = intake.config.wording("voice")
    return " ".join(wording.text(reply.lang, a) for a in reply.actions if hasattr(a, "prompt"))


def test_a_busy_agent_line_ends_in_a_filed_report_and_a_callback_staff_can_see(
        app: tuple[Flask, dict[str, str]]) -> None:
    flask_app, env = app
    call(flask_app, "start", None)
    call(flask_app, "1", Said("1", "dtmf"))  # pothole
    call(flask_app, "2", Said("123 main street", "speech"))
    assert "connect you to a person" in call(flask_app, "3", Said("0", "dtmf"))
    assert "call you back" in call(flask_app, "dial:4", TransferEnded("busy"))
    said = call(flask_app, "5", Said("2", "dtmf"))
    assert "Your report is filed" in said and "call you back" in said
    with db.sessions(flask_app)() as session:
        [wanted] = session.scalars(select(CallbackRequest)).all()
        report = session.scalars(select(Report)).one()
    assert wanted.phone == CALLER and wanted.reference == report.reference
    assert report.address == "123 Main St"

    runner = CliRunner()
    listed = runner.invoke(main, ["callbacks"], env=env)
    assert listed.exit_code == 0, listed.output
    assert CALLER in listed.output and f"report {report.reference}" in listed.output
    done = runner.invoke(main, ["callbacks", "done", str(wanted.id)], env=env)
    assert done.exit_code == 0 and "handled" in done.output
    assert "No callbacks waiting" in runner.invoke(main, ["callbacks"], env=env).output
    assert "handled" in runner.invoke(main, ["callbacks", "--all"], env=env).output
    missing = runner.invoke(main, ["callbacks", "done", "999"], env=env)
    assert missing.exit_code != 0 and "no callback #999" in missing.output
