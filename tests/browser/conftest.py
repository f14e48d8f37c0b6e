"""Browser tests: a real `intake serve`, driven by Playwright in Debian's headless Chromium.

Chromium comes from Debian's `chromium` package (`apt-get install chromium`, done here when it
is missing and we are root) and axe-core from the npm registry into `.cache/axe`; `.ci/run`
installs both before the timed run. Playwright never downloads a browser of its own. Without
them the tests skip with the reason, except with CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake import db
from intake.console import auth
from intake.migrations import upgrade
from tests.e2e.conftest import ROOT, Server, start_server
from tests.needs import unavailable

CHROMIUM = Path(os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium"))
AXE_DIR = ROOT / ".cache" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
EDITOR, VIEWER, PASSWORD = "erin", "victor", "correct horse battery"


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=900)
    done = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True,
                          text=True, env=env, timeout=1800)
    if done.returncode != 0 or not CHROMIUM.exists():
        unavailable(f"apt-get install chromium failed: {done.stderr[-400:]}")


def ensure_axe() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed, so axe-core cannot be")
        done = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-audit",
                               "--no-fund", "axe-core@4"], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0 or not AXE.exists():
            unavailable(f"npm install axe-core failed: {done.stderr[-400:]}")
    return AXE


@dataclass
class Site:
    server: Server
    staff_file: Path

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    ensure_chromium()
    tmp = tmp_path_factory.mktemp("console")
    db_url = f"sqlite:///{tmp / 'intake.sqlite3'}"
    engine = db.make_engine(db_url)
    upgrade(engine)
    with db.Session(engine) as session, session.begin():
        auth.add_user(session, EDITOR, PASSWORD, "editor")
        auth.add_user(session, VIEWER, PASSWORD, "viewer")
    engine.dispose()
    staff_file = tmp / "city.toml"
    staff_file.write_text("# Demo City's staff file, for the browser tests\n"
                          '[city]\nname = "Demo City"\n')
    proc, server = start_server(tmp, db_url, INTAKE_CONFIG=str(staff_file),
                                CONFIG_RELOAD_SECONDS="0.5")
    try:
        yield Site(server, staff_file)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: object, site: Site) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=site.url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def log_in(page: object, name: str = EDITOR, password: str = PASSWORD) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto("/console/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def csrf_of(page: object) -> str:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.content())
    assert found, "no CSRF token on the page"
    return found.group(1)
