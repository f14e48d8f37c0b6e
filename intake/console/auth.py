"""Console logins: hashed passwords, sessions that expire, lock-out after repeated failures.

Passwords are hashed by werkzeug (scrypt, salted). A session is a random token in an HttpOnly
cookie; only its SHA-256 is stored, and it ends after `idle` without a request, after
ABSOLUTE in any case, at logout, or when the password is changed. LOCK_AFTER wrong passwords
in a row lock the account for LOCK_FOR (the IT person can unlock it with a new password).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..storage.console import ROLES, ConsoleSession, ConsoleUser

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
ABSOLUTE = timedelta(hours=12)
MIN_PASSWORD = 10
NAME = re.compile(r"[A-Za-z0-9._@-]{2,64}")
# checked against when the name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class UserError(ValueError):
    """A user could not be added or changed; the message says why, for the IT person."""


def check_new_password(password: str, name: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if password.strip().lower() == name.lower():
        raise UserError("the password must not be the user name")


def add_user(session: Session, name: str, password: str, role: str) -> ConsoleUser:
    if not NAME.fullmatch(name):
        raise UserError("a user name is 2 to 64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise UserError(f"the role is one of: {', '.join(ROLES)}")
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.name == name)) is not None:
        raise UserError(f"there is already a user {name!r} (change the password with "
                        f"`intake users passwd {name}`)")
    check_new_password(password, name)
    user = ConsoleUser(name=name, password_hash=generate_password_hash(password), role=role,
                       failed_logins=0)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name: str) -> ConsoleUser:
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.name == name))
    if user is None:
        raise UserError(f"no user {name!r} (add one with `intake users add {name}`)")
    return user


def set_password(session: Session, name: str, password: str) -> ConsoleUser:
    """A new password: unlocks the account and ends every session it had."""
    user = find_user(session, name)
    check_new_password(password, name)
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    return user


@dataclass(frozen=True)
class Login:
    user: ConsoleUser | None
    locked_until: datetime | None = None


def log_in(session: Session, name: str, password: str, now: datetime | None = None) -> Login:
    """Check a password, counting failures; a locked account is refused even when it is right."""
    moment = now or utcnow()
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.name == name))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return Login(None)
    if user.locked_until is not None and user.locked_until > moment:
        return Login(None, user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until = moment + LOCK_FOR
            user.failed_logins = 0
            return Login(None, user.locked_until)
        return Login(None)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    return Login(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: ConsoleUser) -> str:
    """A new session for `user`; the token goes in the cookie, its hash in the database."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(ConsoleSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                               last_seen_at=now))
    return token


def session_user(session: Session, token: str, idle: timedelta,
                 now: datetime | None = None) -> ConsoleUser | None:
    """The user of a live session (and the session is touched); None when over or unknown."""
    moment = now or utcnow()
    row = session.get(ConsoleSession, _digest(token))
    if row is None:
        return None
    if row.last_seen_at + idle < moment or row.created_at + ABSOLUTE < moment:
        session.delete(row)
        return None
    row.last_seen_at = moment
    return session.get(ConsoleUser, row.user_id)


def close_session(session: Session, token: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))


def prune_sessions(session: Session, idle: timedelta, now: datetime | None = None) -> int:
    """Forget sessions that are over anyway (called on each login)."""
    moment = now or utcnow()
    done = session.execute(delete(ConsoleSession).where(
        (ConsoleSession.last_seen_at < moment - idle)
        | (ConsoleSession.created_at < moment - ABSOLUTE)))
    return int(getattr(done, "rowcount", 0) or 0)
