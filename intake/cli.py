"""The `intake` command: serve, simulate, replay, outbox, db, streets.

Every failure a deployer can cause (bad config file, unreachable database, missing street
file) is reported as one clear line, not a stack trace.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import httpx
from sqlalchemy import select

from . import db
from .cli_catalogue import catalogue
from .cli_common import friendly_errors, load_settings, make_app, reports_db
from .cli_staff import check_config, users
from .cli_texts import poll, start_texts, texts
from .lifecycle import ReportState, Shown, shown
from .settings import Settings, mask_phone
from .webhook_client import WebhookSender


@click.group()
def main() -> None:
    """open311-intake: 311 reports by phone call and text message, filed over Open311."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int,
              help="Threads per process.")
@click.option("--workers", default=0, show_default=True, type=int,
              help="Production: this many gunicorn worker processes, webhooks only (run "
                   "`intake worker` and `intake poll --loop` beside it). 0: one waitress "
                   "process that also delivers, texts and polls (the demo).")
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Run the service: webhooks and the Open311 sandbox (and, without --workers, the rest)."""
    settings = load_settings()
    if workers > 0:
        from .production import serve_production

        click.echo(f"open311-intake: {workers} gunicorn workers on http://{host}:{port} "
                   f"(database {_safe_url(settings.database_url)}); reports are delivered "
                   "by `intake worker`, statuses polled by `intake poll --loop`.\n"
                   f"Open311 server: {_open311_line(settings, f'http://{host}:{port}')}")
        with friendly_errors():
            serve_production(settings, host, port, workers, max(threads, 1))
        return
    import waitress

    from .app import CATALOGUE, OUTBOX, STAFF
    from .housekeeping import Housekeeping

    base = f"http://{host}:{port}"
    app = make_app(settings, local_url=base)
    app.extensions[OUTBOX].start()
    Housekeeping(db.sessions(app), settings=settings).start()
    app.extensions[STAFF].watch(settings.config_reload_seconds)
    app.extensions[CATALOGUE].start()  # the city's service list, re-read hourly
    start_texts(app)
    click.echo(f"""
open311-intake is running at {base}
  Twilio webhooks:   {base}/voice  (calls)   {base}/sms  (messages)
  Open311 server:    {_open311_line(settings, base)}
  Database:          {_safe_url(settings.database_url)}
  Streets:           {settings.streets_path}
  Outbound texts:    {_texts_mode(settings)}; quiet hours {settings.quiet_hours}""")
    if settings.demo:
        click.echo("  Demo mode: webhooks must be signed with the local auth token "
                   f"{settings.twilio_auth_token}\n"
                   "  (set TWILIO_AUTH_TOKEN to use your Twilio account's token instead).")
    click.echo(f"""
Try it from another terminal:
  .venv/bin/intake simulate call     # keypad digits, or type what you would say
  .venv/bin/intake simulate sms      # type text messages
  .venv/bin/intake replay fixtures/sms_english.json --url {base}
""")
    # X-Forwarded-* go through to the app, which believes them only from TRUSTED_PROXIES.
    # Idle connections cost a slot each: many slots (poll, not select), and idle ones are
    # closed after 15 s (Twilio gives up on an answer after 15 s anyway).
    waitress.serve(app, host=host, port=port, threads=threads, ident="open311-intake",
                   clear_untrusted_proxy_headers=False, connection_limit=1000,
                   asyncore_use_poll=True, channel_timeout=15,
                   max_request_body_size=settings.max_body)


def _open311_line(settings: Settings, base: str) -> str:
    """Where reports go, and whether this process also answers as the built-in sandbox."""
    city = settings.open311_endpoint or settings.open311_discovery
    mounted = f"built-in sandbox mounted at {base}/open311/v2/"
    if city is None:
        return f"{base}/open311/v2/  ({mounted}; set OPEN311_ENDPOINT for a city's server)"
    if settings.sandbox_on:
        return f"{city}  (and the {mounted}, because SANDBOX=on)"
    return f"{city}  (built-in sandbox not mounted: /open311/v2/ answers 404)"


def _texts_mode(settings: Settings) -> str:
    if settings.demo:
        return "printed here (demo mode)"
    if not settings.twilio_account_sid:
        return "printed here: set TWILIO_ACCOUNT_SID to send them through Twilio"
    return "sent through Twilio"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group()
def simulate() -> None:
    """Talk to the service from the terminal, as a resident would."""


@contextmanager
def _sender(url: str, in_process: bool) -> Iterator[WebhookSender]:
    settings = Settings.from_env()
    if not in_process:
        try:
            httpx.get(url.rstrip("/") + "/healthz", timeout=2).raise_for_status()
        except httpx.HTTPError:
            click.echo(f"No server answers at {url}; running the service in this process.")
            in_process = True
    if in_process:
        from .app import OUTBOX
        from .outbox import deliver_due

        app = make_app(settings)
        worker = app.extensions[OUTBOX]
        worker.start()
        http = httpx.Client(transport=httpx.WSGITransport(app=app))
        url = "http://localhost"
        try:
            yield WebhookSender(http, url, settings.twilio_auth_token)
        finally:
            worker.stop()
            worker.join(timeout=30)
            deliver_due(worker.sessions, worker.client)
        return
    with httpx.Client(timeout=20) as http:
        yield WebhookSender(http, url, settings.twilio_auth_token)


_url = click.option("--url", default="http://127.0.0.1:5000", show_default=True,
                    help="The running service (falls back to in-process when none answers).")
_in_process = click.option("--in-process", is_flag=True, help="Do not look for a running server.")
_to = click.option("--to", "city", default="+15555550311", show_default=True,
                   help="The city's 311 number.")


@simulate.command("sms")
@_url
@_in_process
@click.option("--from", "phone", default="+15555550123", show_default=True)
@_to
def simulate_sms_cmd(url: str, in_process: bool, phone: str, city: str) -> None:
    """Text the service: every line you type is one message."""
    from .simulate import lines, simulate_sms

    click.echo(f"Texting as {mask_phone(phone)}. Type a message (Ctrl-D to stop). Try: pothole")
    with _sender(url, in_process) as sender:
        simulate_sms(sender, lines(iter(sys.stdin), _prompt), click.echo, phone, city)


@simulate.command("call")
@_url
@_in_process
@click.option("--from", "phone", default="+15555550123", show_default=True)
@_to
def simulate_call_cmd(url: str, in_process: bool, phone: str, city: str) -> None:
    """Call the service: digits for the keypad, other lines as speech, empty line = silence."""
    from .simulate import lines, simulate_call

    click.echo("Calling. Type digits (e.g. 1 or 123#) for the keypad, words for speech, "
               "an empty line to stay silent, /hangup to hang up.")
    with _sender(url, in_process) as sender:
        simulate_call(sender, lines(iter(sys.stdin), _prompt), click.echo, phone, city)


def _prompt(text: str) -> None:
    if sys.stdin.isatty():
        click.echo(text, nl=False)


@main.command()
@click.argument("fixtures", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--url", required=True, help="The running service, e.g. http://127.0.0.1:5000")
@click.option("--token", envvar="TWILIO_AUTH_TOKEN", default=None,
              help="Auth token to sign with (default: TWILIO_AUTH_TOKEN, else the demo token).")
@click.option("--wait", default=20.0, show_default=True, help="Seconds to wait for the filing.")
@click.option("--open311", "open311_url", default=None,
              help="Where to look the filing up (default: the service's built-in sandbox).")
def replay(fixtures: tuple[Path, ...], url: str, token: str | None, wait: float,
           open311_url: str | None) -> None:
    """Replay recorded conversations against a running server and check their expectations."""
    from .replay import run

    token = token or Settings.from_env().twilio_auth_token
    failed = 0
    for path in fixtures:
        try:
            result = run(path, url, token, wait=wait, open311_url=open311_url)
        except httpx.HTTPError as exc:
            raise click.ClickException(f"cannot reach the service at {url}: {exc}") from exc
        except (ValueError, KeyError) as exc:
            raise click.ClickException(f"{path} is not a valid fixture: {exc!r}") from exc
        for line in result.log:
            click.echo(f"  {line}")
        verdict = "ok" if result.ok else "FAILED"
        click.echo(f"{verdict}: {path.name}" + (f" (ref {result.reference})"
                                                 if result.reference else ""))
        for problem in result.failures:
            click.echo(f"  - {problem}")
        failed += not result.ok
    if failed:
        raise SystemExit(1)


# What staff see for each state (`Shown` lists them most urgent first).
_STATE_LABELS = {**{s: s.value for s in Shown}, Shown.TOKEN: "awaiting id",
                 Shown.UNCERTAIN: "checking", Shown.FAILED: "FAILED",
                 Shown.NEEDS_ATTENTION: "NEEDS ATTENTION"}


@main.group(invoke_without_command=True)
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

    from .storage import Report

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
    from .outbox import retry_failed
    from .storage import Report

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


@main.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also the ones already handled.")
@click.pass_context
def callbacks(ctx: click.Context, show_all: bool) -> None:
    """Residents who asked a person to call back (the agent line did not answer)."""
    if ctx.invoked_subcommand is not None:
        return
    from .storage import CallbackRequest

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
    from .storage import CallbackRequest

    with reports_db() as session, session.begin():
        row = session.get(CallbackRequest, number)
        if row is None:
            raise click.ClickException(f"no callback #{number}")
        row.handled_at = row.handled_at or db.utcnow()
    click.echo(f"Callback #{number} is marked handled.")


@main.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema."""
    from .migrations import upgrade

    settings = Settings.from_env()
    with friendly_errors():
        upgrade(db.make_engine(settings.database_url))
    click.echo(f"Database is up to date: {_safe_url(settings.database_url)}")


@main.command()
@click.option("--interval", type=float, default=None,
              help="Seconds between passes (default: OUTBOX_INTERVAL).")
def worker(interval: float | None) -> None:
    """Deliver reports to the Open311 server and send queued texts, until stopped.

    Run as many as you like, on any machine, against one PostgreSQL database: each report
    and each text is claimed by one worker (SELECT ... FOR UPDATE SKIP LOCKED).
    """
    from .production import run_worker

    settings = load_settings()
    app = make_app(settings)
    run_worker(app, settings, interval=interval)


@main.command()
@click.option("--days", type=int, default=None,
              help="Keep this many days after a request closes (default: RETENTION_DAYS, 90).")
def purge(days: int | None) -> None:
    """Remove residents' phone numbers, conversations and texts of long-closed requests."""
    from .retention import purge as purge_old

    settings = load_settings()
    keep = days if days is not None else settings.retention_days
    if keep < 1:
        raise click.ClickException("--days must be at least 1")
    with reports_db() as session, session.begin():
        done = purge_old(session, keep)
    click.echo(f"Purged data older than {keep} days: phone numbers of {done.reports} reports, "
               f"{done.conversations} conversations, {done.texts} texts.")


main.add_command(poll)
main.add_command(texts)
main.add_command(check_config)
main.add_command(users)
main.add_command(catalogue)

try:
    from .cli_streets import streets

    main.add_command(streets)
except ImportError:  # pragma: no cover - the street import tools are optional in a slim install
    pass
if __name__ == "__main__":
    main()
