"""`intake catalogue sync`: read the city's service list now and show the menu it makes.

Running servers that share this var/ directory read the list again within a few seconds
(they watch a request file); others on their next hourly pass (CATALOGUE_SYNC_SECONDS).
"""

from __future__ import annotations

import click

from .common import load_settings, make_app


@click.group()
def catalogue() -> None:
    """The category menu and the city server's service list."""


@catalogue.command("sync")
def catalogue_sync() -> None:
    """Read the service list now, print the menu, and have running servers re-read it."""
    from open311_client import Open311Error

    from ..app import OUTBOX, STAFF
    from ..catalogue import request_sync

    settings = load_settings()
    app = make_app(settings)
    client = app.extensions[OUTBOX].client
    staff = app.extensions[STAFF].current
    try:
        services = client.services()
    except Open311Error as exc:
        raise click.ClickException(f"could not read the city's service list: {exc}") from exc
    menu = app.extensions["intake"].menu
    staff_codes = {c.code for c in staff.menu}
    click.echo(f"The city's server lists {len(services)} services:")
    for service in services:
        click.echo(f"  {service.service_code:<24} {(service.service_name or '').strip()}")
    missing = sorted(staff_codes - {s.service_code for s in services} - set(staff.hidden))
    if missing:
        click.echo("Staff categories the server does not list (left out of the menu): "
                   + ", ".join(missing))
    click.echo("Menu:")
    for category in menu:
        source = "staff file" if category.code in staff_codes else "server"
        key = category.digit or "-"
        click.echo(f"  {key}  {category.code:<24} {category.name('en'):<28} ({source})")
    request_sync(settings.var_dir)
    click.echo(f"Running servers using {settings.var_dir} re-read the list within "
               f"{settings.config_reload_seconds:g} s; others within "
               f"{settings.catalogue_sync_seconds:g} s (CATALOGUE_SYNC_SECONDS).")
