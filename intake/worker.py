"""A background thread that does one pass of work every `interval` seconds, or when woken.

Used by the outbox (delivering reports) and the texts worker (polling and sending); a pass
that fails is logged and tried again next time, so a database hiccup never stops delivery.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Periodic(threading.Thread):
    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def run_once(self) -> None:
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # keep going after a database or network hiccup
                log.exception("%s pass failed; will try again", self.name)
            self._wake.wait(self.interval)
            self._wake.clear()
