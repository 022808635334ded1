"""The admin UI and issue 18: a dialled member is shown with the identity it was
dialled with (the same as the API and its add-member event), never as json_list's
"Outbound Call"; a room on one node shows no split warning."""
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, sign_in

pytestmark = pytest.mark.browser
FAR_END = "5550730"


def test_a_dialled_member_shows_the_identity_it_was_dialled_with(page, stack):
    sign_in(page, stack, through_form=False)
    status, _ = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                          {"name": "Far end", "conference_numbers": [FAR_END]})
    assert status == 201        # a number of ours: dialled through the switch's dialplan
    stack.sim.add_extension(rf"^{FAR_END}$", lambda channel, match: channel.answer())
    conference_id = create_conference(page, "Dial room")
    stack.sim.join(stack.fs_name(conference_id), "3201", "Host")
    reply = requests.put(
        f"{stack.base_url}/v2/accounts/{stack.account_id}/conferences/{conference_id}",
        headers={"X-Auth-Token": stack.token()}, timeout=10,
        json={"action": "dial", "data": {"data": {"endpoints": [FAR_END],
                                                  "caller_id_name": "Sales Line",
                                                  "caller_id_number": "5551234"}}})
    assert reply.status_code == 200, reply.text
    call_id = reply.json()["data"]["endpoint_responses"][0]["call_id"]
    member = next(m for m in stack.wire_members(conference_id).values() if m["uuid"] == call_id)
    assert member["caller_id_name"] == "Outbound Call"           # the switch's own listing
    row = page.locator(f'[data-testid="participant-row"][data-participant-id="{member["id"]}"]')
    expect(row).to_contain_text("Sales Line")
    page.reload()                                                 # the API's list, read anew
    expect(row).to_contain_text("Sales Line")
    expect(row).not_to_contain_text("Outbound Call")
    expect(page.get_by_test_id("room-split")).to_be_hidden()
