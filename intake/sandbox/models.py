"""Sandbox tables: requests, their notes, tokens. All names start with ``sandbox_``.

Datetimes are timezone-aware in Python and stored as UTC (`UTCDateTime`): SQLite keeps no
offset, so values are converted to UTC on the way in and marked UTC on the way out. The DDL
is plain ``DateTime(timezone=True)``. `service_request_id` stays NULL until the public id is
assigned (at once for realtime services, later for token answers, never for blackbox).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.db import Base, UTCDateTime
from open311_client import Status


class SandboxRequest(Base):
    """One service request as the sandbox's "city" stores it."""

    __tablename__ = "sandbox_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    jurisdiction_id: Mapped[str | None] = mapped_column(String(255))
    service_code: Mapped[str] = mapped_column(String(64), index=True)
    service_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    status_notes: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    agency_responsible: Mapped[str | None] = mapped_column(String(255))
    service_notice: Mapped[str | None] = mapped_column(Text)
    requested_datetime: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_datetime: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expected_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime)
    id_due_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(Text)
    address_id: Mapped[str | None] = mapped_column(String(255))
    zipcode: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    device_id: Mapped[str | None] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)

    notes: Mapped[list[SandboxNote]] = relationship(
        back_populates="request",
        order_by="(SandboxNote.noted_datetime, SandboxNote.id)",
        cascade="all, delete-orphan",
    )


class SandboxNote(Base):
    """One entry of a request's history (the `notes[]` of ``extensions=true``)."""

    __tablename__ = "sandbox_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_pk: Mapped[int] = mapped_column(
        ForeignKey("sandbox_requests.id", ondelete="CASCADE"), index=True
    )
    noted_datetime: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)

    request: Mapped[SandboxRequest] = relationship(back_populates="notes")


class SandboxToken(Base):
    """A token handed out instead of an id; resolves through ``tokens/{token}``."""

    __tablename__ = "sandbox_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_pk: Mapped[int] = mapped_column(
        ForeignKey("sandbox_requests.id", ondelete="CASCADE"), unique=True
    )
    created_datetime: Mapped[datetime] = mapped_column(UTCDateTime)

    request: Mapped[SandboxRequest] = relationship()


SANDBOX_TABLES: tuple[Table, ...] = tuple(
    cast(Table, model.__table__) for model in (SandboxRequest, SandboxNote, SandboxToken)
)
"""The sandbox's tables, parents first (for ``create_all(tables=...)``)."""
