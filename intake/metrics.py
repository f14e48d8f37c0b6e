"""Prometheus metrics at `/metrics`, for the city's IT team; closed without a token.

In-process counters (webhook latency, conversations by outcome) are kept per process and
added up across gunicorn's workers (prometheus_client's multiprocess mode, when
PROMETHEUS_MULTIPROC_DIR is set: `intake serve --workers` sets it). What the database knows
(reports by outbox state, texts by delivery state) is counted at scrape time, so every
process and every worker machine agrees. Access: `Authorization: Bearer $METRICS_TOKEN` (or
basic auth with the token as password), like any other staff-only endpoint.
"""

from __future__ import annotations

import base64
import hmac
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .storage import ConversationRow, OutboundTextRow, Report

WEBHOOK_SECONDS = Histogram(
    "intake_webhook_seconds", "Time to answer a Twilio webhook", ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0))
CONVERSATIONS = Counter(
    "intake_conversations_ended", "Conversations ended, by channel and outcome",
    ["channel", "outcome"])
CHANNELS = {"ivr": "voice", "sms": "sms"}


def conversation_ended(channel: str, outcome: str) -> None:
    CONVERSATIONS.labels(channel, outcome).inc()


class DatabaseCollector(Collector):
    """Reports by outbox state, texts by delivery state, conversations going: at scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily("intake_outbox_reports", "Reports by outbox state",
                                   labels=["state"])
        texts = GaugeMetricFamily("intake_texts", "Outbound texts by delivery state",
                                  labels=["status"])
        going = GaugeMetricFamily("intake_conversations_open", "Conversations going",
                                  labels=["channel"])
        with self.sessions() as session:
            for state, n in session.execute(select(Report.status, func.count())
                                            .group_by(Report.status)):
                outbox.add_metric([state], n)
            for status, n in session.execute(select(OutboundTextRow.status, func.count())
                                             .group_by(OutboundTextRow.status)):
                texts.add_metric([status], n)
            for channel, n in session.execute(
                    select(ConversationRow.channel, func.count())
                    .where(ConversationRow.is_open.is_(True)).group_by(ConversationRow.channel)):
                going.add_metric([channel], n)
        yield from (outbox, texts, going)


class _Local(Collector):
    """This process's own counters (single-process mode)."""

    def collect(self) -> Iterator[Metric]:
        yield from WEBHOOK_SECONDS.collect()
        yield from CONVERSATIONS.collect()


def authorised(token: str | None) -> bool:
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    given = ""
    if header.startswith("Bearer "):
        given = header[7:].strip()
    elif header.startswith("Basic "):
        try:
            given = base64.b64decode(header[6:]).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            given = ""
    return hmac.compare_digest(given.encode(), token.encode())


def init_metrics(app: Flask, sessions: sessionmaker[Session], token: str | None) -> None:
    """Time every webhook, and serve `/metrics` to whoever has the token."""

    @app.before_request
    def _start() -> None:
        g.intake_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        channel = CHANNELS.get(request.blueprint or "")
        started = g.get("intake_started")
        if channel and started is not None:
            WEBHOOK_SECONDS.labels(channel).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        if not authorised(token):
            return Response("Forbidden: /metrics needs the METRICS_TOKEN\n", status=403,
                            mimetype="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        registry = CollectorRegistry()
        registry.register(DatabaseCollector(sessions))
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry.register(_Local())
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
