"""What FreeSWITCH refuses of the new actions is a 422 carrying its own words (the
node is a scripted ESL server answering with round 4's recorded replies)."""
from kzcore.esl.frames import FrameParser
from tests.integration.test_live_refusals import scripted  # noqa: F401 (fixture)
from tests.support.paths import fs_fixture


def round4_reply(name):
    """The api reply of one round 4 step (its .esl file: banner, auth, reply)."""
    return FrameParser().feed(fs_fixture(f"round4/{name}.esl"))[-1].body


def put(api, account, url, body):
    return api.call("PUT", url, token=account.token, body=body)


def test_sounds_refused_is_422_with_the_done_part(scripted):  # noqa: F811
    server, api, account, room, url = scripted
    server.api[f"conference {room} enter_sound off"] = round4_reply("enter_sound_off").replace(
        b"r4room", room.encode())
    server.api[f"conference {room} exit_sound off"] = round4_reply("enter_sound_status")
    reply = put(api, account, url, {"action": "set_sounds",
                                    "data": {"entry_tone": False, "exit_tone": False}})
    assert reply.status_code == 422 and reply.get_json()["message"] == "-ERR Not enough args"
    assert reply.get_json()["data"]["done"][0].startswith(f"+OK {room} enter sounds off")


def test_pause_toggle_without_an_answer_is_422(scripted):  # noqa: F811
    server, api, account, room, url = scripted
    server.api[f"conference {room} play_status"] = round4_reply("play_status")
    server.api[f"conference {room} pause_play"] = b"-ERR no reply\n"
    reply = put(api, account, url, {"action": "pause_play", "data": {}})
    assert reply.status_code == 422 and reply.get_json()["message"] == "-ERR no reply"


def test_member_commands_refused_are_422(scripted):  # noqa: F811
    server, api, account, room, url = scripted
    usage = b"energy <member_id|all|last|non_moderator> [<newval>]"
    cases = [
        ({"action": "energy", "data": {"level": 300}}, "energy 3 300", usage),
        ({"action": "dtmf", "data": {"digits": "1"}}, "dtmf 3 1", b"-ERR Invalid input!\n"),
        ({"action": "hold", "data": {}}, "hold 3 local_stream://moh", b"\n"),
    ]
    for body, command, answer in cases:
        server.api[f"conference {room} {command}"] = answer
        reply = put(api, account, f"{url}/participants/3", body)
        assert reply.status_code == 422, (command, reply.get_json())
        assert reply.get_json()["data"]["command"] == f"conference {room} {command}"


def test_relate_refused_during_supervise_is_422(scripted):  # noqa: F811
    server, api, account, room, url = scripted
    listing = round4_reply("json_list_after_member_changes").replace(b"r4room", room.encode())
    server.api[f"conference {room} json_list"] = listing
    server.api[f"conference {room} relate 899 902,901 nospeak"] = round4_reply(
        "relate_unknown_other")
    reply = put(api, account, f"{url}/participants/899",
                {"action": "supervise", "data": {"mode": "whisper", "target": 900}})
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["message"] == "-ERR relationship 899->9999 not found."
