"""Filed reports (the outbox) and callback requests.

A report is written here in the same transaction that ends its conversation, before any
network call; `intake.outbox` delivers it later. Phone numbers are stored because status
texts need them; they are never logged in full.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..lifecycle import ReportState


class Report(Base):
    """A confirmed report and its delivery to the city's Open311 server."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"),
                                                        index=True)
    channel: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    wants_texts: Mapped[bool] = mapped_column(Boolean, default=False)
    service_code: Mapped[str] = mapped_column(String(64))
    # no coordinates when the address could not be found and was filed as given, for review
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255))
    address_as_said: Mapped[str] = mapped_column(String(500), default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # pending -> delivered, or pending -> token -> delivered; uncertain = a POST may have
    # created it, look it up before posting again; failed = refused, needs staff;
    # needs_attention = given up on, or a listed request differs (see intake.outbox)
    status: Mapped[str] = mapped_column(String(16), default=ReportState.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    service_request_id: Mapped[str | None] = mapped_column(String(64))
    token: Mapped[str | None] = mapped_column(String(128))
    service_notice: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When POSTs that may have reached the server without our knowing the answer were sent
    # (first start, last end): the window a lookup searches. None while nothing is in doubt.
    sent_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the first attempt of this delivery was made (staff's retry starts it afresh):
    # a report not delivered `Policy.give_up` after it needs attention.
    trying_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # not filed by us: the resident follows the city's existing request (already reported)
    follows: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    # published photo URLs: the first is the request's media_url, the others are named in its
    # description (GeoReport takes one)
    media: Mapped[list[str] | None] = mapped_column(JSON)

    # the outbox's backlog: due reports in order of their next attempt
    __table_args__ = (Index("ix_reports_due", "status", "next_attempt_at"),
                      # open reports of one kind near a place (already reported?)
                      Index("ix_reports_service_place", "service_code", "lat"),
                      # reports delivered since the poller's last pass (start_watching)
                      Index("ix_reports_status_updated", "status", "updated_at"))


class CallbackRequest(Base):
    """A resident who asked a person to call back (the agent line did not answer); for staff."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    phone: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    reason: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(32))  # the report filed with it, if any
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
