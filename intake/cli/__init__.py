"""The `intake` command: one module per command group, gathered here.

Every failure a deployer can cause (bad config file, unreachable database, missing street
file) is reported as one clear line, not a stack trace (`common.friendly_errors`).
"""

from __future__ import annotations

import click

from .catalogue import catalogue
from .database import db_group, purge
from .outbox import callbacks, outbox
from .serve import serve, worker
from .simulate import replay, simulate
from .staff import check_config, users
from .texts import poll, texts


@click.group()
def main() -> None:
    """open311-intake: 311 reports by phone call and text message, filed over Open311."""


for command in (serve, simulate, replay, outbox, callbacks, db_group, worker, purge, poll, texts,
                check_config, users, catalogue):
    main.add_command(command)

try:
    from .streets import streets

    main.add_command(streets)
except ImportError:  # pragma: no cover - the street import tools are optional in a slim install
    pass

__all__ = ["main"]
