"""Every control of the admin UI not exercised elsewhere, each checked where it
acts: on the switch (the simulator's command log and its ``json_list`` over
ESL) for live controls, in the store (through the API) for documents.
tests/browser/test_ui_test_ids.py fails when a control has no test that names it."""
import io
import re
import wave

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, row_of, sign_in, wait_live
from tests.support.round4 import MediaServer

pytestmark = pytest.mark.browser


def commands_since(stack, mark, room):
    return [c for c in stack.sim.command_log[mark:] if c.startswith(f"conference {room} ")]


def live_room(page, stack, name, callers=(("3101", "Guest", False),)):
    """A conference created through the UI with simulated callers in its room."""
    conference_id = create_conference(page, name)
    room = stack.fs_name(conference_id)
    members = [stack.sim.join(room, number, caller, moderator=moderator)
               for number, caller, moderator in callers]
    for member in members:
        expect(row_of(page, member)).to_have_count(1)
    return conference_id, room, members


def test_lock_then_unlock_on_the_switch(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id, room, _ = live_room(page, stack, "Lock room")
    lock = page.get_by_test_id("room-lock")
    mark = len(stack.sim.command_log)
    lock.click()
    expect(page.get_by_test_id("room-locked")).to_have_text("Locked")
    assert stack.wire_room(conference_id)["locked"] is True
    expect(lock).to_have_text("Unlock")
    lock.click()
    expect(page.get_by_test_id("room-locked")).to_have_text("Unlocked")
    expect(lock).to_have_text("Lock")
    assert stack.wire_room(conference_id)["locked"] is False
    sent = commands_since(stack, mark, room)
    assert f"conference {room} lock" in sent and f"conference {room} unlock" in sent


def test_participant_mute_unmute_deaf_undeaf_on_the_switch(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id, room, (guest,) = live_room(page, stack, "Ears room")
    row = row_of(page, guest)
    mark = len(stack.sim.command_log)
    row.get_by_test_id("participant-deaf").click()
    expect(row).to_have_attribute("data-deaf", "true")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["can_hear"] is False
    expect(row.get_by_test_id("participant-deaf")).to_have_text("Undeaf")
    row.get_by_test_id("participant-deaf").click()
    expect(row.get_by_test_id("deaf")).to_have_text("Hears")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["can_hear"] is True
    row.get_by_test_id("participant-mute").click()
    expect(row.get_by_test_id("muted")).to_have_text("Muted")
    row.get_by_test_id("participant-mute").click()
    expect(row.get_by_test_id("muted")).to_have_text("Mic on")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["can_speak"] is True
    sent = commands_since(stack, mark, room)
    assert [c.split(" ", 2)[2] for c in sent if not c.endswith(("json_list", "list count"))] == [
        f"deaf {guest.id}", f"undeaf {guest.id}", f"mute {guest.id}", f"unmute {guest.id}"]


def test_bulk_deafen_undeafen_then_kick_everyone(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id, room, (boss, guest) = live_room(
        page, stack, "Bulk ears room", (("3201", "Boss", True), ("3202", "Guest", False)))
    page.get_by_test_id("bulk-deaf").click()
    expect(row_of(page, guest)).to_have_attribute("data-deaf", "true")
    wire = stack.wire_members(conference_id)
    assert (wire[guest.id]["flags"]["can_hear"], wire[boss.id]["flags"]["can_hear"]) == (False, True)
    page.get_by_test_id("bulk-undeaf").click()
    expect(row_of(page, guest)).to_have_attribute("data-deaf", "false")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["can_hear"] is True
    page.get_by_test_id("bulk-kick").click()
    expect(page.get_by_test_id("participant-row")).to_have_count(0)
    expect(page.get_by_test_id("participants-empty")).to_be_visible()
    assert stack.wire_members(conference_id) == {}              # nobody left on the switch


@pytest.fixture
def media_host():
    """A plain HTTP server with a real WAV at /t.wav: what the switch (here the
    simulator, as mod_http_cache does) fetches for an http_cache:// URL."""
    server = MediaServer()
    yield server.address
    server.stop()


@pytest.mark.parametrize("chosen, expected", [
    ("http://{media}/t.wav", "play http_cache://http://{media}/t.wav"),
    ("tts://Hello there", "say Hello there"),
])
def test_play_a_url_or_tts_to_the_room_and_to_one_participant(page, stack, media_host, chosen,
                                                               expected):
    chosen, expected = (text.format(media=media_host) for text in (chosen, expected))
    sign_in(page, stack, through_form=False)
    _conference_id, room, (guest,) = live_room(page, stack, "Play room")
    mark = len(stack.sim.command_log)
    page.get_by_test_id("media-url").fill(chosen)
    page.get_by_test_id("room-play").click()
    expect(page.locator("#announcer")).to_contain_text("play: done")
    row_of(page, guest).get_by_test_id("participant-play").click()
    expect(page.locator("#announcer")).to_contain_text("play Guest: done")
    sent = [c for c in commands_since(stack, mark, room) if not c.endswith(("json_list", "count"))]
    to_member = expected.replace("say ", f"saymember {guest.id} ") if expected.startswith("say") \
        else f"{expected} {guest.id}"
    assert sent == [f"conference {room} {expected}", f"conference {room} {to_member}"]


def test_dial_form_join_muted_and_caller_id(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id, room, _ = live_room(page, stack, "Dial form room")
    stack.sim.register_device("7101", "127.0.0.1")
    mark = len(stack.sim.command_log)
    page.get_by_test_id("dial-endpoints").fill("sip:7101@127.0.0.1")
    page.get_by_test_id("dial-cid-name").fill("Conference XYZ")
    page.get_by_test_id("dial-cid-number").fill("5551234")
    page.get_by_test_id("dial-muted").check()
    expect(page.get_by_test_id("dial-moderator")).not_to_be_checked()
    page.get_by_test_id("dial-form").evaluate("form => form.requestSubmit()")
    expect(page.get_by_test_id("dial-results")).to_contain_text("success")
    expect(page.get_by_test_id("participant-row")).to_have_count(2)
    (sent,) = [c for c in commands_since(stack, mark, room) if " bgdial " in c]
    assert sent.startswith(f"conference {room} bgdial {{conference_member_flags=mute,")
    assert sent.endswith(" 5551234 'Conference XYZ'"), sent
    dialed = [m for m in stack.wire_members(conference_id).values() if m["caller_id_number"] != "3101"]
    assert len(dialed) == 1
    assert (dialed[0]["flags"]["can_speak"], dialed[0]["flags"]["is_moderator"]) == (False, False)


FORM_VALUES = {   # test id -> (value typed, stored path, stored value)
    "field-name": ("Board call", "name", "Board call"),
    "field-conference_numbers": ("5100, 5101", "conference_numbers", ["5100", "5101"]),
    "field-max_participants": ("12", "max_participants", 12),
    "field-member.pins": ("1111, 2222", "member.pins", ["1111", "2222"]),
    "field-moderator.pins": ("9999", "moderator.pins", ["9999"]),
}
FORM_CHECKS = {   # test id -> stored path (each box toggled from its default)
    "field-play_name": "play_name", "field-wait_for_moderator": "wait_for_moderator",
    "field-member.join_muted": "member.join_muted", "field-member.join_deaf": "member.join_deaf",
    "field-moderator.join_muted": "moderator.join_muted",
    "field-moderator.join_deaf": "moderator.join_deaf",
}


def stored(doc, path):
    for key in path.split("."):
        doc = doc[key]
    return doc


def test_every_conference_form_field_is_stored_and_cancel_changes_nothing(page, stack):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("conference-new").click()
    expect(page.get_by_test_id("conference-form")).to_be_visible()
    defaults = {testid: page.get_by_test_id(testid).is_checked() for testid in FORM_CHECKS}
    for testid, (typed, _path, _value) in FORM_VALUES.items():
        page.get_by_test_id(testid).fill(typed)
    for testid in FORM_CHECKS:
        page.get_by_test_id(testid).set_checked(not defaults[testid])
    page.get_by_test_id("conference-save").click()
    expect(page.get_by_test_id("conference-name")).to_have_text("Board call")
    conference_id = re.search(r"#/conferences/([0-9a-f]{32})$", page.url).group(1)
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}")
    assert status == 200
    for _testid, (_typed, path, value) in FORM_VALUES.items():
        assert stored(body["data"], path) == value, path
    for testid, path in FORM_CHECKS.items():
        assert stored(body["data"], path) is (not defaults[testid]), path

    page.get_by_test_id("conference-edit").click()
    page.get_by_test_id("field-name").fill("Not saved")
    page.get_by_test_id("conference-cancel").click()
    expect(page.get_by_test_id("conference-page")).to_be_visible()
    status, again = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}")
    assert again["data"]["name"] == "Board call" and again["revision"] == body["revision"]


def test_opening_a_conference_from_the_list_and_the_brand_link_back(page, stack):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences", {"name": "Linked"})
    conference_id = body["data"]["id"]
    sign_in(page, stack, through_form=False)
    row = page.locator(f'[data-testid="conference-row"][data-conference-id="{conference_id}"]')
    row.get_by_test_id("conference-open").click()
    expect(page.get_by_test_id("conference-name")).to_have_text("Linked")
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_role("heading", name="Conferences", exact=True)).to_be_visible()


def test_the_skip_link_moves_focus_to_the_content(page, stack):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("nav-media").focus()              # somewhere else on the page
    page.get_by_test_id("skip-link").focus()              # the first stop of a Tab from the top
    expect(page.locator("#main")).not_to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_a_notice_can_be_dismissed(page, stack):
    sign_in(page, stack, through_form=False)
    create_conference(page, "Notice room")
    page.get_by_test_id("room-play").click()           # nothing chosen: the page says so
    expect(page.get_by_test_id("notice")).to_contain_text("Choose media")
    page.get_by_test_id("notice-dismiss").click()
    expect(page.get_by_test_id("notice")).to_be_hidden()


def test_media_upload_keeps_the_name_typed(page, stack, tmp_path):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("nav-media").click()
    sound = tmp_path / "tone.wav"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    sound.write_bytes(buffer.getvalue())
    expect(page.get_by_test_id("media-upload")).to_be_visible()
    page.get_by_test_id("media-name").fill("Hold tone")
    page.get_by_test_id("media-file").set_input_files(str(sound))
    page.get_by_test_id("media-submit").click()
    expect(page.get_by_test_id("media-status")).to_have_text("Uploaded Hold tone.")
    media_id = page.get_by_test_id("media-row").filter(has_text="Hold tone").get_attribute(
        "data-media-id")
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/media/{media_id}")
    assert status == 200 and body["data"]["name"] == "Hold tone"


def test_both_sign_in_forms_by_their_test_ids(page, stack):
    page.goto(stack.ui_url)
    user_form = page.get_by_test_id("login-user-form")
    user_form.get_by_test_id("login-username").fill(stack.admin["username"])
    user_form.get_by_test_id("login-password").fill(stack.admin["password"])
    user_form.get_by_test_id("login-account").fill(stack.admin["account_name"])
    user_form.get_by_test_id("login-password").press("Enter")
    wait_live(page)
    page.get_by_test_id("sign-out").click()
    key_form = page.get_by_test_id("login-key-form")
    key_form.get_by_test_id("login-api-key").fill(stack.admin["api_key"])
    key_form.get_by_test_id("login-key-submit").click()
    expect(page.get_by_test_id("signed-in-as")).to_have_text(stack.admin["account_name"])
