"""The staff console at /console: server-rendered pages (Flask + Jinja), no build step.

Every page needs a login; every form carries a CSRF token (Flask-WTF) and is refused
without it; viewers see everything and may use the simulator, only editors change the staff
file or act on reports. The staff file on disk stays the source of truth: the console edits it
in place (comments kept, via tomlkit), checks the result first, keeps each change in
`config_changes`, and the running service takes the file up through `LiveConfig`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session, sessionmaker

from ..config import LiveConfig
from ..settings import Settings

EXTENSION = "intake_console"
csrf = CSRFProtect()


@dataclass
class Console:
    """What the console's pages use from the app."""

    sessions: sessionmaker[Session]
    live: LiveConfig
    settings: Settings
    wake_outbox: Any = None  # called after a retry so the report goes at once
    simulator: Any = None  # intake.console.simulator.Simulator, made on first use
    make_simulator: Any = None

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.console_session_minutes)

    @property
    def staff_file(self) -> Path:
        assert self.live.path is not None
        return self.live.path


def init_console(app: Flask, console: Console) -> None:
    """Register the console's blueprint on `app` (CSRF checked only on the console's forms)."""
    from .views import blueprint

    app.secret_key = console.settings.console_secret_key or _kept_secret(console.settings)
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # Twilio's webhooks are signed, not CSRF-protected
        SESSION_COOKIE_NAME="intake_console_csrf",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
    app.extensions[EXTENSION] = console
    app.register_blueprint(blueprint(), url_prefix="/console")


class ConsoleSessions(SecureCookieSessionInterface):
    """The signed cookie session holds only the console's CSRF token: no other path reads
    it. Opening it for every webhook cost CPU (a signer made per request) for nothing."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith(self.get_cookie_path(app)):
            return self.make_null_session(app)
        return super().open_session(app, request)


def _kept_secret(settings: Settings) -> str:
    """Without CONSOLE_SECRET_KEY: a random key made once and kept under var/."""
    path = settings.var_dir / "console_secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key
