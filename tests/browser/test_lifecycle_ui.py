"""The admin UI's lifecycle view against the in-process stack (the lifecycle
service included): status and end reason, the End button, participant state,
who left and why, and deleting a running conference. Effects are checked on
the simulator over ESL (json_list)."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import row_of, sign_in, wait_live

pytestmark = pytest.mark.browser


def api_conference(stack, name, **fields):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                             {"name": name, **fields})
    assert status == 201, body
    return body["data"]["id"]


def open_conference(page, conference_id):
    page.goto(f"{page.url.split('#')[0]}#/conferences/{conference_id}")
    expect(page.get_by_test_id("conference-page")).to_be_visible()
    wait_live(page)


def test_end_button_ends_the_room_and_the_page_shows_why(page, stack, artifacts_dir):
    conference_id = api_conference(stack, "Ending room")
    room = stack.fs_name(conference_id)
    alice = stack.sim.join(room, "4101", "Alice")
    bob = stack.sim.join(room, "4102", "Bob")
    sign_in(page, stack, through_form=False)
    open_conference(page, conference_id)
    status = page.get_by_test_id("room-status")
    expect(status).to_have_attribute("data-state", "active")
    expect(row_of(page, alice).get_by_test_id("participant-state")).to_have_text("Joined")
    page.screenshot(path=str(artifacts_dir / "lifecycle-active.png"), full_page=True)
    page.get_by_test_id("room-end").click()                 # the confirm is accepted
    expect(status).to_have_attribute("data-state", "idle")
    assert stack.wire_room(conference_id) is None
    reason = page.get_by_test_id("room-end-reason")
    expect(reason).to_have_attribute("data-end-reason", "api")
    expect(reason).to_contain_text("ended by request")
    left = page.get_by_test_id("recent-participant")
    expect(left).to_have_count(2)
    for person in (alice, bob):
        expect(page.locator(f'[data-testid="recent-participant"][data-call-id="{person.uuid}"]')
               ).to_have_attribute("data-left-reason", "ended")
    expect(page.get_by_test_id("room-end")).to_be_disabled()
    page.screenshot(path=str(artifacts_dir / "lifecycle-ended.png"), full_page=True)


def test_a_connect_room_ends_itself_and_the_page_follows(page, stack):
    conference_id = api_conference(stack, "Connect room", conference_type="connect")
    room = stack.fs_name(conference_id)
    sign_in(page, stack, through_form=False)
    open_conference(page, conference_id)
    expect(page.get_by_test_id("room-status")).to_have_attribute("data-state", "idle")
    caller = stack.sim.join(room, "4201", "Caller")
    callee = stack.sim.join(room, "4202", "Callee")
    expect(page.get_by_test_id("room-status")).to_have_attribute("data-state", "active")
    expect(row_of(page, callee)).to_be_visible()
    stack.sim.hangup(callee.uuid)
    expect(page.get_by_test_id("room-end-reason")).to_have_attribute(
        "data-end-reason", "connect_completed", timeout=8000)
    expect(page.get_by_test_id("room-status")).to_have_attribute("data-state", "idle")
    assert stack.wire_room(conference_id) is None
    expect(page.locator(f'[data-testid="recent-participant"][data-call-id="{caller.uuid}"]')
           ).to_have_attribute("data-left-reason", "ended")


def test_deleting_a_running_conference_from_the_list_ends_it_first(page, stack):
    conference_id = api_conference(stack, "Running then deleted")
    member = stack.sim.join(stack.fs_name(conference_id), "4301", "Dora")
    sign_in(page, stack, through_form=False)
    row = page.locator(f'[data-testid="conference-row"][data-conference-id="{conference_id}"]')
    expect(row.get_by_test_id("conference-status")).to_have_text("Active")
    row.get_by_test_id("conference-delete").click()          # both confirms are accepted
    expect(row).to_have_count(0)
    assert stack.wire_room(conference_id) is None
    assert stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}")[0] == 404
    assert stack.sim.core.channel(member.uuid) is None or not stack.sim.core.channel(member.uuid).is_up
