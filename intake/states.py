"""A conversation's state as stored: everything but the menu, which is stored once by digest.

The menu a conversation started with (categories, keywords, questions) is most of its state
and never changes while it runs; writing it on every webhook cost more CPU than the rest of
the webhook's storage. It is kept in `conversation_menus` under the digest of its content;
each process remembers the menus it has written or read. States stored before this (menu
inline) still load.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, fields, is_dataclass, replace
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

import conversation as conv
from conversation import Category, State

from .storage import ConversationMenu

MENU_KEY = "menu_id"
FIELDS = tuple(f.name for f in fields(State) if f.name != "menu")
KEEP = 64  # distinct menus remembered per process (staff edits the menu a few times a day)


def _plain(state: State) -> dict[str, Any]:
    """What `asdict` gives for the state, menu left out, without deep-copying every field:
    only places (dataclasses) need converting; tuples and strings are stored as they are."""
    data: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(state, name)
        if is_dataclass(value):
            value = asdict(value)  # type: ignore[arg-type]
        elif isinstance(value, tuple) and value and is_dataclass(value[0]):
            value = [asdict(v) for v in value]
        data[name] = value
    return data


class Menus:
    """Digest <-> menu, remembered per process; written to the database once per menu."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._lock = threading.Lock()
        self._by_id: dict[int, tuple[tuple[Category, ...], str]] = {}  # keeps the tuple alive
        self._by_digest: dict[str, tuple[Category, ...]] = {}
        self._stored: set[str] = set()

    def dump(self, state: State) -> dict[str, Any]:
        """The state as stored: its fields, and the digest of its menu in place of the menu."""
        data = _plain(state)
        data[MENU_KEY] = self._store(state.menu)
        return data

    def keep(self, menu: tuple[Category, ...]) -> None:
        """Make sure `menu` is stored before a webhook's transaction names it (SQLite allows
        one writer: storing it from inside that transaction would wait on itself)."""
        self._store(menu)

    def load(self, session: Session | Connection, data: dict[str, Any]) -> State:
        state = conv.load(data)
        digest = data.get(MENU_KEY)
        if not digest:
            return state  # stored with the menu inline (or none)
        return replace(state, menu=self._fetch(session, str(digest)))

    def _store(self, menu: tuple[Category, ...]) -> str:
        known = self._by_id.get(id(menu))
        if known is not None and known[0] is menu:
            digest = known[1]
        else:
            content = [asdict(c) for c in menu]
            digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
            with self._lock:
                if len(self._by_id) >= KEEP:
                    self._by_id.clear()
                self._by_id[id(menu)] = (menu, digest)
                self._remember(digest, menu)
        if digest not in self._stored:
            # in a transaction of its own, committed before any state names it: a webhook
            # that loses a race and rolls back must not take the menu with it
            content = [asdict(c) for c in menu]
            with self.sessions.begin() as own:
                dialect = own.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                own.execute(insert(ConversationMenu).values(digest=digest, menu=content)
                            .on_conflict_do_nothing(index_elements=["digest"]))
            self._stored.add(digest)
        return digest

    def _fetch(self, session: Session | Connection, digest: str) -> tuple[Category, ...]:
        menu = self._by_digest.get(digest)
        if menu is not None:
            return menu
        content = session.scalar(select(ConversationMenu.menu)
                                 .where(ConversationMenu.digest == digest))
        if content is None:
            raise LookupError(f"menu {digest[:12]} of a stored conversation is missing")
        menu = conv.load({"step": conv.Step.CATEGORY.value, "channel": "sms",
                          "menu": content}).menu
        with self._lock:
            self._remember(digest, menu)
            self._stored.add(digest)
        return menu

    def _remember(self, digest: str, menu: tuple[Category, ...]) -> None:
        if len(self._by_digest) >= KEEP:
            self._by_digest.clear()
        self._by_digest[digest] = menu
