"""The Flask app factory: settings, database, geocoder, Open311 client, both channels, sandbox.

The sandbox (an open, writable GeoReport server) is mounted only without a city server
(`Settings.sandbox_on`): beside a real endpoint `/open311/v2/` is a 404.

Nothing connects at import time. `create_app` migrates the database, loads the street index,
reads the city's service list (the menu) and then builds each piece whole; the outbox and
texts workers are created here but started by `intake serve` (tests drive them directly).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from datetime import timedelta

import httpx
from flask import Flask, Response, jsonify, send_file
from sqlalchemy import func, select, text

import ivr
import sms
from conversation import Category
from geocode import FallbackGeocoder, Geocoder, load_gazetteer, make_backend
from open311_client import Open311Client, Open311Error

from . import db
from .addresses import AddressResolver
from .catalogue import SYNC_REQUEST, CatalogueSync, SyncNotes, check_menu_prompts, synced_menu
from .config import ConfigError, LiveConfig, StaffConfig, load_config, staff_path
from .console import Console, init_console
from .console.simulator import Simulator
from .duplicates import DuplicateFinder
from .floods import guard_floods
from .guards import TrustedProxies, clean_request_values, limit_body, parse_networks
from .lifecycle import DUE, ReportState
from .media import MediaStore, PhotoStore
from .messaging import wire_texts
from .metrics import conversation_ended, init_metrics
from .migrations import ensure_sandbox_tables, schema_head, schema_revision, upgrade
from .outbox import OutboxWorker, Policy
from .residents import sms_hooks
from .sandbox import SandboxConfig, create_blueprint
from .service import Intake
from .settings import Settings
from .storage import Report
from .webhooks import require_signature

log = logging.getLogger(__name__)
SANDBOX_PREFIX = "/open311/v2"
IN_PROCESS_SANDBOX = "http://sandbox.internal" + SANDBOX_PREFIX + "/"
OUTBOX = "intake_outbox"
STAFF = "intake_staff"  # the LiveConfig: the staff file in use, reloaded when it changes
CATALOGUE = "intake_catalogue"  # the CatalogueSync thread (started by `intake serve`)
DEFAULT_LOCAL_URL = "http://127.0.0.1:5000"  # `intake serve`'s default address


def create_app(
    settings: Settings | None = None,
    *,
    sandbox: SandboxConfig | None = None,
    geocoder: Geocoder | None = None,
    local_url: str | None = None,
) -> Flask:
    """The whole service; `local_url` is where this process serves (`intake serve`): Twilio's
    delivery callbacks go there when PUBLIC_BASE_URL is not set."""
    settings = settings or Settings.from_env()
    app = Flask("intake")
    app.config["SETTINGS"] = settings
    # X-Forwarded-* only from the configured proxies; bodies over the limit refused first
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, parse_networks(settings.trusted_proxies))
    limit_body(app, settings.max_body)

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    staff_file, required = staff_path(settings)
    staff = load_config(staff_file, required=required)
    live = LiveConfig(staff, staff_file, required=required)
    engine = db.make_engine(settings.database_url, pool_size=settings.db_pool_size)
    upgrade(engine)
    db.init_app(app, engine)
    app.extensions[STAFF] = live
    init_metrics(app, db.sessions(app), settings.metrics_token)
    geo = geocoder or load_gazetteer(
        settings.streets_path, intersections=settings.intersections_path,
        cache_dir=settings.var_dir / "cache", city=settings.city_name,
    )
    # only a geocoding service (or one handed in, of unknown speed) needs the time bound
    resolver = AddressResolver(_with_backend(geo, settings), staff.pronunciations,
                               bounded=geocoder is not None or bool(settings.geocoder_backend))

    in_process = Flask("intake-sandbox")  # the built-in sandbox as this process's client sees it
    db.init_app(in_process, engine)
    app.config["SANDBOX"] = sandbox is not None or settings.sandbox_on
    if app.config["SANDBOX"]:
        ensure_sandbox_tables(engine)
        sandbox_cfg = sandbox or SandboxConfig(
            api_key=settings.open311_api_key if settings.open311_endpoint is None else None,
            step_seconds=settings.sandbox_step_seconds,
            public_url=(settings.public_base_url + SANDBOX_PREFIX
                        if settings.public_base_url else None),
            allow_fault_header=settings.sandbox_fault_header,
        ).with_faults(settings.sandbox_faults)
        sandbox_bp = create_blueprint(sandbox_cfg)
        for target in (app, in_process):
            target.register_blueprint(sandbox_bp, url_prefix=SANDBOX_PREFIX)
    client = _open311_client(in_process, settings)
    notes = SyncNotes()

    def menu_for(config: StaffConfig) -> tuple[Category, ...]:
        """The synced menu, its prompts rendered strictly first (ConfigError if unfilled)."""
        menu = synced_menu(client, config, notes)
        check_menu_prompts(config, menu)
        return menu

    policy = Policy(give_up=timedelta(hours=settings.outbox_give_up_hours),
                    lease=timedelta(seconds=settings.outbox_lease),
                    settle=timedelta(seconds=settings.outbox_settle))
    worker = OutboxWorker(db.sessions(app), client, settings.worker_interval, policy)
    app.extensions[OUTBOX] = worker
    duplicates = (DuplicateFinder(client, settings.duplicate_radius_m)
                  if settings.duplicate_check and settings.duplicate_radius_m > 0 else None)
    callback_base = settings.public_base_url or local_url or DEFAULT_LOCAL_URL
    media = _media_store(app, settings, callback_base)
    intake = Intake(db.sessions(app), staff, resolver, menu=menu_for(staff),
                    on_filed=worker.wake, max_open=settings.max_open_conversations,
                    on_ended=conversation_ended, duplicates=duplicates, media=media)
    app.extensions["intake"] = intake

    hints = {"menu": _menu_words(staff), "address": resolver.hints(500)}
    voice = ivr.create_blueprint(intake.handle, live.wording("voice"),
                                 agent_number=lambda: live.current.agent_number,
                                 hints=lambda: hints,
                                 conversation=lambda call: intake.conversation("voice", call),
                                 languages=lambda: live.current.languages)
    texts = sms.create_blueprint(intake.handle, live.wording("sms"),
                                 sms_hooks(db.sessions(app), staff,
                                           languages=lambda: live.current.languages))
    messaging = wire_texts(app, settings, staff, client, callback_base)
    for bp in (voice, texts):
        require_signature(bp, settings.twilio_auth_token, settings.public_base_url)
        clean_request_values(bp)  # after the check: Twilio signed the values as sent
    guard_floods(texts, db.sessions(app), live.wording("sms"), settings.sms_rate_limit,
                 settings.sms_rate_window, languages=lambda: live.current.languages)
    app.register_blueprint(voice, url_prefix="/voice")
    app.register_blueprint(texts, url_prefix="/sms")

    @app.get("/livez")
    def livez() -> Response:
        """The process answers webhooks: route traffic on this, not on the database, so a
        database restart reaches callers as our own apology rather than Twilio's message."""
        return jsonify(status="alive")

    @app.get("/healthz")
    def healthz() -> Response:
        with db.sessions(app)() as session:
            session.execute(text("SELECT 1"))
            waiting = session.scalar(
                select(func.count(Report.id)).where(Report.status.in_(DUE))
            )
            attention = session.scalar(
                select(func.count(Report.id)).where(Report.status == ReportState.NEEDS_ATTENTION)
            )
        return jsonify(status="ok", reports_waiting=waiting,
                       reports_needing_attention=attention)

    def resync() -> None:
        try:
            intake.use(live.current, menu_for(live.current))
        except ConfigError as exc:
            log.error("service list re-read, menu kept as it was: %s", exc)

    app.extensions[CATALOGUE] = CatalogueSync(
        resync, settings.catalogue_sync_seconds, settings.var_dir / SYNC_REQUEST,
        look=settings.config_reload_seconds)

    def follow(new: StaffConfig) -> None:
        """A reloaded staff file: every part takes the new configuration as a whole."""
        intake.use(new, menu_for(new))
        resolver.use(new.pronunciations)
        messaging.poller.use(new)
        hints["menu"] = _menu_words(new)

    live.on_change(follow)
    init_console(app, Console(
        db.sessions(app), live, settings, wake_outbox=worker.wake,
        make_simulator=lambda: Simulator(settings.var_dir, resolver.geocoder,
                                         lambda config: synced_menu(client, config))))
    head = schema_head()

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        """Ready for traffic: the database answers and its schema is the one this code wants."""
        try:
            with engine.connect() as conn:
                current = schema_revision(conn)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("not ready: database: %s", type(exc).__name__)
            return jsonify(status="unavailable", reason="database unreachable"), 503
        if current != head:
            return jsonify(status="unavailable", reason="database schema is "
                           f"{current or 'empty'}, this version needs {head}: run "
                           "`intake db upgrade`"), 503
        return jsonify(status="ready", schema=current), 200

    return app


def _with_backend(local: Geocoder, settings: Settings) -> Geocoder:
    """The street index, with a geopy service instead of it or as its fallback, if set."""
    if not settings.geocoder_backend:
        return local
    remote = make_backend(settings.geocoder_backend, domain=settings.geocoder_domain,
                          scheme=settings.geocoder_scheme, city=settings.city_name)
    if settings.geocoder_mode == "instead":
        return remote
    return FallbackGeocoder(local, remote)


def _media_store(app: Flask, settings: Settings, base_url: str) -> PhotoStore:
    """Photos fetched with the account's credentials, served at /media/<unguessable name>
    (or kept in a bucket with MEDIA_STORE=s3)."""
    auth = ((settings.twilio_account_sid, settings.twilio_auth_token)
            if settings.twilio_account_sid else None)
    if settings.media_store == "s3":
        from .media_s3 import S3MediaStore

        if not settings.media_s3_bucket:  # Settings built in code, not by from_env
            raise ConfigError("MEDIA_STORE=s3 needs MEDIA_S3_BUCKET (the bucket photos go to)")

        return S3MediaStore(settings.media_s3_bucket, settings.twilio_auth_token, auth,
                            endpoint_url=settings.media_s3_endpoint_url,
                            public_url=settings.media_s3_public_url,
                            url_days=settings.media_s3_url_days)

    store = MediaStore(settings.media_dir or settings.var_dir / "media", lambda: base_url,
                       settings.twilio_auth_token, auth)

    @app.get("/media/<name>")
    def media_file(name: str) -> Response:
        found = store.path(name)
        if found is None:
            return Response("Not found\n", status=404, mimetype="text/plain")
        response = send_file(found, mimetype=mimetypes.guess_type(name)[0], max_age=86400)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return store


def _open311_client(in_process: Flask, settings: Settings) -> Open311Client:
    """A client for the city's server, or for the built-in sandbox through WSGI in process
    (`in_process`: an app of its own, so the service's app is complete before it is used).

    With OPEN311_DISCOVERY the endpoint and format come from the city's discovery document.
    """
    if settings.open311_discovery:
        try:
            return Open311Client.from_discovery(
                httpx.Client(), settings.open311_discovery, type=settings.open311_endpoint_type,
                api_key=settings.open311_api_key, jurisdiction_id=settings.open311_jurisdiction)
        except Open311Error as exc:
            raise ConfigError(f"OPEN311_DISCOVERY {settings.open311_discovery}: {exc}") from exc
    if settings.open311_endpoint:
        return Open311Client(httpx.Client(), settings.open311_endpoint,
                             api_key=settings.open311_api_key,
                             jurisdiction_id=settings.open311_jurisdiction,
                             format=settings.open311_format)
    http = httpx.Client(transport=httpx.WSGITransport(app=in_process))
    return Open311Client(http, IN_PROCESS_SANDBOX, api_key=settings.open311_api_key,
                         format=settings.open311_format)


def _menu_words(staff: StaffConfig) -> Sequence[str]:
    """Speech hints for menu questions: the categories' names and keywords."""
    return [w for c in staff.menu for w in (*c.names.values(), *sum(c.keywords.values(), ()))]
