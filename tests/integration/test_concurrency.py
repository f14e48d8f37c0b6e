"""Concurrent webhooks of one conversation, and several workers on one queue (SQLite and PG).

Texts race each other through the real `Intake.handle` from threads, on the real databases:
one report per conversation, every text answered (the later ones are added to the report or
told its reference), no apology. Workers claim reports and texts with SKIP LOCKED.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select

import sms
from conversation import Inbound, Reply, Said
from intake import db
from intake.lifecycle import TextState
from intake.outbox import DEFAULT_POLICY, claim
from intake.storage import ConversationRow, OutboundTextRow, Report
from intake.texts import TextKind, queue_text, send_due
from tests.databases import BACKENDS, intake_app

CITY = "+15555550311"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with intake_app(request.param, tmp_path) as application:
        yield application


def text_in(app: Flask, sid: str, body: str, phone: str) -> str:
    intake = app.extensions["intake"]
    reply: Reply = intake.handle(Inbound("sms", f"{phone}|{CITY}", sid, Said(body), phone=phone,
                                         city_number=CITY, text=body))
    wording = intake.config.wording("sms")
    return " ".join(wording.text(reply.lang, a) for a in reply.actions if hasattr(a, "prompt"))


def at_once(calls: list[Callable[[], str]]) -> list[str]:
    """Run the calls in threads released together; an exception fails the test."""
    gate = threading.Barrier(len(calls))
    answers: list[str] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], str]) -> None:
        gate.wait()
        try:
            answers.append(call())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return answers


def to_confirmation(app: Flask, phone: str) -> None:
    """The report is complete; the next "yes" files it."""
    for n, body in enumerate(["pothole", "123 main st", "deep"]):
        text_in(app, f"SM{phone}-{n}", body, phone)


def reports_of(app: Flask, phone: str) -> list[Report]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(Report).where(Report.phone == phone)))


FILED = "Reference number"
LATER = ("Added to your report", "already filed")


def test_a_double_yes_files_one_report(app: Flask) -> None:
    """A resident's "yes" sent twice at once (two MessageSids): one filing, one reminder."""
    for phone in [f"+1555555{n:04d}" for n in range(6)]:
        to_confirmation(app, phone)
        answers = at_once([lambda w=w, n=n, p=phone: text_in(app, f"SM{p}-y{n}", w, p)
                           for n, w in enumerate(["yes", "Yes!"])])
        (report,) = reports_of(app, phone)
        assert sorted("already filed" in a for a in answers) == [False, True], answers
        assert all(f"{FILED}: {report.reference}" in a for a in answers), answers
        assert report.description == "deep"


def test_texts_racing_after_the_yes_are_added_or_answered(app: Flask) -> None:
    """"yes" and nine more texts at once: one report; each text that came after the filing
    is in its description (if it was still waiting) or answered with its reference."""
    words = ["yes"] + [f"detail {n}" for n in range(9)]
    for phone in [f"+1555556{n:04d}" for n in range(4)]:
        to_confirmation(app, phone)
        answers = at_once([lambda w=w, n=n, p=phone: text_in(app, f"SM{p}-d{n}", w, p)
                           for n, w in enumerate(words)])
        assert len(answers) == len(words) and all(a.strip() for a in answers), answers
        reports = reports_of(app, phone)
        assert len(reports) <= 1, answers
        if reports:
            added = sum("Added to your report" in a for a in answers)
            assert sum(w in (reports[0].description or "") for w in words[1:]) >= added


def test_first_texts_racing_open_one_conversation(app: Flask) -> None:
    phone = "+15555550900"
    answers = at_once([lambda n=n: text_in(app, f"SMfirst{n}", "hello", phone) for n in range(10)])
    assert len(answers) == 10 and all(a.strip() for a in answers)
    with db.sessions(app)() as session:
        rows = session.scalars(select(ConversationRow).where(ConversationRow.phone == phone)).all()
    assert sum(r.is_open for r in rows) <= 1
    assert sum(r.turn for r in rows) == 10  # every text was applied once, none lost


def test_a_storm_of_residents_reuses_database_connections(app: Flask) -> None:
    """Ten residents texting at once, round after round, are served by the connections the
    first round opened: none is opened (a PostgreSQL backend started) per webhook."""
    engine = db.sessions(app).kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite opens no server connections")
    opened: list[object] = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    words = ["pothole", "123 main st", "deep", "no"]
    for turn, body in enumerate(words):
        answers = at_once([lambda n=n, body=body, turn=turn: text_in(
            app, f"SMpool{n}-{turn}", body, f"+155555508{n:02d}") for n in range(10)])
        assert all(a.strip() for a in answers)
        if turn == 0:
            first_round = len(opened)
    assert first_round <= 10
    assert len(opened) == first_round, f"{len(opened) - first_round} connections opened later"


def test_a_text_long_after_the_filing_starts_a_new_report(app: Flask) -> None:
    phone = "+15555550901"
    to_confirmation(app, phone)
    assert FILED in text_in(app, "SMlate0", "yes", phone)
    with db.sessions(app).begin() as session:
        report = session.scalars(select(Report).where(Report.phone == phone)).one()
        report.created_at = db.utcnow() - timedelta(minutes=10)
    again = text_in(app, "SMlate1", "hello again", phone)
    assert "report a problem" in again and not any(s in again for s in LATER)


def test_a_text_after_delivery_is_told_the_reference(app: Flask) -> None:
    phone = "+15555550902"
    to_confirmation(app, phone)
    text_in(app, "SMdone0", "yes", phone)
    (report,) = reports_of(app, phone)
    with db.sessions(app).begin() as session:  # a worker has it
        session.get_one(Report, report.id).next_attempt_at = db.utcnow() + timedelta(minutes=2)
    answer = text_in(app, "SMdone1", "by the school", phone)
    assert "already filed" in answer and report.reference in answer
    assert reports_of(app, phone)[0].description == "deep"
    assert text_in(app, "SMdone2", "Thanks!", phone) == ""


def test_claims_skip_a_report_another_worker_holds(app: Flask) -> None:
    if db.sessions(app).kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is no row lock to skip")
    for n in range(2):
        to_confirmation(app, f"+1555555095{n}")
        text_in(app, f"SMskip{n}", "yes", f"+1555555095{n}")
    sessions = db.sessions(app)
    with sessions.begin() as holder:
        first = holder.scalar(select(Report.id).order_by(Report.next_attempt_at).limit(1)
                              .with_for_update())
        done: list[Report | None] = []
        other = threading.Thread(target=lambda: done.append(
            claim(sessions, db.utcnow(), DEFAULT_POLICY)))
        other.start()
        other.join(timeout=20)
        assert not other.is_alive(), "claim waited for the locked report instead of skipping it"
        assert done[0] is not None and done[0].id != first
    # once the first worker lets go, the report it held is claimable, and only it is left
    again = claim(sessions, db.utcnow(), DEFAULT_POLICY)
    assert again is not None and again.id == first
    assert claim(sessions, db.utcnow(), DEFAULT_POLICY) is None


def test_several_senders_send_each_text_once(app: Flask) -> None:
    sessions = db.sessions(app)
    with sessions.begin() as session:
        for n in range(40):
            queue_text(session, f"+1555555{n:04d}", CITY, f"Test text {n:04d}.", "en",
                       TextKind.STATUS)
    out = io.StringIO()
    sender = sms.ConsoleSender(out)
    sent = at_once([lambda: str(send_due(sessions, sender, "http://localhost"))
                    for _ in range(4)])
    assert sum(int(s) for s in sent) == 40
    printed = out.getvalue()
    assert all(printed.count(f"Test text {n:04d}.") == 1 for n in range(40))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboundTextRow)
                              .where(OutboundTextRow.status == TextState.SENT)) == 40
