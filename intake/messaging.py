"""Wiring of status texts for one app: the sender, the poller and the in-server worker.

Demo mode (no TWILIO_AUTH_TOKEN), or no account SID and sending number configured, prints
texts to the console instead of sending them; they are queued and recorded all the same, so
`intake texts` lists them. Twilio's delivery callbacks go to PUBLIC_BASE_URL (or the local
address `intake serve` listens on, given to `create_app`) + `/sms/status`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

import sms
from open311_client import Open311Client

from . import db
from .config import StaffConfig
from .poller import Poller, TextsWorker
from .settings import Settings, mask_phone
from .texts import QuietHours

log = logging.getLogger(__name__)
TEXTS = "intake_texts"
DEFAULT_TIMEZONE = "America/Chicago"


@dataclass
class Messaging:
    """What `intake serve` and `intake poll` need, built whole by `wire_texts`."""

    sender: sms.Sender
    poller: Poller
    worker: TextsWorker
    callback_base: str
    console: bool


def make_sender(settings: Settings) -> tuple[sms.Sender, bool]:
    """The Twilio sender when the account is configured, else the console (True)."""
    has_from = settings.twilio_from_number or settings.twilio_messaging_service_sid
    if settings.demo or not settings.twilio_account_sid:
        return sms.ConsoleSender(mask=mask_phone), True
    if not has_from:
        log.warning("TWILIO_ACCOUNT_SID is set but neither TWILIO_FROM_NUMBER nor "
                    "TWILIO_MESSAGING_SERVICE_SID: texts go from the number the resident used")
    return sms.TwilioSender(
        settings.twilio_account_sid, settings.twilio_auth_token,
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        api_base=settings.twilio_api_url,
    ), False


def quiet_hours(settings: Settings, staff: StaffConfig) -> QuietHours:
    zone = settings.city_timezone or staff.city.get("timezone") or DEFAULT_TIMEZONE
    return QuietHours.parse(settings.quiet_hours, zone)


def wire_texts(app: Flask, settings: Settings, staff: StaffConfig, client: Open311Client,
               callback_base: str) -> Messaging:
    """Create the sender, poller and worker (not started) and keep them on the app;
    Twilio's delivery callbacks go to `callback_base` + `/sms/status`."""
    sender, console = make_sender(settings)
    template = staff.city.get("whatsapp_template")
    sender.whatsapp_template = str(template) if template else None  # type: ignore[attr-defined]
    poller = Poller(db.sessions(app), client, staff, quiet_hours(settings, staff),
                    batch_size=settings.poll_batch_size, from_number=settings.twilio_from_number,
                    concurrency=settings.poll_concurrency,
                    reopen_check=timedelta(hours=settings.reopen_check_hours),
                    reopen_days=settings.reopen_watch_days)
    worker = TextsWorker(
        db.sessions(app), sender, callback_base, poller if settings.poll_in_server else None,
        interval=settings.worker_interval, poll_interval=settings.poll_interval,
    )
    messaging = Messaging(sender, poller, worker, callback_base, console)
    app.extensions[TEXTS] = messaging
    return messaging
