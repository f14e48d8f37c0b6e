"""One queue of leased jobs, for reports to deliver and texts to send: claim, back off, give up.

A job is claimed by pushing its due time a lease ahead, in one statement:
UPDATE ... WHERE id = (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING. On PostgreSQL
a job another worker is claiming is skipped, not waited for, and never taken twice; SQLite
runs the statement alone (one writer at a time). A worker that dies leaves its job due again
when the lease ends. Jobs are claimed one at a time, just before they are worked on, so a
slow one never leaves another claimed and waiting while its lease runs out.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.sql.dml import ReturningUpdate

__all__ = ["Leased", "Retry"]

_RNG = random.Random()


@dataclass(frozen=True)
class Retry:
    """When a job that failed is tried again, and when it is given up on.

    `most`: attempts before giving up; `within`: how long after its first attempt a job may
    go on being tried (None: no such limit).
    """

    base: timedelta
    cap: timedelta | None = None
    most: int | None = None
    within: timedelta | None = None

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Exponential backoff with jitter: between half and all of base * 2^(attempts-1),
        capped (many workers failing together do not all come back together)."""
        ceiling: timedelta = self.base * 2 ** min(max(attempts - 1, 0), 30)
        if self.cap is not None:
            ceiling = min(ceiling, self.cap)
        return ceiling * (rng or _RNG).uniform(0.5, 1.0)

    def exhausted(self, attempts: int, since: datetime | None = None,
                  now: datetime | None = None) -> bool:
        """Whether a job tried `attempts` times, first `since`, is given up on at `now`."""
        if self.most is not None and attempts >= self.most:
            return True
        return (self.within is not None and since is not None and now is not None
                and now - since >= self.within)


class _Job(Protocol):
    @property
    def id(self) -> int: ...


J = TypeVar("J", bound=_Job)


@dataclass(frozen=True)
class Leased(Generic[J]):
    """A table read as a queue: the rows `due` whose time `when` has come, earliest first.

    `claimed`: what else a claim writes (a state, a count of attempts); `order`: ties broken
    by these columns after `when`.
    """

    job: type[J]
    key: InstrumentedAttribute[int]
    when: InstrumentedAttribute[datetime]
    due: ColumnElement[bool]
    claimed: Mapping[str, Any] = field(default_factory=dict)
    order: Sequence[InstrumentedAttribute[Any]] = ()

    def claim(
        self, sessions: sessionmaker[Session], now: datetime, lease: timedelta,
        skip: Sequence[int] = (), then: Callable[[Session, J], None] | None = None,
    ) -> J | None:
        """Take the next due job, `skip`ping those given, for `lease`; None: nothing is due.

        `then(session, job)` runs in the claim's transaction. Returns a detached snapshot.
        """
        with sessions.begin() as session:
            job = session.scalars(
                self._claim, {"now": now, "until": now + lease, "skip": list(skip)},
                execution_options={"synchronize_session": False}
            ).one_or_none()
            if job is None:
                return None
            if then is not None:
                then(session, job)
            session.expunge(job)
            return job

    @cached_property
    def _claim(self) -> ReturningUpdate[J]:
        """The claim, built once with bound parameters (built for every claim, its
        construction and cache key cost more CPU than running it)."""
        when = self.when.expression.type
        pick = (select(self.key)
                .where(self.due, self.when <= bindparam("now", type_=when),
                       self.key.not_in(bindparam("skip", expanding=True)))
                .order_by(self.when, *self.order).limit(1)
                .with_for_update(skip_locked=True).scalar_subquery())
        return (update(self.job).where(self.key == pick)
                .values({self.when.key: bindparam("until", type_=when), **self.claimed})
                .returning(self.job))

    def each_due(
        self, sessions: sessionmaker[Session], now: datetime, lease: timedelta, limit: int,
        then: Callable[[Session, J], None] | None = None,
    ) -> Iterator[J]:
        """Every job due at `now`, each once (at most `limit`), claimed as it is reached."""
        tried: list[int] = []
        while len(tried) < limit:
            job = self.claim(sessions, now, lease, tried, then)
            if job is None:
                return  # nothing due that another worker has not taken
            tried.append(job.id)
            yield job
