"""The console's pages on the real app and database: edits reach the file and the service."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conversation import Inbound, Said, Say
from intake import db
from intake.app import STAFF, create_app
from intake.console import auth
from intake.lifecycle import ReportState
from intake.settings import Settings
from intake.storage import ConfigChange, Report
from tests.databases import BACKENDS, database_url

PASSWORD = "correct horse battery"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    staff = tmp_path / "city.toml"
    staff.write_text("# the city's own notes stay\n[city]\nname = \"Demo City\"\n")
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": "t", "INTAKE_CONFIG": str(staff)})
        application = create_app(settings)
        with db.transaction(application) as session:
            auth.add_user(session, "erin", PASSWORD, "editor")
            auth.add_user(session, "victor", PASSWORD, "viewer")
        yield application
        db.sessions(application).kw["bind"].dispose()


def staff_file(app: Flask) -> Path:
    path = app.extensions[STAFF].path
    assert isinstance(path, Path)
    return path


def csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    return logged_in(app, "erin")


def logged_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    reply = client.post("/console/login", data={"name": name, "password": PASSWORD,
                                                "csrf_token": csrf(client, "/console/login")})
    assert reply.status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict[str, str], page: str | None = None
         ) -> tuple[int, str]:
    reply = client.post(path, data={**data, "csrf_token": csrf(client, page or path)},
                        follow_redirects=True)
    return reply.status_code, reply.get_data(as_text=True)


def test_a_published_prompt_is_in_the_file_in_use_and_in_the_history(app: Flask,
                                                                     editor: FlaskClient) -> None:
    status, page = post(editor, "/console/prompts?lang=en&channel=sms",
                        {"p:filed": "Filed! Your number: {reference}.", "action": "publish"})
    assert status == 200 and "Published: 1 change" in page
    data = tomllib.loads(staff_file(app).read_text())
    assert data["prompts"]["en"]["sms"]["filed"] == "Filed! Your number: {reference}."
    assert "# the city's own notes stay" in staff_file(app).read_text()
    intake = app.extensions["intake"]
    assert intake.config.wording("sms").text("en", Say("filed", {"reference": "7"})) == \
        "Filed! Your number: 7."
    with db.sessions(app)() as session:
        change = session.scalars(select(ConfigChange)).one()
    assert change.user_name == "erin" and change.before is None
    assert change.path == ["prompts", "en", "sms", "filed"]
    history = editor.get("/console/history").get_data(as_text=True)
    assert "prompts.en.sms.filed" in history and "erin" in history
    status, page = post(editor, f"/console/history/{change.id}/revert", {}, "/console/history")
    assert "reverted" in page
    assert "prompts" not in tomllib.loads(staff_file(app).read_text())
    assert "Reference number" in intake.config.wording("sms").text("en", Say("filed"))


def test_an_sms_conversation_gets_the_new_wording_at_once(app: Flask,
                                                          editor: FlaskClient) -> None:
    post(editor, "/console/prompts?lang=en&channel=sms",
         {"p:address": "Where exactly? Street and number, please.", "action": "publish"})
    intake = app.extensions["intake"]
    reply = intake.handle(Inbound("sms", "+15555550101|+15555550311", "SM1", Said("pothole"),
                                  phone="+15555550101", city_number="+15555550311",
                                  text="pothole"))
    words = [intake.config.wording("sms").text("en", a) for a in reply.actions
             if hasattr(a, "prompt")]
    assert "Where exactly? Street and number, please." in words


@pytest.mark.parametrize(("path", "data", "message"), [
    ("/console/line", {"city.agent_number": "555-0100"}, "not a phone number in E.164"),
    ("/console/line", {"conversation.tries": "three"}, "should be a whole number"),
    ("/console/line", {"city.timezone": "America/Chicgo"}, "did you mean"),
    ("/console/prompts?lang=es&channel=voice", {"p:filed": "Su número: {ref}"},
     "did you mean {reference}?"),
])
def test_a_mistake_is_refused_and_shown_next_to_its_field(app: Flask, editor: FlaskClient,
                                                          path: str, data: dict[str, str],
                                                          message: str) -> None:
    before = staff_file(app).read_text()
    reply = editor.post(path, data={**data, "action": "publish", "csrf_token": csrf(editor,
                                                                                      path)})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page
    error = page.index(message)
    assert page.rfind('class="field has-error"', 0, error) > page.rfind('class="field"', 0, error)
    assert staff_file(app).read_text() == before


def test_categories_are_edited_with_their_digits_checked(app: Flask, editor: FlaskClient) -> None:
    config = app.extensions[STAFF].current
    count = len(config.raw["categories"])
    form = {"count": str(count), "action": "publish"}
    for i, c in enumerate(config.raw["categories"]):
        form |= {f"c{i}-code": c["code"], f"c{i}-digit": c["digit"],
                 f"c{i}-name-en": c["names"]["en"], f"c{i}-name-es": c["names"]["es"],
                 f"c{i}-keywords-en": ", ".join(c["keywords"]["en"])}
    clash = form | {"c3-digit": "2"}
    reply = editor.post("/console/categories", data=clash | {"csrf_token": csrf(
        editor, "/console/categories")})
    assert reply.status_code == 422
    assert "digit 2: &#39;graffiti&#39; and &#39;missed trash pickup&#39;" in \
        reply.get_data(as_text=True)
    added = form | {f"c{count}-code": "TREE", f"c{count}-digit": "6",
                    f"c{count}-name-en": "fallen tree", f"c{count}-name-es": "árbol caído",
                    f"c{count}-keywords-en": "tree, branch", "c1-hidden": "1"}
    status, page = post(editor, "/console/categories", added)
    assert status == 200 and "Published: 2 changes" in page
    data = tomllib.loads(staff_file(app).read_text())
    assert [c["code"] for c in data["categories"]][-1] == "TREE"
    assert data["menu"]["hide"] == ["GRAFFITI"]
    assert data["categories"][1]["questions"]["OFFENSIVE"]["en"]  # kept though not on the form
    assert "TREE" in [c.code for c in app.extensions["intake"].config.menu]


def test_a_draft_waits_until_it_is_published(app: Flask, editor: FlaskClient) -> None:
    status, page = post(editor, "/console/line", {"city.agent_display": "311-555-0000",
                                                  "action": "draft"})
    assert "Saved to your draft" in page
    assert "311-555-0000" not in staff_file(app).read_text()
    draft = editor.get("/console/draft").get_data(as_text=True)
    assert "city.agent_display" in draft and "311-555-0000" in draft
    status, page = post(editor, "/console/draft/publish", {}, "/console/draft")
    assert "Draft published: 1 changes" in page
    assert tomllib.loads(staff_file(app).read_text())["city"]["agent_display"] == "311-555-0000"


def test_a_viewer_is_refused_every_change(app: Flask) -> None:
    viewer = logged_in(app, "victor")
    before = staff_file(app).read_text()
    for path, data in [("/console/line", {"city.name": "X"}),
                       ("/console/prompts", {"p:greeting": "Hi"}),
                       ("/console/draft/discard", {}), ("/console/history/1/revert", {})]:
        reply = viewer.post(path, data={**data, "csrf_token": csrf(viewer, "/console/")})
        assert reply.status_code == 403, path
    assert staff_file(app).read_text() == before


def _report(app: Flask, **fields: object) -> Report:
    with db.transaction(app) as session:
        report = Report(reference=str(fields.pop("reference")), channel="voice",
                        phone="+15555550177", service_code="POTHOLE", address="x",
                        **fields)  # type: ignore[arg-type]
        session.add(report)
    return report


def test_needs_attention_lists_review_and_refused_reports_until_handled(
        app: Flask, editor: FlaskClient) -> None:
    review = _report(app, reference="1000001", address_as_said="behind the old mill",
                     needs_review=True, status=ReportState.DELIVERED)
    refused = _report(app, reference="1000002", status=ReportState.FAILED,
                      last_error="400 service_code not found")
    page = editor.get("/console/attention").get_data(as_text=True)
    assert "behind the old mill" in page and "openstreetmap.org/search?query=behind+the+old+mill"\
        in page
    assert "400 service_code not found" in page and "+1******0177" in page
    assert "+15555550177" not in page
    stuck = _report(app, reference="1000003", status=ReportState.NEEDS_ATTENTION,
                    service_request_id="77",
                    last_error="the city has a request like it")
    page = editor.get("/console/attention").get_data(as_text=True)
    assert "the city has request 77 that may be this report" in page
    post(editor, f"/console/attention/report/{refused.id}/retry", {}, "/console/attention")
    post(editor, f"/console/attention/report/{stuck.id}/retry", {"adopt": "1"},
         "/console/attention")
    with db.sessions(app)() as session:
        assert session.get(Report, refused.id).status == ReportState.PENDING  # type: ignore[union-attr]
        adopted = session.get(Report, stuck.id)
        assert adopted is not None and adopted.status == ReportState.DELIVERED
        assert adopted.service_request_id == "77"
    post(editor, f"/console/attention/review/{review.id}/handled", {}, "/console/attention")
    page = editor.get("/console/attention").get_data(as_text=True)
    assert "behind the old mill" not in page
