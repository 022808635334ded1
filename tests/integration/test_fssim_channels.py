"""The channel API and pluggable dialplan (what the call-in simulator builds on)."""
import gevent
from gevent.queue import Queue

from fssim import Simulator

PAGD = "1 16 3 5000 # tone_stream://%(300,0,800) silence_stream://250 collected_digits \\d+ 3000"


def _recorder(sim):
    events = Queue()
    sim.core.subscribe(events.put)
    return events


def _drain(events, until, timeout=5.0):
    seen = []
    with gevent.Timeout(timeout):
        while True:
            event = events.get()
            seen.append(event)
            if until(event):
                return seen


def _names(events, uuid):
    out = []
    for e in events:
        if e.get("Unique-ID") != uuid:
            continue
        out.append(e.get("Action") or e.name)
    return out


def test_place_call_runs_handler_with_digits_and_conference():
    sim = Simulator(port=0, time_scale=0.05)
    results = Queue()

    def callin(channel, match):
        channel.execute("answer", "", event_uuid="u-answer")
        channel.execute("play_and_get_digits", PAGD, event_uuid="u-pagd")
        results.put(channel.get_variable("collected_digits"))
        channel.execute("conference", f"room{match.group(1)}@default+flags{{mute}}",
                        event_uuid="u-conf")
        results.put("conference app returned")

    sim.add_extension(r"^callin_(\d+)$", callin)
    events = _recorder(sim)
    channel = sim.place_call("callin_9", "5551001", "CallerA", dtmf_script="1234#")
    assert results.get(timeout=5) == "1234"
    added = _drain(events, lambda e: e.get("Action") == "add-member")[-1]
    assert added.get("Speak") == "false" and added.get("Conference-Name") == "room9"
    assert channel.get_variable("read_result") == "success"
    assert channel.get_variable("read_terminator_used") == "#"
    channel.hangup("NORMAL_CLEARING")
    assert results.get(timeout=5) == "conference app returned"
    seen = _drain(events, lambda e: e.name == "CHANNEL_HANGUP_COMPLETE"
                  and e.get("Unique-ID") == channel.uuid)
    order = _names(seen, channel.uuid)
    assert order == ["CHANNEL_HANGUP", "del-member", "CHANNEL_EXECUTE_COMPLETE",
                     "CHANNEL_HANGUP_COMPLETE"]


def test_execute_events_carry_application_uuid_and_dtmf_events():
    sim = Simulator(port=0, time_scale=0.05)
    done = Queue()

    def handler(channel, match):
        channel.execute("play_and_get_digits", PAGD, event_uuid="67ce2f44")
        done.put(True)

    sim.add_extension(r"^digits$", handler)
    events = _recorder(sim)
    channel = sim.place_call("digits", "100", "Caller", dtmf_script=[(0.5, "78"), (0.1, "9")])
    done.get(timeout=5)
    seen = _drain(events, lambda e: e.name == "CHANNEL_EXECUTE_COMPLETE")
    executes = [e for e in seen if e.name.startswith("CHANNEL_EXECUTE")]
    assert [e.get("Application-UUID") for e in executes] == ["67ce2f44", "67ce2f44"]
    assert executes[1].get("Application-Response") == "_none_"
    assert [e.get("DTMF-Digit") for e in seen if e.name == "DTMF"] == ["7", "8", "9"]
    assert channel.get_variable("collected_digits") == "789"
    assert channel.get_variable("read_result") == "timeout"
    assert channel.get_variable("read_terminator_used") is None


def test_caller_hangup_mid_prompt_keeps_digits():
    sim = Simulator(port=0, time_scale=0.05)
    done = Queue()

    def handler(channel, match):
        channel.execute("play_and_get_digits", PAGD)
        done.put((channel.get_variable("collected_digits"),
                  channel.get_variable("read_result"), channel.is_up))

    sim.add_extension(r"^hangup_test$", handler)
    channel = sim.place_call("hangup_test", "100", "Caller", dtmf_script=[(0.5, "5")])
    gevent.sleep(1.0 * 0.05 + 0.05)
    channel.hangup("NORMAL_CLEARING")
    assert done.get(timeout=5) == ("5", "success", False)


def test_playback_takes_simulated_time_and_on_hangup_fires():
    sim = Simulator(port=0, time_scale=0.1)
    calls = Queue()

    def handler(channel, match):
        started = gevent.get_hub().loop.now()
        response = channel.playback("tone_stream://%(1000,0,440)")
        calls.put((response, gevent.get_hub().loop.now() - started))
        channel.on_hangup(lambda ch: calls.put(("hung up", ch.hangup_cause)))
        channel.hangup("USER_BUSY")

    sim.add_extension(r"^play$", handler)
    sim.place_call("play", "100", "Caller")
    response, elapsed = calls.get(timeout=5)
    assert response == "FILE PLAYED" and 0.08 <= elapsed < 0.5
    assert calls.get(timeout=5) == ("hung up", "USER_BUSY")


def test_dialplan_passed_to_constructor_and_unmatched_destination():
    seen = Queue()
    sim = Simulator(port=0, time_scale=0.05,
                    dialplan=[(r"^svc_(\w+)$", lambda ch, m: seen.put(m.group(1)))])
    sim.place_call("svc_abc", "1", "A")
    assert seen.get(timeout=5) == "abc"
    channel = sim.place_call("nowhere", "1", "A")
    assert not channel.is_up and channel.hangup_cause == "NO_ROUTE_DESTINATION"


def test_dialplan_join_shows_answer_and_conference_applications():
    sim = Simulator(port=0, time_scale=0.05)
    events = _recorder(sim)
    reply = sim.api("originate {origination_caller_id_number=1001,origination_caller_id_name="
                    "Alice}loopback/confmod_room1/default silent XML default")
    assert reply.startswith("+OK ")
    seen = _drain(events, lambda e: e.get("Action") == "add-member")
    b_leg = seen[-1].get("Unique-ID")
    names = [(e.name, e.get("Application")) for e in seen if e.get("Unique-ID") == b_leg]
    assert names == [("CHANNEL_CREATE", None), ("CHANNEL_EXECUTE", "answer"),
                     ("CHANNEL_ANSWER", None), ("CHANNEL_EXECUTE_COMPLETE", "answer"),
                     ("CHANNEL_EXECUTE", "conference"), ("CUSTOM", None)]
    execute = [e for e in seen if e.get("Application") == "conference"][0]
    assert execute.get("Application-Data") == "room1@default+flags{moderator}"
    sim.api("hupall")
    done = _drain(events, lambda e: e.name == "CHANNEL_HANGUP_COMPLETE"
                  and e.get("Unique-ID") == b_leg)
    assert [e.get("Application") for e in done if e.name == "CHANNEL_EXECUTE_COMPLETE"
            and e.get("Unique-ID") == b_leg] == ["conference"]
