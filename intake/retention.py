"""Personal data is kept only as long as it serves the resident: `intake purge`.

Once the city has closed a request, and `RETENTION_DAYS` (default 90) have passed since we
saw it closed, the report keeps what the city needs (category, place, description, status
history) and loses what identifies the resident: the phone number, the conversation (its
stored state holds everything said) and the texts sent about it. Conversations that never
became a report, and call-back requests staff handled, are removed after the same time.
resident's instruction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .storage import (
    CallbackRequest,
    ConversationRow,
    OutboundTextRow,
    Report,
    StatusWatch,
    WebhookDelivery,
)

log = logging.getLogger(__name__)


@dataclass
class Purged:
    reports: int = 0  # reports that lost their phone number
    conversations: int = 0
    texts: int = 0


def purge(session: Session, days: int, now: datetime | None = None) -> Purged:
    """Remove personal data older than `days` (see the module's rules); returns what went."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    done = Purged()
    closed = (select(StatusWatch.report_id)
              .where(StatusWatch.is_open.is_(False), StatusWatch.checked_at < cutoff))
    old_reports = select(Report.id).where(Report.id.in_(closed))
    conversations = select(Report.conversation_id).where(Report.id.in_(closed),
                                                         Report.conversation_id.is_not(None))
    abandoned = select(ConversationRow.id).where(
        ConversationRow.updated_at < cutoff,
        ~exists().where(Report.conversation_id == ConversationRow.id))
    doomed = [row for (row,) in session.execute(conversations.union(abandoned))]
    done.texts = _count(session.execute(delete(OutboundTextRow).where(
        OutboundTextRow.report_id.in_(old_reports)
        | (OutboundTextRow.report_id.is_(None) & (OutboundTextRow.created_at < cutoff)))))
    done.reports = _count(session.execute(
        update(Report).where(Report.id.in_(closed))
        .where(Report.phone.is_not(None) | Report.conversation_id.is_not(None))
        .values(phone=None, conversation_id=None)
        .execution_options(synchronize_session=False)))
    for start in range(0, len(doomed), 500):
        chunk = doomed[start:start + 500]
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.conversation_id.in_(chunk)))
        session.execute(update(CallbackRequest).where(CallbackRequest.conversation_id.in_(chunk))
                        .values(conversation_id=None)
                        .execution_options(synchronize_session=False))
        done.conversations += _count(session.execute(
            delete(ConversationRow).where(ConversationRow.id.in_(chunk))
            .execution_options(synchronize_session=False)))
    # call-back requests staff dealt with long ago: their number is no longer needed
    session.execute(delete(CallbackRequest).where(CallbackRequest.handled_at < cutoff))
    if done.reports or done.conversations or done.texts:
        log.info("purged personal data older than %d days: %d reports' numbers, "
                 "%d conversations, %d texts", days, done.reports, done.conversations,
                 done.texts)
    return done


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
