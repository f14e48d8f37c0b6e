"""What callers experience: the overview, recent conversations, the funnel, needs attention."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from ..db import utcnow
from ..staff_schema import language_name, languages
from ..storage import ConversationRow, Report
from . import attention, insight
from .access import console, editors_only

BAR = 330  # px: the longest bar of the funnel chart


def zone() -> ZoneInfo:
    return ZoneInfo(console().live.current.city.get("timezone") or "UTC")


def local(moment: datetime) -> str:
    return moment.astimezone(zone()).strftime("%Y-%m-%d %H:%M")


def period(default_days: int) -> tuple[insight.Filters, dict[str, str]]:
    """Filters from the query string: days in city time, inclusive; channel; language."""
    today = utcnow().astimezone(zone()).date()
    args = request.args

    def day(name: str, fallback: date) -> date:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return fallback

    start = day("from", today - timedelta(days=default_days - 1))
    end = day("to", today)
    filters = insight.Filters(
        since=datetime.combine(start, time(), zone()),
        until=datetime.combine(end + timedelta(days=1), time(), zone()),
        channel=args.get("channel", "") if args.get("channel") in ("voice", "sms") else "",
        lang=args.get("lang", ""), outcome=args.get("outcome", "")
        if args.get("outcome") in insight.OUTCOMES else "")
    shown = {"from": start.isoformat(), "to": end.isoformat(), "channel": filters.channel,
             "lang": filters.lang, "outcome": filters.outcome}
    return filters, shown


def names() -> dict[str, str]:
    return insight.category_names(console().live.current.menu)


def chart(result: insight.Funnel) -> list[dict[str, object]]:
    top = max(result.reached[0], 1)
    return [{"name": insight.STAGE_NAMES[stage], "count": n,
             "pct": round(100 * n / top) if result.reached[0] else 0,
             "width": max(round(BAR * n / top), 1 if n else 0), "y": 10 + i * 36,
             "stopped": result.stopped.get(stage, 0)}
            for i, (stage, n) in enumerate(zip(insight.STAGES, result.reached, strict=True))]


def register(bp: Blueprint) -> None:
    @bp.get("/")
    def index() -> ResponseReturnValue:
        live = console().live
        today = datetime.combine(utcnow().astimezone(zone()).date(), time(), zone())
        with console().sessions() as session:
            calls = session.scalar(select(func.count(ConversationRow.id))
                                   .where(ConversationRow.created_at >= today)) or 0
            filed = session.scalar(select(func.count(Report.id))
                                   .where(Report.created_at >= today)) or 0
            waiting = len(attention.needs_attention(session, "", {}))
        return render_template("console/index.html", calls=calls, filed=filed, waiting=waiting,
                               staff_file=live.path, rejected=live.rejected)

    @bp.get("/conversations")
    def conversations() -> ResponseReturnValue:
        filters, shown = period(7)
        with console().sessions() as session:
            rows = insight.conversations(session, filters, names(), utcnow())
        return render_template("console/conversations.html", rows=rows, shown=shown,
                               outcomes=insight.OUTCOMES, local=local,
                               langs=_langs(), stage_names=insight.STAGE_NAMES)

    @bp.get("/funnel")
    def funnel() -> ResponseReturnValue:
        filters, shown = period(7)
        with console().sessions() as session:
            result = insight.funnel(session, filters, utcnow())
        return render_template("console/funnel.html", result=result, bars=chart(result),
                               shown=shown, langs=_langs(), outcomes=insight.OUTCOMES,
                               stage_names=insight.STAGE_NAMES, bar=BAR)

    @bp.get("/attention", endpoint="attention")
    def attention_page() -> ResponseReturnValue:
        city = console().live.current.city.get("name", "")
        with console().sessions() as session:
            items = attention.needs_attention(session, city, names())
        return render_template("console/attention.html", items=items, kinds=attention.KINDS,
                               local=local)

    @bp.post("/attention/<kind>/<int:item_id>/handled")
    @editors_only
    def handled(kind: str, item_id: int) -> ResponseReturnValue:
        with console().sessions.begin() as session:
            if attention.mark_handled(session, kind, item_id, g.staff.name):
                flash("Marked as handled.", "ok")
        return redirect(url_for("console.attention"))

    @bp.post("/attention/report/<int:item_id>/retry")
    @editors_only
    def retry(item_id: int) -> ResponseReturnValue:
        adopt = request.form.get("adopt") == "1"
        with console().sessions.begin() as session:
            try:
                report = attention.retry(session, item_id, adopt=adopt)
            except ValueError as exc:
                flash(str(exc), "error")
                return redirect(url_for("console.attention"))
            reference = report.reference if report else None
            request_id = report.service_request_id if report else None
        if reference is None:
            flash("No such report.", "error")
        elif adopt:
            flash(f"Report {reference} is the city's request {request_id}.", "ok")
        else:
            if console().wake_outbox:
                console().wake_outbox()
            flash(f"Report {reference} will be sent again now.", "ok")
        return redirect(url_for("console.attention"))


def _langs() -> list[tuple[str, str]]:
    return [(x, language_name(x)) for x in languages(console().live.current.raw)]
