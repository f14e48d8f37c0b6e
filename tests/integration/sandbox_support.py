"""Shared helpers for the sandbox tests: a small app on SQLite or PostgreSQL, a fake clock,
recorded sleeps, XML <-> JSON comparison and the Open311 JSON Schemas from the shared data.

No tests live here; the fixtures built on these helpers are in conftest.py.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from flask import Flask
from flask.testing import FlaskClient

from intake import db
from intake.sandbox import SANDBOX_TABLES, SandboxConfig, create_blueprint
from tests.databases import BACKENDS, PG_URL, require_backend
from tests.needs import shared_data, unavailable

__all__ = ["BACKENDS", "require_backend"]

PREFIX = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
LIST_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """A controllable `SandboxConfig.clock`."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Sleeps:
    """A `SandboxConfig.sleep` that records instead of sleeping."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[Any]:
    """An engine with the sandbox tables: a temporary SQLite file or a throw-away schema."""
    require_backend(backend)
    if backend == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'sandbox.db'}")
        try:
            db.Base.metadata.create_all(engine, tables=list(SANDBOX_TABLES))
            yield engine
        finally:
            engine.dispose()
        return
    import psycopg

    schema = f"sandbox_test_{uuid.uuid4().hex[:12]}"
    admin = PG_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    engine = db.make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        db.Base.metadata.create_all(engine, tables=list(SANDBOX_TABLES))
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sandbox_app(engine: Any, config: SandboxConfig) -> Flask:
    """The small app the tests run: db + the sandbox blueprint at /open311/v2."""
    app = Flask(__name__)
    app.config["TESTING"] = True
    db.init_app(app, engine)
    app.register_blueprint(create_blueprint(config), url_prefix=PREFIX)
    return app


@dataclass
class Sandbox:
    """One running sandbox under test."""

    app: Flask
    client: FlaskClient
    clock: FakeClock
    sleeps: Sleeps
    config: SandboxConfig

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(PREFIX + path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self.client.post(PREFIX + path, data=data, **kwargs)

    def file(self, fmt: str = "json", **fields: Any) -> dict[str, Any]:
        """POST a valid pothole (fields override) and return the first answer item."""
        data = {"service_code": "POTHOLE", "lat": "40.0", "long": "-75.0"}
        data.update(fields)
        resp = self.post(f"/requests.{fmt}", data)
        assert resp.status_code == 200, resp.text
        return parse(resp, fmt)[0]  # type: ignore[no-any-return]


def spark(elem: Any) -> Any:
    """XML element -> the JSON shape of the Spark convention (all leaves as text)."""
    children = list(elem)
    if elem.tag in LIST_NAMES:
        assert all(c.tag == LIST_NAMES[elem.tag] for c in children), elem.tag
        return [spark(c) for c in children]
    if children:
        return {c.tag: spark(c) for c in children}
    return elem.text if elem.text and elem.text.strip() else None


def stringify(value: Any) -> Any:
    """JSON value -> the same with every leaf as XML text, for XML/JSON comparison."""
    if isinstance(value, dict):
        return {k: stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v) for v in value]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(resp: Any, fmt: str) -> Any:
    """A response body in either format -> Python (XML via `spark`, root dropped)."""
    if fmt == "json":
        assert resp.content_type == "application/json; charset=utf-8"
        return json.loads(resp.data.decode("utf-8"))
    assert resp.content_type == "text/xml; charset=utf-8"
    text = resp.data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = SafeET.fromstring(resp.data)
    return spark(root)


def xml_root(resp: Any) -> str:
    return str(SafeET.fromstring(resp.data).tag)


def error_items(resp: Any) -> list[tuple[str, str]]:
    """(code, description) pairs of a spec error body in either format."""
    if resp.content_type.startswith("application/json"):
        return [(str(e["code"]), e["description"]) for e in json.loads(resp.data)]
    assert xml_root(resp) == "errors"
    return [(e["code"], e["description"]) for e in spark(SafeET.fromstring(resp.data))]


# -- JSON Schemas from ../shared/data --------------------------------------------------


@functools.cache
def _validators() -> dict[str, Any] | str:
    directory = shared_data() / "open311" / "schemas"
    if not directory.is_dir():
        return f"Open311 JSON Schemas not found at {directory} (set INTAKE_SHARED_DATA)"
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contents = {p.name: json.loads(p.read_text("utf-8")) for p in directory.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(c, default_specification=DRAFT202012))
        for name, c in contents.items()
    )
    return {
        name: Draft202012Validator(
            c, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for name, c in contents.items()
    }


def validate(schema: str, instance: Any) -> None:
    """Validate against a shared schema (e.g. "requests.json"); skip when absent."""
    validators = _validators()
    if isinstance(validators, str):
        unavailable(validators)
    errors = sorted(validators[schema].iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    _check_dates(instance)


def _check_dates(value: Any, key: str = "") -> None:
    """The schemas' date-time format is not checked without extra packages: check W3C."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_dates(v, k)
    elif isinstance(value, list):
        for v in value:
            _check_dates(v, key)
    elif key.endswith("datetime") and value is not None:
        assert W3C.match(value), f"{key}={value!r} is not W3C with a timezone"


MakeSandbox = Callable[..., Sandbox]
