"""`intake check-config`: the staff file, every problem at once; `intake users`: console logins."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .. import db
from ..settings import Settings
from .common import reports_db


@click.command("check-config")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check_config(path: Path | None, strict: bool) -> None:
    """Check a staff file: every mistake with its line and a fix.

    PATH defaults to INTAKE_CONFIG (else the console's var/staff.toml, else the bundled file).
    Exits 1 when there are errors (with --strict, also warnings).
    """
    from ..config import checked, staff_path

    required = True
    if path is None:
        path, required = staff_path(Settings.from_env())
    result = checked(path, required=required)
    if result.problems:
        click.echo(result.report())
    else:
        click.echo(f"{result.source}: no problems")
    if result.errors or (strict and result.warnings):
        raise SystemExit(1)


@click.group()
def users() -> None:
    """Console logins: staff log in at /console (editors change, viewers look)."""


def _password(password_stdin: bool, name: str) -> str:
    if password_stdin:
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise click.ClickException("no password on standard input")
        return line
    password: str = click.prompt(f"Password for {name}", hide_input=True,
                                 confirmation_prompt=True)
    return password


@contextmanager
def _accounts() -> Iterator[db.Session]:
    """One transaction on the console accounts; a refusal is the command's error message."""
    from ..console.auth import UserError

    with reports_db() as session, session.begin():
        try:
            yield session
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc


_stdin = click.option("--password-stdin", is_flag=True,
                      help="Read the password from the first line of standard input.")


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "viewer"]), default="editor",
              show_default=True, help="Editors change the staff file; viewers only look.")
@_stdin
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """Create a console account (asks for its password)."""
    from ..console.auth import add_user

    password = _password(password_stdin, name)
    with _accounts() as session:
        add_user(session, name, password, role)
    click.echo(f"User {name} ({role}) can now log in at /console/login.")


@users.command("passwd")
@click.argument("name")
@_stdin
def users_passwd(name: str, password_stdin: bool) -> None:
    """Set a new password (this also unlocks the account and logs it out everywhere)."""
    from ..console.auth import find_user, set_password

    with _accounts() as session:
        find_user(session, name)  # no password asked for an account that is not there
    password = _password(password_stdin, name)
    with _accounts() as session:
        set_password(session, name, password)
    click.echo(f"Password of {name} changed; its sessions are closed and the account unlocked.")


@users.command("list")
def users_list() -> None:
    """The console accounts, their roles and whether they are locked."""
    from sqlalchemy import select

    from ..db import utcnow
    from ..storage import ConsoleUser

    with reports_db() as session:
        rows = list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.name)))
    if not rows:
        click.echo("No console users yet: add one with `intake users add NAME`.")
    now = utcnow()
    for user in rows:
        locked = " LOCKED" if user.locked_until and user.locked_until > now else ""
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
        click.echo(f"{user.name:24} {user.role:7} last login {last}{locked}")


@users.command("remove")
@click.argument("name")
def users_remove(name: str) -> None:
    """Delete a console account (its change history keeps the name)."""
    from ..console.auth import UserError, find_user

    with reports_db() as session, session.begin():
        try:
            session.delete(find_user(session, name))
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"User {name} removed.")
