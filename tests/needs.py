"""What a test needs from outside the repository: skip with the reason, or fail under CI=true.

A missing database server, browser, npm package or shared data file is the machine's state on
a developer's laptop; on CI it is a broken set-up, and a quiet skip there would hide it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest


def shared_data() -> Path:
    """The shared data: $INTAKE_SHARED_DATA, else ../shared/data beside the repository (it is
    never copied into it)."""
    override = os.environ.get("INTAKE_SHARED_DATA")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"


def unavailable(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it when CI=true (CI must run everything)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " and CI=true requires it")
    pytest.skip(reason)
