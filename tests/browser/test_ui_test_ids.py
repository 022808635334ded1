"""Every control of the admin UI has a test id, and some test names it.

The walker visits the sign-in page, then, signed in, every view reachable
through the page's own links (``a[href^="#/"]``: the navigation, the list's
rows, the New and Edit buttons, ...), one page per route shape (32-hex ids
folded). A conference with a caller, a finished recording and a transcript, and an uploaded
media, are there first so that rows and their buttons exist. On each view it
lists the controls -- ``button``, ``input``, ``select``, ``textarea``, ``form``
and ``a[href]``, hidden ones included -- and applies the rule:

1. every control carries a ``data-testid``;
2. every such test id appears quoted (``"id"`` or ``'id'``, e.g. in
   ``get_by_test_id("id")`` or ``'[data-testid="id"]'``) in some test file under
   ``tests/`` other than this one.

So a new view is walked as soon as a link reaches it, and its ids count as
tested wherever its tests live (tests/browser/test_<view>_ui.py, say). Ids built
at run time in a test (f"bulk-{action}") do not count: name each one.
"""
import pathlib
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

TESTS = pathlib.Path(__file__).resolve().parents[1]
CONTROLS = "button, input, select, textarea, form, a[href]"
HEX_ID = re.compile(r"[0-9a-f]{32}")
EXPECTED_VIEWS = {"#/login", "#/conferences", "#/conferences/new", "#/conferences/{id}",
                  "#/conferences/{id}/edit", "#/media"}
LIST_CONTROLS = """els => els.map(e => ({testid: e.getAttribute("data-testid"),
                                         html: e.outerHTML.slice(0, 160)}))"""


def referenced_test_ids():
    """Every quoted word of every test file but this one."""
    text = "\n".join(path.read_text() for path in sorted(TESTS.rglob("*.py"))
                     if path.resolve() != pathlib.Path(__file__).resolve())
    return set(re.findall(r"""["']([A-Za-z0-9_.:-]+)["']""", text))


def settled_controls(page, timeout=5.0):
    """The view's controls once it has loaded and the list stopped changing."""
    expect(page.locator("#main .loading")).to_have_count(0)
    previous, deadline = None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = page.eval_on_selector_all(CONTROLS, LIST_CONTROLS)
        if current == previous:
            return current
        previous = current
        page.wait_for_timeout(250)
    return previous


def shape(href):
    return HEX_ID.sub("{id}", href)


def seed(stack):
    """A conference with a caller, a finished recording and a transcript, and a media file."""
    account = f"/accounts/{stack.account_id}"
    status, body = stack.api("PUT", f"{account}/conferences", {"name": "Walked room"})
    conference_id = body["data"]["id"]
    stack.sim.join(stack.fs_name(conference_id), "3901", "Walker")
    for action in ("record", "transcribe"):     # a room recording, a track and a transcript
        for step in ("start", "stop"):
            status, reply = stack.api("PUT", f"{account}/conferences/{conference_id}",
                                      {"action": action, "data": {"action": step}})
            assert status == 202, reply
    status, _ = stack.api("PUT", f"{account}/media", {"name": "Walked tune"})
    assert status == 201
    return conference_id


def walk(page, stack, start_id):
    """``{view shape: [controls]}`` of the sign-in page and every linked view."""
    page.goto(stack.ui_url)
    expect(page.get_by_test_id("login-user-form")).to_be_visible()
    views = {"#/login": settled_controls(page)}
    sign_in(page, stack, through_form=False)
    queue = ["#/conferences"]
    while queue:
        href = queue.pop(0)
        if shape(href) in views:
            continue
        page.evaluate("hash => { window.location.hash = hash; }", href)
        views[shape(href)] = settled_controls(page)
        links = page.eval_on_selector_all('a[href^="#/"]', "els => els.map(e => e.getAttribute('href'))")
        for link in sorted(set(links), key=lambda h: start_id not in h):   # the seeded one first
            if shape(link) not in views and link not in queue:
                queue.append(link)
    return views


def test_every_control_has_a_test_id_that_a_test_names(page, stack):
    conference_id = seed(stack)
    views = walk(page, stack, conference_id)
    assert EXPECTED_VIEWS <= set(views), sorted(views)
    ids = {control["testid"] for controls in views.values() for control in controls}
    assert {"participant-mute", "recording-download", "recording-play", "transcript-show",
            "transcript-download", "login-key-submit", "conference-delete", "dial-muted"} <= ids, "the walk did not reach the seeded rows and forms"

    untagged = [f"{view}: {control['html']}" for view, controls in sorted(views.items())
                for control in controls if not control["testid"]]
    assert not untagged, "controls without data-testid:\n" + "\n".join(untagged)
    unnamed = sorted(ids - referenced_test_ids())
    assert not unnamed, f"test ids no test names (add a test that uses each): {unnamed}"
