"""Sandbox fault modes chosen by setting (SANDBOX_FAULTS, SANDBOX_FAULT_HEADER), as for a demo.

The outbox then runs against the app's own client, exactly as `intake serve` would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask

from intake import db
from intake.app import OUTBOX, create_app
from intake.outbox import OutboxWorker
from intake.settings import Settings
from tests.databases import BACKENDS, database_url

from .outbox_support import (
    add_reports,
    drain,
    filed_once,
)

MakeApp = Callable[..., Flask]
SERVICES = "http://sandbox.internal/open311/v2/services.json"


@pytest.fixture(params=BACKENDS)
def app_with(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeApp]:
    made: list[Flask] = []
    with database_url(request.param, tmp_path) as url:

        def make(**env: str) -> Flask:
            settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                          "TWILIO_AUTH_TOKEN": "t", **env})
            made.append(create_app(settings))
            return made[-1]

        yield make
        for application in made:
            db.sessions(application).kw["bind"].dispose()


def get(app: Flask, url: str, **headers: str) -> httpx.Response:
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as http:
        return http.get(url, headers=headers)


def test_settings_read_the_fault_variables() -> None:
    base = {"INTAKE_VAR_DIR": "/tmp/unused", "TWILIO_AUTH_TOKEN": "t"}
    plain = Settings.from_env(base)
    assert plain.sandbox_faults == "" and plain.sandbox_fault_header is False
    demo = Settings.from_env({**base, "SANDBOX_FAULTS": "fail-share=0.2,timeout-share=0.1",
                              "SANDBOX_FAULT_HEADER": "1"})
    assert demo.sandbox_faults == "fail-share=0.2,timeout-share=0.1"
    assert demo.sandbox_fault_header is True


def test_a_demo_sandbox_that_fails_often_still_gets_every_report_filed_once(
    app_with: MakeApp,
) -> None:
    app = app_with(SANDBOX_FAULTS="fail-after-commit,fail-share=0.3,latency=0.01")
    refs = add_reports(app, 10)
    worker: OutboxWorker = app.extensions[OUTBOX]
    drain(app, worker.client)
    filed_once(app, refs)


def test_xml_only_by_setting(app_with: MakeApp) -> None:
    app = app_with(SANDBOX_FAULTS="xml-only", OPEN311_FORMAT="xml")
    assert get(app, SERVICES).status_code == 404
    assert get(app, SERVICES.replace(".json", ".xml")).status_code == 200
    worker: OutboxWorker = app.extensions[OUTBOX]
    refs = add_reports(app, 2)
    drain(app, worker.client)
    filed_once(app, refs)


def test_the_test_only_header_is_ignored_unless_allowed(app_with: MakeApp) -> None:
    strict = app_with()
    assert get(strict, SERVICES, **{"X-Sandbox-Fault": "fail"}).status_code == 200
    allowed = app_with(SANDBOX_FAULT_HEADER="1")
    assert get(allowed, SERVICES, **{"X-Sandbox-Fault": "fail"}).status_code == 500
    assert get(allowed, SERVICES).status_code == 200


def test_a_bad_fault_setting_is_named() -> None:
    with pytest.raises(ValueError, match="SANDBOX_FAULTS: bad fault 'fial-share=0.2'"):
        Settings.from_env({"INTAKE_VAR_DIR": "/tmp/unused", "TWILIO_AUTH_TOKEN": "t",
                           "SANDBOX_FAULTS": "fail-share=0.2,fial-share=0.2"})
