"""Housekeeping: forget processed-webhook records once no retry of them can still arrive.

(Also flood counts whose window is long over, and, in `intake worker`, personal data past
its retention.)

A repeated webhook comes within minutes (Twilio retries a slow answer at once); a week of
records is plenty and keeps the table from growing with every call and text for ever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from .db import utcnow
from .floods import forget_rates
from .retention import purge
from .settings import Settings
from .storage import WebhookDelivery
from .worker import Periodic

log = logging.getLogger(__name__)
KEEP_DELIVERIES = timedelta(days=7)


def prune_deliveries(
    sessions: sessionmaker[Session], now: datetime | None = None, keep: timedelta = KEEP_DELIVERIES
) -> int:
    """Delete webhook records older than `keep`; returns how many went."""
    with sessions.begin() as session:
        gone = session.execute(
            delete(WebhookDelivery).where(WebhookDelivery.created_at < (now or utcnow()) - keep)
        ).rowcount  # type: ignore[attr-defined]
    if gone:
        log.info("forgot %d processed-webhook records older than %s", gone, keep)
    return int(gone or 0)


class Housekeeping(Periodic):
    """Hourly: old webhook records and flood counts go; with `settings`, personal data past
    its retention is purged too (see `intake.retention`)."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 3600.0,
                 settings: Settings | None = None) -> None:
        super().__init__("housekeeping", interval)
        self.sessions = sessions
        self.settings = settings

    def run_once(self) -> None:
        prune_deliveries(self.sessions)
        with self.sessions.begin() as session:
            forget_rates(session, utcnow(), timedelta(hours=1))
        if self.settings is not None and self.settings.retention_days > 0:
            with self.sessions.begin() as session:
                purge(session, self.settings.retention_days)
