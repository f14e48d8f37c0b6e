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


def setup_logging(fmt: str = "plain", level: str = "INFO") -> None:
    """Configure the root logger once per process: `fmt` is 'plain' or 'json'."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else MaskingFormatter(PLAIN))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
