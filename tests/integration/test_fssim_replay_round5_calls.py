"""Round 5 (carriers), calls through gateways replayed against two simulators over
TCP, one playing the carrier (fssim/carrier_plan.py): bgdial/dial outcomes, the
events of each leg, caller ids, counters, failover with ``|``, E.164 numbers
and the black hole, compared with what the real switch recorded."""
import re
import time

from tests.support.round5 import events, reply, round5, unported  # noqa: F401
from tests.support.sim import EslTestClient

LEG_HEADERS = ("Event-Name", "Action", "Result", "Channel-Name", "Hangup-Cause",
               "variable_sip_gateway_name", "variable_sofia_profile_name",
               "variable_sip_profile_name", "Caller-Caller-ID-Name", "Caller-Caller-ID-Number",
               "Caller-Callee-ID-Name", "Caller-Callee-ID-Number", "Caller-Destination-Number",
               "variable_sip_term_status")


def api(sim, command):
    client = EslTestClient(sim.host, sim.port)
    try:
        return client.api(command)
    finally:
        client.close()


def subscribe(sim):
    client = EslTestClient(sim.host, sim.port)
    client.command("event json CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE "
                   "BACKGROUND_JOB CUSTOM conference::maintenance sofia::gateway_state")
    return client


def ready(round5, variant="A"):
    switch, carrier, server, ports = round5
    server.variant = variant
    assert api(switch, "sofia profile external start").endswith("started successfully\n")
    api(switch, "originate {origination_caller_id_number=4301}loopback/conf_gwroom/default "
                "silent XML default")
    deadline = time.monotonic() + 5
    while not switch.json_list("gwroom"):      # the room exists: bgdials get a bgdial-result
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return switch, carrier, server, ports


def job_of(text):
    match = re.fullmatch(r"\+OK Job-UUID: ([0-9a-f\-]+)\n", text)
    assert match, text
    return match.group(1)


def result_of(client, job, timeout=5.0):
    return client.wait_event(lambda e: e.get("Action") == "bgdial-result"
                             and e.get("Job-UUID") == job, timeout)


def our_leg(name):
    """The recorded events of a step's job: its gateway legs' channel events (not the
    rig's far side, which the carrier simulator plays) and its bgdial-result."""
    return [e for e in events(name) if e.get("Action") == "bgdial-result"
            or "variable_conference_bgdial_jobid" in e]


def shape(event, job=None):
    out = {k: event.get(k) for k in LEG_HEADERS if k in event}
    if "variable_conference_bgdial_jobid" in event:
        out["jobid"] = "JOB"
    if "Peer-UUID" in event:
        out["peer"] = "PEER"
    return out


def collect(client, job, count, timeout=5.0):
    def ours(e):
        return e.get("Job-UUID") == job or e.get("variable_conference_bgdial_jobid") == job
    return [client.wait_event(ours, timeout) for _ in range(count)]


def test_answered_leg_events_caller_id_and_member(round5):
    switch, carrier, _server, _ports = ready(round5)
    client, far = subscribe(switch), subscribe(carrier)
    job = job_of(api(switch, "conference gwroom bgdial sofia/gateway/carrier1/9001 5551000 "
                             "'Acme Sales'"))
    got = collect(client, job, 3)
    want = our_leg("bgdial_answer")
    assert [shape(e) for e in got] == [shape(e) for e in want]
    peer = got[-1]["Peer-UUID"]
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    (recorded_add,) = [e for e in events("bgdial_answer") if e.get("Action") == "add-member"]
    assert added["Unique-ID"] == peer
    assert shape(added) == shape(recorded_add)
    created = far.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_CREATE")
    (recorded_far,) = [e for e in events("bgdial_answer") if e.get("Event-Name") ==
                       "CHANNEL_CREATE" and e["Channel-Name"].startswith("sofia/internal/")]
    assert shape(created) == shape(recorded_far)
    member = [m for m in switch.json_list("gwroom")[0]["members"] if m.get("uuid") == peer][0]
    assert (member["caller_id_name"], member["caller_id_number"]) == ("9001", "9001")
    line = [row for row in api(switch, "conference gwroom list").splitlines() if peer in row][0]
    assert line.split(";")[1:5] == ["sofia/external/9001", peer, "9001", "9001"]


def test_failed_legs_give_the_recorded_results(round5):
    switch, carrier, _server, _ports = ready(round5, "B")
    client = subscribe(switch)
    for step, command, count in [
            ("bgdial_busy", "conference gwroom bgdial sofia/gateway/carrier1/6001", 3),
            ("bgdial_unreachable_carrier2", "conference gwroom bgdial sofia/gateway/carrier2/9002",
             3),
            ("bgdial_noanswer_timeout5",
             "conference gwroom bgdial {originate_timeout=5}sofia/gateway/carrier1/5001", 3),
            ("bgdial_unknown_gateway", "conference gwroom bgdial sofia/gateway/nosuchgw/9003", 1)]:
        job = job_of(api(switch, command))
        got = collect(client, job, count)
        want = our_leg(step)
        assert sorted(map(repr, map(shape, got))) == sorted(map(repr, map(shape, want))), step


def test_far_side_of_a_cancelled_call(round5):
    switch, carrier, _server, _ports = ready(round5)
    far = subscribe(carrier)
    api(switch, "conference gwroom bgdial {originate_timeout=5}sofia/gateway/carrier1/5001")
    ended = far.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE")
    assert ended["Hangup-Cause"] == "ORIGINATOR_CANCEL"
    assert ended["variable_sip_term_status"] == "487"


def test_sync_dial_and_counters(round5):
    switch, _carrier, _server, ports = ready(round5, "B")
    assert api(switch, "conference gwroom dial sofia/gateway/carrier1/9004 5551001 Test") == \
        reply("dial_answer")
    assert api(switch, "conference gwroom dial sofia/gateway/carrier1/6002 5551002 Test") == \
        reply("dial_busy")
    detail = api(switch, "sofia status gateway carrier1")
    assert "CallsOUT\t2\n" in detail and "FailedCallsOUT\t1\n" in detail
    api(switch, "conference gwroom bgdial sofia/gateway/carrier2/9002")
    listing = unported(api(switch, "sofia status gateway"), ports)
    assert "external::carrier2\t sip:FreeSWITCH@127.0.0.1:5998\tNOREG\t 0.00\t0/0\t1/1" in listing


def test_failover_by_hand_and_with_pipes(round5):
    switch, _carrier, server, _ports = ready(round5, "C")
    client, gateways = subscribe(switch), subscribe(switch)
    gateways.wait_event(lambda e: e.get("Event-Subclass") == "sofia::gateway_state"
                        and e.get("Gateway") == "carrier_down")
    job = job_of(api(switch, "conference gwroom bgdial sofia/gateway/carrier_down/9005 "
                             "5551005 'Acme Sales'"))
    assert result_of(client, job)["Result"] == "GATEWAY_DOWN"
    assert not [e for e in client.events if "9005" in e.body.decode(errors="replace")]
    job = job_of(api(switch, "conference gwroom bgdial sofia/gateway/carrier_down/9006|"
                             "sofia/gateway/carrier1/9006 5551006 'Acme Sales'"))
    result = result_of(client, job)
    assert result["Result"] == "SUCCESS" and result["Peer-UUID"]
    job = job_of(api(switch, "conference gwroom bgdial {originate_continue_on_timeout=true}"
                             "sofia/gateway/carrier2/9007|sofia/gateway/carrier1/9007 5551007 "
                             "'Acme Sales'"))
    got = collect(client, job, 5)
    assert [shape(e) for e in got] == [shape(e) for e in our_leg("failover_pipe_unreachable_first")]
    down = api(switch, "sofia status gateway carrier_down")
    assert "CallsOUT\t0\n" in down and "FailedCallsOUT\t2\n" in down


def test_e164_number_reaches_the_carrier_unchanged(round5):
    switch, carrier, _server, _ports = ready(round5)
    far = subscribe(carrier)
    assert api(switch, "originate sofia/gateway/carrier1/+15551234567 &park") == \
        reply("originate_e164_plus")
    created = far.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_CREATE")
    assert created["Caller-Destination-Number"] == "+15551234567"
    assert created["variable_sip_req_user"] == "+15551234567"


def test_black_hole_timer_b_progress_timeout_and_the_pipe_quirk(round5):
    switch, _carrier, server, _ports = ready(round5, "D")
    client = subscribe(switch)
    job = job_of(api(switch, "conference gwroom bgdial sofia/gateway/carrier_blackhole/9010 "
                             "5551010 'Acme Sales'"))
    assert result_of(client, job, 10)["Result"] == "RECOVERY_ON_TIMER_EXPIRE"
    job = job_of(api(switch, "conference gwroom bgdial {leg_progress_timeout=3}"
                             "sofia/gateway/carrier_blackhole/9012 5551012 'Acme Sales'"))
    assert result_of(client, job)["Result"] == "PROGRESS_TIMEOUT"
    job = job_of(api(switch, "conference gwroom bgdial [leg_progress_timeout=3]"
                             "sofia/gateway/carrier_blackhole/9013|sofia/gateway/carrier1/9013 "
                             "5551013 'Acme Sales'"))
    result = result_of(client, job)
    recorded = [e for e in events("blackhole/bgdial_blackhole_then_carrier1_pipe")
                if e.get("Action") == "bgdial-result"][0]
    assert (result["Result"], bool(result.get("Peer-UUID"))) == ("PROGRESS_TIMEOUT", True)
    assert recorded["Result"] == "PROGRESS_TIMEOUT" and recorded["Peer-UUID"]
    added = client.wait_event(lambda e: e.get("Action") == "add-member")
    assert added["Unique-ID"] == result["Peer-UUID"]   # with '|', trust Peer-UUID
