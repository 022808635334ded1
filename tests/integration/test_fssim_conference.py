"""Conference behaviour over TCP: recordings, variables, verbose events, lock, levels,
the member id counter, and the sim_* controls."""
import json
import os
import struct
import time

import gevent
import pytest


@pytest.fixture
def fast(fssim_factory):
    return fssim_factory(time_scale=0.05)


def test_recording_writes_wav_of_recorded_length_and_takes_a_member_id(fssim_factory,
                                                                     events_on):
    fast = fssim_factory(time_scale=0.2)
    client = events_on(fast)
    alice = fast.join("room1", "1001", "Alice")
    path = "/opt/switch/rec/room1.wav"
    assert client.api(f"conference room1 recording start {path}") == f"+OK Record file {path}\n"
    gevent.sleep(3.0 * fast.time_scale)
    assert client.api(f"conference room1 recording stop {path}") == \
        f"Stopped recording file {path}\n+OK Stopped recording 0 files\n"
    stopped = client.wait_event(lambda e: e.get("Action") == "stop-recording")
    local = fast.core.recorder.local_path(path)
    data = open(local, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    rate = struct.unpack("<I", data[24:28])[0]
    seconds = struct.unpack("<I", data[40:44])[0] / 2 / rate
    assert 2.9 <= seconds <= 3.5
    assert int(stopped["Record-File-Size"]) == os.path.getsize(local)
    bob = fast.join("room1", "1002", "Bob")
    assert (alice.id, bob.id) == (1, 3)  # id 2 went to the recording node


def test_setvar_stamps_later_events_and_json_list(fast, events_on):
    client = events_on(fast)
    member = fast.join("room1", "1101", "Frank", variables={"kz_account_id": "abc123"})
    assert client.api("conference room1 getvar acct_id") == "-ERR no reply\n"
    assert client.api("conference room1 setvar acct_id abc123") == "+OK\n"
    assert client.api("conference room1 getvar acct_id") == "abc123"
    client.api(f"conference room1 mute {member.id}")
    muted = client.wait_event(lambda e: e.get("Action") == "mute-member")
    names = list(muted)
    assert names[names.index("Conference-Unique-ID") + 1] == "acct_id"
    assert muted["acct_id"] == "abc123"
    assert "variable_kz_account_id" not in muted  # default profile: no verbose-events
    assert fast.json_list("room1")[0]["variables"] == {"acct_id": "abc123"}


def test_verbose_profile_carries_channel_variables(fast, events_on):
    client = events_on(fast)
    fast.add_profile("verbose2", verbose_events=True)
    fast.join("room8", "1102", "Grace", profile="verbose2", variables={"kz_account_id": "x1"})
    created = client.wait_event(lambda e: e.get("Action") == "conference-create")
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert created["Conference-Profile-Name"] == "verbose2"
    assert created["Channel-Name"] == "loopback/conf_room8-b"
    assert added["variable_kz_account_id"] == "x1"
    assert added["variable_conference_call_key"] == "conference_room8_127.0.0.1_1102"


def test_lock_refuses_dialplan_callers_silently_but_not_dial_outs(fast, events_on):
    client = events_on(fast)
    fast.join("room1", "1001", "Alice")
    assert client.api("conference room1 lock") == "+OK room1 locked\n"
    client.wait_event(lambda e: e.get("Action") == "lock")
    client.events.clear()
    assert fast.join("room1", "1004", "Dave") is None
    reply = client.api("originate {origination_caller_id_number=1005}loopback/conf_room1/default "
                       "silent XML default")
    assert reply.startswith("+OK ")
    gevent.sleep(0.1)
    assert len(fast.json_list("room1")[0]["members"]) == 1
    assert client.api("conference room1 dial loopback/talk_steady/default 1006 Eve") == \
        "+OK Call Requested: result: [SUCCESS]\n"
    added = client.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Caller-Orig-Caller-ID-Number") == "1006")
    assert added["Caller-Caller-ID-Name"] == "Outbound Call"
    actions = [json.loads(f.body).get("Action") for f in client.events]
    assert actions.count("add-member") == 0  # Dave and 1005 never became members


def test_levels_relate_and_floor_texts(fast, events_on):
    client = events_on(fast)
    one = fast.join("room1", "1001", "Alice")
    two = fast.join("room1", "1002", "Bob")
    assert client.api(f"conference room1 energy {one.id} 300") == f"Energy {one.id} = 300\n"
    assert client.wait_event(lambda e: e.get("Action") == "energy-level-member")[
        "Energy-Level"] == "300"
    assert client.api(f"conference room1 volume_out {one.id} -1") == \
        f"+OK Volume OUT {one.id} = -1\n"
    assert client.wait_event(lambda e: e.get("Action") == "volume-out-member")[
        "Volume-Level"] == "-1"
    # conference_api_sub_relate: no relationship in the room -> "+OK No relationships"
    # whatever the arguments (no fixture shows a bare `relate`)
    assert client.api("conference room1 relate") == "+OK No relationships\n"
    assert client.api(f"conference room1 relate {one.id} {two.id} nospeak") == \
        f"+OK {one.id}->{two.id} nospeak set\n"
    assert client.api(f"conference room1 relate {one.id} {two.id} nohear") == \
        f"+OK {one.id}->{two.id} nohear set\n"
    assert client.api(f"conference room1 relate {one.id}") == \
        f"{one.id} -> {two.id} SPEAK NOHEAR NOSENDVIDEO \n"
    assert client.api(f"conference room1 floor {two.id}") == \
        f"-ERR floor is held by {one.id}\n"
    assert client.api("conference room1 kick 9999") == "-ERR Non-Existant ID 9999\n"


def test_sim_commands_over_esl(fast, events_on):
    client = events_on(fast)
    reply = client.api("sim_join room1 1001 moderator=true var_kz_account_id=a1 Alice Smith")
    assert reply.startswith("+OK ")
    member_id, uuid = reply.split()[1:3]
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert (added["Member-ID"], added["Unique-ID"]) == (member_id, uuid)
    assert added["Member-Type"] == "moderator"
    assert added["Caller-Caller-ID-Name"] == "Alice Smith"
    assert client.api(f"sim_talk {uuid}") == "+OK\n"
    client.wait_event(lambda e: e.get("Action") == "start-talking")
    assert client.api(f"sim_stop_talking {member_id}") == "+OK\n"
    client.wait_event(lambda e: e.get("Action") == "stop-talking")
    assert client.api(f"sim_hangup {uuid}") == "+OK\n"
    gone = client.wait_event(lambda e: e.get("Action") == "del-member")
    assert gone["Hangup-Cause"] == "NORMAL_CLEARING"
    assert client.api("sim_hangup nosuch").startswith("-ERR ")


def test_talk_burst_emits_at_the_requested_rate(fssim, events_on):
    client = events_on(fssim)
    member = fssim.join("room1", "1001", "Alice")
    client.wait_event(lambda e: e.get("Action") == "add-member")
    started = time.monotonic()
    burst = fssim.emit_talk_burst(member.uuid, count=200, rate=1000)
    assert burst.get(timeout=5) == 200
    elapsed = time.monotonic() - started
    assert 0.15 <= elapsed < 1.5
    talk = [e for e in (client.wait_event(lambda e: e.get("Action", "").endswith("-talking"))
                        for _ in range(200))]
    assert [e["Action"] for e in talk[:2]] == ["start-talking", "stop-talking"]


def test_concurrent_bursts_interleave_in_order_and_end_when_a_member_leaves(fssim, events_on):
    """Bursts of several members share one ticker: their events interleave, each
    member's alternate start/stop in order, none leaves early, and a member who
    hangs up ends its own burst without stopping the others."""
    client = events_on(fssim)
    alice, bob = (fssim.join("room1", f"100{n}", name) for n, name in ((1, "Alice"), (2, "Bob")))
    for _ in range(2):
        client.wait_event(lambda e: e.get("Action") == "add-member")
    started = time.monotonic()
    bursts = [fssim.emit_talk_burst(m.uuid, count=100, rate=500) for m in (alice, bob)]
    assert [b.get(timeout=5) for b in bursts] == [100, 100]
    assert time.monotonic() - started >= 0.19          # event 99 is due 0.198 s after the start
    talk = [client.wait_event(lambda e: e.get("Action", "").endswith("-talking")) for _ in range(200)]
    by_member = {m.uuid: [e["Action"] for e in talk if e["Unique-ID"] == m.uuid] for m in (alice, bob)}
    assert all(actions == ["start-talking", "stop-talking"] * 50 for actions in by_member.values())
    owners = [e["Unique-ID"] for e in talk]
    assert owners[:100] != [alice.uuid] * 100           # interleaved, not one after the other
    long, short = fssim.emit_talk_burst(alice.uuid, 10000, 1000), fssim.emit_talk_burst(bob.uuid, 50, 1000)
    assert short.get(timeout=5) == 50
    fssim.hangup(alice.uuid)
    assert 50 <= long.get(timeout=5) < 10000


def test_member_dtmf_fires_dtmf_events(fast, esl_client_factory):
    client = esl_client_factory(fast)
    client.command("event plain DTMF")
    member = fast.join("room1", "1001", "Alice")
    fast.dtmf(member.uuid, "12#")
    digits = [client.wait_event(lambda e: e.get("Event-Name") == "DTMF") for _ in range(3)]
    assert [d["DTMF-Digit"] for d in digits] == ["1", "2", "#"]
    assert {d["Unique-ID"] for d in digits} == {member.uuid}
    assert digits[0]["DTMF-Source"] == "UNKNOWN"
