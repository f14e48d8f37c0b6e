"""Editing the staff file: prompts, categories, the agent line, pronunciations, history, drafts.

Every form can publish (write the staff file now) or save to the editor's draft (try it in the
simulator first). Either way the whole file is checked first; problems are shown next to
the field they are about, and nothing is written while there is an error.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..staff_schema import CHANNELS, Problem, bundled, dotted, language_name, languages, offered
from . import staff_file
from .access import console, editors_only
from .staff_file import Change, Key, Outcome

CHANNEL_NAMES = {"voice": "Calls", "sms": "Texts"}
LINE_FIELDS: list[tuple[Key, str, str]] = [
    (("city", "name"), "City name", "Read out as {city} in the prompts."),
    (("city", "agent_number"), "Agent line", "Calls are transferred here, in E.164 form: "
     "+ country code and number, e.g. +15555550100. Empty: no transfers."),
    (("city", "agent_display"), "Agent line as residents dial it",
     "Texters are told to call this, e.g. 555-555-0100."),
    (("city", "agent_hours"), "Agent hours", "When calls may be transferred, city time, e.g. "
     "Mon-Fri 08:00-17:00; Sat 09:00-12:00. Empty: always."),
    (("city", "timezone"), "Time zone", "e.g. America/Chicago"),
    (("conversation", "tries"), "Tries before a person",
     "Failed answers at one question before the caller is put through (1 to 9)."),
    (("menu", "server_services"), "Services only the city's server lists",
     "words: understood by name; list: also offered by digit; none: left out."),
]


def staff_data() -> dict[str, Any]:
    """The staff file as it is on disk (only what it sets)."""
    text = staff_file.read_text(console().staff_file)
    try:
        return tomllib.loads(text) if text.strip() else {}
    except tomllib.TOMLDecodeError:
        return {}


def show(value: Any) -> str:
    if value is None:
        return "(not set: the bundled default)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def submit(changes: Sequence[Change], page: Callable[[Outcome], str],
           back: str) -> ResponseReturnValue:
    """Publish, or save to the draft, as the form's button says; on problems show the page."""
    live = console().live
    to_draft = request.form.get("action") == "draft"
    with console().sessions.begin() as session:
        try:
            if to_draft:
                outcome = staff_file.save_draft(session, live, g.staff.id, changes)
            else:
                outcome = staff_file.publish(session, live, g.staff.name, changes)
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(back)
        done = len(outcome.recorded)
        doubts = [p for key, _ in changes for p in outcome.problems_for(key)
                  if p.level == "warning"]
    if not outcome.ok:
        return page(outcome), 422
    if to_draft:
        flash("Saved to your draft. Try it in the simulator, then publish it.", "ok")
    elif done:
        flash(f"Published: {done} change{'s' * (done != 1)}. Calls and texts use it now.", "ok")
    else:
        flash("Nothing was changed.", "ok")
    for p in doubts:
        flash(f"Check {p.where}: {p.message} ({p.fix})", "warning")
    return redirect(back)


def problems_by(outcome: Outcome | None, keys: Mapping[str, Key]) -> tuple[dict[str, list[Problem]],
                                                                        list[Problem]]:
    """Problems for each form field, and the rest (shown at the top)."""
    if outcome is None:
        return {}, []
    mine: dict[str, list[Problem]] = {}
    placed: set[int] = set()
    for name, key in keys.items():
        found = outcome.problems_for(key)
        if found:
            mine[name] = found
            placed.update(id(p) for p in found)
    return mine, [p for p in outcome.result.problems if id(p) not in placed]


def ordered_keys(channel: str) -> list[str]:
    """The bundled prompt keys a channel uses, in the bundled file's order."""
    english = bundled()["prompts"]["en"]
    keys = [k for k, v in english.items() if isinstance(v, str)]
    keys += [k for k in english.get(channel, {}) if k not in keys]
    return keys


def register(bp: Blueprint) -> None:
    # ---- prompts --------------------------------------------------------------------

    def prompts_page(lang: str, channel: str, outcome: Outcome | None = None,
                     submitted: dict[str, str] | None = None) -> str:
        config = console().live.current
        wording = config.wording(channel)
        mine = staff_data().get("prompts", {})
        rows = []
        keys = {k: ("prompts", lang, channel, k) for k in ordered_keys(channel)}
        errors, other = problems_by(outcome, keys)
        for key in keys:
            table = mine.get(lang, {}) if isinstance(mine, dict) else {}
            scoped = table.get(channel, {}) if isinstance(table, dict) else {}
            source = ("set for " + CHANNEL_NAMES[channel].lower() if key in scoped else
                      "set for both channels" if key in table else "bundled wording")
            rows.append({"key": key, "value": (submitted or {}).get(key,
                                                                    wording.template(lang, key)),
                         "source": source, "problems": errors.get(key, []),
                         "offered": sorted(offered(key) - {"timezone"})})
        return render_template("console/prompts.html", rows=rows, lang=lang, channel=channel,
                               langs=[(x, language_name(x)) for x in languages(config.raw)],
                               channels=CHANNEL_NAMES, other=other)

    def prompt_choice() -> tuple[str, str]:
        langs = languages(console().live.current.raw)
        lang = request.values.get("lang", "en")
        channel = request.values.get("channel", "voice")
        return (lang if lang in langs else "en"), (channel if channel in CHANNELS else "voice")

    @bp.get("/prompts")
    def prompts() -> ResponseReturnValue:
        return prompts_page(*prompt_choice())

    @bp.post("/prompts")
    @editors_only
    def prompts_save() -> ResponseReturnValue:
        lang, channel = prompt_choice()
        wording = console().live.current.wording(channel)
        submitted = {k: request.form[f"p:{k}"].replace("\r\n", "\n")
                     for k in ordered_keys(channel) if f"p:{k}" in request.form}
        changes: list[Change] = [(("prompts", lang, channel, k), v) for k, v in submitted.items()
                                 if v != wording.template(lang, k)]
        return submit(changes, lambda o: prompts_page(lang, channel, o, submitted),
                      url_for("console.prompts", lang=lang, channel=channel))

    # ---- categories -----------------------------------------------------------------

    def categories_page(entries: list[dict[str, Any]] | None = None, hidden: set[str] | None = None,
                        outcome: Outcome | None = None) -> str:
        config = console().live.current
        cats = entries if entries is not None else [dict(c) for c in config.raw["categories"]]
        hide = hidden if hidden is not None else set(config.hidden)
        langs = languages(config.raw)
        keys: dict[str, Key] = {}
        for i, _ in enumerate(cats):
            for part in ("code", "digit", "names", "keywords"):
                keys[f"c{i}-{part}"] = ("categories", i, part)
        errors, other = problems_by(outcome, keys)
        return render_template("console/categories.html", cats=cats, hidden=hide, langs=langs,
                               language_name=language_name, errors=errors, other=other)

    @bp.get("/categories")
    def categories() -> ResponseReturnValue:
        return categories_page()

    @bp.post("/categories")
    @editors_only
    def categories_save() -> ResponseReturnValue:
        config = console().live.current
        langs = languages(config.raw)
        old = {c["code"]: c for c in config.raw["categories"]}
        entries: list[dict[str, Any]] = []
        hidden = {h for h in config.hidden if h not in old}
        count = int(request.form.get("count", "0"))
        for i in range(count + 1):
            code = request.form.get(f"c{i}-code", "").strip()
            if not code or request.form.get(f"c{i}-remove"):
                continue
            entry: dict[str, Any] = {"code": code, "digit": request.form.get(f"c{i}-digit",
                                                                             "").strip()}
            entry["names"] = {lang: request.form[f"c{i}-name-{lang}"].strip() for lang in langs
                              if request.form.get(f"c{i}-name-{lang}", "").strip()}
            keywords = {lang: [w.strip() for w in request.form.get(f"c{i}-keywords-{lang}", "")
                               .split(",") if w.strip()] for lang in langs}
            entry["keywords"] = {lang: words for lang, words in keywords.items() if words}
            if not entry["keywords"]:
                del entry["keywords"]
            if old.get(code, {}).get("questions"):
                entry["questions"] = old[code]["questions"]
            entries.append(entry)
            if request.form.get(f"c{i}-hidden"):
                hidden.add(code)
        changes: list[Change] = [(("categories",), entries)]
        if sorted(hidden) != sorted(config.hidden):
            changes.append((("menu", "hide"), sorted(hidden)))
        if entries == config.raw["categories"] and len(changes) == 1:
            changes = []
        return submit(changes, lambda o: categories_page(entries, hidden, o),
                      url_for("console.categories"))

    # ---- agent line and hours -------------------------------------------------------

    def line_page(values: dict[str, Any] | None = None, outcome: Outcome | None = None
                  ) -> str:
        raw = console().live.current.raw
        keys = {dotted(k): k for k, _, _ in LINE_FIELDS}
        errors, other = problems_by(outcome, keys)
        fields = [{"name": dotted(k), "label": label, "hint": hint,
                   "value": (values or {}).get(dotted(k), staff_file.value_at(raw, k)),
                   "problems": errors.get(dotted(k), [])} for k, label, hint in LINE_FIELDS]
        return render_template("console/line.html", fields=fields, other=other)

    @bp.get("/line")
    def line() -> ResponseReturnValue:
        return line_page()

    @bp.post("/line")
    @editors_only
    def line_save() -> ResponseReturnValue:
        raw = console().live.current.raw
        values: dict[str, Any] = {}
        changes: list[Change] = []
        for key, _, _ in LINE_FIELDS:
            name = dotted(key)
            if name not in request.form:
                continue
            value: Any = request.form[name].strip()
            if key == ("conversation", "tries"):
                value = int(value) if value.isdigit() else value
            values[name] = value
            if value != staff_file.value_at(raw, key):
                changes.append((key, value))
        return submit(changes, lambda o: line_page(values, o), url_for("console.line"))

    # ---- pronunciations ---------------------------------------------------------------

    def pronunciations_page(rows: list[tuple[str, str]] | None = None,
                            outcome: Outcome | None = None) -> str:
        current = console().live.current.pronunciations
        shown = rows if rows is not None else list(current.items())
        _, other = problems_by(outcome, {})
        return render_template("console/pronunciations.html", rows=shown + [("", "")] * 3,
                               other=other)

    @bp.get("/pronunciations")
    def pronunciations() -> ResponseReturnValue:
        return pronunciations_page()

    @bp.post("/pronunciations")
    @editors_only
    def pronunciations_save() -> ResponseReturnValue:
        rows = []
        for i in range(int(request.form.get("count", "0"))):
            street = request.form.get(f"s{i}-street", "").strip()
            spoken = request.form.get(f"s{i}-spoken", "").strip()
            if street and spoken:
                rows.append((street, spoken))
        table = dict(rows)
        changes: list[Change] = []
        if table != console().live.current.pronunciations:
            changes = [(("pronunciations",), table)]
        return submit(changes, lambda o: pronunciations_page(rows, o),
                      url_for("console.pronunciations"))

    # ---- history, revert, draft -------------------------------------------------------

    @bp.get("/history")
    def history() -> ResponseReturnValue:
        with console().sessions() as session:
            changes = staff_file.history(session)
        return render_template("console/history.html", changes=changes, show=show,
                               dotted=dotted)

    @bp.post("/history/<int:change_id>/revert")
    @editors_only
    def revert(change_id: int) -> ResponseReturnValue:
        with console().sessions.begin() as session:
            outcome = staff_file.revert(session, console().live, g.staff.name, change_id)
            if outcome is None:
                flash(f"There is no change {change_id}.", "error")
            elif not outcome.ok:
                flash("This change cannot be reverted: the file would have errors. "
                      + "; ".join(f"{p.where}: {p.message}" for p in outcome.result.errors),
                      "error")
            elif not outcome.recorded:
                flash(f"Change {change_id} is already undone: nothing to revert.", "ok")
            else:
                flash(f"Change {change_id} reverted (as change {outcome.recorded[0].id}).", "ok")
        return redirect(url_for("console.history"))

    @bp.get("/draft")
    def draft() -> ResponseReturnValue:
        with console().sessions() as session:
            mine = staff_file.draft_of(session, g.staff.id)
            changes = staff_file.draft_changes(mine) if mine else []
        published = staff_data()
        rows = [{"where": dotted(k), "before": show(staff_file.value_at(published, k)),
                 "after": show(v)} for k, v in changes]
        return render_template("console/draft.html", rows=rows, has_draft=mine is not None)

    @bp.post("/draft/publish")
    @editors_only
    def draft_publish() -> ResponseReturnValue:
        with console().sessions.begin() as session:
            if staff_file.draft_of(session, g.staff.id) is None:
                flash("You have no draft.", "error")
                return redirect(url_for("console.draft"))
            outcome = staff_file.publish_draft(session, console().live, g.staff.id,
                                               g.staff.name)
            if outcome.ok:
                flash(f"Draft published: {len(outcome.recorded)} changes.", "ok")
            else:
                flash("The draft cannot be published over the file as it is now: "
                      + "; ".join(f"{p.where}: {p.message}" for p in outcome.result.errors),
                      "error")
        return redirect(url_for("console.draft"))

    @bp.post("/draft/discard")
    @editors_only
    def draft_discard() -> ResponseReturnValue:
        with console().sessions.begin() as session:
            mine = staff_file.draft_of(session, g.staff.id)
            if mine is not None:
                session.delete(mine)
        flash("Draft discarded.", "ok")
        return redirect(url_for("console.draft"))
