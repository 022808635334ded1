"""The admin UI's webhooks in headless Chromium against the whole stack
in-process (the delivery service included) and a local receiver: list, create
(the secret shown once), edit, the delivery log, enable/disable and re-enabling
a webhook the delivery service disabled."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.support.webhooks import receiver  # noqa: F401 (fixture)
from webhooks import signing

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_webhooks_left(stack):
    """The stack is shared by the browser tests: remove this test's webhooks."""
    yield
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/webhooks")
    for hook in body["data"] if status == 200 else []:
        stack.api("DELETE", f"/accounts/{stack.account_id}/webhooks/{hook['id']}")


def open_webhooks(page):
    page.get_by_test_id("nav-webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()


def create_conference(stack, name):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences", {"name": name})
    assert status == 201, body
    return body["data"]["id"]


def test_create_shows_the_secret_once_then_lists_and_edits(page, stack, receiver):
    sign_in(page, stack, through_form=False)
    open_webhooks(page)
    page.get_by_test_id("webhook-new").click()
    page.get_by_test_id("field-name").fill("CRM feed")
    page.get_by_test_id("field-uri").fill("http://169.254.169.254/latest/meta-data")
    page.get_by_test_id("field-hook").select_option("conference")
    page.get_by_test_id("field-custom_data").fill("crm=42\nteam = blue")
    page.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("error-uri")).to_contain_text("metadata")
    expect(page.get_by_test_id("field-uri")).to_have_attribute("aria-invalid", "true")

    page.get_by_test_id("field-uri").fill(receiver.url("/crm"))
    page.get_by_test_id("webhook-save").click()
    secret = page.get_by_test_id("webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    page.get_by_test_id("webhook-continue").click()
    expect(page.get_by_test_id("webhook-name")).to_have_text("CRM feed")
    expect(page.get_by_test_id("webhook-hook")).to_have_text("conference")
    assert secret not in page.content()                       # shown once only

    conference_id = create_conference(stack, "Hooked from the UI")
    [request] = receiver.wait_for(1, "/crm")
    assert request.verified_by(secret) and request.json["conference_id"] == conference_id
    assert request.json["custom_data"] == {"crm": "42", "team": "blue"}
    assert signing.verify(secret, request.headers["x-kazoo-signature"], request.body)

    page.get_by_test_id("webhook-edit").click()
    page.get_by_test_id("field-name").fill("not saved")
    page.get_by_test_id("webhook-cancel").click()          # back to the webhook, unchanged
    expect(page.get_by_test_id("webhook-name")).to_have_text("CRM feed")
    page.get_by_test_id("webhook-edit").click()
    page.get_by_test_id("field-name").fill("CRM feed (renamed)")
    page.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("webhook-name")).to_have_text("CRM feed (renamed)")
    open_webhooks(page)
    row = page.locator('[data-testid="webhook-row"]', has_text="CRM feed (renamed)")
    expect(row.get_by_test_id("webhook-state")).to_have_text("Enabled")
    expect(row.get_by_test_id("webhook-uri")).to_have_text(receiver.url("/crm"))


def test_delivery_log_and_re_enabling_a_webhook_the_service_disabled(page, stack, receiver):
    receiver.respond = lambda request, index: 500 if index == 0 else 200
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/webhooks",
                             {"name": "Flaky", "uri": receiver.url("/flaky"),
                              "hook": "conference", "retries": 1})
    assert status == 201, body
    hook_id = body["data"]["id"]
    sign_in(page, stack, through_form=False)
    page.goto(f"{stack.ui_url}#/webhooks/{hook_id}")
    expect(page.get_by_test_id("attempts-empty")).to_be_visible()
    create_conference(stack, "Logged")
    rows = page.get_by_test_id("attempt-row")
    expect(rows).to_have_count(2, timeout=8000)
    expect(rows.nth(0).get_by_test_id("attempt-status")).to_have_text("200")
    expect(rows.nth(0).get_by_test_id("attempt-number")).to_have_text("2 of 2")
    expect(rows.nth(1).get_by_test_id("attempt-status")).to_have_text("500")
    expect(rows.nth(1)).to_have_attribute("data-result", "retrying")
    expect(rows.nth(0).get_by_test_id("attempt-event")).to_contain_text("conference.created")

    receiver.respond = lambda request, index: 503          # from now on every event fails
    for n in range(6):                                     # KZ_WEBHOOKS_DISABLE_AFTER: 6
        create_conference(stack, f"Failing {n}")
    page.reload()
    expect(page.get_by_test_id("webhook-disabled-reason")).to_contain_text(
        "6 consecutive events failed", timeout=15000)
    expect(page.get_by_test_id("webhook-state")).to_have_attribute("data-state", "auto-disabled")
    page.get_by_test_id("webhook-toggle").click()
    expect(page.get_by_test_id("webhook-state")).to_have_attribute("data-state", "enabled")
    assert stack.api("GET", f"/accounts/{stack.account_id}/webhooks/{hook_id}")[1]["data"][
        "enabled"] is True
    receiver.respond = lambda request, index: 200
    before = len(receiver.on("/flaky"))
    create_conference(stack, "Back again")
    receiver.wait_for(before + 1, "/flaky")
    page.get_by_test_id("webhook-toggle").click()           # and an operator's own disable
    expect(page.get_by_test_id("webhook-state")).to_have_attribute("data-state", "disabled")


def test_every_form_field_reaches_the_stored_webhook(page, stack, receiver):
    sign_in(page, stack, through_form=False)
    open_webhooks(page)
    page.get_by_test_id("webhook-new").click()
    form = page.get_by_test_id("webhook-form")
    form.get_by_test_id("field-name").fill("All fields")
    form.get_by_test_id("field-uri").fill(receiver.url("/all"))
    form.get_by_test_id("field-http_verb").select_option("put")
    form.get_by_test_id("field-retries").fill("4")
    form.get_by_test_id("field-include_subaccounts").check()
    form.get_by_test_id("field-enabled").uncheck()
    form.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("webhook-secret")).to_be_visible()
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/webhooks")
    stored = [hook for hook in body["data"] if hook["name"] == "All fields"]
    assert status == 200 and len(stored) == 1
    status, one = stack.api("GET", f"/accounts/{stack.account_id}/webhooks/{stored[0]['id']}")
    doc = one["data"]
    assert (doc["http_verb"], doc["retries"], doc["include_subaccounts"], doc["enabled"]) \
        == ("put", 4, True, False)
