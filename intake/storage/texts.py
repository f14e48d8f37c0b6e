"""Texts in and out: opt-outs, outbound texts (the sending queue), and per-number counts of
texts received (flood control). Phone numbers are stored (texts need them), never logged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..lifecycle import TextState


class OptOut(Base):
    """A number's opt-out state: STOP and its kin set it, START/UNSTOP (and YES) clear it."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(64), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=True)
    keyword: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundTextRow(Base):
    """One outbound text and what became of it (`status`: a `TextState`)."""

    __tablename__ = "outbound_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(64), index=True)
    city_number: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    segments: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(8))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("status_changes.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=TextState.WAITING, index=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # the sending queue: sendable texts in order of when they may go
    __table_args__ = (Index("ix_outbound_texts_due", "status", "not_before"),)


class SmsRate(Base):
    """How many texts a number has sent since `window_start`."""

    __tablename__ = "sms_rates"

    phone: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
