"""`intake outbox` and `intake outbox retry REF`, through click's CliRunner, on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select

from intake import db
from intake.cli import main
from intake.lifecycle import ReportState, Shown
from intake.outbox import deliver_due
from intake.storage import Report

from .outbox_support import (
    POLICY,
    add_reports,
    client,
    drain,
    filed_once,
    sessions_of,
    wsgi,
)

Run = Callable[..., Result]


@pytest.fixture
def run(app: Flask, tmp_path: Path) -> Iterator[Run]:
    url = db.sessions(app).kw["bind"].url.render_as_string(hide_password=False)
    env = {"DATABASE_URL": url, "INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield invoke


def report(app: Flask, reference: str) -> Report:
    with sessions_of(app)() as session:
        return session.scalars(select(Report).where(Report.reference == reference)).one()


def set_service(app: Flask, reference: str, code: str) -> None:
    with sessions_of(app).begin() as session:
        session.scalars(select(Report).where(Report.reference == reference)).one() \
            .service_code = code


def one_of_each_state(app: Flask) -> dict[str, str]:
    """A failed, a delivered, an uncertain, a retrying and a pending report."""
    sessions = sessions_of(app)
    [failed] = add_reports(app, 1, first=3_000_001)
    set_service(app, failed, "NO_SUCH_SERVICE")
    [delivered] = add_reports(app, 1, first=3_000_002)
    with wsgi(app) as http:
        deliver_due(sessions, client(http), policy=POLICY)
    [uncertain] = add_reports(app, 1, first=3_000_003)
    with wsgi(app, "fail-after-commit") as http:
        deliver_due(sessions, client(http), policy=POLICY)
    [retrying] = add_reports(app, 1, first=3_000_004)
    with httpx.Client() as http:  # connection refused: certainly not sent
        deliver_due(sessions, client(http, "http://127.0.0.1:9/open311/v2/"), policy=POLICY)
    [pending] = add_reports(app, 1, first=3_000_005)
    return {Shown.FAILED: failed, Shown.DELIVERED: delivered, Shown.UNCERTAIN: uncertain,
            Shown.RETRYING: retrying, Shown.PENDING: pending}


def line_of(output: str, reference: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(reference))


def test_outbox_lists_every_state_with_what_staff_need(app: Flask, run: Run) -> None:
    refs = one_of_each_state(app)
    out = run("outbox")
    assert out.exit_code == 0, out.output
    first = out.output.splitlines()[0]
    assert first == "1 FAILED, 1 checking, 1 retrying, 1 pending, 1 delivered"
    assert "FAILED" in line_of(out.output, refs[Shown.FAILED])
    assert "NO_SUCH_SERVICE" in out.output  # the server's own words for staff
    assert "checking" in line_of(out.output, refs[Shown.UNCERTAIN])
    assert Shown.RETRYING in line_of(out.output, refs[Shown.RETRYING])
    filed = report(app, refs[Shown.DELIVERED]).service_request_id
    assert f"id {filed}" in line_of(out.output, refs[Shown.DELIVERED])

    only = run("outbox", "--status", Shown.FAILED.value)
    listed = [line.split()[0] for line in only.output.splitlines()[1:]
              if line[:1].isdigit()]
    assert listed == [refs[Shown.FAILED]]


def test_outbox_with_nothing_in_it(run: Run) -> None:
    out = run("outbox")
    assert out.exit_code == 0 and out.output.strip() == "No reports."


def test_staff_retry_a_rejected_report_after_fixing_it(app: Flask, run: Run) -> None:
    [ref] = add_reports(app, 1)
    set_service(app, ref, "NO_SUCH_SERVICE")
    with wsgi(app) as http:
        drain(app, client(http))
    assert report(app, ref).status == ReportState.FAILED

    set_service(app, ref, "POTHOLE")  # staff fix what the server complained about
    out = run("outbox", "retry", ref)
    assert out.exit_code == 0 and "will be sent again" in out.output
    assert report(app, ref).status == ReportState.PENDING
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, [ref])

    again = run("outbox", "retry", ref)
    filed = report(app, ref).service_request_id
    assert again.exit_code == 0 and f"already filed as {filed}" in again.output


def test_retry_of_a_report_that_may_be_filed_looks_it_up_first(app: Flask, run: Run) -> None:
    [ref] = add_reports(app, 1)
    with wsgi(app, "fail-after-commit") as http:  # stored, but the answer was a 500
        deliver_due(sessions_of(app), client(http), policy=POLICY)
    with sessions_of(app).begin() as session:  # as if a later attempt had been refused
        session.scalars(select(Report)).one().status = ReportState.FAILED
    out = run("outbox", "retry", ref)
    assert out.exit_code == 0 and "looked up" in out.output
    assert report(app, ref).status == ReportState.UNCERTAIN
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, [ref])


def test_retry_of_an_unknown_reference_says_so(run: Run) -> None:
    out = run("outbox", "retry", "0000000")
    assert out.exit_code == 1 and "no report with reference 0000000" in out.output
