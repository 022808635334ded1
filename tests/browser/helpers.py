"""Steps the browser tests share: sign in, create a conference through the UI,
wait for the live socket, find participant rows."""
import json
import re

from playwright.sync_api import expect

CONFERENCE_URL = re.compile(r"#/conferences/([0-9a-f]{32})$")


SESSION_KEY = "kz-admin-session"


def sign_in(page, stack, through_form=True):
    """Sign in as the stack's admin: through the form, or (faster, for tests about
    something else) by placing an API-key session where the page keeps it."""
    if through_form:
        page.goto(stack.ui_url)
        page.get_by_label("Username").fill(stack.admin["username"])
        page.get_by_label("Password").fill(stack.admin["password"])
        page.get_by_label("Account name").fill(stack.admin["account_name"])
        page.get_by_test_id("login-submit").click()
    else:
        session = {"token": stack.token(), "accountId": stack.account_id,
                   "accountName": stack.admin["account_name"]}
        page.add_init_script(f"sessionStorage.setItem({json.dumps(SESSION_KEY)}, "
                             f"{json.dumps(json.dumps(session))});")
        page.goto(stack.ui_url)
    expect(page.get_by_role("heading", name="Conferences", exact=True)).to_be_visible()
    wait_live(page)


def wait_live(page, timeout=5000):
    expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "live", timeout=timeout)


def create_conference(page, name):
    """Create through the form; returns the new conference's id (from the page URL)."""
    page.get_by_test_id("conference-new").click()
    page.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("conference-save").click()
    expect(page.get_by_test_id("conference-page")).to_be_visible()
    expect(page.get_by_test_id("conference-name")).to_have_text(name)
    match = CONFERENCE_URL.search(page.url)
    assert match, page.url
    wait_live(page)
    return match.group(1)


def row_of(page, member):
    """The participant row of a simulator Member."""
    return page.locator(f'[data-testid="participant-row"][data-participant-id="{member.id}"]')
