"""Status texts on SQLite and PostgreSQL: the sandbox workflow end to end, keywords, callbacks.

Texts are filed through the real signed SMS webhook, delivered to the built-in sandbox by the
real outbox, moved along by the sandbox's workflow clock (controlled here), read back by the
poller in batches and sent by a console sender whose output the tests read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

import sms
from intake import db
from intake.app import OUTBOX, create_app
from intake.lifecycle import TextState
from intake.messaging import TEXTS, Messaging
from intake.outbox import deliver_due
from intake.settings import Settings
from intake.storage import OutboundTextRow, Report, StatusChange
from intake.texts import QuietHours, send_due
from intake.webhook_client import WebhookSender
from tests.databases import BACKENDS, database_url

CITY = "+15555550311"
ALICE = "+15555550101"
BOB = "+15555550102"
NOON = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)  # noon in Chicago


@dataclass
class Clock:
    now: datetime = NOON

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    app: Flask
    clock: Clock
    webhooks: WebhookSender
    printed: io.StringIO
    sids: list[str] = field(default_factory=list)

    @property
    def messaging(self) -> Messaging:
        return self.app.extensions[TEXTS]

    def text(self, body: str, phone: str = ALICE) -> str:
        sid = f"SM{len(self.sids):032d}"
        self.sids.append(sid)
        form = {"From": phone, "To": CITY, "Body": body, "MessageSid": sid,
                "AccountSid": "AC" + "1" * 32}
        return self.webhooks.post("/sms", form).text

    def file_pothole(self, phone: str = ALICE) -> str:
        for body in ("pothole", "123 main st", "skip", "yes"):
            answer = self.text(body, phone)
        worker = self.app.extensions[OUTBOX]
        assert deliver_due(worker.sessions, worker.client) == 1
        with db.sessions(self.app)() as session:
            return session.scalars(select(Report.reference).where(Report.phone == phone)
                                   .order_by(Report.id.desc())).first() or answer

    def poll(self) -> int:
        result = self.messaging.poller.poll_once(self.clock.now)
        return result.texts

    def send(self) -> list[str]:
        before = self.printed.tell()
        send_due(db.sessions(self.app), self.messaging.sender, "http://localhost",
                 now=self.clock.now)
        self.printed.seek(before)
        out = self.printed.read()
        return [block.split("---\n", 1)[1] for block in out.split("\n---\n") if "---\n" in block]

    def texts(self, phone: str = ALICE) -> list[OutboundTextRow]:
        with db.sessions(self.app)() as session:
            return list(session.scalars(select(OutboundTextRow)
                                        .where(OutboundTextRow.phone == phone)
                                        .order_by(OutboundTextRow.id)))


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    from intake.sandbox import SandboxConfig

    clock = Clock()
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": "t", "POLL_BATCH_SIZE": "2"})
        app = create_app(settings, sandbox=SandboxConfig(clock=clock, step_seconds=60))
        printed = io.StringIO()
        app.extensions[TEXTS].sender = sms.ConsoleSender(printed)
        http = httpx.Client(transport=httpx.WSGITransport(app=app))
        yield World(app, clock, WebhookSender(http, "http://localhost", "t"), printed)
        http.close()
        db.sessions(app).kw["bind"].dispose()


def test_one_text_per_change_until_closed(world: World) -> None:
    reference = world.file_pothole()
    assert world.poll() == 0  # just filed: nothing new to tell
    world.clock.now += timedelta(seconds=61)
    assert world.poll() == 0  # the city acknowledging it only repeats "your report is filed"
    texts = []
    for _ in range(2):  # in progress, closed
        world.clock.now += timedelta(seconds=61)
        assert world.poll() == 1
        assert world.poll() == 0  # the same answer again is not a change
        texts += world.send()
    assert len(texts) == 2
    for text in texts:  # each text stands alone: what, where, which reference
        assert text.startswith(
            f"Demo City 311: your pothole report at 123 Main St (ref {reference})")
    assert "is now closed. City note: \"" in texts[-1] and "in progress" not in texts[-1]
    assert all(sms.segments(t) <= 2 and sms.encoding(t) == sms.GSM7 for t in texts)
    world.clock.now += timedelta(hours=1)
    assert world.poll() == 0  # closed: no longer polled
    with db.sessions(world.app)() as session:
        assert len(session.scalars(select(StatusChange)).all()) == 3


def test_a_spanish_texter_gets_the_labels_in_spanish_and_the_citys_note_as_given(
        world: World) -> None:
    for body in ("Hola, hay un bache", "123 main st", "omitir", "si"):
        world.text(body, ALICE)
    worker = world.app.extensions[OUTBOX]
    assert deliver_due(worker.sessions, worker.client) == 1
    world.poll()
    world.clock.now += timedelta(seconds=61)
    world.poll()
    world.clock.now += timedelta(seconds=61)
    assert world.poll() == 1
    [text] = world.send()
    assert text.startswith("311 de Demo City: su reporte de bache en 123 Main St (ref ")
    assert "ahora esta" in text and 'Nota de la ciudad: "' in text


def test_stop_cancels_waiting_texts_and_queues_no_more(world: World) -> None:
    world.file_pothole()
    world.clock.now += timedelta(seconds=61)
    world.poll()
    world.clock.now += timedelta(seconds=61)
    assert world.poll() == 1
    assert "<Message>" not in world.text("STOP")
    assert [t.status for t in world.texts()] == [TextState.CANCELED]
    assert world.send() == []
    world.clock.now += timedelta(seconds=200)
    assert world.poll() == 0 and world.send() == []  # closed while opted out: no text
    assert "texts again" in world.text("START")


def test_yes_is_an_answer_unless_the_number_opted_out(world: World) -> None:
    world.text("pothole")
    world.text("123 main st")
    assert "Reply YES" in world.text("skip")  # the read-back
    assert "filed" in world.text("yes")  # the conversation took it as an answer
    world.text("STOPALL")
    assert "texts again" in world.text("Yes")


def test_status_answers_only_the_senders_own_reports(world: World) -> None:
    reference = world.file_pothole()
    answer = world.text(f"STATUS {reference}")
    assert reference in answer and "123 Main" in answer and "open" in answer
    assert reference in world.text(reference)  # just the number
    refused = world.text(f"status {reference}", phone=BOB)
    assert "no report" in refused and "Main" not in refused
    mine = world.text("MY REQUESTS")
    assert reference in mine and "pothole" in mine
    assert "no open reports" in world.text("my requests", phone=BOB)


def test_help_outside_and_inside_a_conversation(world: World) -> None:
    assert "STATUS" in world.text("HELP", phone=BOB)
    world.text("pothole", phone=BOB)
    inside = world.text("help", phone=BOB)  # explains the question being asked
    assert "house number and street" in inside and "What is the street address?" in inside


def test_quiet_hours_hold_status_texts_until_morning(world: World) -> None:
    world.file_pothole()
    world.clock.now += timedelta(seconds=61)
    world.poll()  # acknowledged: not texted
    world.clock.now = NOON.replace(hour=4) + timedelta(days=1)  # 23:00 in Chicago
    assert world.poll() == 1
    assert world.send() == []
    waiting = world.texts()[0]
    assert waiting.not_before == datetime(2026, 6, 2, 13, 0, tzinfo=UTC)  # 08:00 Chicago
    world.clock.now = waiting.not_before
    assert len(world.send()) == 1


def test_delivery_callbacks_out_of_order_never_go_back(world: World) -> None:
    world.file_pothole()
    world.clock.now += timedelta(seconds=61)
    world.poll()
    world.clock.now += timedelta(seconds=61)
    world.poll()
    world.send()
    text = world.texts()[0]
    assert text.status == TextState.SENT and text.message_sid
    for status in (TextState.DELIVERED, TextState.SENT, TextState.QUEUED):
        answer = world.webhooks.http.post(
            world.webhooks.url(f"/sms/status?text={text.id}"),
            data={"MessageSid": text.message_sid, "MessageStatus": status},
            headers={"X-Twilio-Signature": world.webhooks.validator.compute_signature(
                world.webhooks.url(f"/sms/status?text={text.id}"),
                {"MessageSid": text.message_sid, "MessageStatus": status})},
        )
        assert answer.status_code == 204
    assert world.texts()[0].status == TextState.DELIVERED


def test_unsubscribed_error_on_send_records_an_opt_out(world: World) -> None:
    world.file_pothole()
    world.clock.now += timedelta(seconds=61)
    world.poll()
    world.clock.now += timedelta(seconds=61)
    world.poll()

    class Refusing:
        def send(self, text: sms.OutboundText) -> sms.Sent:
            return sms.Sent(False, http_status=400, error_code=sms.UNSUBSCRIBED,
                            error="Attempt to send to unsubscribed recipient")

    send_due(db.sessions(world.app), Refusing(), "http://localhost", now=world.clock.now)
    assert [t.status for t in world.texts()] == [TextState.FAILED]
    world.clock.now += timedelta(seconds=61)
    assert world.poll() == 0  # opted out now


def test_quiet_hours_parse_and_cross_midnight() -> None:
    quiet = QuietHours.parse("21:00-08:00", "America/Chicago")
    assert quiet.quiet(datetime(2026, 1, 1, 4, 0, tzinfo=UTC))  # 22:00 local
    assert not quiet.quiet(datetime(2026, 1, 1, 18, 0, tzinfo=UTC))  # noon local
    assert not QuietHours.parse("off", "UTC").quiet(datetime(2026, 1, 1, 3, tzinfo=UTC))
    with pytest.raises(ValueError, match="QUIET_HOURS"):
        QuietHours.parse("late", "UTC")


def city_changes(world: World, reference: str, status: str, note: str) -> None:
    """The city's staff change a request on their server (here: the sandbox's tables)."""
    from sqlalchemy import update

    from intake.sandbox import SandboxRequest

    with db.sessions(world.app).begin() as session:
        request_id = session.scalar(select(Report.service_request_id)
                                    .where(Report.reference == reference))
        session.execute(update(SandboxRequest)
                        .where(SandboxRequest.service_request_id == request_id)
                        .values(status=status, status_notes=note,
                                updated_datetime=world.clock.now))


def test_a_closed_request_that_reopens_is_tracked_and_texted_again(world: World) -> None:
    reference = world.file_pothole()
    for _ in range(3):  # acknowledged, in progress, closed
        world.clock.now += timedelta(seconds=61)
        world.poll()
    assert "is now closed" in world.send()[-1]
    city_changes(world, reference, "open", "Reopened: the patch sank again.")
    world.clock.now += timedelta(minutes=5)
    assert world.poll() == 0  # closed requests are asked about hourly, not every minute
    world.clock.now += timedelta(hours=1)
    assert world.poll() == 1
    (text,) = world.send()
    assert text.startswith(f"Demo City 311: your pothole report at 123 Main St (ref {reference})"
                           " is now reopened. City note: \"Reopened: the patch sank again.\"")
    assert "123 Main St): open. City note" in world.text(f"STATUS {reference}")
    city_changes(world, reference, "closed", "Patched for good.")
    world.clock.now += timedelta(seconds=61)
    assert world.poll() == 1  # tracked again at the usual pace
    assert "is now closed. City note: \"Patched for good.\"" in world.send()[-1]
    city_changes(world, reference, "open", "Reopened much later.")
    world.clock.now += timedelta(days=31)
    assert world.poll() == 0 and world.send() == []  # closed a month ago: no longer asked


def test_a_citys_check_mark_and_curly_quotes_reach_the_resident_plainly(world: World) -> None:
    reference = world.file_pothole()
    world.poll()
    city_changes(world, reference, "closed", "Filled ✓ — “thanks for reporting”")
    world.clock.now += timedelta(seconds=1)
    assert world.poll() == 1
    (text,) = world.send()
    assert text.endswith('City note: "Filled - "thanks for reporting"."')
    assert sms.encoding(text) == sms.GSM7 and sms.segments(text) == 1


def test_a_note_in_another_script_is_sent_as_written_within_two_segments(world: World
                                                                        ) -> None:
    reference = world.file_pothole()
    world.poll()
    city_changes(world, reference, "closed", "Яму заделали, спасибо. " * 8)
    world.clock.now += timedelta(seconds=1)
    assert world.poll() == 1
    (text,) = world.send()
    assert f"(ref {reference}) is now closed. City note: \"Яму заделали" in text
    assert sms.encoding(text) == sms.UCS2 and sms.segments(text) == 2 and text.endswith("...")


def test_two_pollers_reading_the_same_change_record_and_text_it_once(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second poller records a change between the first one's read and its write: the
    first one's guarded write finds the version moved and neither records nor texts it."""
    import intake.poller as poller_module

    if db.sessions(world.app).kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite lets one writer in at a time: a stale reader's write is refused")
    world.file_pothole()
    first = world.messaging.poller
    second = poller_module.Poller(first.sessions, first.client, first.staff, first.quiet,
                                  batch_size=first.batch_size)
    for _ in range(2):  # acknowledged (not texted), then in progress (texted)
        world.clock.now += timedelta(seconds=61)
        read = poller_module._watches
        raced: list[int] = []

        def stale_read(session, report_ids, read=read, raced=raced):  # type: ignore[no-untyped-def]
            rows = read(session, report_ids)
            if not raced:  # the first poller has read; the second one runs to its commit
                raced.append(0)
                raced[0] = second.poll_once(world.clock.now).changes
            return rows

        monkeypatch.setattr(poller_module, "_watches", stale_read)
        late = first.poll_once(world.clock.now)
        monkeypatch.setattr(poller_module, "_watches", read)
        assert raced == [1] and late.changes == 0 and late.texts == 0
    assert len(world.send()) == 1
    with db.sessions(world.app)() as session:
        assert [c.version for c in session.scalars(select(StatusChange))] == [1, 2]
