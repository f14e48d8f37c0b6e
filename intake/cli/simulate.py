"""`intake simulate` (talk to the service as a resident would) and `intake replay`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import httpx

from ..settings import Settings, mask_phone
from ..webhook_client import WebhookSender
from .common import make_app


@click.group()
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
        from ..app import OUTBOX
        from ..outbox import deliver_due

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
_from = click.option("--from", "phone", default="+15555550123", show_default=True)
_to = click.option("--to", "city", default="+15555550311", show_default=True,
                   help="The city's 311 number.")


def _as_resident(command: Callable[..., None]) -> Callable[..., None]:
    """The options of a resident's session: where the service is, who calls, which number."""
    return _url(_in_process(_from(_to(command))))


@simulate.command("sms")
@_as_resident
def simulate_sms_cmd(url: str, in_process: bool, phone: str, city: str) -> None:
    """Text the service: every line you type is one message."""
    from ..simulate import lines, simulate_sms

    click.echo(f"Texting as {mask_phone(phone)}. Type a message (Ctrl-D to stop). Try: pothole")
    with _sender(url, in_process) as sender:
        simulate_sms(sender, lines(iter(sys.stdin), _prompt), click.echo, phone, city)


@simulate.command("call")
@_as_resident
def simulate_call_cmd(url: str, in_process: bool, phone: str, city: str) -> None:
    """Call the service: digits for the keypad, other lines as speech, empty line = silence."""
    from ..simulate import lines, simulate_call

    click.echo("Calling. Type digits (e.g. 1 or 123#) for the keypad, words for speech, "
               "an empty line to stay silent, /hangup to hang up.")
    with _sender(url, in_process) as sender:
        simulate_call(sender, lines(iter(sys.stdin), _prompt), click.echo, phone, city)


def _prompt(text: str) -> None:
    if sys.stdin.isatty():
        click.echo(text, nl=False)


@click.command()
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
    from ..replay import run

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

