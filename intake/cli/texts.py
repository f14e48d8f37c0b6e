"""`intake poll` (status poller, once or as a loop) and `intake texts` (the outbound texts)."""

from __future__ import annotations

import signal
import threading

import click

from .. import db
from ..lifecycle import TextState
from ..settings import mask_phone
from .common import load_settings, make_app, reports_db


@click.command()
@click.option("--loop", is_flag=True, help="Keep polling every --interval seconds.")
@click.option("--interval", type=float, default=None,
              help="Seconds between passes with --loop (default: POLL_INTERVAL).")
@click.option("--no-send", is_flag=True, help="Queue texts but leave sending to the server.")
def poll(loop: bool, interval: float | None, no_send: bool) -> None:
    """Read the status of every tracked open request and text residents about changes."""
    from ..messaging import TEXTS, Messaging
    from ..texts import send_due

    settings = load_settings()
    app = make_app(settings)
    messaging: Messaging = app.extensions[TEXTS]
    pause = interval if interval is not None else settings.poll_interval
    # SIGTERM ends the loop after the pass in hand (a container's stop; as its PID 1 the
    # process would otherwise ignore SIGTERM and be killed 10 s later)
    stopping = threading.Event()
    if loop:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.set())
    while True:
        result = messaging.poller.poll_once()
        sent = 0 if no_send else send_due(db.sessions(app), messaging.sender,
                                          messaging.callback_base)
        click.echo(f"tracked={result.tracked} changes={result.changes} "
                   f"texts_queued={result.texts} texts_sent={sent} errors={result.errors}")
        if not loop or stopping.wait(pause):
            return


@click.command()
@click.option("--phone", default=None, help="Only texts to this number.")
@click.option("--limit", default=50, show_default=True)
def texts(phone: str | None, limit: int) -> None:
    """Outbound texts, newest first: status updates and what became of them."""
    from ..texts import texts_for

    with reports_db() as session:
        rows = texts_for(session, phone, limit)
    if not rows:
        click.echo("No texts.")
    now = db.utcnow()
    for t in rows:
        wait = ""
        if t.status == TextState.WAITING and t.not_before > now:
            wait = f" (waits until {t.not_before:%Y-%m-%d %H:%M} UTC)"
        error = f" error {t.error_code or ''} {t.error or ''}".rstrip() if t.error else ""
        click.echo(f"#{t.id} {t.created_at:%Y-%m-%d %H:%M} {t.kind:8} {mask_phone(t.phone)} "
                   f"{t.status}{wait} {t.segments} seg {t.encoding}{error}\n    {t.body}")
