"""The shell around the pure engine: load a conversation, step it, perform actions, save.

One webhook is one transaction: the conversation's new state, any report it filed and the
answer given are committed together, so a repeated webhook gets the same answer and a report
is never filed twice. Geocoding is done inside the webhook (the street index is in memory;
a configured geocoding service is asked with a short timeout); delivery to Open311 is not.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import conversation as conv
import sms
from conversation import (
    Action,
    End,
    Ended,
    Event,
    Inbound,
    Reply,
    Say,
    State,
    Step,
)
from conversation.serialize import STORED_ACTIONS, dump_reply, load_reply

from .addresses import AddressResolver
from .config import StaffConfig
from .db import UTCDateTime, bound_engine, utcnow
from .direct import Direct
from .duplicates import DuplicateFinder, follow
from .lifecycle import ReportState
from .media import MAX_PHOTOS, Photo, PhotoStore
from .settings import mask_phone
from .states import Menus
from .storage import CallbackRequest, ConversationRow, Report, WebhookDelivery
from .texts import TextKind, is_opted_out, queue_text

log = logging.getLogger(__name__)
SMS_IDLE = timedelta(hours=12)  # an unfinished text conversation is forgotten after this
ACTIVE = timedelta(hours=1)  # conversations updated since then count against a number's cap
RETRIES = 10  # attempts of one webhook that keeps losing races to others of its conversation
# Texts this soon after a filing were sent before the resident saw the reference: they
# belong to that report (a texter's "Deep pothole" and "near the school" sent together).
FOLLOW_UP = timedelta(seconds=60)
FOLLOW_UP_CHARS = 500
THANKS = {"thanks", "thank you", "thx", "ty", "gracias", "muchas gracias", "\N{THUMBS UP SIGN}"}
# a conversation may start with these, not only with words
FIRST_EVENTS = (conv.LocationShared, conv.PhotosSent)
NEW = {"new", "new report", "nuevo", "nuevo reporte", "nueva", "otro"}  # after a report: another
CONVERSATIONS = cast(Table, ConversationRow.__table__)
DELIVERIES = cast(Table, WebhookDelivery.__table__)
REPORTS = cast(Table, Report.__table__)
OPEN_COLUMNS = tuple(CONVERSATIONS.c[name] for name in (
    "id", "turn", "state", "phone", "city_number", "updated_at"))
Menu = tuple[conv.Category, ...]
# Statements of the hot path, built once: building one costs more CPU than running it.
STORED_ANSWER = select(DELIVERIES.c.answer).where(DELIVERIES.c.id == bindparam("delivery"))
NEW_CONVERSATION = insert(CONVERSATIONS).returning(CONVERSATIONS.c.id)
NEXT_TURN = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("cid"),
                                        CONVERSATIONS.c.turn == bindparam("read"))
CLOSE = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("cid"))
RECORD = insert(DELIVERIES)
SET_WANTS_TEXTS = update(REPORTS).where(REPORTS.c.reference == bindparam("ref"))
REFERENCE_TAKEN = select(REPORTS.c.id).where(REPORTS.c.reference == bindparam("ref"))
OPEN_OF_NUMBER = (  # a number's conversations going (the cap on them)
    select(func.count()).select_from(CONVERSATIONS)
    .where(CONVERSATIONS.c.phone == bindparam("phone"), CONVERSATIONS.c.is_open.is_(True),
           CONVERSATIONS.c.updated_at >= bindparam("active_since", type_=UTCDateTime)))
JUST_FILED = (  # the report a text conversation filed moments ago, if any
    select(REPORTS.c.id, REPORTS.c.reference, REPORTS.c.lang, REPORTS.c.conversation_id)
    .join(CONVERSATIONS, REPORTS.c.conversation_id == CONVERSATIONS.c.id)
    .where(CONVERSATIONS.c.key == bindparam("key"), CONVERSATIONS.c.channel == "sms",
           REPORTS.c.created_at >= bindparam("since", type_=UTCDateTime))
    .order_by(REPORTS.c.id.desc()).limit(1))
# actions that write rows of their own: their step's writes are one transaction
WRITES = (conv.FollowRequest, conv.FileRequest, conv.ContinueByText, conv.RequestCallback,
          conv.FindDuplicates)
AGAIN = {"yes", "y", "yes please", "ok", "okay", "si", "sí", "vale", "1"}
# PostgreSQL: the conversation's write and the webhook's answer in one statement (one round
# trip less on every webhook); the answer is stored only if the write happened.
_WRITTEN = ("state", "step", "is_open", "updated_at")


def _and_record(written: Any) -> Any:
    """INSERT the webhook's answer for the conversation row `written` (a DML CTE) returns."""
    return (insert(DELIVERIES).from_select(
        ["id", "conversation_id", "answer", "created_at"],
        select(bindparam("delivery", type_=DELIVERIES.c.id.type), written.c.id,
               bindparam("answer", type_=DELIVERIES.c.answer.type),
               bindparam("answered_at", type_=DELIVERIES.c.created_at.type)))
        .returning(DELIVERIES.c.conversation_id))


OPEN_AND_RECORD = Direct(_and_record(
    insert(CONVERSATIONS).values({name: bindparam(name) for name in (
        *_WRITTEN, "channel", "key", "phone", "city_number", "turn", "created_at")})
    .returning(CONVERSATIONS.c.id).cte("opened")))
TURN_AND_RECORD = Direct(_and_record(
    update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("cid"),
                                CONVERSATIONS.c.turn == bindparam("read"))
    .values({name: bindparam(name) for name in (*_WRITTEN, "turn")})
    .returning(CONVERSATIONS.c.id).cte("turned")))
# Every webhook's first statement: the open conversation, any stored answer to this very
# webhook, and only where no conversation is open, the report its texter filed moments ago
# and how many conversations the number has going (one round trip for a first webhook).
_OPENED = select(*OPEN_COLUMNS).where(
    CONVERSATIONS.c.channel == bindparam("channel"), CONVERSATIONS.c.key == bindparam("key"),
    CONVERSATIONS.c.is_open.is_(True)).subquery("opened")
_NONE_OPEN = _OPENED.c.id.is_(None)
_JUST_ID = case((_NONE_OPEN, JUST_FILED.with_only_columns(REPORTS.c.id).scalar_subquery()))
_JUST_REPORT = REPORTS.alias("just")
LOOK = Direct(
    select(*_OPENED.c, STORED_ANSWER.scalar_subquery().label("stored"),
           case((_NONE_OPEN, OPEN_OF_NUMBER.scalar_subquery())).label("going"),
           _JUST_REPORT.c.id.label("just_id"), _JUST_REPORT.c.reference, _JUST_REPORT.c.lang,
           _JUST_REPORT.c.conversation_id.label("just_conversation"))
    .select_from(select(literal(1).label("one")).subquery("one")
                 .outerjoin(_OPENED, true())
                 .outerjoin(_JUST_REPORT, _JUST_REPORT.c.id == _JUST_ID)))


class Intake:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: StaffConfig,
        resolver: AddressResolver,
        on_filed: Callable[[], None] = lambda: None,
        max_open: int = 5,
        on_ended: Callable[[str, str], None] = lambda channel, outcome: None,
        duplicates: DuplicateFinder | None = None,
        media: PhotoStore | None = None,
        menu: Menu | None = None,
    ) -> None:
        self.media = media  # None: photos are not taken
        self.duplicates = duplicates  # None: reports are filed without looking for others
        self.sessions = sessions
        self.engine = bound_engine(sessions)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.max_open = max_open
        self.on_ended = on_ended  # (channel, outcome) once a conversation has ended
        self.config = config
        self.menu = config.menu if menu is None else menu  # the staff's and the server's
        self.menus = Menus(sessions)
        self.resolver = resolver
        self.on_filed = on_filed

    def use(self, config: StaffConfig, menu: Menu) -> None:
        """A reloaded staff file or a re-read service list: later webhooks take both (one
        under way keeps the menu it began with)."""
        self.config, self.menu = config, menu

    def handle(self, inbound: Inbound) -> Reply:
        """Process one webhook exactly once; a repeat gets the stored answer.

        Webhooks of one conversation are applied one at a time: the open conversation is
        written only if its turn is still the one read, and whatever else its step wrote
        (a report) stands or falls with that write. A webhook that loses a race to another
        one of the same conversation, or to itself, starts over from what the winner
        committed (no row lock: a lock cost every webhook two more round trips, BEGIN and
        COMMIT, to spare the rare race a rerun).
        """
        inbound = self._with_photos(_identified(inbound))
        menu = self.menu  # one menu for every try, even if staff change it meanwhile
        self.menus.keep(menu)
        looked_up: dict[Any, Any] = {}  # slow lookups done outside the transaction
        for attempt in range(1, RETRIES + 1):
            try:
                reply, filed, ended = self._handle_once(inbound, menu, looked_up)
                break
            except _LookUp as need:  # ask the city with no lock held, then run again
                looked_up[need.key] = self._look_up(need.key)
                continue
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                dropped = getattr(exc, "connection_invalidated", False)
                if attempt == RETRIES or not _lost_race(exc) or (dropped and attempt > 1):
                    raise  # a database that keeps dropping connections is down: apologise
                log.info("%s %s: %s (%s); again", inbound.channel, mask_phone(inbound.phone),
                         "a pooled connection was dropped" if dropped else
                         "another webhook of the conversation came first", type(exc).__name__)
                time.sleep(random.uniform(0, 0.005 * attempt))  # let the herd spread out
        if filed:
            self.on_filed()
        if ended:
            self.on_ended(inbound.channel, ended)
        return reply

    def _with_photos(self, inbound: Inbound) -> Inbound:
        """Photos sent with a text are fetched and published before the transaction (slow);
        the text and the photos then reach the conversation as one PhotosSent."""
        if not inbound.media or not isinstance(inbound.event, conv.Said):
            return inbound
        if self.media is None:
            photos = [Photo(refused="unreachable")] * len(inbound.media)
        else:
            photos = self.media.fetch(inbound.delivery_id, inbound.media)
        gps = next(((p.lat, p.lon) for p in photos if p.url and p.lat is not None), None)
        event = conv.PhotosSent(
            tuple(p.url for p in photos if p.url), tuple(p.refused for p in photos if p.refused),
            gps[0] if gps else None, gps[1] if gps else None, inbound.event.text)
        log.info("%s sent %d photos (%d refused)", mask_phone(inbound.phone), len(photos),
                 len(event.refused))
        return replace(inbound, event=event)

    def _handle_once(self, inbound: Inbound, menu: Menu, looked_up: dict[Any, Any] | None = None
                     ) -> tuple[Reply, bool, str | None]:
        """One try: (the reply, whether a report was filed, how the conversation ended).

        Two statements for an ordinary step: the open conversation, read with any stored
        answer to this very webhook; and its update, made only if its turn is still the one
        read, with the answer's record (two statements on SQLite). On PostgreSQL both run
        on their own, each atomic (no BEGIN and COMMIT: two round trips of four); a step that
        writes more (a report filed, a call-back asked for) begins a transaction first, and
        its writes stand only if the turn was still the one read. Core statements: the ORM's
        unit of work cost more CPU than the rest of the webhook.
        """
        lazy = self.engine.dialect.name == "postgresql"
        with (self._autocommit.connect() if lazy else self.engine.begin()) as conn, \
                _Work(conn, self.sessions, lazy=lazy) as work:
            done = self._once(conn, work, inbound, menu, looked_up)
            work.commit()
        return done

    def _once(self, conn: Connection, work: _Work, inbound: Inbound, menu: Menu,
              looked_up: dict[Any, Any] | None) -> tuple[Reply, bool, str | None]:
        look = LOOK.one(conn, self._asked(inbound))
        if look.stored is not None:
            log.info("repeated webhook %s answered from the record", inbound.delivery_id)
            return load_reply(look.stored), False, None
        found, first = (look, None) if look.id is not None else (None, look)
        row = self._still_open(work, inbound, found)
        if row is None:
            if first is None:  # a text conversation long idle, closed just now
                first = self._first_look(conn, inbound)
            followed = self._follow_up(work, inbound, first)
            if followed is not None:
                reply, conversation_id = followed
                _record(conn, inbound.delivery_id, conversation_id, reply)
                return reply, False, None
            if self._too_many_open(inbound, first):
                langs = self.config.languages  # the caller's is not known: each offered
                said = tuple(Say("too_many_open", lang=lang) for lang in langs)
                reply = Reply(langs[0], 0, (*said, End(Ended.TOO_MANY_OPEN)))
                _record(conn, inbound.delivery_id, None, reply)
                return reply, False, "refused"
            row = OpenConversation(None, 0, {}, inbound.channel, inbound.key,
                                   inbound.phone, inbound.city_number)
        before = row.wants_texts
        state, actions, filed = self._run(work, row, inbound, menu, looked_up or {})
        is_open = state.step is not Step.DONE
        work.flush()  # rows added through the ORM (a report followed) before Core's writes
        if state.reference is not None and (
                state.wants_texts if filed else state.wants_texts != before):
            work.begin()  # stands only with the turn's write
            conn.execute(SET_WANTS_TEXTS, {"ref": state.reference, "updated_at": utcnow(),
                                           "wants_texts": state.wants_texts})
        shown = tuple(a for a in actions if isinstance(a, STORED_ACTIONS))
        reply = Reply(state.lang, row.turn + 1 if row.id is not None else 1, shown)
        self._save(conn, row, state, is_open, inbound.delivery_id, reply)
        log.info("%s %s %s: step %s", inbound.channel, row.id, mask_phone(inbound.phone),
                 state.step.value)
        ended = (state.ended or "done") if not is_open else None
        return reply, filed, ended

    def _still_open(self, work: _Work, inbound: Inbound,
                    found: Any) -> OpenConversation | None:
        """The open conversation read, unless it is a text conversation long idle (closed)."""
        if found is None:
            return None
        row = OpenConversation(found.id, found.turn, found.state, inbound.channel,
                               inbound.key, found.phone, found.city_number)
        if inbound.channel == "sms" and found.updated_at < utcnow() - SMS_IDLE:
            # a text long after the last one starts afresh, not at a question from days ago
            log.info("sms conversation %s idle since %s; starting a new one", row.id,
                     found.updated_at.isoformat(timespec="minutes"))
            work.begin()  # closed only if the new one is opened
            work.conn.execute(CLOSE, {"cid": row.id, "is_open": False, "updated_at": utcnow()})
            return None
        return row

    def _save(self, conn: Connection, row: OpenConversation, state: State, is_open: bool,
              delivery_id: str, reply: Reply) -> None:
        """Write the conversation's new state and the answer to this webhook: a new row, or
        the one read if its turn is still the one read (another webhook of it that came
        first makes this one start over). One statement on PostgreSQL, two elsewhere.
        """
        values = {"state": self.menus.dump(state), "step": state.step.value,
                  "is_open": is_open, "updated_at": utcnow()}
        answer = {"delivery": delivery_id, "answer": dump_reply(reply),
                  "answered_at": values["updated_at"]}
        together = conn.dialect.name == "postgresql"
        if row.id is None:
            opened = {"channel": row.channel, "key": row.key, "phone": row.phone,
                      "city_number": row.city_number, "turn": 1,
                      "created_at": values["updated_at"], **values}
            if together:
                row.id = OPEN_AND_RECORD.one(conn, {**opened, **answer})[0]
            else:
                row.id = conn.execute(NEW_CONVERSATION, opened).scalar_one()
                _record(conn, delivery_id, row.id, reply)
            row.turn = 1
            return
        moved = {"cid": row.id, "read": row.turn, "turn": row.turn + 1, **values}
        if together:
            done = TURN_AND_RECORD.first(conn, {**moved, **answer}) is not None
        else:
            done = conn.execute(NEXT_TURN, moved).rowcount == 1
            if done:
                _record(conn, delivery_id, row.id, reply)
        if not done:
            raise StaleDataError(f"conversation {row.id} moved past turn {row.turn}")
        row.turn += 1

    def _placed(self, conn: Connection, row: OpenConversation) -> int:
        """The conversation's id, inserting its row now if this is its first webhook (a
        report or a call-back request must name it); written in full by `_save`."""
        if row.id is None:
            now = utcnow()
            row.id = conn.execute(NEW_CONVERSATION, {
                "channel": row.channel, "key": row.key, "phone": row.phone,
                "city_number": row.city_number, "step": "new", "turn": 0, "state": {},
                "is_open": True, "created_at": now, "updated_at": now}).scalar_one()
        return row.id

    @staticmethod
    def _asked(inbound: Inbound) -> dict[str, Any]:
        """The parameters of LOOK."""
        now = utcnow()
        return {"delivery": inbound.delivery_id, "channel": inbound.channel,
                "key": inbound.key, "phone": inbound.phone, "since": now - FOLLOW_UP,
                "active_since": now - ACTIVE}

    def _first_look(self, conn: Connection, inbound: Inbound) -> Any:
        """LOOK again, once the idle conversation it found is closed: its first-look half."""
        return LOOK.one(conn, self._asked(inbound))

    def _too_many_open(self, inbound: Inbound, first: Any) -> bool:
        """This number has `max_open` conversations going already (a flood, not a resident).
        `first`: the LOOK row where no conversation was open."""
        if not inbound.phone or self.max_open <= 0:
            return False
        going = first.going or 0
        if going >= self.max_open:
            log.warning("%s %s has %d conversations going; not opening another",
                        inbound.channel, mask_phone(inbound.phone), going)
        return going >= self.max_open

    def _follow_up(self, work: _Work, inbound: Inbound,
                   first: Any) -> tuple[Reply, int | None] | None:
        """A text that arrives just after its conversation filed a report, sent before the
        resident saw the reference, belongs to that report: it is added to the description
        while the report is still waiting for delivery, or answered with the reference.
        `first`: the LOOK row where none was open, with the report just filed if any.
        """
        photos = inbound.event.urls if isinstance(inbound.event, conv.PhotosSent) else ()
        if inbound.channel != "sms" or not (inbound.text.strip() or photos):
            return None
        if first.just_id is None:
            return None
        work.begin()  # what it adds to the report and the answer it records, together
        report_id, reference, lang, conversation_id = (
            first.just_id, first.reference, first.lang, first.just_conversation)
        text = inbound.text.strip()
        if photos and not text:  # photos right after filing: to the report, while it waits
            added = self._add_photos(work.conn, report_id, photos)
            prompt = "followup_added" if added else "followup_filed"
            return Reply(lang, 0, (Say(prompt, {"reference": reference}),)), conversation_id
        said = text.casefold().strip(" .!")
        if said in NEW:
            return None  # another report: a new conversation
        if said in THANKS:
            return Reply(lang, 0, ()), conversation_id
        if said in AGAIN:  # a "yes" sent twice: the report is filed, say so
            return Reply(lang, 0, (Say("followup_filed", {"reference": reference}),)), \
                conversation_id
        if photos:
            self._add_photos(work.conn, report_id, photos)
        now = utcnow()
        added = work.conn.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == ReportState.PENDING,
                   Report.attempts == 0,
                   Report.next_attempt_at <= now)  # not claimed by a worker yet
            .values(description=func.coalesce(Report.description + "\n", "")
                    + text[:FOLLOW_UP_CHARS])
        ).rowcount > 0
        prompt = "followup_added" if added else "followup_filed"
        log.info("sms %s: a text right after report %s was %s", mask_phone(inbound.phone),
                 reference, "added to it" if added else "answered with its reference")
        return Reply(lang, 0, (Say(prompt, {"reference": reference}),)), conversation_id

    def _add_photos(self, conn: Connection, report_id: int, photos: tuple[str, ...]) -> bool:
        """Photos added to a report not yet claimed for delivery (at most MAX_PHOTOS)."""
        media = conn.scalar(select(Report.media).where(Report.id == report_id)) or []
        kept = [*media, *(p for p in photos if p not in media)][:MAX_PHOTOS]
        return bool(conn.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == ReportState.PENDING,
                   Report.attempts == 0,
                   Report.next_attempt_at <= utcnow())
            .values(media=kept)).rowcount)

    def _run(
        self, work: _Work, row: OpenConversation, inbound: Inbound, menu: Menu,
        looked_up: dict[Any, Any] | None = None,
    ) -> tuple[State, list[Action], bool]:
        """Step the engine, performing address and filing actions until it waits on the resident."""
        if not row.state or inbound.event is None:
            if isinstance(inbound.event, (conv.HungUp, conv.TransferEnded)):
                # the end of a call we no longer hold (or never held): nothing to answer
                return State(channel=inbound.channel, step=Step.DONE, ended=Ended.HANGUP), [], False
            # voice transfers only within the agents' hours; a text just says how to call
            agent = (self.config.agent_open(utcnow()) if inbound.channel == "voice"
                     else self.config.agent_number is not None)
            first = inbound.event if isinstance(inbound.event, FIRST_EVENTS) else None
            last = self._last_report(work.conn, inbound) if _is_new(inbound.text) else None
            state, pending = conv.start(conv.Started(
                inbound.channel, menu, agent, "" if first or last else inbound.text,
                self.config.tries, languages=self.config.languages, other=self.config.other,
                check_duplicates=self.duplicates is not None, again=last is not None,
                lang=last.lang if last else None, last_place=last.place if last else None))
            if first is not None:  # a location (or photo) first: greet, then take it
                state, more = conv.step(state, first)
                pending = [a for a in pending if isinstance(a, Say)] + more
        else:
            state = self.menus.load(work.conn, row.state)
            try:
                state, pending = conv.step(state, inbound.event)
            except conv.IllegalEvent as exc:
                log.warning("conversation %s: %s; asking again", row.id, exc)
                return state, _reask(state), False
        done: list[Action] = []
        filed = False
        while pending:
            action = pending.pop(0)
            event: Event | None = None
            if isinstance(action, WRITES):
                work.begin()  # these write rows that stand only with the turn's write
            if isinstance(action, conv.ResolveAddress):
                event = self.resolver.resolve(action.text, action.letters, action.lang,
                                              sentence=action.sentence)
            elif isinstance(action, conv.LocatePoint):
                event = self.resolver.nearest(action.lat, action.lon)
            elif isinstance(action, conv.FindDuplicates):
                event = self._duplicates(work.orm, action, looked_up or {})
            elif isinstance(action, conv.FollowRequest):
                reference = _new_reference(work.conn)
                follow(work.orm, reference, phone=row.phone, channel=row.channel,
                       conversation_id=self._placed(work.conn, row),
                       request_id=action.request_id, service_code=action.service_code,
                       place=action.place, lang=action.lang)
                log.info("%s follows request %s instead of filing (ref %s)",
                         mask_phone(row.phone), action.request_id, reference)
                event = conv.RequestFollowed(reference)
            elif isinstance(action, conv.FileRequest):
                event = conv.RequestFiled(self._file(work.conn, row, action))
                filed = True
            elif isinstance(action, conv.ContinueByText):
                self._continue_by_text(work.orm, row, state, action.step)
            elif isinstance(action, conv.RequestCallback):
                work.orm.add(CallbackRequest(conversation_id=self._placed(work.conn, row),
                                            phone=row.phone,
                                            lang=state.lang, reason=action.reason,
                                            reference=action.reference))
                log.info("callback requested by %s (%s)", mask_phone(row.phone), action.reason)
            else:
                done.append(action)
            if event is not None:
                state, more = conv.step(state, event)
                pending = more + pending
        return state, done, filed

    def _last_report(self, conn: Connection, inbound: Inbound) -> State | None:
        """The state of this texter's last finished report, for "NEW" (None: start afresh)."""
        if inbound.channel != "sms":
            return None
        found = conn.scalar(
            select(ConversationRow.state).where(
                ConversationRow.channel == "sms", ConversationRow.key == inbound.key,
                ConversationRow.is_open.is_(False), ConversationRow.step == Step.DONE.value,
                ConversationRow.updated_at >= utcnow() - SMS_IDLE)
            .order_by(ConversationRow.id.desc()).limit(1))
        if not found:
            return None
        last = conv.load(found)
        return last if last.reference is not None else None

    def _duplicates(self, session: Session, action: conv.FindDuplicates,
                    looked_up: dict[Any, Any]) -> conv.DuplicatesFound:
        """Open requests like this one nearby: the city's (asked outside the transaction
        through `_LookUp`) and our own."""
        if self.duplicates is None:
            return conv.DuplicatesFound()
        key = ("duplicates", action.service_code, action.lat, action.lon)
        if key not in looked_up:
            raise _LookUp(key)
        return self.duplicates.find(session, action.service_code, action.lat, action.lon,
                                    looked_up[key])

    def _look_up(self, key: Any) -> Any:
        _, service_code, lat, lon = key
        assert self.duplicates is not None
        return self.duplicates.city(service_code, lat, lon)

    def conversation(self, channel: str, key: str) -> State | None:
        """A call's conversation (or a number pair's open text one) as stored, None if there
        is none: what the agent's whisper says, the language an apology takes."""
        with self.sessions() as session:
            query = select(ConversationRow.state).where(ConversationRow.channel == channel,
                                                        ConversationRow.key == key)
            if channel == "sms":
                query = query.where(ConversationRow.is_open.is_(True))
            found = session.scalar(query.order_by(ConversationRow.id.desc()).limit(1))
            return self.menus.load(session, found) if found else None

    def _continue_by_text(
        self, session: Session, row: OpenConversation, state: State, at: Step
    ) -> None:
        """Text a cut-off caller the question they were on, if they have agreed to texts.

        Agreement is on record when this number asked for status texts before and has not
        opted out since; the SMS conversation takes over the call's state as it was.
        """
        if not row.phone or not row.city_number or not agreed_to_texts(session, row.phone):
            log.info("call %s cut off mid-way; no text (%s has not agreed to texts)", row.id,
                     mask_phone(row.phone))
            return
        key = f"{row.phone}|{row.city_number}"
        for old in session.scalars(select(ConversationRow).where(
                ConversationRow.channel == "sms", ConversationRow.key == key,
                ConversationRow.is_open.is_(True))):
            old.is_open = False
        session.flush()
        moved, actions = conv.resume(state, "sms", at)
        text = sms.reply_text(Reply(moved.lang, 0, (Say("continue_by_text"), *actions)),
                              self.config.wording("sms"))
        if queue_text(session, row.phone, row.city_number, text, moved.lang,
                      TextKind.CONTINUE) is None:
            return
        session.add(ConversationRow(channel="sms", key=key, phone=row.phone,
                                    city_number=row.city_number, step=moved.step.value, turn=0,
                                    state=self.menus.dump(moved), is_open=True))
        log.info("call %s cut off at %s; continuing by text", row.id, at.value)

    def _file(self, conn: Connection, row: OpenConversation, action: conv.FileRequest) -> str:
        reference = _new_reference(conn)
        place = action.place
        conn.execute(insert(REPORTS).values(
            reference=reference, conversation_id=self._placed(conn, row),
            channel=row.channel, phone=row.phone,
            lang=action.lang, service_code=action.service_code,
            lat=place.lat if place else None, lon=place.lon if place else None,
            address=place.label if place else action.address_text[:255],
            address_as_said=action.address_text[:500], needs_review=place is None,
            description=action.description, attributes=dict(action.attributes),
            status=ReportState.PENDING,
            media=list(action.media) or None,
        ))
        log.info("report %s queued for delivery (%s)", reference, action.service_code)
        return reference


class _LookUp(Exception):  # noqa: N818 - a signal, not an error
    """The engine needs a slow lookup: done with no transaction open, then the webhook reruns."""

    def __init__(self, key: Any) -> None:
        super().__init__(key)
        self.key = key


class _Work:
    """One webhook's database work. Its statements run as Core on `conn`; an ORM session on
    the same connection and transaction is made only when a rarer path needs one (a
    follow, a call-back request, a call going on by text): making a session for every
    webhook cost more CPU than an ordinary step's statements.

    `lazy`: `conn` runs each statement on its own (autocommit) until `begin`, called before
    a step's writes that must stand or fall together; `commit` ends what `begin` began.
    """

    def __init__(self, conn: Connection, sessions: sessionmaker[Session],
                 lazy: bool = False) -> None:
        self.conn = conn
        self.lazy = lazy
        self._commits = lazy  # otherwise the caller's `engine.begin()` commits
        self._sessions = sessions
        self._orm: Session | None = None

    def begin(self) -> None:
        """From here on, one transaction (a no-op when there is one already)."""
        if not self.lazy:
            return
        self.lazy = False
        if self.conn.in_transaction():
            self.conn.commit()  # what SQLAlchemy began around the reads so far: nothing
        self.conn.execution_options(isolation_level=self.conn.default_isolation_level)
        self.conn.begin()

    def commit(self) -> None:
        if self._commits and self.conn.in_transaction():
            self.conn.commit()

    @property
    def orm(self) -> Session:
        if self._orm is None:  # joins the transaction; never commits it itself
            self.begin()
            self._orm = self._sessions(bind=self.conn)
        return self._orm

    def flush(self) -> None:
        """What the ORM session holds, written now (before Core statements that need it)."""
        if self._orm is not None:
            self._orm.flush()

    def __enter__(self) -> _Work:
        return self

    def __exit__(self, *_: object) -> None:
        if self._orm is not None:
            self._orm.close()  # the transaction is not its own: `conn` commits or rolls back


@dataclass
class OpenConversation:
    """The conversation a webhook continues (id None: its first webhook, not stored yet)."""

    id: int | None
    turn: int
    state: dict[str, Any]
    channel: str
    key: str
    phone: str | None
    city_number: str | None

    @property
    def wants_texts(self) -> bool:
        return bool(self.state.get("wants_texts", False))


def _record(conn: Connection, delivery_id: str, conversation_id: int | None,
            reply: Reply) -> None:
    """The answer to this webhook, so a second delivery of it is answered the same."""
    conn.execute(RECORD, {"id": delivery_id, "conversation_id": conversation_id,
                          "answer": dump_reply(reply), "created_at": utcnow()})


def _identified(inbound: Inbound) -> Inbound:
    """Webhooks that cannot be told apart are never treated as one.

    Without a MessageSid a text cannot be recognised when repeated: it gets an id of its
    own instead of sharing one stored answer with every other such text. Without a CallSid
    (voice) or a sender (SMS) there is no conversation to continue: each gets its own.
    """
    key, delivery = inbound.key, inbound.delivery_id
    anonymous = not key if inbound.channel == "voice" else not inbound.phone
    if anonymous:
        key = f"anonymous:{uuid.uuid4().hex}"
    if anonymous or not delivery:
        delivery = f"once:{uuid.uuid4().hex}"
    if (key, delivery) == (inbound.key, inbound.delivery_id):
        return inbound
    return replace(inbound, key=key, delivery_id=delivery)


def _lost_race(exc: Exception) -> bool:
    """Another transaction changed what this one read: starting over will see it.

    A duplicate key (the same webhook, or a conversation opened at the same moment), a
    stale turn, PostgreSQL's deadlock / serialization failure, or a pooled connection found
    dropped (the pool then replaces every older one); not a database that is down.
    """
    if isinstance(exc, (IntegrityError, StaleDataError)):
        return True
    if getattr(exc, "connection_invalidated", False):
        return True  # a connection the database had dropped (a restart): a fresh one may do
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in ("40001", "40P01")


def agreed_to_texts(session: Session, phone: str) -> bool:
    """This number asked for status texts on an earlier report and has not opted out."""
    asked = session.scalar(select(Report.id).where(Report.phone == phone,
                                                   Report.wants_texts.is_(True)).limit(1))
    return asked is not None and not is_opted_out(session, phone)


def _is_new(text: str) -> bool:
    return text.casefold().strip(" .!") in NEW


def _reask(state: State) -> list[Action]:
    if state.step is Step.DONE:
        return []
    try:
        return [conv.question(state)]
    except conv.IllegalEvent:
        return []


def _new_reference(conn: Connection) -> str:
    """A short numeric reference a resident can read out or key in: 7 digits, unique."""
    while True:
        reference = str(secrets.randbelow(9_000_000) + 1_000_000)
        if conn.execute(REFERENCE_TAKEN, {"ref": reference}).first() is None:
            return reference
