"""What every console page needs: the console of this app, and the editors-only rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, render_template
from flask.typing import ResponseReturnValue

from . import EXTENSION, Console

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def console() -> Console:
    found: Console = current_app.extensions[EXTENSION]
    return found


def editors_only(view: F) -> F:
    """Viewers may look at everything but change nothing: 403 with a page saying so."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not g.staff.editor:
            return render_template("console/forbidden.html"), 403
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
