"""The outbox against a separate city server on loopback (tests/city_server.py), both databases.

What a live server did to delivery: one report answered 5xx for ever (it must end, in
*needs attention*, under an accelerated clock), a stranger's request carrying our reference
(never adopted), lookups answered with nothing readable (never read as "not filed"), DRF's
404 past the last page of a lookup, an answer trickling in. Staff see it in `intake outbox`
and /healthz, and `intake outbox retry` revives it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import func, select

from intake import db
from intake.cli import main
from intake.lifecycle import DUE, ReportState
from intake.outbox import Policy, deliver_due
from intake.storage import Report
from open311_client import Open311Client
from tests.city_server import Answer, CityServer, StoringCity, city_server, trickle

from .outbox_support import (
    add_reports,
    sessions_of,
)

POLICY = Policy()  # production timings; the clock is accelerated, not the policy


@pytest.fixture
def city() -> Iterator[CityServer]:
    with city_server() as server:
        yield server


@pytest.fixture
def store(city: CityServer) -> StoringCity:
    return StoringCity(city)


@pytest.fixture
def open311(city: CityServer) -> Iterator[Open311Client]:
    with httpx.Client() as http:
        yield Open311Client(http, city.endpoint, timeout=5, deadline=3)


def run_outbox(app: Flask, client: Open311Client, *, policy: Policy = POLICY,
               until: timedelta = timedelta(days=3), passes: int = 400) -> int:
    """Delivery passes on an accelerated clock: each pass at the next report's due time."""
    sessions = sessions_of(app)
    start = db.utcnow()
    for n in range(passes):
        with sessions() as session:
            due = session.scalar(select(func.min(Report.next_attempt_at))
                                 .where(Report.status.in_(DUE)))
        if due is None or due - start > until:
            return n
        deliver_due(sessions, client, now=max(due, db.utcnow()), policy=policy)
    raise AssertionError(f"still due after {passes} passes")


def reports(app: Flask) -> dict[str, Report]:
    with sessions_of(app)() as session:
        return {r.reference: r for r in session.scalars(select(Report))}


def posts_for(city: CityServer, ref: str) -> int:
    return sum(1 for s in city.asked("requests.json")
               if s.method == "POST" and f"ref {ref}" in s.form.get("description", ""))


def cli(app: Flask, tmp_path: Path, *args: str) -> Result:
    url = db.sessions(app).kw["bind"].url.render_as_string(hide_password=False)
    env = {"DATABASE_URL": url, "INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --------------------------------------------------------------- a 5xx for ever ends


def test_a_report_answered_5xx_for_ever_ends_in_needs_attention(
        app: Flask, city: CityServer, store: StoringCity, open311: Open311Client,
        tmp_path: Path) -> None:
    doomed, fine = add_reports(app, 2)

    def refuse_doomed(a: Answer) -> bool:
        if f"ref {doomed}" not in a.request.form.get("description", ""):
            return False
        a.send(500, json.dumps({"code": 500, "detail": "Position is required for POTHOLE"}))
        return True

    store.on_post = refuse_doomed
    run_outbox(app, open311)
    got = reports(app)
    assert got[fine].status == ReportState.DELIVERED
    bad = got[doomed]
    assert bad.status == ReportState.NEEDS_ATTENTION
    assert bad.last_error and "Position is required for POTHOLE" in bad.last_error
    assert f"gave up after {bad.attempts} tries in 24 h" in bad.last_error
    assert bad.attempts > 10  # it was retried all day, with backoff, not given up at once
    # every re-POST came after a lookup that found nothing: never blindly
    gets = [s for s in city.asked("requests.json") if s.method == "GET"]
    assert posts_for(city, doomed) <= len(gets) + 1
    assert store.requests and all(f"ref {doomed}" not in r["description"]
                                  for r in store.requests)

    # staff see it, health counts it, retry revives it with a fresh day
    listed = cli(app, tmp_path, "outbox")
    assert "1 NEEDS ATTENTION" in listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith(doomed))
    assert "NEEDS ATTENTION" in line and f"tries={bad.attempts}" in line
    assert "Position is required for POTHOLE" in listed.output
    health = app.test_client().get("/healthz").get_json()
    assert health["reports_needing_attention"] == 1 and health["reports_waiting"] == 0
    revived = cli(app, tmp_path, "outbox", "retry", doomed)
    assert revived.exit_code == 0 and "looked up" in revived.output
    again = reports(app)[doomed]
    assert again.status == ReportState.UNCERTAIN and again.trying_since is None
    store.on_post = lambda a: False  # the city fixed its side
    run_outbox(app, open311)
    assert reports(app)[doomed].status == ReportState.DELIVERED
    assert sum(f"ref {doomed}" in r["description"] for r in store.requests) == 1


def test_the_give_up_time_is_the_staffs(app: Flask, store: StoringCity,
                                        open311: Open311Client) -> None:
    [ref] = add_reports(app, 1)
    store.on_post = lambda a: a.send(503, "busy", content_type="text/plain") or True
    run_outbox(app, open311, policy=Policy(give_up=timedelta(hours=2)))
    got = reports(app)[ref]
    assert got.status == ReportState.NEEDS_ATTENTION and "in 2 h" in (got.last_error or "")
    assert got.next_attempt_at - got.trying_since < timedelta(hours=3)


# --------------------------------------------------------------- who is adopted


def lose_first_answer(store: StoringCity, *, keep: bool) -> None:
    """The first POST gets a 502 (after the city stored it, if `keep`)."""
    calls = Counter[str]()

    def lossy(a: Answer) -> bool:
        calls["post"] += 1
        if calls["post"] > 1:
            return False
        if keep:
            form = a.request.form
            store.add(service_code=form["service_code"], address=form.get("address_string"),
                      lat=float(form["lat"]), long=float(form["long"]),
                      description=form["description"])
        a.send(502, "<html><title>502 Bad Gateway</title></html>", content_type="text/html")
        return True

    store.on_post = lossy


def test_a_stranger_carrying_the_reference_is_never_adopted(
        app: Flask, city: CityServer, store: StoringCity, open311: Open311Client,
        tmp_path: Path) -> None:
    [ref] = add_reports(app, 1)
    # someone who saw the reference files a request of their own mentioning it, 2 km away
    theirs = store.add(service_code="POTHOLE", lat=40.02, long=-75.0, address="9 Elm St",
                       description=f"please close mine: ref {ref}")
    lose_first_answer(store, keep=False)
    run_outbox(app, open311)
    got = reports(app)[ref]
    assert got.status == ReportState.NEEDS_ATTENTION
    assert got.service_request_id == theirs["service_request_id"]
    assert "not this report" in (got.last_error or "") and "2,224 m away" in got.last_error
    # staff look and say it is not ours: it is filed anew, under its own id
    assert cli(app, tmp_path, "outbox", "retry", ref).exit_code == 0
    run_outbox(app, open311)
    got = reports(app)[ref]
    assert got.status == ReportState.DELIVERED
    assert got.service_request_id != theirs["service_request_id"]
    assert posts_for(city, ref) == 2


def test_staff_can_adopt_a_partial_match(app: Flask, store: StoringCity,
                                         open311: Open311Client, tmp_path: Path) -> None:
    [ref] = add_reports(app, 1)
    # the city re-geocoded our request 80 m away and renamed the street: same report, to a human
    lose_first_answer(store, keep=True)
    deliver_due(sessions_of(app), open311, policy=POLICY)
    stored = store.requests[0]
    stored.update(lat=stored["lat"] + 0.0007, address="100 MAIN STREET")
    run_outbox(app, open311)
    assert reports(app)[ref].status == ReportState.NEEDS_ATTENTION
    out = cli(app, tmp_path, "outbox", "retry", ref, "--adopt")
    assert f"is now filed as {stored['service_request_id']}" in out.output
    got = reports(app)[ref]
    assert got.status == ReportState.DELIVERED
    assert got.service_request_id == stored["service_request_id"]
    assert len(store.requests) == 1


def test_our_own_request_is_adopted_even_on_page_one_of_a_drf_list(
        app: Flask, city: CityServer, store: StoringCity, open311: Open311Client) -> None:
    [ref] = add_reports(app, 1)
    lose_first_answer(store, keep=True)
    deliver_due(sessions_of(app), open311, policy=POLICY)
    store.add(service_code="POTHOLE", description="another hole")  # page 1 is full (2 of 2)
    run_outbox(app, open311, policy=Policy(lookup_page_size=2))
    got = reports(app)[ref]
    assert got.status == ReportState.DELIVERED
    assert got.service_request_id == store.requests[0]["service_request_id"]
    pages = [s.query.get("page") for s in city.asked("requests.json") if s.method == "GET"]
    assert "2" in pages  # page 2 answered DRF's 404, and page 1 was kept
    assert posts_for(city, ref) == 1


# --------------------------------------------------------------- lookups that say nothing


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}", b'{"unexpected": true}'])
def test_an_unreadable_lookup_never_means_not_filed(app: Flask, city: CityServer,
                                                    store: StoringCity, open311: Open311Client,
                                                    body: bytes) -> None:
    [ref] = add_reports(app, 1)
    lose_first_answer(store, keep=True)
    city.route("GET", "requests.json", lambda a: a.send(200, body))
    run_outbox(app, open311)
    got = reports(app)[ref]
    assert posts_for(city, ref) == 1  # never re-posted on an unreadable lookup
    assert got.status == ReportState.NEEDS_ATTENTION  # and the failing lookups end too
    assert "lookup failed" in (got.last_error or "") and "InvalidResponse" in got.last_error


def test_a_trickling_answer_ends_the_attempt_with_an_error(app: Flask, city: CityServer,
                                                            store: StoringCity,
                                                            open311: Open311Client) -> None:
    [ref] = add_reports(app, 1)
    city.route("POST", "requests.json", trickle(b'[{"service_request_id": "1"}]'))
    deliver_due(sessions_of(app), open311, policy=POLICY)
    got = reports(app)[ref]
    assert got.status == ReportState.UNCERTAIN and "not complete after 3s" in (got.last_error or "")
    assert got.next_attempt_at > db.utcnow()
