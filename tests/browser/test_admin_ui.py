"""The admin UI in headless Chromium against the whole stack in-process: what an
operator sees and does, checked against the simulator's own state over ESL."""
import hashlib

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, row_of, sign_in, wait_live

pytestmark = pytest.mark.browser


def test_root_redirects_to_the_sign_in_page(page, stack, artifacts_dir):
    page.goto(stack.base_url + "/")
    assert page.url.startswith(stack.ui_url)
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_test_id("sign-out")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "sign-in.png"))


def test_wrong_password_is_refused_then_user_credentials_sign_in(page, stack):
    page.goto(stack.ui_url)
    page.get_by_label("Username").fill(stack.admin["username"])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Account name").fill(stack.admin["account_name"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("not accepted")
    sign_in(page, stack)
    expect(page.get_by_test_id("signed-in-as")).to_have_text(stack.admin["account_name"])


def test_api_key_signs_in_survives_a_reload_and_signs_out(page, stack):
    page.goto(stack.ui_url)
    page.get_by_label("API key").fill(stack.admin["api_key"])
    page.get_by_test_id("login-key-submit").click()
    expect(page.get_by_role("heading", name="Conferences", exact=True)).to_be_visible()
    wait_live(page)
    page.reload()
    expect(page.get_by_role("heading", name="Conferences", exact=True)).to_be_visible()
    wait_live(page)
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_the_bundled_md5_matches_python(page, stack):
    samples = ["", "abc", "operator:op3rator-pass", "x" * 55, "y" * 56, "z" * 64, "héllo wörld ✓"]
    page.goto(stack.ui_url)
    got = page.evaluate("""async (samples) => {
        const { md5 } = await import("/ui/js/md5.js");
        return samples.map(md5);
    }""", samples)
    assert got == [hashlib.md5(text.encode()).hexdigest() for text in samples]


def test_caller_talks_is_muted_locked_and_kicked(page, stack, artifacts_dir):
    sign_in(page, stack)
    conference_id = create_conference(page, "Weekly sync")
    room = stack.fs_name(conference_id)
    alice = stack.sim.join(room, "1001", "Alice", moderator=True)
    bob = stack.sim.join(room, "1002", "Bob")

    bob_row = row_of(page, bob)
    expect(bob_row.get_by_test_id("participant-name")).to_have_text("Bob")
    expect(row_of(page, alice).get_by_test_id("participant-role")).to_have_text("Moderator")
    expect(page.get_by_test_id("room-members")).to_have_text("2")

    stack.sim.talk(bob.uuid)
    expect(bob_row).to_have_attribute("data-talking", "true")
    expect(bob_row.get_by_test_id("talking")).to_have_attribute("data-state", "on")
    page.screenshot(path=str(artifacts_dir / "conference-talking.png"), full_page=True)
    stack.sim.stop_talking(bob.uuid)
    expect(bob_row).to_have_attribute("data-talking", "false")

    bob_row.get_by_test_id("participant-mute").click()
    expect(bob_row.get_by_test_id("muted")).to_have_text("Muted")
    expect(bob_row.get_by_test_id("participant-mute")).to_have_text("Unmute")
    assert stack.wire_members(conference_id)[bob.id]["flags"]["can_speak"] is False
    assert stack.wire_members(conference_id)[alice.id]["flags"]["can_speak"] is True

    expect(row_of(page, alice).get_by_test_id("participant-duration")).not_to_have_text("0:00")
    page.get_by_test_id("room-lock").click()
    expect(page.get_by_test_id("room-locked")).to_have_text("Locked")
    expect(page.get_by_test_id("room-lock")).to_have_text("Unlock")
    assert stack.wire_room(conference_id)["locked"] is True
    page.screenshot(path=str(artifacts_dir / "conference-page.png"), full_page=True)

    bob_row.get_by_test_id("participant-kick").click()
    expect(bob_row).to_have_count(0)
    assert bob.id not in stack.wire_members(conference_id)
    expect(page.get_by_test_id("room-members")).to_have_text("1")


def test_validation_errors_appear_at_their_fields(page, stack, artifacts_dir):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("conference-new").click()
    page.get_by_test_id("field-name").fill("x" * 129)
    page.get_by_test_id("field-member.pins").fill("1234, 12ab")
    page.get_by_test_id("conference-save").click()
    name_error = page.get_by_test_id("error-name")
    expect(name_error).to_be_visible()
    expect(name_error).to_contain_text("128")
    expect(page.get_by_test_id("field-name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("error-member.pins")).to_contain_text("Item 2")
    expect(page.get_by_test_id("field-name")).to_be_focused()
    expect(page.get_by_test_id("error-conference_numbers")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "conference-form-errors.png"), full_page=True)
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/conferences")
    assert status == 200 and all(len(c.get("name", "")) <= 128 for c in body["data"])


def test_page_survives_a_gateway_restart(page, stack, artifacts_dir):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Restart room")
    room = stack.fs_name(conference_id)
    carol = stack.sim.join(room, "1003", "Carol")
    expect(row_of(page, carol)).to_have_count(1)

    stack.stop_gateway()
    expect(page.get_by_test_id("ws-status")).not_to_have_attribute("data-state", "live")
    dave = stack.sim.join(room, "1004", "Dave")  # while the page cannot hear about it
    stack.start_gateway()
    wait_live(page, timeout=15000)

    expect(row_of(page, dave).get_by_test_id("participant-name")).to_have_text("Dave")
    stack.sim.talk(dave.uuid)
    expect(row_of(page, dave)).to_have_attribute("data-talking", "true")
    page.screenshot(path=str(artifacts_dir / "conference-after-reconnect.png"), full_page=True)
    stack.sim.hangup(carol.uuid)
    expect(row_of(page, carol)).to_have_count(0)


def test_keyboard_operates_controls_and_focus_survives_live_updates(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Keyboard room")
    ivan = stack.sim.join(stack.fs_name(conference_id), "1005", "Ivan")
    mute = row_of(page, ivan).get_by_test_id("participant-mute")
    expect(mute).to_have_accessible_name("Mute Ivan")
    mute.focus()
    page.keyboard.press("Enter")
    expect(row_of(page, ivan)).to_have_attribute("data-muted", "true")
    assert stack.wire_members(conference_id)[ivan.id]["flags"]["can_speak"] is False
    expect(page.locator("#announcer")).to_contain_text("Ivan muted")

    page.keyboard.press("Space")  # the same button, now "Unmute"
    expect(row_of(page, ivan)).to_have_attribute("data-muted", "false")
    expect(mute).to_have_accessible_name("Mute Ivan")

    stack.sim.talk(ivan.uuid)  # a live update of the row must not steal the focus
    expect(row_of(page, ivan)).to_have_attribute("data-talking", "true")
    expect(mute).to_be_focused()


def test_websocket_url_comes_from_the_config_or_the_page_host(page, stack):
    page.goto(stack.ui_url)
    urls = page.evaluate("""async () => {
        const { websocketUrl } = await import("/ui/js/live.js");
        return [websocketUrl({ websocket_url: "wss://conf.example.com/ws", websocket_port: 1 }),
                websocketUrl({ websocket_host: "10.0.0.5", websocket_port: 5555 }),
                websocketUrl({ websocket_host: null, websocket_port: 5555 }),
                websocketUrl({ websocket_host: "::1", websocket_port: 5555 })];
    }""")
    assert urls == ["wss://conf.example.com/ws", "ws://10.0.0.5:5555/", "ws://127.0.0.1:5555/",
                    "ws://[::1]:5555/"]
    page.wait_for_function("() => window.kzAdmin !== undefined")
    assert page.evaluate("window.kzAdmin.live.url") == stack.ws_url


def test_a_stale_read_does_not_undo_newer_events(page, stack):
    """The participant table against the API's list asked for before an event."""
    page.goto(stack.ui_url)
    result = page.evaluate("""async () => {
        const { ParticipantTable } = await import("/ui/js/views/participant_table.js");
        const table = new ParticipantTable(() => null);
        const talking = () => table.rows.get("7").state.talking;
        table.sync([{ participant_id: 7, caller_id_name: "Judy", talking: false }]);
        const asked = table.clock;                      // a re-read starts here...
        table.apply({ event: "start-talking", participant_id: 7, talking: true });
        table.apply({ event: "add-member", participant_id: 8, caller_id_name: "Ken" });
        table.sync([{ participant_id: 7, talking: false }], asked);   // ...and answers late
        const afterStale = { talking: talking(), ken: table.rows.has("8") };
        table.sync([{ participant_id: 7, talking: true }], table.clock);
        return { afterStale, afterFresh: { talking: talking(), ken: table.rows.has("8") } };
    }""")
    assert result == {"afterStale": {"talking": True, "ken": True},
                      "afterFresh": {"talking": True, "ken": False}}
