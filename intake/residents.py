"""What the SMS channel may ask the app about a resident: built as `sms.Hooks` over storage.

Every answer is limited to reports filed from the asking phone number: a reference number
texted from another phone gets "not found", never someone else's status or address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import sms
from open311_client import Status

from .config import StaffConfig
from .lifecycle import ReportState
from .storage import ConversationRow, Report, StatusWatch
from .texts import is_opted_out, record_delivery, record_opt_in, record_opt_out

MY_REQUESTS_LIMIT = 10
NOT_YET_FILED = "received"  # still in our outbox: the city has not given it a status yet


def sms_hooks(sessions: sessionmaker[Session], staff: StaffConfig,
              languages: Callable[[], Sequence[str]] | None = None) -> sms.Hooks:
    """The callables the SMS blueprint needs, each one short transaction; `languages` those
    the city offers now (a reloaded staff file may change them)."""

    def as_status(report: Report, watch: StatusWatch | None) -> sms.RequestStatus:
        if watch is not None:
            status, note = watch.status, watch.note or ""
        elif report.status == ReportState.DELIVERED:
            status, note = Status.OPEN, ""
        else:
            status, note = NOT_YET_FILED, ""
        return sms.RequestStatus(reference=report.reference, status=status, note=note,
                                 lang=report.lang, address=report.address,
                                 category=staff.category_name(report.service_code,
                                                              report.lang))

    def opt_out(phone: str, keyword: str) -> None:
        with sessions.begin() as session:
            record_opt_out(session, phone, keyword)

    def opt_in(phone: str) -> None:
        with sessions.begin() as session:
            record_opt_in(session, phone)

    def opted_out(phone: str) -> bool:
        with sessions() as session:
            return is_opted_out(session, phone)

    def in_conversation(key: str) -> bool:
        with sessions() as session:
            return session.scalar(
                select(ConversationRow.id).where(ConversationRow.channel == "sms",
                                                 ConversationRow.key == key,
                                                 ConversationRow.is_open.is_(True))
            ) is not None

    def status_for(phone: str, reference: str) -> sms.RequestStatus | None:
        with sessions() as session:
            found = session.execute(
                select(Report, StatusWatch)
                .outerjoin(StatusWatch, StatusWatch.report_id == Report.id)
                .where(Report.reference == reference, Report.phone == phone)
            ).first()
            return as_status(found[0], found[1]) if found else None

    def open_requests(phone: str) -> Sequence[sms.RequestStatus]:
        with sessions() as session:
            rows = session.execute(
                select(Report, StatusWatch)
                .outerjoin(StatusWatch, StatusWatch.report_id == Report.id)
                .where(Report.phone == phone)
                .where((StatusWatch.is_open.is_(None)) | StatusWatch.is_open.is_(True))
                .order_by(Report.id.desc()).limit(MY_REQUESTS_LIMIT)
            ).all()
            return [as_status(report, watch) for report, watch in rows]

    def language(phone: str) -> str:
        with sessions() as session:
            lang = session.scalar(select(Report.lang).where(Report.phone == phone)
                                  .order_by(Report.id.desc()).limit(1))
            return lang or "en"

    def conversation_language(key: str) -> str | None:
        with sessions() as session:
            state = session.scalar(
                select(ConversationRow.state).where(ConversationRow.channel == "sms",
                                                    ConversationRow.key == key,
                                                    ConversationRow.is_open.is_(True))
                .order_by(ConversationRow.id.desc()).limit(1))
            return str(state["lang"]) if state and state.get("lang") else None

    def delivery(report: sms.DeliveryReport) -> None:
        with sessions.begin() as session:
            record_delivery(session, report)

    return sms.Hooks(opt_out=opt_out, opt_in=opt_in, is_opted_out=opted_out,
                     in_conversation=in_conversation, status_for=status_for,
                     open_requests=open_requests, language=language,
                     conversation_language=conversation_language,
                     languages=languages or (lambda: staff.languages), record_delivery=delivery)
