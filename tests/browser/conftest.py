"""Browser fixtures: the in-process stack, one headless Chromium for the session,
a fresh page per test (signed out), and screenshots saved on failure. Without
Chromium (or Playwright) the browser tests fail (tests.support.needs)."""
import os

import pytest

from tests.support.needs import service_missing
from tests.support.stack import stack  # noqa: F401  (fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 860}


CHROMIUM_HINT = "Run ./test.sh as root (it installs Debian's chromium) or apt-get install chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        service_missing("Chromium", f"no executable {CHROMIUM}", CHROMIUM_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        service_missing("Playwright", repr(exc), "Run ./test.sh (it installs the test extras)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # playwright's launch errors have no narrower common type
            service_missing("Chromium", f"it does not start ({exc})", CHROMIUM_HINT)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, stack, artifacts_dir, request):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(5000)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.errors = errors
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        tab.screenshot(path=str(artifacts_dir / f"failed-{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
