"""The console's simulator: the real voice and SMS adapters, on a configuration, off the record.

Each configuration (the live one, or an editor's draft) gets a small Flask app with the same
blueprints, engine and address resolver as the service, but its own SQLite database under
var/, no outbox worker and no status texts: a simulated report is stored there and never
sent to the city, and simulated conversations stay out of the funnel. Webhooks are signed
and posted through WSGI exactly as Twilio posts them, so what the page shows is the TwiML a
caller would hear.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from flask import Flask

import ivr
import sms
from conversation import Category
from geocode import Geocoder

from .. import db
from ..addresses import AddressResolver
from ..config import StaffConfig
from ..migrations import upgrade
from ..residents import sms_hooks
from ..service import Intake
from ..simulate import new_sid, sms_form, voice_form
from ..webhook_client import Twiml, WebhookSender
from ..webhooks import require_signature

CITY_NUMBER = "+15555550311"
MAX_RUNS = 200
MAX_APPS = 4


@dataclass
class Line:
    who: str  # "them" (the IVR or the city's texts), "me" (the resident), "note"
    text: str


@dataclass
class Run:
    """One simulated call or text conversation of one console user."""

    id: str
    owner: int
    kind: str  # "call" | "text"
    source: str  # "live" | "draft"
    config_key: str
    phone: str
    sid: str = ""
    lines: list[Line] = field(default_factory=list)
    gather: dict[str, str] | None = None
    redirect: str | None = None
    keys: str = ""  # keypad presses not sent yet (a number ended by #)
    over: bool = False


class Simulator:
    def __init__(self, var_dir: Path, geocoder: Geocoder,
                 menu_for: Callable[[StaffConfig], tuple[Category, ...]]) -> None:
        self.engine = db.make_engine(f"sqlite:///{var_dir / 'console_simulator.sqlite3'}")
        upgrade(self.engine)
        self.geocoder = geocoder
        self.menu_for = menu_for
        self.token = secrets.token_hex(16)
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._apps: OrderedDict[str, Flask] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key_of(config: StaffConfig) -> str:
        raw = json.dumps(config.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def _app(self, config: StaffConfig) -> Flask:
        key = self.key_of(config)
        with self._lock:
            if key in self._apps:
                self._apps.move_to_end(key)
                return self._apps[key]
        app = Flask("intake-simulator")
        db.init_app(app, self.engine)
        sessions = db.sessions(app)
        resolver = AddressResolver(self.geocoder, config.pronunciations)
        intake = Intake(sessions, config, resolver, menu=self.menu_for(config))
        voice = ivr.create_blueprint(intake.handle, config.wording("voice"),
                                     agent_number=config.agent_number,
                                     conversation=lambda call: intake.conversation("voice", call),
                                     languages=lambda: config.languages)
        texts = sms.create_blueprint(intake.handle, config.wording("sms"),
                                     sms_hooks(sessions, config))
        for bp in (voice, texts):
            require_signature(bp, self.token, None)
        app.register_blueprint(voice, url_prefix="/voice")
        app.register_blueprint(texts, url_prefix="/sms")
        with self._lock:
            self._apps[key] = app
            while len(self._apps) > MAX_APPS:
                self._apps.popitem(last=False)
        return app

    def _post(self, config: StaffConfig, path: str, form: dict[str, str]) -> Twiml:
        http = httpx.Client(transport=httpx.WSGITransport(app=self._app(config)))
        with http:
            return WebhookSender(http, "http://simulator.local", self.token).post(path, form)

    def start(self, owner: int, kind: str, source: str, config: StaffConfig) -> Run:
        run = Run(id=secrets.token_urlsafe(9), owner=owner, kind=kind, source=source,
                  config_key=self.key_of(config),
                  phone="+1555" + "".join(secrets.choice("0123456789") for _ in range(7)))
        with self._lock:
            self.runs[run.id] = run
            while len(self.runs) > MAX_RUNS:
                self.runs.popitem(last=False)
        if kind == "call":
            run.sid = new_sid("CA")
            self._voice(run, config, "/voice", self._form(run, "ringing"))
        else:
            run.lines.append(Line("note", "Text the city's number: write your first message."))
        return run

    def get(self, run_id: str, owner: int) -> Run | None:
        run = self.runs.get(run_id)
        return run if run is not None and run.owner == owner else None

    def _form(self, run: Run, status: str = "in-progress") -> dict[str, str]:
        return voice_form(run.sid, run.phone, CITY_NUMBER, status)

    def _voice(self, run: Run, config: StaffConfig, path: str, form: dict[str, str]) -> None:
        twiml = self._post(config, path, form)
        for said in twiml.says:
            run.lines.append(Line("them", said))
        run.gather, run.redirect, run.keys = twiml.gather, twiml.redirect, ""
        if twiml.status != 200:
            run.lines.append(Line("note", f"The service answered HTTP {twiml.status}."))
            run.over = True
        elif twiml.dial:
            run.lines.append(Line("note", f"The call is put through to the agent line "
                                          f"{twiml.dial}."))
            run.over = True
        elif twiml.gather is None:
            run.lines.append(Line("note", "The line hung up. (Nothing was sent to the city: "
                                          "simulated reports stay in the simulator.)"))
            run.over = True

    def press(self, run: Run, config: StaffConfig, key: str) -> None:
        """One keypad key: sent when the question's digits are complete or # ends them."""
        if run.over or run.gather is None or key not in "0123456789*#" or len(key) != 1:
            return
        finish = run.gather.get("finishOnKey", "#")
        wanted = int(run.gather.get("numDigits", "0") or 0)
        if key == finish:
            digits = run.keys
        else:
            run.keys += key
            if not wanted or len(run.keys) < wanted:
                return
            digits = run.keys
        run.lines.append(Line("me", f"(pressed {digits or key})"))
        self._voice(run, config, run.gather["action"], {**self._form(run), "Digits": digits})

    def say(self, run: Run, config: StaffConfig, words: str) -> None:
        if run.over or run.gather is None or not words.strip():
            return
        run.lines.append(Line("me", words.strip()))
        self._voice(run, config, run.gather["action"],
                    {**self._form(run), "SpeechResult": words.strip(), "Confidence": "0.9"})

    def silence(self, run: Run, config: StaffConfig) -> None:
        if run.over or run.gather is None:
            return
        run.lines.append(Line("me", "(silence)"))
        self._voice(run, config, run.redirect or "/voice/silence", self._form(run))

    def hang_up(self, run: Run, config: StaffConfig) -> None:
        if run.over:
            return
        self._post(config, "/voice/status", {**self._form(run, "completed"),
                                             "CallDuration": "30"})
        run.lines.append(Line("note", "You hung up."))
        run.over = True

    def text(self, run: Run, config: StaffConfig, body: str) -> None:
        if not body.strip():
            return
        run.lines.append(Line("me", body.strip()))
        twiml = self._post(config, "/sms", sms_form(run.phone, CITY_NUMBER, body.strip()))
        if twiml.status != 200:
            run.lines.append(Line("note", f"The service answered HTTP {twiml.status}."))
        for message in twiml.messages:
            run.lines.append(Line("them", message))
