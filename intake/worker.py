"""A background thread that does one pass of work every `interval` seconds, or when woken.

Used by the outbox (delivering reports) and the texts worker (polling and sending); a pass
that fails is logged and tried again next time, so a database hiccup never stops delivery.
While the same failure repeats (the database down for minutes) it is logged in full once,
then in one line per pass, so the log stays readable for whoever is on call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

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
        failing = ""  # the kind of failure being repeated, already logged in full
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception as exc:  # keep going after a database or network hiccup
                kind = type(exc).__name__
                if kind == failing:
                    log.warning("%s pass failed again (%s); will try again", self.name, kind)
                else:
                    log.exception("%s pass failed; will try again", self.name)
                failing = kind
            else:
                if failing:
                    log.info("%s works again", self.name)
                failing = ""
            self._wake.wait(self.interval)
            self._wake.clear()


def stop_all(threads: Sequence[Periodic], within: float) -> None:
    """Ask every thread to stop, then wait for the passes in hand, `within` seconds in all
    (a container's stop allows a few): one cut short is taken up again by the next start."""
    for thread in threads:
        thread.stop()
    deadline = time.monotonic() + within
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
