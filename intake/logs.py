"""Logging for every `intake` process: plain lines or JSON, phone numbers always masked.

Code masks numbers where it logs them (`mask_phone`); this is the net under it: whatever ends
up in a line (an exception's message, a database error's DETAIL, a traceback) has every
phone-number-like run of digits masked before it is written. SQL parameters are not logged
at all (the engine is made with `hide_parameters`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from .settings import mask_phone

# '+15555550123', 'whatsapp:+1555...', or ten and more digits in a row (references are 7)
_PHONE = re.compile(r"(?:whatsapp:)?\+\d(?:[\- ]?\d){6,14}(?!\d)|(?<![\d.])\d{10,}(?![\d.])")
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_numbers(text: str) -> str:
    """Every phone number in `text` masked: 'from +15555550123' -> 'from +1*****0123'."""
    return _PHONE.sub(lambda m: mask_phone(re.sub(r"[\- ]", "", m.group(0))), text)


class MaskingFormatter(logging.Formatter):
    """A plain-line formatter that masks numbers in the whole line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exception), masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_numbers(record.getMessage()),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class SparseTracebacks(logging.Filter):
    """A failure repeated request after request (the database restarting under a storm) is
    written with its traceback once per `every` seconds for each logger and exception type;
    the repeats in between stay, as one line each, so the log shows how long it lasted."""

    def __init__(self, every: float = 60.0) -> None:
        super().__init__()
        self.every = every
        self._shown: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        key = (record.name, type(exc).__name__)
        with self._lock:
            shown = self._shown.get(key)
            if shown is None or record.created - shown >= self.every:
                self._shown[key] = record.created
                return True
        said = (str(exc).splitlines() or [""])[0][:200]
        record.msg = f"{record.getMessage()} ({key[1]} again: {said})"
        record.args = None
        record.exc_info = record.exc_text = None
        return True


def setup_logging(fmt: str = "plain", level: str = "INFO") -> None:
    """Configure the root logger once per process: `fmt` is 'plain' or 'json'."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else MaskingFormatter(PLAIN))
    handler.addFilter(SparseTracebacks())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
