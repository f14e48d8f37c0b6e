"""`intake check-config`: the staff file, every problem at once; `intake users`: console logins."""

from __future__ import annotations

from pathlib import Path

import click

from .settings import Settings


@click.command("check-config")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check_config(path: Path | None, strict: bool) -> None:
    """Check a staff file: every mistake with its line and a fix.

    PATH defaults to INTAKE_CONFIG (else the console's var/staff.toml, else the bundled file).
    Exits 1 when there are errors (with --strict, also warnings).
    """
    from .config import checked, staff_path

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
