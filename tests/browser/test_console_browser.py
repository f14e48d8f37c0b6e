"""Staff use the console in a real browser: edit, try, revert; refusals; the funnel; a viewer."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from intake.simulate import new_sid, sms_form, voice_form
from intake.webhook_client import WebhookSender
from tests.e2e.conftest import TOKEN

from .conftest import EDITOR, PASSWORD, VIEWER, Site, csrf_of, log_in

NEW_GREETING = "Welcome to the {city} street problems line."


def call_greeting(site: Site) -> str:
    """What a caller hears first: a signed webhook, as Twilio would send it."""
    with httpx.Client(timeout=20) as http:
        form = voice_form(new_sid("CA"), "+15555550181", "+15555550311")
        return WebhookSender(http, site.url, TOKEN).post("/voice", form).text


def wait_for(check, what: str, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_an_editor_changes_a_prompt_tries_it_and_reverts_it(page: Page, site: Site) -> None:
    log_in(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.get_by_role("link", name="Prompts").click()
    greeting = page.get_by_label("greeting", exact=True)
    expect(greeting).to_have_value("Welcome to {city} 3 1 1.")
    greeting.fill(NEW_GREETING)
    page.get_by_role("button", name="Publish").first.click()
    expect(page.get_by_text("Published: 1 change")).to_be_visible()
    assert NEW_GREETING in site.staff_file.read_text()
    assert "# Demo City's staff file" in site.staff_file.read_text()  # comments kept

    # the simulator, on the live configuration, says it
    page.get_by_role("link", name="Simulator").click()
    page.get_by_role("button", name="Start a call").click()
    expect(page.get_by_text("Welcome to the Demo City street problems line.")).to_be_visible()
    expect(page.get_by_text("What would you like to report?")).to_be_visible()
    page.get_by_role("button", name="Press 1").click()
    expect(page.get_by_text("(pressed 1)")).to_be_visible()
    expect(page.get_by_text("Where is it?")).to_be_visible()
    # ...and so does the next call to the line itself
    assert "Welcome to the Demo City street problems line." in call_greeting(site)

    # one click in the history puts it back, for the simulator and for callers
    page.get_by_role("link", name="History").click()
    row = page.get_by_role("row").filter(has_text="prompts.en.voice.greeting")
    expect(row.first).to_contain_text(NEW_GREETING)
    row.first.get_by_role("button", name=re.compile("Revert")).click()
    expect(page.get_by_text(re.compile(r"Change \d+ reverted"))).to_be_visible()
    assert NEW_GREETING not in site.staff_file.read_text()
    page.get_by_role("link", name="Simulator").click()
    page.get_by_role("button", name="Start a call").click()
    expect(page.get_by_text("Welcome to Demo City 3 1 1.")).to_be_visible()
    assert "Welcome to Demo City 3 1 1." in call_greeting(site)


def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_written(page: Page,
                                                                     site: Site) -> None:
    before = site.staff_file.read_text()
    log_in(page)
    page.goto("/console/prompts?lang=en&channel=sms")
    page.get_by_label("filed", exact=True).fill("Thanks! Your number is {ref}.")
    page.get_by_role("button", name="Publish").first.click()
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field).to_contain_text("{ref} is not offered to this prompt")
    expect(field).to_contain_text("did you mean {reference}?")
    expect(page.get_by_label("filed", exact=True)).to_have_attribute("aria-invalid", "true")
    assert site.staff_file.read_text() == before


def test_a_draft_is_tried_in_the_simulator_before_anyone_hears_it(page: Page,
                                                                  site: Site) -> None:
    log_in(page)
    page.goto("/console/prompts?lang=en&channel=sms")
    page.get_by_label("greeting", exact=True).fill("{city} 311 (draft): what is the problem?")
    page.get_by_role("button", name="Save to my draft").first.click()
    expect(page.get_by_text("Saved to your draft")).to_be_visible()
    assert "(draft)" not in site.staff_file.read_text()
    page.goto("/console/simulator")
    page.get_by_label("My draft").check()
    page.get_by_role("button", name="Start texting").click()
    page.get_by_label("Message", exact=True).fill("hello")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Demo City 311 (draft): what is the problem?")).to_be_visible()
    page.goto("/console/draft")
    expect(page.get_by_role("cell", name="prompts.en.sms.greeting")).to_be_visible()
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_text("Draft discarded.")).to_be_visible()


def test_a_wrong_password_is_refused(page: Page) -> None:
    log_in(page, EDITOR, "not the password")
    expect(page.get_by_role("alert")).to_have_text("The name or the password is wrong.")
    page.goto("/console/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_form_without_its_csrf_token_is_refused(page: Page, site: Site) -> None:
    page.goto("/console/login")
    page.locator("input[name=csrf_token]").evaluate("e => e.remove()")
    page.get_by_label("Name").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="This form was refused")).to_be_visible()
    page.goto("/console/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    # logged in, a change posted without the token (as another site would) changes nothing
    log_in(page)
    before = site.staff_file.read_text()
    answer = page.request.post("/console/line", form={"city.name": "Evil City",
                                                      "action": "publish"})
    assert answer.status == 400 and "This form was refused" in answer.text()
    assert site.staff_file.read_text() == before


def test_a_viewer_can_look_but_not_edit(page: Page, site: Site) -> None:
    log_in(page, VIEWER)
    page.get_by_role("link", name="Agent line").click()
    expect(page.get_by_label("City name")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    before = site.staff_file.read_text()
    answer = page.request.post("/console/line", form={"city.name": "Viewer City",
                                                      "action": "publish",
                                                      "csrf_token": csrf_of(page)})
    assert answer.status == 403 and "cannot change anything" in answer.text()
    assert site.staff_file.read_text() == before
    page.goto("/console/history")
    expect(page.get_by_role("button", name=re.compile("Revert"))).to_have_count(0)


def test_the_funnel_shows_the_conversations_made(page: Page, site: Site) -> None:
    log_in(page)
    page.goto("/console/funnel")
    before = int(page.locator("#funnel-total strong").inner_text())
    filed_before = int(page.locator("#funnel-table tr", has_text="Report filed")
                       .locator("td").first.inner_text())
    with httpx.Client(timeout=20) as http:
        sender = WebhookSender(http, site.url, TOKEN)
        phone = "+15555550191"
        for body in ["pothole", "123 main st", "skip", "yes"]:  # a text conversation, filed
            sender.post("/sms", sms_form(phone, "+15555550311", body))
        call = voice_form(new_sid("CA"), "+15555550192", "+15555550311")
        sender.post("/voice", call)  # a call that hangs up at the first question
        sender.post("/voice/status", {**call, "CallStatus": "completed"})
    page.reload()
    expect(page.locator("#funnel-total strong")).to_have_text(str(before + 2))
    filed = page.locator("#funnel-table tr", has_text="Report filed").locator("td").first
    expect(filed).to_have_text(str(filed_before + 1))
    expect(page.locator("svg.chart desc")).to_contain_text("Report filed")
    page.goto("/console/conversations?outcome=abandoned")
    expect(page.get_by_role("cell", name="abandoned at: said what to report").first
           ).to_be_visible()
    expect(page.get_by_role("cell", name="+1******0192")).to_be_visible()
    expect(page.get_by_text("+15555550192")).to_have_count(0)
