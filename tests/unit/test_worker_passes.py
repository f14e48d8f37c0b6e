"""A background pass that keeps failing the same way is logged in full once, not every pass."""

from __future__ import annotations

import logging
import threading

import pytest

from intake.worker import Periodic


class Flaky(Periodic):
    """Fails with each of `failures` in turn, then works; tells the test when it has worked."""

    def __init__(self, failures: list[Exception]) -> None:
        super().__init__("flaky", interval=0.001)
        self.failures = failures
        self.worked = threading.Event()

    def run_once(self) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.worked.set()


def run_until_it_works(worker: Flaky) -> None:
    worker.start()
    assert worker.worked.wait(10)
    worker.stop()
    worker.join(10)


def test_a_repeated_failure_is_logged_in_full_once_and_its_end_is_said(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="intake.worker")
    run_until_it_works(Flaky([ConnectionError("down")] * 5))
    records = [r for r in caplog.records if r.name == "intake.worker"]
    assert [r.exc_info is not None for r in records[:5]] == [True, False, False, False, False]
    assert all("failed again (ConnectionError)" in r.getMessage() for r in records[1:5])
    assert records[5].getMessage() == "flaky works again"


def test_a_different_failure_is_logged_in_full_again(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="intake.worker")
    run_until_it_works(Flaky([ConnectionError("down"), ConnectionError("down"),
                              ValueError("bad row"), ConnectionError("down")]))
    tracebacks = [r for r in caplog.records if r.name == "intake.worker" and r.exc_info]
    assert [type(r.exc_info[1]).__name__ for r in tracebacks if r.exc_info] == [
        "ConnectionError", "ValueError", "ConnectionError"]
