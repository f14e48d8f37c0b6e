"""Conversations, the webhooks they have answered, and the menus they started with.

`conversation_menus` keeps each menu once, under the digest of its content (`intake.states`
writes and reads it); a conversation's stored state names its menu by that digest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class ConversationRow(Base):
    """One conversation; voice keyed by CallSid, SMS by 'From|To' while open.

    `turn` is also a version: every update says `WHERE turn = <the turn it read>`, so two
    webhooks that read the same turn cannot both write (the loser starts over).
    """

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(128))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    city_number: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(32))
    turn: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        Index(
            "uq_open_conversation",
            "channel",
            "key",
            unique=True,
            sqlite_where=sql_text("is_open"),
            postgresql_where=sql_text("is_open"),
        ),
        # recent conversations of one key (follow-ups) and open ones of one number (the cap)
        Index("ix_conversations_key", "key", "channel"),
        Index("ix_conversations_phone", "phone"),
    )
    __mapper_args__ = {"version_id_col": turn, "version_id_generator": False}


class WebhookDelivery(Base):
    """A processed webhook and the answer it got, so a second delivery is answered the same."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConversationMenu(Base):
    """A menu some conversation started with, by the digest of its content."""

    __tablename__ = "conversation_menus"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    menu: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
