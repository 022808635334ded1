"""The admin UI's new controls against the in-process stack, each checked on the
switch's side through the simulator (json_list, relate, command log): hold and
unhold, volume, DTMF, stop playback of one participant, move to another
conference, supervise, bulk hold, and the room's pause / resume / stop."""
import gevent
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, row_of, sign_in
from tests.support.sim import sim_api

pytestmark = pytest.mark.browser
LONG_TONE = "tone_stream://%(1000,0,350);loops=20"


def more(page, member):
    """The participant's opened "More" panel."""
    panel = row_of(page, member).get_by_test_id("participant-more")
    panel.locator("summary").click()
    return panel


def sent(stack, room, mark, verb):
    return [c for c in stack.sim.command_log[mark:] if c.startswith(f"conference {room} {verb}")]


def test_hold_and_unhold_one_participant(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Hold room")
    guest = stack.sim.join(stack.fs_name(conference_id), "3101", "Guest")
    row = row_of(page, guest)
    row.get_by_test_id("participant-hold").click()
    expect(row).to_have_attribute("data-held", "true")
    expect(row.get_by_test_id("held")).to_have_text("On hold")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["hold"] is True
    expect(row.get_by_test_id("participant-hold")).to_have_text("Unhold")
    row.get_by_test_id("participant-hold").click()
    expect(row).to_have_attribute("data-held", "false")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["hold"] is False


def test_volume_dtmf_and_stop_playback(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Levels room")
    room = stack.fs_name(conference_id)
    guest = stack.sim.join(room, "3201", "Guest")
    panel = more(page, guest)
    panel.get_by_test_id("participant-volume-in").select_option("2")
    panel.get_by_test_id("participant-volume-out").select_option("-3")
    panel.get_by_test_id("participant-volume-apply").click()
    expect(page.locator("#announcer")).to_contain_text("volume_out Guest: done")
    member = stack.wire_members(conference_id)[guest.id]
    assert (member["volume_in"], member["volume_out"]) == (2, -3)

    mark = len(stack.sim.command_log)
    panel.get_by_test_id("participant-dtmf-input").fill("12#")
    panel.get_by_test_id("participant-dtmf-send").click()
    expect(page.locator("#announcer")).to_contain_text("dtmf Guest: done")
    assert sent(stack, room, mark, "dtmf") == [f"conference {room} dtmf {guest.id} 12#"]
    panel.get_by_test_id("participant-dtmf-input").fill("12x")
    panel.get_by_test_id("participant-dtmf-send").click()
    expect(page.get_by_test_id("notice")).to_contain_text("DTMF digits")
    assert len(sent(stack, room, mark, "dtmf")) == 1

    assert sim_api(stack.sim, f"conference {room} play {LONG_TONE} {guest.id}").startswith("+OK")
    panel.get_by_test_id("participant-stop-play").click()
    expect(page.locator("#announcer")).to_contain_text("stop_play Guest: done")
    assert sim_api(stack.sim, f"conference {room} play_status {guest.id}") == \
        "-ERR Nothing is playing\n"


def test_move_a_participant_to_another_conference(page, stack):
    sign_in(page, stack, through_form=False)
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                             {"name": "Breakout room", "member": {"join_muted": False}})
    assert status == 201
    breakout = body["data"]["id"]
    conference_id = create_conference(page, "Main room")
    guest = stack.sim.join(stack.fs_name(conference_id), "3301", "Guest")
    panel = more(page, guest)
    expect(panel.get_by_test_id("participant-move-select").locator(
        f'option[value="{breakout}"]')).to_have_count(1)
    panel.get_by_test_id("participant-move-select").select_option(breakout)
    panel.get_by_test_id("participant-move").click()
    expect(row_of(page, guest)).to_have_count(0)      # gone from this room's table
    with gevent.Timeout(3, AssertionError("the guest did not reach the breakout room")):
        while guest.id not in stack.wire_members(breakout):
            gevent.sleep(0.05)
    assert guest.id not in stack.wire_members(conference_id)
    assert stack.wire_members(breakout)[guest.id]["uuid"] == guest.uuid


def test_supervise_whisper(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Coached room")
    room = stack.fs_name(conference_id)
    coach = stack.sim.join(room, "3401", "Coach")
    agent = stack.sim.join(room, "3402", "Agent")
    caller = stack.sim.join(room, "3403", "Caller")
    expect(row_of(page, caller)).to_have_count(1)
    panel = more(page, coach)
    panel.get_by_test_id("participant-supervise-target").select_option(str(agent.id))
    panel.get_by_test_id("participant-supervise-mode").select_option("whisper")
    panel.get_by_test_id("participant-supervise").click()
    expect(page.locator("#announcer")).to_contain_text("supervise Coach: done")
    # the caller does not hear the coach (coach->caller nospeak); the agent does
    assert sim_api(stack.sim, f"conference {room} relate {coach.id}") == \
        f"{coach.id} -> {caller.id} NOSPEAK HEAR NOSENDVIDEO \n"


def test_bulk_hold_and_room_playback(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Playback room")
    room = stack.fs_name(conference_id)
    boss = stack.sim.join(room, "3501", "Boss", moderator=True)
    guest = stack.sim.join(room, "3502", "Guest")
    expect(row_of(page, guest)).to_have_count(1)
    page.get_by_test_id("bulk-hold").click()
    expect(row_of(page, guest)).to_have_attribute("data-held", "true")
    expect(row_of(page, boss)).to_have_attribute("data-held", "false")
    page.get_by_test_id("bulk-unhold").click()
    expect(row_of(page, guest)).to_have_attribute("data-held", "false")

    with gevent.Timeout(5, AssertionError("the enter tones did not end")):
        while not sim_api(stack.sim, f"conference {room} play_status").startswith("-ERR"):
            gevent.sleep(0.05)
    assert sim_api(stack.sim, f"conference {room} play {LONG_TONE}").startswith("+OK")
    start = len(stack.sim.command_log)
    page.get_by_test_id("room-pause").click()
    expect(page.locator("#announcer")).to_contain_text("pause_play: done")
    page.get_by_test_id("room-pause").click()        # again: still paused (toggled back)
    with gevent.Timeout(5, AssertionError("the second pause did not toggle back")):
        while len(sent(stack, room, start, "pause_play")) < 3:
            gevent.sleep(0.05)
    mark = len(stack.sim.command_log)
    page.get_by_test_id("room-resume").click()
    expect(page.locator("#announcer p").last).to_have_text("resume_play: done")
    assert sent(stack, room, mark, "pause_play") == [f"conference {room} pause_play"]
    assert sim_api(stack.sim, f"conference {room} play {LONG_TONE}").startswith("+OK")  # queued
    mark = len(stack.sim.command_log)
    page.get_by_test_id("room-stop-current").click()
    expect(page.locator("#announcer p").last).to_have_text("stop_play: done")
    assert sent(stack, room, mark, "stop") == [f"conference {room} stop current"]
    assert sim_api(stack.sim, f"conference {room} play_status").startswith("+OK")  # the next
    page.get_by_test_id("room-stop-all").click()
    expect(page.locator("#announcer p").last).to_have_text("stop_play: done")
    assert sim_api(stack.sim, f"conference {room} play_status") == "-ERR Nothing is playing\n"
