"""More of the admin UI against the in-process stack: the live conference list,
edit and delete, bulk actions, recording with download, media upload and play,
dialing out. Effects are checked on the simulator (ESL json_list, command log)."""
import io
import wave

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_conference, row_of, sign_in

pytestmark = pytest.mark.browser


def wav_bytes(seconds=0.3, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def api_conference(stack, name):
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences", {"name": name})
    assert status == 201, body
    return body["data"]["id"]


def list_row(page, conference_id):
    return page.locator(f'[data-testid="conference-row"][data-conference-id="{conference_id}"]')


def test_list_shows_live_members_lock_and_recording(page, stack, artifacts_dir):
    conference_id = api_conference(stack, "Listed room")
    sign_in(page, stack, through_form=False)
    row = list_row(page, conference_id)
    expect(row.get_by_test_id("conference-members")).to_have_text("0")
    stack.sim.join(stack.fs_name(conference_id), "2001", "Erin")
    expect(row.get_by_test_id("conference-members")).to_have_text("1")
    status, _ = stack.api("PUT", f"/accounts/{stack.account_id}/conferences/{conference_id}",
                          {"action": "lock", "data": {}})
    assert status == 202
    expect(row.get_by_test_id("conference-locked")).to_have_text("Locked")
    stack.api("PUT", f"/accounts/{stack.account_id}/conferences/{conference_id}",
              {"action": "record", "data": {"action": "start"}})
    expect(row.get_by_test_id("conference-recording")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "conference-list.png"), full_page=True)
    stack.api("PUT", f"/accounts/{stack.account_id}/conferences/{conference_id}",
              {"action": "record", "data": {"action": "stop"}})
    expect(row.get_by_test_id("conference-recording")).to_have_count(0)


def test_edit_then_delete_a_conference(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Draft name")
    page.get_by_test_id("conference-edit").click()
    expect(page.get_by_test_id("field-name")).to_have_value("Draft name")
    page.get_by_test_id("field-name").fill("Final name")
    page.get_by_test_id("field-conference_numbers").fill("4000, 4001")
    page.get_by_test_id("conference-save").click()
    expect(page.get_by_test_id("conference-name")).to_have_text("Final name")
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}")
    assert body["data"]["name"] == "Final name"
    assert body["data"]["conference_numbers"] == ["4000", "4001"]

    page.get_by_test_id("nav-conferences").click()
    list_row(page, conference_id).get_by_test_id("conference-delete").click()  # confirm accepted
    expect(list_row(page, conference_id)).to_have_count(0)
    status, _ = stack.api("GET", f"/accounts/{stack.account_id}/conferences/{conference_id}")
    assert status == 404


def test_bulk_mute_leaves_moderators_and_unmute_restores(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Bulk room")
    room = stack.fs_name(conference_id)
    boss = stack.sim.join(room, "3001", "Boss", moderator=True)
    guest = stack.sim.join(room, "3002", "Guest")
    expect(row_of(page, guest)).to_have_count(1)
    page.get_by_test_id("bulk-mute").click()
    expect(row_of(page, guest)).to_have_attribute("data-muted", "true")
    expect(row_of(page, boss)).to_have_attribute("data-muted", "false")
    wire = stack.wire_members(conference_id)
    assert (wire[guest.id]["flags"]["can_speak"], wire[boss.id]["flags"]["can_speak"]) == (False, True)
    page.get_by_test_id("bulk-unmute").click()
    expect(row_of(page, guest)).to_have_attribute("data-muted", "false")
    row_of(page, guest).get_by_test_id("participant-deaf").click()
    expect(row_of(page, guest).get_by_test_id("deaf")).to_have_text("Deaf")
    assert stack.wire_members(conference_id)[guest.id]["flags"]["can_hear"] is False


def test_record_then_download_the_recording(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Recorded room")
    stack.sim.join(stack.fs_name(conference_id), "4001", "Frank")
    page.get_by_test_id("room-record").click()
    expect(page.get_by_test_id("room-recording")).to_have_text("Recording")
    expect(page.get_by_test_id("room-record")).to_have_text("Stop recording")
    page.get_by_test_id("room-record").click()
    expect(page.get_by_test_id("room-recording")).to_have_text("Not recording")
    item = page.get_by_test_id("recording-item")
    expect(item).to_have_count(1)
    with page.expect_download() as download:
        item.get_by_test_id("recording-download").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"RIFF"


def test_upload_media_and_play_it_to_the_room(page, stack, tmp_path, artifacts_dir):
    sign_in(page, stack, through_form=False)
    page.get_by_test_id("nav-media").click()
    sound = tmp_path / "chime.wav"
    sound.write_bytes(wav_bytes())
    page.get_by_label("Name").fill("Chime")
    page.get_by_test_id("media-file").set_input_files(str(sound))
    page.get_by_test_id("media-submit").click()
    expect(page.get_by_test_id("media-status")).to_have_text("Uploaded Chime.")
    media_row = page.get_by_test_id("media-row").filter(has_text="Chime")
    expect(media_row).to_have_count(1)
    media_id = media_row.get_attribute("data-media-id")
    page.screenshot(path=str(artifacts_dir / "media.png"))

    page.get_by_test_id("nav-conferences").click()
    conference_id = create_conference(page, "Media room")
    room = stack.fs_name(conference_id)
    grace = stack.sim.join(room, "5001", "Grace")
    mark = len(stack.sim.command_log)
    page.get_by_test_id("media-select").select_option(media_id)
    page.get_by_test_id("room-play").click()
    expect(page.locator("#announcer")).to_contain_text("play: done")
    expect(page.get_by_test_id("notice")).to_be_hidden()
    plays = [c for c in stack.sim.command_log[mark:] if c.startswith(f"conference {room} play ")]
    assert len(plays) == 1 and media_id in plays[0]

    row_of(page, grace).get_by_test_id("participant-play").click()
    expect(page.locator("#announcer")).to_contain_text("play Grace: done")
    plays = [c for c in stack.sim.command_log[mark:] if c.startswith(f"conference {room} play ")]
    assert len(plays) == 2 and media_id in plays[1] and plays[1].endswith(f" {grace.id}")


def test_dial_out_adds_a_participant(page, stack):
    sign_in(page, stack, through_form=False)
    conference_id = create_conference(page, "Dial room")
    stack.sim.join(stack.fs_name(conference_id), "6001", "Heidi")
    page.get_by_label("Endpoints").fill("sip:nobody@127.0.0.1:5999")
    page.get_by_test_id("dial-submit").click()
    expect(page.get_by_test_id("notice")).to_contain_text("NORMAL_TEMPORARY_FAILURE")
    expect(page.get_by_test_id("dial-results").locator("li")).to_have_attribute("data-status", "error")

    stack.sim.register_device("7001", "127.0.0.1")
    page.get_by_label("Endpoints").fill("sip:7001@127.0.0.1")
    page.get_by_label("Join as moderator").check()
    page.get_by_test_id("dial-submit").click()
    expect(page.get_by_test_id("dial-results")).to_contain_text("success")
    expect(page.get_by_test_id("participant-row")).to_have_count(2)
    dialed = [m for m in stack.wire_members(conference_id).values() if m["caller_id_number"] != "6001"]
    assert len(dialed) == 1 and dialed[0]["flags"]["is_moderator"] is True
    moderator_rows = page.locator('[data-testid="participant-row"][data-moderator="true"]')
    expect(moderator_rows).to_have_count(1)


def test_the_list_follows_every_page(page, stack):
    """More conferences than one API page (50): the list walks next_start_key."""
    status, body = stack.api("GET", f"/accounts/{stack.account_id}/conferences?page_size=1000")
    existing = len(body["data"])
    made = [api_conference(stack, f"Paged {index:02d}") for index in range(max(0, 55 - existing))]
    sign_in(page, stack, through_form=False)
    expect(page.get_by_test_id("conference-row")).to_have_count(existing + len(made))
    expect(list_row(page, made[-1])).to_have_count(1)
