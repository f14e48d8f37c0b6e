"""The simulator page: start a call or a text thread on the live or a draft configuration."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..config import StaffConfig, config_from_text
from . import staff_file
from .access import console
from .simulator import Run, Simulator

KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]


def the_simulator() -> Simulator:
    c = console()
    if c.simulator is None:
        c.simulator = c.make_simulator()
    sim: Simulator = c.simulator
    return sim


def config_for(source: str) -> StaffConfig | None:
    """The live configuration, or the user's draft (None when they have none)."""
    if source != "draft":
        return console().live.current
    with console().sessions() as session:
        draft = staff_file.draft_of(session, g.staff.id)
        text = draft.text if draft is not None else None
    return config_from_text(text, "draft") if text is not None else None


def register(bp: Blueprint) -> None:
    @bp.get("/simulator")
    def simulator() -> ResponseReturnValue:
        run = the_simulator().get(request.args.get("run", ""), g.staff.id) \
            if request.args.get("run") else None
        with console().sessions() as session:
            has_draft = staff_file.draft_of(session, g.staff.id) is not None
        stale = False
        if run is not None:
            config = config_for(run.source)
            stale = config is None or the_simulator().key_of(config) != run.config_key
        return render_template("console/simulator.html", run=run, keypad=KEYPAD,
                               has_draft=has_draft, stale=stale,
                               source=request.args.get("source", "live"))

    @bp.post("/simulator/start")
    def simulator_start() -> ResponseReturnValue:
        source = "draft" if request.form.get("source") == "draft" else "live"
        kind = "text" if request.form.get("kind") == "text" else "call"
        config = config_for(source)
        if config is None:
            return redirect(url_for("console.simulator"))
        run = the_simulator().start(g.staff.id, kind, source, config)
        return redirect(url_for("console.simulator", run=run.id, _anchor="latest"))

    def with_run(run_id: str) -> tuple[Run, StaffConfig]:
        run = the_simulator().get(run_id, g.staff.id)
        config = config_for(run.source) if run is not None else None
        if run is None or config is None:
            abort(404)
        return run, config

    @bp.post("/simulator/<run_id>/key")
    def simulator_key(run_id: str) -> ResponseReturnValue:
        run, config = with_run(run_id)
        the_simulator().press(run, config, request.form.get("key", ""))
        return redirect(url_for("console.simulator", run=run.id, _anchor="latest"))

    @bp.post("/simulator/<run_id>/say")
    def simulator_say(run_id: str) -> ResponseReturnValue:
        run, config = with_run(run_id)
        if request.form.get("silence"):
            the_simulator().silence(run, config)
        elif request.form.get("hangup"):
            the_simulator().hang_up(run, config)
        else:
            the_simulator().say(run, config, request.form.get("words", ""))
        return redirect(url_for("console.simulator", run=run.id, _anchor="latest"))

    @bp.post("/simulator/<run_id>/text")
    def simulator_text(run_id: str) -> ResponseReturnValue:
        run, config = with_run(run_id)
        the_simulator().text(run, config, request.form.get("body", ""))
        return redirect(url_for("console.simulator", run=run.id, _anchor="latest"))
