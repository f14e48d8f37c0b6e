"""Logging for every `intake` process: plain lines or JSON, phone numbers always masked.

Code masks numbers where it logs them (`mask_phone`); this is the net under it: whatever ends
up in a line (an exception's message, a database error's DETAIL, a traceback) has every
phone-number-like run of digits masked before it is written. SQL parameters are not logged
at all (the engine is made with `hide_parameters`).
"""

from __future__ import annotations

import copy
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

    def __init__(self, fmt: str | None = None, sparse: SparseTracebacks | None = None) -> None:
        super().__init__(fmt)
        self.sparse = sparse

    def format(self, record: logging.LogRecord) -> str:
        if self.sparse:
            record = self.sparse.written(record)
        return mask_numbers(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exception), masked."""

    def __init__(self, sparse: SparseTracebacks | None = None) -> None:
        super().__init__()
        self.sparse = sparse

    def format(self, record: logging.LogRecord) -> str:
        if self.sparse:
            record = self.sparse.written(record)
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


class SparseTracebacks:
    """A failure repeated request after request (the database restarting under a storm) is
    written with its traceback once per `every` seconds for each logger and exception type;
    the repeats in between stay, as one line each, so the log shows how long it lasted.
    Used by this module's formatters, on a copy: other handlers see the record whole."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._shown: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def written(self, record: logging.LogRecord) -> logging.LogRecord:
        """The record as it is to be written: itself, or a copy in one line."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return record
        key = (record.name, type(exc).__name__)
        with self._lock:
            shown = self._shown.get(key)
            if shown is None or record.created - shown >= self.every:
                self._shown[key] = record.created
                return record
        said = (str(exc).splitlines() or [""])[0][:200]
        quiet = copy.copy(record)
        quiet.msg = f"{record.getMessage()} ({key[1]} again: {said})"
        quiet.args = None
        quiet.exc_info = quiet.exc_text = None
        return quiet


def setup_logging(fmt: str = "plain", level: str = "INFO") -> None:
    """Configure the root logger once per process: `fmt` is 'plain' or 'json'."""
    handler = logging.StreamHandler(sys.stderr)
    sparse = SparseTracebacks()
    handler.setFormatter(JsonFormatter(sparse) if fmt == "json"
                         else MaskingFormatter(PLAIN, sparse))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
