"""The sandbox's workflow clock, applied lazily and deterministically.

A request moves one stage per `step_seconds` after its `requested_datetime`:
0 open -> 1 acknowledged (note) -> 2 in progress (note, still open) -> 3 closed with
`status_notes`. `advance(session, now)` applies every transition that is due, dated when it
was due, and resolves due tokens. Each change is a guarded UPDATE (``WHERE stage = old``),
so two readers advancing the same request at once never write a note twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from open311_client import Status

from .config import SandboxConfig
from .models import SandboxNote, SandboxRequest

CLOSED_STAGE = 3


def _stage_text(stage: int, req: SandboxRequest, config: SandboxConfig) -> tuple[str, str, str]:
    """(note type, summary, description) for reaching `stage`."""
    agency = req.agency_responsible or "the city"
    if stage == 1:
        return "activity", "Acknowledged", f"Your request has been received by {agency}."
    if stage == 2:
        return "activity", "In progress", "A crew has been assigned and work is under way."
    service = config.service(req.service_code)
    closing = service.closing_note if service else "The issue has been resolved."
    return "closed", "Closed", closing


def opened_note(req: SandboxRequest) -> SandboxNote:
    """The first note of every request."""
    return SandboxNote(
        noted_datetime=req.requested_datetime,
        type="opened",
        summary="Opened",
        description="Request received.",
    )


def expected_datetime(requested: datetime, config: SandboxConfig) -> datetime:
    """When the workflow will close a request made at `requested`."""
    return requested + timedelta(seconds=config.step_seconds * CLOSED_STAGE)


def advance(session: Session, now: datetime, config: SandboxConfig | None = None) -> int:
    """Apply every workflow step and token resolution due at `now`; return how many."""
    cfg = config if config is not None else SandboxConfig()
    step = timedelta(seconds=cfg.step_seconds)
    changes = _resolve_tokens(session, now, cfg)
    due = session.scalars(
        select(SandboxRequest)
        .where(SandboxRequest.stage < CLOSED_STAGE)
        .where(SandboxRequest.requested_datetime <= now - step)
        .order_by(SandboxRequest.id)
    ).all()
    for req in due:
        old = req.stage
        elapsed = int((now - req.requested_datetime) / step)
        new = min(CLOSED_STAGE, elapsed)
        if new <= old:
            continue
        notes = []
        for stage in range(old + 1, new + 1):
            kind, summary, text = _stage_text(stage, req, cfg)
            at = req.requested_datetime + step * stage
            notes.append((at, kind, summary, text))
        last_at, _, _, last_text = notes[-1]
        values: dict[str, object] = {
            "stage": new,
            "status_notes": last_text,
            "updated_datetime": last_at,
        }
        if new == CLOSED_STAGE:
            values["status"] = Status.CLOSED
        result = session.execute(
            update(SandboxRequest)
            .where(SandboxRequest.id == req.id, SandboxRequest.stage == old)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            continue  # another reader advanced it first
        for at, kind, summary, text in notes:
            session.add(
                SandboxNote(
                    request_pk=req.id,
                    noted_datetime=at,
                    type=kind,
                    summary=summary,
                    description=text,
                )
            )
        changes += new - old
    session.flush()
    session.expire_all()
    return changes


def _resolve_tokens(session: Session, now: datetime, cfg: SandboxConfig) -> int:
    pending = session.scalars(
        select(SandboxRequest.id)
        .where(SandboxRequest.service_request_id.is_(None))
        .where(SandboxRequest.id_due_datetime.is_not(None))
        .where(SandboxRequest.id_due_datetime <= now)
        .order_by(SandboxRequest.id)
    ).all()
    changes = 0
    for pk in pending:
        result = session.execute(
            update(SandboxRequest)
            .where(SandboxRequest.id == pk, SandboxRequest.service_request_id.is_(None))
            .values(service_request_id=cfg.format_id(pk))
            .execution_options(synchronize_session=False)
        )
        changes += getattr(result, "rowcount", 0)
    return changes
