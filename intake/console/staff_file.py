"""Changing the staff file from the console: in place, checked first, every change recorded.

The file on disk stays the source of truth. An edit is a list of (key path, value) pairs,
applied with tomlkit so the IT person's comments and layout survive; None removes the key
(the bundled wording applies again). Nothing is written unless the whole file then checks
without errors, and the write is atomic (a temporary file renamed over the old one), so
the running service never reads half a file. Each key that changed gets a `ConfigChange`
row with the staff file's value before and after; a revert writes the value before back.
"""

from __future__ import annotations

import os
import tempfile
import threading
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from sqlalchemy import select
from sqlalchemy.orm import Session
from tomlkit.items import AoT

from ..config import LiveConfig
from ..staff_schema import CheckResult, Problem, check_text
from ..storage import ConfigChange, ConfigDraft

Key = tuple[str | int, ...]
Change = tuple[Key, Any]  # value None: remove the key from the staff file
_write_lock = threading.Lock()
HEADER = ("# Staff file for open311-intake (see intake/default_config.toml for every key).\n"
          "# Edited by the staff console; hand edits are fine too: `intake check-config`.\n")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def value_at(data: Any, path: Key) -> Any:
    """The value at a key path of parsed TOML, or None when absent."""
    node = data
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def apply(text: str, changes: Iterable[Change]) -> str:
    """The file's text with `changes` made, everything else (comments too) as it was."""
    doc = tomlkit.parse(text) if text.strip() else tomlkit.parse(HEADER)
    expected = tomllib.loads(text) if text.strip() else {}
    for path, value in changes:
        _set(doc, path, value)
        _set_plain(expected, path, value)
    out = tomlkit.dumps(doc)
    if tomllib.loads(out) != expected:  # never write what tomlkit got wrong
        raise ValueError("the staff file could not be changed in place; edit it by hand")
    return out


def _set(doc: Any, path: Key, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        if str(part) not in node:
            node[str(part)] = tomlkit.table(is_super_table=True)
        node = node[str(part)]
    last = str(path[-1])
    if value is None:
        if last in node:
            del node[last]
        _drop_empty(doc, path[:-1])
        return
    node[last] = _item(value, last)


def _drop_empty(doc: Any, path: Key) -> None:
    """Remove tables a removal left empty, innermost first."""
    for n in range(len(path), 0, -1):
        parent = value_at_doc(doc, path[: n - 1])
        child = parent.get(str(path[n - 1])) if parent is not None else None
        if isinstance(child, dict) and not child:
            del parent[str(path[n - 1])]
        else:
            return


def value_at_doc(doc: Any, path: Key) -> Any:
    node = doc
    for part in path:
        if str(part) not in node:
            return None
        node = node[str(part)]
    return node


def _item(value: Any, name: str) -> Any:
    if name == "categories" and isinstance(value, list):
        aot = AoT([])
        for entry in value:
            table = tomlkit.table()
            for k, v in entry.items():
                table[k] = _inline(v)
            aot.append(table)
        return aot
    if isinstance(value, dict) and name == "pronunciations":
        table = tomlkit.table()
        for k, v in value.items():
            table[k] = v
        return table
    return _inline(value)


def _inline(value: Any) -> Any:
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _inline(v)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_inline(v) for v in value)
        return array
    return value


def _set_plain(data: dict[str, Any], path: Key, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(str(part), {})
    if value is None:
        node.pop(str(path[-1]), None)
        for n in range(len(path) - 1, 0, -1):
            parent = value_at(data, path[: n - 1]) if n > 1 else data
            if isinstance(parent, dict) and parent.get(str(path[n - 1])) == {}:
                del parent[str(path[n - 1])]
    else:
        node[str(path[-1])] = value


@dataclass
class Outcome:
    """What an edit did: the check of the file it would make, and the changes recorded."""

    result: CheckResult
    recorded: list[ConfigChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.result.errors

    def problems_for(self, prefix: Key) -> list[Problem]:
        """Problems at or under a field's key path (or about a table that holds it)."""
        n = len(prefix)
        return [p for p in self.result.problems
                if p.path[:n] == prefix or (p.path and prefix[: len(p.path)] == p.path)]


def _changed(current: dict[str, Any], changes: Sequence[Change]) -> list[Change]:
    return [(path, value) for path, value in changes if value_at(current, path) != value]


def publish(session: Session, live: LiveConfig, user: str, changes: Sequence[Change],
            note: str = "") -> Outcome:
    """Write `changes` to the staff file if the result checks clean, record and take them up."""
    path = live.path
    assert path is not None
    with _write_lock:
        text = read_text(path)
        current = tomllib.loads(text) if text.strip() else {}
        todo = _changed(current, changes)
        new_text = apply(text, todo) if todo else text
        outcome = Outcome(check_text(new_text, str(path)))
        if not outcome.ok or not todo:
            return outcome
        _write(path, new_text)
        for key, value in todo:
            change = ConfigChange(user_name=user, path=list(key), before=value_at(current, key),
                                  after=value, note=note)
            session.add(change)
            outcome.recorded.append(change)
        session.flush()
    live.reload(force=True)
    return outcome


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=".staff-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def revert(session: Session, live: LiveConfig, user: str, change_id: int) -> Outcome | None:
    """Put one change's key back as it was before it; None when there is no such change."""
    change = session.get(ConfigChange, change_id)
    if change is None:
        return None
    outcome = publish(session, live, user, [(tuple(change.path), change.before)],
                      note=f"revert of change {change.id}")
    if outcome.ok:
        change.reverted_by = outcome.recorded[0].id if outcome.recorded else change.id
    return outcome


# ---- drafts ---------------------------------------------------------------------------


def draft_of(session: Session, user_id: int) -> ConfigDraft | None:
    return session.get(ConfigDraft, user_id)


def save_draft(session: Session, live: LiveConfig, user_id: int, changes: Sequence[Change]
               ) -> Outcome:
    """Make `changes` in the user's draft (started from the published file) if it checks clean."""
    assert live.path is not None
    draft = draft_of(session, user_id)
    published = read_text(live.path)
    base = draft.text if draft is not None else published
    new_text = apply(base, changes)
    outcome = Outcome(check_text(new_text, "draft"))
    if outcome.ok:
        if draft is None:
            session.add(ConfigDraft(user_id=user_id, text=new_text, base_text=published))
        else:
            draft.text = new_text
    return outcome


def draft_changes(draft: ConfigDraft) -> list[Change]:
    """The draft's leaf changes against the file it started from."""
    before = tomllib.loads(draft.base_text) if draft.base_text.strip() else {}
    after = tomllib.loads(draft.text) if draft.text.strip() else {}
    return list(_diff(before, after, ()))


def _diff(before: Any, after: Any, path: Key) -> Iterator[Change]:
    if isinstance(before, dict) and isinstance(after, dict) and path[:1] != ("pronunciations",):
        for key in list(before) + [k for k in after if k not in before]:
            yield from _diff(before.get(key), after.get(key), (*path, key))
    elif before != after:
        if isinstance(after, dict) and before is None:
            for key, value in after.items():
                yield from _diff(None, value, (*path, key))
        else:
            yield path, after


def publish_draft(session: Session, live: LiveConfig, user_id: int, user: str) -> Outcome:
    """The draft's changes, made to the file as it is now (others' edits since are kept)."""
    draft = draft_of(session, user_id)
    assert draft is not None
    outcome = publish(session, live, user, draft_changes(draft), note="published draft")
    if outcome.ok:
        session.delete(draft)
    return outcome


def history(session: Session, limit: int = 200) -> list[ConfigChange]:
    return list(session.scalars(select(ConfigChange).order_by(ConfigChange.id.desc())
                                .limit(limit)))
