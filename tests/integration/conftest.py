"""Fixtures of the integration tests: the sandbox on each database, the whole app on each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from intake import db
from intake.app import create_app
from intake.sandbox import SandboxConfig
from intake.settings import Settings
from tests.databases import BACKENDS, database_url

from .outbox_support import MakeApp
from .sandbox_support import FakeClock, MakeSandbox, Sandbox, Sleeps, database, sandbox_app


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Any]:
    with database(backend, tmp_path) as eng:
        yield eng


@pytest.fixture
def make(engine: Any) -> MakeSandbox:
    """Factory: make(**SandboxConfig fields) -> Sandbox on the test's database."""

    def factory(**overrides: Any) -> Sandbox:
        clock = overrides.pop("clock", None) or FakeClock()
        sleeps = Sleeps()
        config = SandboxConfig(clock=clock, sleep=overrides.pop("sleep", sleeps), **overrides)
        app = sandbox_app(engine, config)
        return Sandbox(app, app.test_client(), clock, sleeps, config)

    return factory


@pytest.fixture
def sandbox(make: MakeSandbox) -> Sandbox:
    return make()


@pytest.fixture(params=BACKENDS)
def make_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeApp]:
    """Builds the app (one per test) on an empty database of the backend; sandbox options."""
    made: list[Flask] = []
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": "t"})

        def make(**sandbox: Any) -> Flask:
            # token_delay 0: a token-only request is listed (has an id) once it is stored
            options: dict[str, Any] = {"allow_fault_header": True, "token_delay_seconds": 0,
                                       "seed": 311, **sandbox}
            made.append(create_app(settings, sandbox=SandboxConfig(**options)))
            return made[-1]

        yield make
        for application in made:
            db.sessions(application).kw["bind"].dispose()


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    return make_app()

