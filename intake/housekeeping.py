"""Housekeeping: forget processed-webhook records once no retry of them can still arrive.

A repeated webhook comes within minutes (Twilio retries a slow answer at once); a week of
records is plenty and keeps the table from growing with every call and text for ever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from .db import utcnow
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
    def __init__(self, sessions: sessionmaker[Session], interval: float = 3600.0) -> None:
        super().__init__("housekeeping", interval)
        self.sessions = sessions

    def run_once(self) -> None:
        prune_deliveries(self.sessions)
