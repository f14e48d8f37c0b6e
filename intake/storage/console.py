"""The console's tables: staff logins and their sessions, staff-file changes, drafts, handled items.

A session row keeps only a hash of the cookie's token, so a copy of the database opens no
console. Each change keeps the key path and the staff file's value before and after it (None:
not set there, the bundled wording applied), which is all a revert needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

ROLES = ("editor", "viewer")


class ConsoleUser(Base):
    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConfigChange(Base):
    """One change to one key of the staff file, by whom and when, with its before and after."""

    __tablename__ = "config_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    path: Mapped[list[Any]] = mapped_column(JSON)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str] = mapped_column(String(255), default="")
    reverted_by: Mapped[int | None] = mapped_column(Integer)


class ConfigDraft(Base):
    """An editor's unpublished staff file, to try in the simulator before publishing."""

    __tablename__ = "config_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"),
                                         primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    base_text: Mapped[str] = mapped_column(Text)  # the published file the draft started from
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandledItem(Base):
    """A needs-attention item staff have dealt with (a report placed, a callback made)."""

    __tablename__ = "console_handled"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(Integer)
    user_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
