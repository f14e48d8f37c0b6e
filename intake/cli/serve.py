"""`intake serve` (the demo in one process, or gunicorn workers) and `intake worker`."""

from __future__ import annotations

import signal
from typing import NoReturn

import click

from .. import db
from ..settings import Settings
from .common import friendly_errors, load_settings, make_app, safe_url


@click.command()
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
        from ..production import serve_production

        click.echo(f"open311-intake: {workers} gunicorn workers on http://{host}:{port} "
                   f"(database {safe_url(settings.database_url)}); reports are delivered "
                   "by `intake worker`, statuses polled by `intake poll --loop`.\n"
                   f"Open311 server: {_open311_line(settings, f'http://{host}:{port}')}")
        with friendly_errors():
            serve_production(settings, host, port, workers, max(threads, 1))
        return
    import waitress

    from ..app import CATALOGUE, OUTBOX, STAFF
    from ..housekeeping import Housekeeping
    from ..messaging import TEXTS
    from ..worker import stop_all

    base = f"http://{host}:{port}"
    app = make_app(settings, local_url=base)
    background = [app.extensions[OUTBOX], Housekeeping(db.sessions(app), settings=settings),
                  app.extensions[TEXTS].worker]
    for thread in background:
        thread.start()
    app.extensions[STAFF].watch(settings.config_reload_seconds)
    app.extensions[CATALOGUE].start()  # the city's service list, re-read hourly
    click.echo(f"""
open311-intake is running at {base}
  Twilio webhooks:   {base}/voice  (calls)   {base}/sms  (messages)
  Open311 server:    {_open311_line(settings, base)}
  Database:          {safe_url(settings.database_url)}
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
    # SIGTERM (`kill`, a container's stop) ends it like Ctrl-C: as a container's PID 1 the
    # process would otherwise ignore SIGTERM and be killed ten seconds later
    signal.signal(signal.SIGTERM, _stop)
    # X-Forwarded-* go through to the app, which believes them only from TRUSTED_PROXIES.
    # Idle connections cost a slot each: many slots (poll, not select), and idle ones are
    # closed after 15 s (Twilio gives up on an answer after 15 s anyway).
    waitress.serve(app, host=host, port=port, threads=threads, ident="open311-intake",
                   clear_untrusted_proxy_headers=False, connection_limit=1000,
                   asyncore_use_poll=True, channel_timeout=15,
                   max_request_body_size=settings.max_body)
    # stopped (Ctrl-C, or SIGTERM above): the delivery or text in hand is finished first,
    # within a container's ten seconds of grace
    stop_all(background, within=8)
    click.echo("open311-intake stopped")


def _stop(*_: object) -> NoReturn:
    raise SystemExit(0)  # in the main thread, whose waitress loop returns on it


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



@click.command()
@click.option("--interval", type=float, default=None,
              help="Seconds between passes (default: OUTBOX_INTERVAL).")
def worker(interval: float | None) -> None:
    """Deliver reports to the Open311 server and send queued texts, until stopped.

    Run as many as you like, on any machine, against one PostgreSQL database: each report
    and each text is claimed by one worker (SELECT ... FOR UPDATE SKIP LOCKED).
    """
    from ..production import run_worker

    settings = load_settings()
    app = make_app(settings)
    run_worker(app, settings, interval=interval)

