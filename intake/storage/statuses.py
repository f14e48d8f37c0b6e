"""What the city says about filed reports, as the poller saw it: the last word per report
(a watch) and every change (from which status texts are queued).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from open311_client import Status

from ..db import Base, UTCDateTime, utcnow


class StatusWatch(Base):
    """What the city last told us about a filed report; `version` counts texted changes."""

    __tablename__ = "status_watches"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    service_request_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), default=Status.OPEN)
    note: Mapped[str | None] = mapped_column(Text)
    updated_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatusChange(Base):
    """One change of a report's status or note, as the poller saw it (one per version)."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    updated_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[list[dict[str, str | None]]] = mapped_column(JSON, default=list)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_status_change"),)
