"""A failure repeated webhook after webhook leaves one traceback a minute, not one each."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from intake.logs import JsonFormatter, MaskingFormatter, SparseTracebacks


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(MaskingFormatter("%(levelname)s %(name)s: %(message)s",
                                          SparseTracebacks(every=60)))
    logger = logging.getLogger("test.sparse")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def fail(logger: logging.Logger, exc: Exception, path: str = "/sms") -> None:
    try:
        raise exc
    except Exception:
        logger.exception("sms webhook %s failed", path)


def test_the_same_failure_again_is_one_line_that_says_what_failed(
        log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    for n in range(5):
        fail(logger, ConnectionError(f"server closed the connection, from +1555555017{n}"))
    text = out.getvalue()
    assert text.count("Traceback") == 1
    repeats = [line for line in text.splitlines() if "again" in line]
    assert len(repeats) == 4
    assert all("sms webhook /sms failed (ConnectionError again: server closed the connection"
               in line for line in repeats)
    assert "5555550174" not in text  # numbers stay masked in the one-line form too


def test_another_failure_or_another_minute_shows_its_traceback(
        log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    fail(logger, ConnectionError("down"))
    fail(logger, ValueError("bad row"))
    fail(logger, ConnectionError("down"))
    assert out.getvalue().count("Traceback") == 2
    record = logging.LogRecord("test.sparse", logging.ERROR, __file__, 1, "later", None,
                               exc_info=(ConnectionError, ConnectionError("down"), None))
    record.created += 61
    logger.handle(record)
    assert out.getvalue().count("ConnectionError: down") == 2  # traceback shown again


def test_lines_without_a_failure_pass_untouched(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    fail(logger, ConnectionError("down"))
    logger.error("delivering reports to %s", "the city")
    assert "ERROR test.sparse: delivering reports to the city" in out.getvalue()


def test_other_handlers_still_get_the_whole_failure(
        log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    other = logging.Handler()
    seen: list[logging.LogRecord] = []
    other.emit = seen.append  # type: ignore[method-assign]
    logger.addHandler(other)
    try:
        for _ in range(3):
            fail(logger, ConnectionError("down"))
    finally:
        logger.removeHandler(other)
    assert out.getvalue().count("Traceback") == 1
    assert [r.exc_info is not None for r in seen] == [True, True, True]


def test_json_lines_are_sparse_too() -> None:
    formatter = JsonFormatter(SparseTracebacks(every=60))
    lines = []
    for _ in range(2):
        try:
            raise ConnectionError("down")
        except ConnectionError:
            record = logging.LogRecord("test.json", logging.ERROR, __file__, 1, "webhook failed",
                                       None, exc_info=__import__("sys").exc_info())
        lines.append(json.loads(formatter.format(record)))
    assert "exception" in lines[0] and "exception" not in lines[1]
    assert lines[1]["message"] == "webhook failed (ConnectionError again: down)"
