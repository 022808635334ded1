"""fssim's ``uuid_dump`` (issue 18: crossbar reads dialled members' identities with
it) against round 3's recording of a device member's dump: the same event layout up
to the channel variables, the same caller profile values, and the recorded refusal
for an unknown uuid."""
from kzcore.esl.frames import FrameParser, parse_headers
from tests.support.paths import fs_fixture

RECORDED = "round3/api_uuid_dump_member_user_1000.esl"


def recorded_dump():
    frame = [f for f in FrameParser().feed(fs_fixture(RECORDED))
             if f.content_type == "api/response"][0]
    return frame.body.decode("utf-8")


def head(text):
    """Header names before the channel variables (their set depends on the call)."""
    names = [line.split(": ", 1)[0] for line in text.splitlines() if ": " in line]
    return [name for name in names if not name.startswith("variable_")]


def test_a_device_members_dump_has_the_recorded_layout(fssim_factory, esl_client_factory):
    sim = fssim_factory(time_scale=0.01)
    sim.register_device("1000", "rig.test", contact="127.0.0.1:5071")
    client = esl_client_factory(sim)
    client.command("event plain CUSTOM conference::maintenance")
    assert client.api("conference room10 bgdial user/1000@rig.test 1000 Alice").startswith("+OK")
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    dump = client.api(f"uuid_dump {added['Unique-ID']}")
    recorded = recorded_dump()
    assert head(dump) == head(recorded)
    assert dump.endswith("\n\n") and recorded.endswith("\n\n")
    got, want = parse_headers(dump, decode=True), parse_headers(recorded, decode=True)
    for header in ("Event-Name", "Event-Calling-File", "Event-Calling-Function",
                   "Caller-Caller-ID-Name", "Caller-Callee-ID-Name", "Caller-Callee-ID-Number",
                   "Caller-Source", "Call-Direction", "Channel-Presence-ID"):
        assert got[header] == want[header], header
    assert got["Unique-ID"] == added["Unique-ID"]
    assert client.api("uuid_dump 00000000-0000-0000-0000-000000000000") == \
        "-ERR No such channel!\n"
