"""What callers experience: the overview, recent conversations, the funnel, needs attention."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue


def register(bp: Blueprint) -> None:
    @bp.get("/")
    def index() -> ResponseReturnValue:
        return render_template("console/index.html")
