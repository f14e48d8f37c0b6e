"""What every `intake` command shares: settings with logging, the app, the database, and
errors told as one line instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from sqlalchemy.exc import OperationalError

from .. import db
from ..config import ConfigError
from ..settings import Settings


@contextmanager
def friendly_errors() -> Iterator[None]:
    try:
        yield
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except OperationalError as exc:
        raise click.ClickException(f"cannot use the database: {exc.orig}") from exc
    except FileNotFoundError as exc:
        raise click.ClickException(f"file not found: {exc.filename}") from exc


def make_app(settings: Settings, local_url: str | None = None) -> Flask:
    from ..app import create_app

    with friendly_errors():
        return create_app(settings, local_url=local_url)


def load_settings() -> Settings:
    """The environment's settings, with this process's logging set up from them."""
    from ..logs import setup_logging

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_logging(settings.log_format, settings.log_level)
    return settings


@contextmanager
def reports_db() -> Iterator[db.Session]:
    """A session on the (migrated) database of the settings, for the commands that read or
    mend its tables (outbox, callbacks, texts)."""
    from ..migrations import upgrade

    settings = Settings.from_env()
    with friendly_errors():
        engine = db.make_engine(settings.database_url)
        try:
            upgrade(engine)
            with db.Session(engine, expire_on_commit=False) as session:
                yield session
        finally:
            engine.dispose()


def safe_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
