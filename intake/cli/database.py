"""`intake db upgrade` and `intake purge`: the database's schema and what it keeps."""

from __future__ import annotations

import click

from .. import db
from ..settings import Settings
from .common import friendly_errors, load_settings, reports_db, safe_url


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema."""
    from ..migrations import upgrade

    settings = Settings.from_env()
    with friendly_errors():
        upgrade(db.make_engine(settings.database_url))
    click.echo(f"Database is up to date: {safe_url(settings.database_url)}")


@click.command()
@click.option("--days", type=int, default=None,
              help="Keep this many days after a request closes (default: RETENTION_DAYS, 90).")
def purge(days: int | None) -> None:
    """Remove residents' phone numbers, conversations and texts of long-closed requests."""
    from ..retention import purge as purge_old

    settings = load_settings()
    keep = days if days is not None else settings.retention_days
    if keep < 1:
        raise click.ClickException("--days must be at least 1")
    with reports_db() as session, session.begin():
        done = purge_old(session, keep)
    click.echo(f"Purged data older than {keep} days: phone numbers of {done.reports} reports, "
               f"{done.conversations} conversations, {done.texts} texts.")

