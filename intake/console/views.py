"""The console's blueprint: the login gate, CSRF on every form, roles, and the pages' modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from . import auth, csrf, pages_edit, pages_reports, pages_simulator
from .access import console

COOKIE = "intake_console"
OPEN = {"console.login", "console.login_form", "console.static"}
NAV = [("console.index", "Overview"), ("console.simulator", "Simulator"),
       ("console.conversations", "Conversations"), ("console.funnel", "Funnel"),
       ("console.attention", "Needs attention"), ("console.prompts", "Prompts"),
       ("console.categories", "Categories"), ("console.line", "Agent line"),
       ("console.pronunciations", "Pronunciations"), ("console.history", "History")]


@dataclass(frozen=True)
class Staff:
    """The logged-in person, as pages need them (no database object outlives its session)."""

    id: int
    name: str
    role: str

    @property
    def editor(self) -> bool:
        return self.role == "editor"


def blueprint() -> Blueprint:
    bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static")

    @bp.before_request
    def gate() -> ResponseReturnValue | None:
        if request.endpoint == "console.static":
            return None
        if request.method == "POST":
            csrf.protect()  # raises CSRFError: answered below with 400, nothing changed
        if request.endpoint in OPEN:
            return None
        token = request.cookies.get(COOKIE)
        staff = None
        if token:
            with console().sessions.begin() as session:
                user = auth.session_user(session, token, console().idle)
                if user is not None:
                    staff = Staff(user.id, user.name, user.role)
        if staff is None:
            target = request.full_path if request.method == "GET" else url_for("console.index")
            return redirect(url_for("console.login", next=target.rstrip("?")))
        g.staff = staff
        return None

    @bp.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        return response

    @bp.context_processor
    def shared() -> dict[str, Any]:
        return {"nav": [(e, label) for e, label in NAV if e in current_app.view_functions],
                "city_name": console().live.current.city.get("name", "")}

    @bp.errorhandler(CSRFError)
    def bad_csrf(exc: CSRFError) -> ResponseReturnValue:
        return render_template("console/csrf.html", reason=exc.description), 400

    @bp.get("/login")
    def login_form() -> ResponseReturnValue:
        return render_template("console/login.html", next=_safe_next(), error=None)

    @bp.post("/login")
    def login() -> ResponseReturnValue:
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        with console().sessions.begin() as session:
            result = auth.log_in(session, name, password)
            token = None
            if result.user is not None:
                auth.prune_sessions(session, console().idle)
                token = auth.open_session(session, result.user)
        if token is None:
            error = "The name or the password is wrong."
            if result.locked_until is not None:
                error = ("Too many wrong passwords: this account is locked for a while. "
                         "Try again later, or ask the IT person to set a new password.")
            page = render_template("console/login.html", next=_safe_next(), error=error,
                                   name=name)
            return page, 401
        response = make_response(redirect(_safe_next()))
        response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", path="/console",
                            secure=request.is_secure)
        return response

    @bp.post("/logout")
    def logout() -> ResponseReturnValue:
        token = request.cookies.get(COOKIE, "")
        with console().sessions.begin() as session:
            auth.close_session(session, token)
        response = make_response(redirect(url_for("console.login")))
        response.delete_cookie(COOKIE, path="/console")
        return response

    pages_reports.register(bp)
    pages_edit.register(bp)
    pages_simulator.register(bp)
    return bp


def _safe_next() -> str:
    """Where to go after logging in: only a page of the console itself."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/") or \
            target.startswith("//"):
        return url_for("console.index")
    return target
