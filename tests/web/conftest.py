"""Browser tests: a real server (uvicorn, in a thread) on the sample data, driven by Debian's
Chromium through Playwright, with axe-core injected into each page.

What they need, and where it is looked for:
- Chromium: $MICROCRED_CHROMIUM, else /usr/bin/chromium (`apt-get install chromium`).
- axe-core: $MICROCRED_AXE_JS, else tests/web/node_modules/axe-core/axe.min.js
  (`npm ci --prefix tests/web`, from the package-lock.json beside this file).
Without either they are skipped, saying why, except under CI, where they fail.

Every page a test opens is screenshotted at desktop and phone width into
test-artifacts/screenshots/, checked by axe (no serious or critical violations) and
watched for console errors (a Content-Security-Policy violation is one) and for requests
to any other host (there must be none).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from microcred.sample import load_sample_data
from microcred.services import Services, build_services
from microcred.settings import Settings
from microcred.web import create_web_app
from normaliser.schema import Provider

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("MICROCRED_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(os.environ.get("MICROCRED_AXE_JS", HERE / "node_modules" / "axe-core" / "axe.min.js"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# The test provider's name has macrons, so the pages are checked with them.
TEST_PROVIDER = Provider(
    id="kapiti", name="Kāpiti Coast Training Ōtaki", country="NZ", default_currency="NZD"
)


def _missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Site:
    url: str
    services: Services
    provider_key: str
    agency_key: str
    other_provider_key: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    import uvicorn

    data_dir = tmp_path_factory.mktemp("web") / "data"
    settings = Settings(
        data_dir=data_dir,
        database_url=None,
        search_backend="sqlite",
        reference_currency="EUR",
        normalise_workers=1,
        allow_private_feeds=True,
    )
    services = build_services(settings)
    load_sample_data(services)
    services.catalogue.upsert_provider(
        TEST_PROVIDER, default_language="en", level_framework="NZQF", credit_system="NZ_CREDITS"
    )
    keys = {
        "provider": services.keys.create(
            "provider", provider_id=TEST_PROVIDER.id, label="web test"
        ).secret,
        "other": services.keys.create("provider", provider_id="teawa").secret,
        "agency": services.keys.create("agency", label="Ministry of Education").secret,
    }
    app = create_web_app(services)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start within 30 s")
        time.sleep(0.05)
    try:
        yield Site(
            url=f"http://127.0.0.1:{port}",
            services=services,
            provider_key=keys["provider"],
            agency_key=keys["agency"],
            other_provider_key=keys["other"],
        )
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        services.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        _missing(
            f"axe-core is not installed at {AXE_JS}: run `npm ci --prefix tests/web` "
            f"(or point MICROCRED_AXE_JS at axe.min.js)"
        )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed: pip install -e '.[test]'")
    executable = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if not executable:
        _missing(
            f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium "
            f"(or point MICROCRED_CHROMIUM at it)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that it must not: log errors, ask another host for anything."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


@dataclass
class Tab:
    page: object
    watch: Watch
    axe_source: str
    site: Site
    javascript: bool = True

    def goto(self, path: str):
        response = self.page.goto(self.site.url + path)
        assert response is not None and response.status < 500, (path, response and response.status)
        return response

    def check(self, name: str, *, phone: bool = True) -> None:
        """Screenshot at desktop and phone width, and run axe at both."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        original = page.viewport_size
        sizes = [("desktop", DESKTOP)] + ([("phone", PHONE)] if phone else [])
        for label, size in sizes:
            page.set_viewport_size(size)
            page.wait_for_timeout(50)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
            if not self.javascript:
                continue  # nothing can be evaluated in the page; the same markup is checked with it
            assert_accessible(page, self.axe_source, f"{name} ({label})")
            if label == "phone":
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
                assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone: {wide}"
        page.set_viewport_size(original)
        self.assert_clean()

    def assert_clean(self) -> None:
        assert not self.watch.external_requests, (
            f"pages asked other hosts for: {self.watch.external_requests}"
        )
        assert not self.watch.console_errors, f"console errors: {self.watch.console_errors}"


def assert_accessible(page, axe_source: str, where: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP allows it
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""")
    # Every finding is kept beside the screenshots; serious and critical ones fail the test.
    report = SCREENSHOTS.parent / "axe"
    report.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
    (report / f"{slug}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: accessibility violations: {serious}"


@pytest.fixture
def tab(browser, site, axe_source) -> Iterator[Tab]:
    yield from _tab(browser, site, axe_source, javascript=True)


@pytest.fixture
def tab_without_js(browser, site, axe_source) -> Iterator[Tab]:
    yield from _tab(browser, site, axe_source, javascript=False)


def _tab(browser, site: Site, axe_source: str, *, javascript: bool) -> Iterator[Tab]:
    context = browser.new_context(
        viewport=DESKTOP, java_script_enabled=javascript, accept_downloads=True, locale="en-NZ"
    )
    watch = Watch(origin=urlparse(site.url).netloc)

    def guard(route):
        if urlparse(route.request.url).netloc == watch.origin or route.request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            route.continue_()
        else:
            watch.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.console_errors.append(str(e)))
    try:
        yield Tab(page=page, watch=watch, axe_source=axe_source, site=site, javascript=javascript)
    finally:
        context.close()
