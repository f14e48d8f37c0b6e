"""The outbox against every sandbox fault mode, on SQLite and PostgreSQL: each report filed once.

The sandbox is the app's own (same database), so a test can count what the "city" stored:
`filed_once` reads every sandbox request, finds our "ref NNNNNNN" in its description and
checks that each confirmed report is there exactly once, under the id the report holds.
Waiting for backoff is skipped by handing `deliver_due` the time of the next due report.
Timeouts need a real socket: `serve` runs the app on loopback in a thread.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

import intake.sandbox.models  # noqa: F401
from intake import db
from intake.lifecycle import ReportState
from intake.outbox import deliver_due, description_for
from intake.sandbox import FAULT_HEADER
from intake.storage import Report
from tests.needs import unavailable

from .outbox_support import (
    DATA,
    POLICY,
    MakeApp,
    add_reports,
    client,
    confirm_by_text,
    drain,
    filed_counts,
    filed_once,
    serve,
    sessions_of,
    statuses,
    wsgi,
)

# -- every fault mode, with a share of calls failing after (or before) the request is stored --

IN_PROCESS_MODES = [
    pytest.param("json", "token-only,fail-after-commit,fail-share=0.3", 8, id="token-only"),
    pytest.param("xml", "xml-only,fail-after-commit,fail-share=0.3", 8, id="xml-only"),
    pytest.param("json", "cap=50,fail-after-commit,fail-share=0.3", 60, id="cap-50"),
    pytest.param("json", "fail-share=0.4", 8, id="500-before-commit"),
    pytest.param("json", "fail=503,fail-share=0.4", 8, id="503-gateway-page"),
    pytest.param("json", "fail-after-commit,fail-share=0.4", 8, id="500-after-commit"),
    pytest.param("json", "latency=0.01,fail-after-commit,fail-share=0.3", 8, id="latency"),
]


@pytest.mark.parametrize(("fmt", "fault", "n"), IN_PROCESS_MODES)
def test_every_report_is_filed_exactly_once(app: Flask, fmt: str, fault: str, n: int) -> None:
    refs = add_reports(app, n)
    with wsgi(app, fault) as http:
        drain(app, client(http, format=fmt))
    filed_once(app, refs)


def test_timeouts_after_the_request_is_stored_file_it_once(app: Flask) -> None:
    refs = add_reports(app, 8)
    with serve(app) as url, httpx.Client(headers={FAULT_HEADER: "timeout=0.6,timeout-share=0.4"}
                                         ) as http:
        drain(app, client(http, url, timeout=0.2))
    filed_once(app, refs)


def test_timeouts_with_latency_and_500s_over_http(app: Flask) -> None:
    refs = add_reports(app, 6)
    fault = "latency=0.02,timeout=0.5,timeout-share=0.2,fail-after-commit,fail-share=0.2"
    with serve(app) as url, httpx.Client(headers={FAULT_HEADER: fault}) as http:
        drain(app, client(http, url, format="xml", timeout=0.2))
    filed_once(app, refs)


def test_a_report_confirmed_by_text_survives_a_lost_answer(app: Flask) -> None:
    ref = confirm_by_text(app, "SMfo")
    with wsgi(app, "fail-after-commit") as http:
        deliver_due(sessions_of(app), client(http), policy=POLICY)
    assert statuses(app) == Counter({ReportState.UNCERTAIN: 1}) and filed_counts(app)[ref] == 1
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, [ref])


def test_two_workers_under_faults_never_file_twice(app: Flask) -> None:
    refs = add_reports(app, 12)
    with wsgi(app, "fail-after-commit,fail-share=0.3") as http:
        open311 = client(http)
        workers = [threading.Thread(target=drain, args=(app, open311)) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    filed_once(app, refs)


def test_a_drain_waits_for_another_drains_lease_instead_of_skipping_it(app: Flask) -> None:
    """The harness: skipping waits never skips a lease another thread holds while it posts."""
    refs = add_reports(app, 1)
    posting, answer = threading.Event(), threading.Event()

    def slow_first_post(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and not posting.is_set():
            posting.set()
            answer.wait(10)  # the POST has not reached the city yet
        return None

    with city(app, slow_first_post) as slow, wsgi(app) as http:
        first = threading.Thread(target=drain, args=(app, client(slow)))
        first.start()
        assert posting.wait(10)
        second = threading.Thread(target=drain, args=(app, client(http)))
        second.start()
        second.join(0.5)  # ample time to post it again, if it jumped past the lease
        answer.set()
        first.join()
        second.join()
    filed_once(app, refs)


# -- the lookup, step by step ------------------------------------------------------------


def test_an_unanswered_post_is_looked_up_and_never_posted_while_lookups_fail(app: Flask) -> None:
    refs = add_reports(app, 3)
    sessions = sessions_of(app)
    with wsgi(app, "fail-after-commit") as http:
        deliver_due(sessions, client(http), policy=POLICY)
    assert statuses(app) == Counter({ReportState.UNCERTAIN: 3})
    with wsgi(app, "fail") as http:  # the server is down: lookups fail, nothing is re-posted
        for _ in range(3):
            deliver_due(sessions, client(http), policy=POLICY, now=db.utcnow() + POLICY.retry_cap)
    assert statuses(app) == Counter({ReportState.UNCERTAIN: 3})
    assert filed_counts(app) == Counter({ref: 1 for ref in refs})
    with sessions() as session:
        errors = session.scalars(select(Report.last_error)).all()
    assert all(e and e.startswith("lookup failed, not posting") for e in errors)
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, refs)


def test_an_empty_lookup_waits_for_the_server_to_settle(app: Flask) -> None:
    [ref] = add_reports(app, 1)
    with wsgi(app, "fail-after-commit") as http:
        deliver_due(sessions_of(app), client(http), policy=POLICY)
    with sessions_of(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.sent_until is not None
    assert report.next_attempt_at >= report.sent_until + POLICY.settle
    with sessions_of(app).begin() as session:  # due early, as after a dead worker's lease
        session.scalars(select(Report)).one().next_attempt_at = report.sent_until
    with wsgi(app) as http:
        deliver_due(sessions_of(app), client(http), policy=POLICY,
                    now=report.sent_until + POLICY.settle / 2)
    with sessions_of(app)() as session:
        again = session.scalars(select(Report)).one()
    assert again.status == ReportState.UNCERTAIN and again.service_request_id is None
    assert again.next_attempt_at >= report.sent_until + POLICY.settle
    assert filed_counts(app)[ref] == 1


def test_a_post_that_never_left_is_sent_again_without_a_lookup(app: Flask) -> None:
    refs = add_reports(app, 2)
    with httpx.Client() as http:  # nothing listens on port 9 (discard): connection refused
        deliver_due(sessions_of(app), client(http, "http://127.0.0.1:9/open311/v2/"),
                    policy=POLICY)
    with sessions_of(app)() as session:
        reports = session.scalars(select(Report)).all()
    assert {(r.status, r.attempts, r.sent_from) for r in reports} == {
        (ReportState.PENDING, 1, None)}
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, refs)


def test_a_worker_that_dies_mid_post_leaves_it_uncertain(app: Flask) -> None:
    refs = add_reports(app, 1)
    inner = httpx.WSGITransport(app=app)

    def crash_after_sending(request: httpx.Request) -> httpx.Response:
        inner.handle_request(request)
        raise RuntimeError("worker killed while waiting for the answer")

    with httpx.Client(transport=httpx.MockTransport(crash_after_sending)) as http:
        with pytest.raises(RuntimeError):
            deliver_due(sessions_of(app), client(http), policy=POLICY)
    assert statuses(app) == Counter({ReportState.UNCERTAIN: 1})
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, refs)


# -- Boston's duplicate answer -------------------------------------------------------------


def boston_duplicate() -> httpx.Response:
    path = DATA / "node-open311" / "boston-err-submitrequest-base_is_duplicate.xml"
    if not path.exists():
        unavailable(f"recorded Boston body not found at {path}")
    return httpx.Response(400, content=path.read_bytes(),
                          headers={"Content-Type": "text/xml; charset=utf-8"})


Route = Callable[[httpx.Request], httpx.Response | None]


def city(app: Flask, route: Route) -> httpx.Client:
    """The sandbox, except where `route` answers a request itself."""
    inner = httpx.WSGITransport(app=app)

    def handle(request: httpx.Request) -> httpx.Response:
        answer = route(request)
        if answer is not None:
            request.read()
            return answer
        return inner.handle_request(request)

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_boston_duplicate_answer_means_look_it_up(app: Flask) -> None:
    refs = add_reports(app, 1)
    calls: Counter[str] = Counter()

    def lagging_boston(request: httpx.Request) -> httpx.Response | None:
        calls[request.method] += 1
        if request.method == "POST" and calls["POST"] == 1:
            request.headers[FAULT_HEADER] = "fail-after-commit"  # stored, answer lost
        elif request.method == "GET" and calls["GET"] == 1:
            return httpx.Response(200, json=[])  # the server does not list it yet
        elif request.method == "POST":
            return boston_duplicate()
        return None

    with city(app, lagging_boston) as http:
        drain(app, client(http))
    assert calls["POST"] == 2 and calls["GET"] >= 2
    filed_once(app, refs)


def test_a_duplicate_of_someone_elses_request_waits_for_staff(app: Flask) -> None:
    add_reports(app, 1)

    def boston(request: httpx.Request) -> httpx.Response | None:
        return boston_duplicate() if request.method == "POST" else None

    with city(app, boston) as http:
        drain(app, client(http))
    with sessions_of(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.status == ReportState.FAILED and "duplicate" in (report.last_error or "")
    assert filed_counts(app) == Counter()


def test_a_list_that_may_be_cut_short_never_counts_as_not_found(make_app: MakeApp) -> None:
    moment = db.utcnow()  # every request stored in the same second: halving cannot help
    app = make_app(clock=lambda: moment)
    refs = add_reports(app, 60)
    with wsgi(app, "fail-after-commit") as http:
        deliver_due(sessions_of(app), client(http), policy=POLICY)
    assert statuses(app) == Counter({ReportState.UNCERTAIN: 60})
    # capped at 50 and read one page only: the newest 50 are found, the rest stay in doubt
    with wsgi(app, "cap=50") as http:
        deliver_due(sessions_of(app), client(http, max_pages=1), policy=POLICY,
                    now=db.utcnow() + POLICY.retry_cap)
    assert statuses(app) == Counter({ReportState.DELIVERED: 50, ReportState.UNCERTAIN: 10})
    with sessions_of(app)() as session:
        errors = set(session.scalars(select(Report.last_error)
                                     .where(Report.status == ReportState.UNCERTAIN)).all())
    assert errors and all("may be cut short" in str(e) for e in errors)
    assert filed_counts(app) == Counter({ref: 1 for ref in refs})
    with wsgi(app, "cap=50") as http:  # paging through the capped list finds the rest
        drain(app, client(http))
    filed_once(app, refs)


def test_the_reference_survives_the_description_limit(app: Flask) -> None:
    [ref] = add_reports(app, 1)
    with sessions_of(app).begin() as session:
        session.scalars(select(Report)).one().description = "word " * 2000
    with sessions_of(app)() as session:
        text = description_for(session.scalars(select(Report)).one())
    assert len(text) <= 4000 and text.endswith(f"ref {ref}.)")
    with wsgi(app) as http:
        drain(app, client(http))
    filed_once(app, [ref])
