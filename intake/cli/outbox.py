"""`intake outbox` (reports on their way to the city) and `intake callbacks` (asked for)."""

from __future__ import annotations

import click
from sqlalchemy import select

from .. import db
from ..lifecycle import ReportState, Shown, shown
from .common import reports_db

# What staff see for each state (`Shown` lists them most urgent first).
_STATE_LABELS = {**{s: s.value for s in Shown}, Shown.TOKEN: "awaiting id",
                 Shown.UNCERTAIN: "checking", Shown.FAILED: "FAILED",
                 Shown.NEEDS_ATTENTION: "NEEDS ATTENTION"}


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice([s.value for s in (
    Shown.PENDING, Shown.RETRYING, Shown.UNCERTAIN, Shown.TOKEN, Shown.FAILED,
    Shown.NEEDS_ATTENTION, Shown.DELIVERED)]), help="Only reports in this state.")
@click.option("--limit", default=50, show_default=True, help="At most this many per state.")
@click.pass_context
def outbox(ctx: click.Context, status: str | None, limit: int) -> None:
    """Reports waiting for, or done with, delivery to the Open311 server.

    States: pending (not tried yet), retrying (server down or erring), checking (a POST may
    have been filed: looking it up before sending again), awaiting id (the server gave a
    token), FAILED (the server refused it: fix, then `intake outbox retry REF`), NEEDS
    ATTENTION (not delivered within OUTBOX_GIVE_UP_HOURS, or the server lists a request with
    its reference that is not it: check, then `intake outbox retry REF [--adopt]`), delivered.
    """
    if ctx.invoked_subcommand is not None:
        return
    from sqlalchemy import func

    from ..storage import Report

    with reports_db() as session:
        counts: dict[Shown, int] = {}
        rows = session.execute(select(Report.status, Report.attempts, func.count())
                               .group_by(Report.status, Report.attempts)).all()
        for st, tries, n in rows:
            key = shown(st, tries)
            counts[key] = counts.get(key, 0) + n
        listed: list[Report] = []
        for state in Shown:
            if (status and state != status) or not counts.get(state):
                continue
            query = select(Report).order_by(Report.id.desc()).limit(limit)
            if state == Shown.RETRYING:
                query = query.where(Report.status == ReportState.PENDING, Report.attempts > 0)
            elif state == Shown.PENDING:
                query = query.where(Report.status == ReportState.PENDING, Report.attempts == 0)
            else:
                query = query.where(Report.status == state)
            listed.extend(session.scalars(query).all())
    if not counts:
        click.echo("No reports.")
        return
    click.echo(", ".join(f"{counts[s]} {_STATE_LABELS[s]}" for s in Shown if counts.get(s)))
    now = db.utcnow()
    for r in listed:
        state = shown(r.status, r.attempts)
        if r.status == ReportState.DELIVERED:
            when = f"id {r.service_request_id}"
        elif r.status == ReportState.FAILED:
            when = "needs staff"
        elif r.status == ReportState.NEEDS_ATTENTION:
            when = "needs staff" + (f" (server's {r.service_request_id}?)"
                                    if r.service_request_id else "")
        else:
            seconds = max(0, int((r.next_attempt_at - now).total_seconds()))
            when = f"next try in {seconds}s"
        click.echo(f"{r.reference}  {_STATE_LABELS[state]:15}  tries={r.attempts:<3} "
                   f"{r.service_code:18} {r.address[:36]:36}  {when}")
        if r.last_error and r.status != ReportState.DELIVERED:
            click.echo(f"           last error: {r.last_error}")


@outbox.command("retry")
@click.argument("reference")
@click.option("--adopt", is_flag=True,
              help="The server's request shown for it IS this report: count it as filed.")
def outbox_retry(reference: str, adopt: bool) -> None:
    """Send a failed or needs-attention report again (after fixing what the server said)."""
    from ..outbox import retry_failed
    from ..storage import Report

    with reports_db() as session, session.begin():
        was = session.scalar(select(Report.status).where(Report.reference == reference))
        try:
            report = retry_failed(session, reference, adopt=adopt)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        if report is None:
            raise click.ClickException(f"no report with reference {reference}")
        if report.status == ReportState.DELIVERED:
            how = "was already" if was == ReportState.DELIVERED else "is now"
            click.echo(f"Report {reference} {how} filed as {report.service_request_id}.")
            return
        how = ("looked up, and sent again only if the server does not have it,"
               if report.status == ReportState.UNCERTAIN else "sent again")
    click.echo(f"Report {reference} will be {how} by the running service.")


@click.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also the ones already handled.")
@click.pass_context
def callbacks(ctx: click.Context, show_all: bool) -> None:
    """Residents who asked a person to call back (the agent line did not answer)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..storage import CallbackRequest

    with reports_db() as session:
        query = select(CallbackRequest).order_by(CallbackRequest.id)
        if not show_all:
            query = query.where(CallbackRequest.handled_at.is_(None))
        rows = session.scalars(query).all()
    if not rows:
        click.echo("No callbacks waiting." if not show_all else "No callbacks.")
        return
    for row in rows:
        when = row.created_at.strftime("%Y-%m-%d %H:%M")
        done = f"  handled {row.handled_at:%Y-%m-%d %H:%M}" if row.handled_at else ""
        report = f"report {row.reference}" if row.reference else "no report filed"
        # the number is shown in full: staff are to call it (this command needs the database)
        click.echo(f"#{row.id}  {when} UTC  {row.phone or 'unknown number'}  {row.lang}  "
                   f"{report}{done}")


@callbacks.command("done")
@click.argument("number", type=int)
def callbacks_done(number: int) -> None:
    """Mark callback #NUMBER as handled."""
    from ..storage import CallbackRequest

    with reports_db() as session, session.begin():
        row = session.get(CallbackRequest, number)
        if row is None:
            raise click.ClickException(f"no callback #{number}")
        row.handled_at = row.handled_at or db.utcnow()
    click.echo(f"Callback #{number} is marked handled.")

