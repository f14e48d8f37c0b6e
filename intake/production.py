"""The production layout: `intake serve --workers N` (gunicorn) and `intake worker`.

- Webhooks: gunicorn with N worker processes (gthread), behind a proxy that buffers whole
  requests (nginx does by default): a thread reads each request itself, so slow or idle
  clients must be the proxy's problem, not ours. Migrations run once, in the master, before
  any worker starts; each worker builds its own app, so no database connection or HTTP
  client is shared across a fork. No background threads run in these processes.
- Delivery and texts: `intake worker`, one or several processes on any machine; every job
  is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so they never post or send twice.
- Status polling: `intake poll --loop` (see `intake.cli.texts`).
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask

from . import db
from .settings import Settings

log = logging.getLogger(__name__)


def serve_production(settings: Settings, host: str, port: int, workers: int,
                     threads: int) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM: graceful)."""
    from gunicorn.app.base import BaseApplication

    from .migrations import upgrade

    engine = db.make_engine(settings.database_url)
    try:
        upgrade(engine)  # once, before the workers: they find the schema at head
    finally:
        engine.dispose()
    metrics_dir = prepare_metrics_dir()
    # a connection for each thread, or under load the pool opens and closes one per webhook
    settings = replace(settings, db_pool_size=max(settings.db_pool_size, threads))

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = gunicorn_options(settings, host, port, workers, threads)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 25+: not used here
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            from .app import CATALOGUE, STAFF, create_app
            from .logs import setup_logging

            setup_logging(settings.log_format, settings.log_level)
            app = create_app(settings)
            app.extensions[STAFF].watch(settings.config_reload_seconds)  # staff file edits
            app.extensions[CATALOGUE].start()  # the city's service list, re-read hourly
            return app

    log.info("gunicorn: %d workers x %d threads on %s:%d (metrics in %s)", workers, threads,
             host, port, metrics_dir)
    Server().run()


def gunicorn_options(settings: Settings, host: str, port: int, workers: int,
                     threads: int) -> dict[str, Any]:
    """gunicorn's settings: time limits well inside Twilio's 15 s, small request limits."""

    def child_exit(_server: Any, worker: Any) -> None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 30,  # a worker stuck this long is replaced
        "graceful_timeout": 20,
        "keepalive": 5,  # idle keep-alive connections close after this
        "backlog": 2048,
        "limit_request_line": 4094,
        "limit_request_fields": 64,
        "limit_request_field_size": 8190,
        # X-Forwarded-* are judged by the app itself (TRUSTED_PROXIES), not by gunicorn
        "secure_scheme_headers": {},
        "forwarded_allow_ips": "127.0.0.1",
        "proc_name": "open311-intake",
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,
        # recycle workers now and then, staggered; rarely, since a new worker spends ~2 s of
        # CPU loading the street index: every 20,000 requests was every 5 minutes in a storm
        "max_requests": 200_000,
        "max_requests_jitter": 20_000,
        "child_exit": child_exit,
    }


def prepare_metrics_dir() -> str:
    """A fresh directory where every worker process writes its Prometheus samples.

    Must run before anything imports prometheus_client (it picks its storage on import).
    """
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = tempfile.mkdtemp(prefix="intake-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    Path(path).mkdir(parents=True, exist_ok=True)
    for old in Path(path).glob("*.db"):  # samples of an earlier run
        old.unlink()
    return path


def run_worker(app: Flask, settings: Settings, *, interval: float | None = None,
               stop: threading.Event | None = None) -> None:
    """`intake worker`: deliver reports and send texts until SIGTERM/SIGINT (or `stop`).

    Housekeeping (forgetting old webhook records and flood counts, purging personal data
    past its retention) runs here too, hourly; any number of workers may do it at once.
    """
    from .app import OUTBOX
    from .housekeeping import Housekeeping
    from .messaging import TEXTS, Messaging
    from .poller import TextsWorker
    from .worker import stop_all

    stopping = stop or threading.Event()
    if stop is None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.set())
    outbox = app.extensions[OUTBOX]
    if interval is not None:
        outbox.interval = interval
    messaging: Messaging = app.extensions[TEXTS]
    if not settings.public_base_url and not messaging.console:
        log.warning("PUBLIC_BASE_URL is not set: Twilio's delivery callbacks for texts sent "
                    "here will go to %s", messaging.callback_base)
    texts = TextsWorker(db.sessions(app), messaging.sender, messaging.callback_base,
                        None, interval=outbox.interval)
    threads = [outbox, texts, Housekeeping(db.sessions(app), settings=settings)]
    for thread in threads:
        thread.start()
    log.info("worker %d: delivering reports and sending texts every %.1f s", os.getpid(),
             outbox.interval)
    stopping.wait()
    log.info("worker %d stopping: finishing the attempt in hand", os.getpid())
    stop_all(threads, within=60)
