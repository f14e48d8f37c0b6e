"""Every console page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import ensure_axe, log_in

PAGES = ["/console/", "/console/prompts?lang=es&channel=sms", "/console/categories",
         "/console/line", "/console/pronunciations", "/console/history", "/console/draft",
         "/console/conversations", "/console/funnel", "/console/attention",
         "/console/simulator"]


def serious(page: Page) -> list[str]:
    page.evaluate(ensure_axe().read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result
            if v["impact"] in ("serious", "critical")]


def test_the_login_page_is_accessible(page: Page) -> None:
    page.goto("/console/login")
    assert serious(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_accessible(page: Page, path: str) -> None:
    log_in(page)
    page.goto(path)
    assert serious(page) == []


def test_a_simulated_call_and_a_refused_edit_are_accessible(page: Page) -> None:
    log_in(page)
    page.goto("/console/simulator")
    page.get_by_role("button", name="Start a call").click()
    page.get_by_role("button", name="Press 1").click()
    assert serious(page) == []
    page.goto("/console/line")
    page.get_by_label("Agent line", exact=True).fill("555-0100")
    page.get_by_role("button", name="Publish").first.click()
    assert page.locator("[aria-invalid=true]").count() == 1
    assert serious(page) == []
