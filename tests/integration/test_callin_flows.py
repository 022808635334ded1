"""Call-in end to end: a simulated caller dials a number, the simulator's `socket`
application connects to the call-in service over TCP, and the service answers,
prompts, checks PINs and joins the caller. Results are read back from the
simulator's `conference <room> json_list`, as an operator would."""
import os

import gevent
import pytest

from callin import plan
from callin.directory import ConferenceDirectory
from callin.flow import CallinOptions
from callin.prompts import FILES
from callin.server import CallinServer
from fssim import outbound
from fssim import Simulator
from kzcore import naming
from kzcore.store.embedded import EmbeddedStore

SCALE = 0.02          # 1 simulated second = 20 ms
ACCOUNT = "a" * 32


@pytest.fixture
def rig(tmp_path):
    store = EmbeddedStore(":memory:")
    store.save(naming.ACCOUNTS_DB, {"_id": ACCOUNT, "pvt_type": "account", "name": "Callin"})
    options = CallinOptions(names_dir=str(tmp_path / "names"), media_timeout=10.0,
                            join_timeout=3.0, linger_seconds=5)
    server = CallinServer(ConferenceDirectory(store, rescan_interval=0.0), "127.0.0.1", 0,
                          options).start()
    sim = Simulator(time_scale=SCALE, recordings_dir=str(tmp_path), dialplan=[
        (r"^(\d+)$", outbound.socket_extension("127.0.0.1", server.port))])
    yield Rig(sim, store, server, tmp_path)
    server.stop(timeout=1)
    store.close()


class Rig:
    def __init__(self, sim, store, server, tmp_path):
        self.sim, self.core = sim, sim.core
        self.store, self.server, self.tmp_path = store, server, tmp_path
        self.events = []
        self.core.subscribe(self.events.append)

    def conference(self, conference_id, **fields):
        doc = {"_id": conference_id, "pvt_type": "conference", "name": conference_id,
               "member": {"join_muted": False}, **fields}
        self.store.save(naming.account_db(ACCOUNT), doc)
        return naming.fs_conference_name(ACCOUNT, conference_id)

    def call(self, number, script=(), cid="5551001", name="Caller"):
        return outbound.place_call(self.core, number, cid, name, dtmf_script=list(script))

    def room(self, fs_name):
        """The room as the simulator's `conference <room> json_list` shows it."""
        rooms = self.sim.json_list(fs_name)
        return rooms[0] if rooms else None

    def members(self, fs_name):
        room = self.room(fs_name)
        return {m["caller_id_number"]: m for m in room["members"]} if room else {}

    def wait_for(self, predicate, timeout=5.0):
        with gevent.Timeout(timeout, AssertionError("condition not reached")):
            while not predicate():
                gevent.sleep(0.02)

    def wait_member(self, fs_name, cid, timeout=5.0):
        self.wait_for(lambda: cid in self.members(fs_name), timeout)
        return self.members(fs_name)[cid]

    def wait_gone(self, channel, remaining=0, timeout=5.0):
        """The call ended and the service holds no session but ``remaining`` others."""
        self.wait_for(lambda: not channel.is_up, timeout)
        self.wait_for(lambda: self.server.active_calls == remaining, timeout)

    def executed(self, channel, app):
        return [e.get("Application-Data") for e in self.events
                if e.name == "CHANNEL_EXECUTE" and e.get("Unique-ID") == channel.uuid
                and e.get("Application") == app]


def flags(member):
    return member["flags"]


def test_member_number_joins_without_prompts(rig):
    room = rig.conference("board", member={"numbers": ["5000"], "join_muted": True},
                          moderator={"numbers": ["5001"], "play_entry_prompt": False})
    caller = rig.call("5000")
    member = rig.wait_member(room, "5551001")
    assert flags(member)["is_moderator"] is False
    assert flags(member)["can_speak"] is False      # member.join_muted
    assert flags(member)["can_hear"] is True
    assert rig.executed(caller, "play_and_get_digits") == []
    moderator = rig.call("5001", cid="5551002")
    assert flags(rig.wait_member(room, "5551002"))["is_moderator"] is True
    assert rig.executed(moderator, "play_and_get_digits") == []
    entering = lambda call: [p for p in rig.executed(call, "playback")  # noqa: E731
                             if p.endswith(FILES["entering"])]
    assert len(entering(caller)) == 1 and entering(moderator) == []
    outbound.hangup_with_event(caller)
    outbound.hangup_with_event(moderator)
    rig.wait_gone(caller)


def test_unknown_number_prompts_for_the_conference_number(rig):
    room = rig.conference("sales", conference_numbers=["7777"])
    caller = rig.call("1000", script=[(0, "99#7777#")])
    member = rig.wait_member(room, "5551001")
    assert flags(member)["is_moderator"] is False
    prompts = rig.executed(caller, "playback")
    assert any(p.endswith(FILES["bad_conference_number"]) for p in prompts)
    assert len(rig.executed(caller, "play_and_get_digits")) == 2
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_conference_number_with_member_pin_makes_a_member(rig):
    room = rig.conference("pins", conference_numbers=["6000"], member={"pins": ["1111"]},
                          moderator={"pins": ["2222"]})
    caller = rig.call("6000", script=[(0, "1111#")])
    member = rig.wait_member(room, "5551001")
    assert flags(member)["is_moderator"] is False
    assert len(rig.executed(caller, "play_and_get_digits")) == 1
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_conference_number_with_moderator_pin_makes_a_moderator(rig):
    room = rig.conference("pins2", conference_numbers=["6001"], member={"pins": ["1111"]},
                          moderator={"pins": ["2222"], "join_deaf": True})
    caller = rig.call("6001", script=[(0, "2222#")])
    member = rig.wait_member(room, "5551001")
    assert flags(member)["is_moderator"] is True
    assert flags(member)["can_hear"] is False      # moderator.join_deaf
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_bad_pin_three_times_hangs_up_politely(rig):
    room = rig.conference("strict", member={"numbers": ["6100"], "pins": ["4242"]})
    caller = rig.call("6100", script=[(0, "1#2#3#")])
    rig.wait_gone(caller)
    assert rig.room(room) is None
    assert len(rig.executed(caller, "play_and_get_digits")) == 3
    prompts = rig.executed(caller, "playback")
    assert sum(p.endswith(FILES["bad_pin"]) for p in prompts) == 2
    assert prompts[-1].endswith(FILES["goodbye"])
    assert caller.hangup_cause == "NORMAL_CLEARING"


def test_locked_conference_refuses_with_the_locked_prompt(rig):
    room = rig.conference("locked", member={"numbers": ["6200"]}, moderator={"numbers": ["6201"]})
    first = rig.call("6201", cid="100")
    rig.wait_member(room, "100")
    assert rig.sim.api(f"conference {room} lock").startswith("+OK")
    late = rig.call("6200", cid="200")
    rig.wait_gone(late, remaining=1)
    assert "200" not in rig.members(room)
    assert any(p.endswith(FILES["locked"]) for p in rig.executed(late, "playback"))
    outbound.hangup_with_event(first)


def test_full_conference_plays_max_members_media(rig):
    room = rig.conference("small", member={"numbers": ["6300"]}, max_participants=2,
                          max_members_media="tone_stream://%(500,500,480,620)")
    calls = [rig.call("6300", cid=str(100 + n)) for n in range(2)]
    for n in range(2):
        rig.wait_member(room, str(100 + n))
    third = rig.call("6300", cid="300")
    rig.wait_gone(third, remaining=2)
    assert "300" not in rig.members(room)
    assert "tone_stream://%(500,500,480,620)" in rig.executed(third, "playback")
    for call in calls:
        outbound.hangup_with_event(call)


def test_members_wait_for_the_moderator_then_hear_each_other(rig):
    room = rig.conference("waiting", wait_for_moderator=True,
                          member={"numbers": ["6400"], "join_muted": False}, moderator={"numbers": ["6401"]})
    members = [rig.call("6400", cid=cid) for cid in ("101", "102")]
    rig.wait_member(room, "101")
    rig.wait_member(room, "102")
    assert rig.room(room)["wait_mod"] is True
    assert all(data.endswith("+flags{wait-mod}") for m in members
               for data in rig.executed(m, "conference"))
    moderator = rig.call("6401", cid="900")
    assert flags(rig.wait_member(room, "900"))["is_moderator"] is True
    assert rig.room(room)["wait_mod"] is False
    for cid in ("101", "102"):
        assert flags(rig.members(room)[cid])["can_hear"] is True
        assert flags(rig.members(room)[cid])["can_speak"] is True
    for call in members + [moderator]:
        outbound.hangup_with_event(call)


def test_require_moderator_ends_the_room_with_the_last_moderator(rig):
    room = rig.conference("required", require_moderator=True,
                          member={"numbers": ["6410"]}, moderator={"numbers": ["6411"]})
    member = rig.call("6410", cid="101")
    rig.wait_member(room, "101")
    moderator = rig.call("6411", cid="900")
    assert flags(rig.wait_member(room, "900"))["end_conference"] is True
    outbound.hangup_with_event(member)
    outbound.hangup_with_event(moderator)
    rig.wait_gone(member)


def test_join_muted_per_role(rig):
    room = rig.conference("muting", member={"numbers": ["6500"], "join_muted": True},
                          moderator={"numbers": ["6501"], "join_muted": False})
    member, moderator = rig.call("6500", cid="101"), rig.call("6501", cid="900")
    assert flags(rig.wait_member(room, "101"))["can_speak"] is False
    assert flags(rig.wait_member(room, "900"))["can_speak"] is True
    for call in (member, moderator):
        outbound.hangup_with_event(call)


def test_custom_entry_tone_string_is_played_and_never_crashes(rig):
    tone = "tone_stream://%(100,0,900)"
    room = rig.conference("tones", member={"numbers": ["6600"]}, play_entry_tone=tone,
                          play_exit_tone="v=-7;%(100,0,300)")
    first, second = rig.call("6600", cid="101"), rig.call("6600", cid="102")
    rig.wait_member(room, "101")
    rig.wait_member(room, "102")
    assert f"conference_enter_sound={tone}" in rig.executed(second, "set")
    assert "conference_exit_sound=tone_stream://v=-7;%(100,0,300)" in rig.executed(second, "set")
    rig.wait_for(lambda: any(e.get("Action") == "play-file-done" and e.get("File") == tone
                             for e in rig.events))
    bad = rig.conference("badtone", member={"numbers": ["6601"]}, play_entry_tone="rm -rf /\n")
    third = rig.call("6601", cid="103")
    rig.wait_member(bad, "103")            # unusable tone: profile default, call still joins
    assert not any(s.startswith("conference_enter_sound") for s in rig.executed(third, "set"))
    for call in (first, second, third):
        outbound.hangup_with_event(call)


def test_a_conference_without_tones_plays_none_for_callers(rig):
    """play_entry_tone / play_exit_tone false: each caller's own enter / exit sound is
    silence (conference_enter_sound / conference_exit_sound replace the room's)."""
    room = rig.conference("quiet", member={"numbers": ["6610"]}, play_entry_tone=False,
                          play_exit_tone=False)
    first, second = rig.call("6610", cid="101"), rig.call("6610", cid="102")
    rig.wait_member(room, "101")
    rig.wait_member(room, "102")
    outbound.hangup_with_event(second)
    rig.wait_gone(second, remaining=1)
    done = lambda: [e.get("File") for e in rig.events if e.get("Action") == "play-file-done"]  # noqa: E731
    rig.wait_for(lambda: done().count(plan.SILENT) == 2)       # one join, one leave
    profile = rig.core.profiles["default"]
    assert profile.enter_sound not in done() and profile.exit_sound not in done()
    outbound.hangup_with_event(first)


def test_play_name_records_and_announces_joins_and_leaves(rig):
    room = rig.conference("names", member={"numbers": ["6700"]}, play_name=True)
    first = rig.call("6700", cid="101")
    rig.wait_member(room, "101")
    second = rig.call("6700", cid="102")
    rig.wait_member(room, "102")
    recorded = rig.executed(second, "record")
    assert len(recorded) == 1
    name_file = recorded[0].split()[0]
    plays = lambda: [e.get("File") for e in rig.events if e.get("Action") == "play-file"]  # noqa: E731
    rig.wait_for(lambda: name_file in plays())
    assert any(p.endswith(FILES["has_joined"]) for p in plays())
    outbound.hangup_with_event(second)
    rig.wait_gone(second, remaining=1)
    assert plays().count(name_file) == 2
    assert any(p.endswith(FILES["has_left"]) for p in plays())
    assert not os.path.exists(name_file)           # nothing left behind
    outbound.hangup_with_event(first)


def test_a_refused_announcement_is_logged_as_a_failure_and_the_caller_stays(rig, monkeypatch, caplog):
    from fssim import conference_api
    from fssim.conference_dispatch import SPLIT, Command

    def refuse_play(ctx, argv):
        return f"-ERR (play) File: {argv[2]} not found.\n"
    monkeypatch.setitem(conference_api.COMMANDS, "play", Command(SPLIT, refuse_play, ""))
    caplog.set_level("WARNING", logger="callin.joining")
    room = rig.conference("names", member={"numbers": ["6700"]}, play_name=True)
    caller = rig.call("6700", cid="101")
    rig.wait_member(room, "101")
    failed = lambda: [r for r in caplog.records if r.getMessage() == "announcement failed"]  # noqa: E731
    rig.wait_for(failed)
    record = failed()[0]
    assert record.announcement == "has_joined" and "-ERR (play) File:" in record.error
    assert record.call_id == caller.uuid
    gevent.sleep(0.2)
    assert "101" in rig.members(room) and caller.is_up    # the refusal did not end the call
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_caller_hanging_up_during_the_pin_prompt_leaves_nothing(rig):
    room = rig.conference("gone", member={"numbers": ["6800"], "pins": ["4242"]})
    caller = rig.call("6800", script=[(0, "42"), (2.5, "hangup")])
    rig.wait_gone(caller)
    assert rig.room(room) is None
    assert rig.executed(caller, "conference") == []
    assert rig.core.channels == {}


def test_a_broken_document_never_crashes_the_service(rig):
    room = rig.conference("broken", member={"numbers": ["6900"], "pins": "1234", "join_muted": "x"},
                          moderator=["not", "an", "object"], play_entry_tone=12, profile="loud",
                          max_participants="ten", language={"fr": True}, play_welcome=False)
    caller = rig.call("6900", cid="101")
    member = rig.wait_member(room, "101")
    assert flags(member)["can_speak"] is False          # join_muted falls back to the default
    assert not any(p.endswith(FILES["welcome"]) for p in rig.executed(caller, "playback"))
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_language_picks_the_prompts(rig):
    room = rig.conference("french", member={"numbers": ["6950"], "pins": ["12"]}, language="fr-ca")
    caller = rig.call("6950", cid="101", script=[(0, "12#")])
    rig.wait_member(room, "101")
    assert "default_language=fr" in rig.executed(caller, "set")
    prompts = rig.executed(caller, "playback") + rig.executed(caller, "play_and_get_digits")
    assert any("/fr/ca/june/" + FILES["welcome"] in p for p in prompts)
    assert any("/fr/ca/june/" + FILES["enter_pin"] in p for p in prompts)
    outbound.hangup_with_event(caller)
    rig.wait_gone(caller)


def test_a_switch_that_stops_answering_is_given_up(rig):
    """Every wait has a timeout: a peer that connects and then says nothing is dropped."""
    import socket
    rig.server.options.command_timeout = 0.3
    rig.server.options.header_timeout = 0.3           # the connect reply is the header
    sock = socket.create_connection(("127.0.0.1", rig.server.port), timeout=5)
    assert sock.recv(100) == b"connect\n\n"
    sock.settimeout(5)
    assert sock.recv(100) == b""                      # the service closed the socket
    rig.wait_for(lambda: rig.server.active_calls == 0)
    sock.close()


def test_cli_builds_the_server_from_configuration(tmp_path):
    from callin.cli import build_server
    from kzcore.config import load_config
    config = load_config(env={"KZ_CALLIN_PORT": "0", "KZ_RECORDINGS_DIR": str(tmp_path)})
    store = EmbeddedStore(":memory:")
    server = build_server(config, store).start()
    try:
        assert server.port > 0
        assert server.options.names_dir == os.path.join(str(tmp_path), "callin-names")
    finally:
        server.stop(timeout=1)
        store.close()
