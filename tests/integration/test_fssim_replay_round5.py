"""Round 5 (carriers), replayed against the simulator over TCP: the sofia profile
and gateway life cycle (start, status, rescan, killgw, startgw, restart, stop),
with the sofia.conf fetches over mod_xml_curl and the gateway events, compared
with the recorded replies, requests and events (ports and times normalised)."""
import re
import time

import pytest

from tests.support.round5 import events, recorded_requests, reply, round5, unported  # noqa: F401
from tests.support.sim import EslTestClient

COMMON = {"Core-UUID", "FreeSWITCH-Hostname", "FreeSWITCH-Switchname", "FreeSWITCH-IPv4",
          "FreeSWITCH-IPv6", "Event-Date-Local", "Event-Date-GMT", "Event-Date-Timestamp",
          "Event-Sequence"}


def api(sim, command):
    client = EslTestClient(sim.host, sim.port)
    try:
        return client.api(command)
    finally:
        client.close()


def gateway_events_client(sim, extra=""):
    """Subscribed as the recording's gateway-events connection (+ ``extra`` subclasses)."""
    client = EslTestClient(sim.host, sim.port)
    reply_ = client.command("event json CUSTOM sofia::gateway_add sofia::gateway_delete "
                            "sofia::profile_start" + extra)
    assert reply_.headers["Reply-Text"] == "+OK event listener enabled json"
    return client


def comparable(event):
    return {k: v for k, v in event.items() if k not in COMMON}


def next_events(client, count, timeout=5.0):
    got = []
    for _ in range(count):
        got.append(client.wait_event(lambda e: e.get("Event-Name") == "CUSTOM", timeout))
    return got


def rewrite(text, ports):
    """Our status text with the recorded ports and no times (Uptime, Ping epoch)."""
    text = unported(text, ports)
    text = re.sub(r"Uptime \t\d+s", "Uptime \tNs", text)
    return re.sub(r"Ping \t\d{6,}", "Ping \tEPOCH", text)


def recorded(name):
    return rewrite(reply(name), {"carrier": "5060", "down": "5999", "unreachable": "5998",
                                 "blackhole": "5997"})


def test_start_fetches_sofia_conf_twice_and_adds_the_gateways(round5):
    switch, _carrier, server, ports = round5
    watcher = gateway_events_client(switch)
    assert api(switch, "sofia profile external start") == reply("profile_external_start")
    ours, theirs = server.sofia_requests(), recorded_requests()
    assert [[name for name, _ in fields] for fields in ours] == \
        [[name for name, _ in fields] for fields in theirs[:2]]
    for mine, recorded_fields in zip(ours, theirs[:2]):
        for field in ("Event-Calling-Function", "Event-Calling-File", "profile", "reconfig",
                      "Event-Name", "section", "key_value"):
            assert dict(mine).get(field) == dict(recorded_fields).get(field), field
    assert server.requests[0][0] == "freeswitch-xml/1.0"
    got = next_events(watcher, 3)
    want = events("profile_external_start", "gwevents")
    assert [comparable(e) for e in got] == [unported_event(e, ports) for e in want]
    watcher.close()


def unported_event(event, ports):
    out = comparable(event)
    if "profile_uri" in out:
        out["profile_uri"] = "sip:mod_sofia@127.0.0.1:5080"
    return out


def test_status_tables_and_gateway_details(round5):
    switch, _carrier, _server, ports = round5
    api(switch, "sofia profile external start")
    assert rewrite(api(switch, "sofia status"), ports) == recorded("sofia_status")
    assert rewrite(api(switch, "sofia status gateway"), ports) == \
        recorded("sofia_status_gateway_all")
    assert rewrite(api(switch, "sofia status gateway carrier1"), ports) == \
        recorded("sofia_status_gateway_carrier1")
    assert api(switch, "sofia status gateway nosuchgw") == reply("sofia_status_gateway_nosuchgw")
    assert api(switch, "sofia xmlstatus gateway carrier1").startswith("-ERR fssim:")


def test_failed_ping_takes_the_gateway_down(round5):
    switch, _carrier, _server, ports = round5
    watcher = gateway_events_client(switch, " sofia::gateway_state")
    api(switch, "sofia profile external start")
    next_events(watcher, 3)
    (state,) = next_events(watcher, 1)          # ping 5 s, ICMP: 503
    (want,) = events("carrier_down_ping_fails")
    assert comparable(state) == comparable(want)
    assert rewrite(api(switch, "sofia status gateway carrier_down"), ports) == \
        recorded("sofia_status_gateway_carrier_down_after_ping")
    # sofia status keeps saying NOREG: the ping state shows only in the gateway's detail
    assert rewrite(api(switch, "sofia status"), ports) == recorded("sofia_status_after_ping")
    watcher.close()


def test_rescan_adds_but_neither_changes_nor_removes(round5):
    switch, _carrier, server, ports = round5
    watcher = gateway_events_client(switch)
    api(switch, "sofia profile external start")
    next_events(watcher, 3)
    server.variant = "B"
    before = len(server.sofia_requests())
    assert api(switch, "sofia profile external rescan") == reply("profile_external_rescan")
    (fetch,) = server.sofia_requests()[before:]
    assert dict(fetch)["reconfig"] == "true" and "gateway" not in dict(fetch)
    (added,) = next_events(watcher, 1)
    assert comparable(added) == comparable(events("profile_external_rescan", "gwevents")[0])
    assert rewrite(api(switch, "sofia status"), ports) == recorded("sofia_status_after_rescan")
    detail = api(switch, "sofia status gateway carrier1")
    assert "Exten   \tFreeSWITCH\n" in detail            # "Ignoring duplicate gateway"
    assert api(switch, "sofia status gateway carrier_down").startswith("=====")  # not removed
    watcher.close()


def test_killgw_then_rescan_changes_a_gateway(round5):
    switch, _carrier, server, ports = round5
    watcher = gateway_events_client(switch)
    api(switch, "sofia profile external start")
    next_events(watcher, 3)
    server.variant = "B"
    api(switch, "sofia profile external rescan")
    next_events(watcher, 1)
    assert api(switch, "sofia profile external killgw carrier_down") == reply("killgw_carrier_down")
    (deleted,) = next_events(watcher, 1)
    assert comparable(deleted) == comparable(events("killgw_carrier_down", "gwevents")[0])
    assert api(switch, "sofia status gateway carrier_down") == \
        reply("sofia_status_gateway_carrier_down_after_killgw")
    assert rewrite(api(switch, "sofia status"), ports) == recorded("sofia_status_after_killgw")
    assert api(switch, "sofia profile external killgw nosuchgw") == reply("killgw_nosuchgw")
    assert api(switch, "sofia profile external killgw carrier1") == reply("killgw_carrier1")
    next_events(watcher, 1)
    assert api(switch, "sofia profile external rescan") == \
        reply("profile_external_rescan_after_killgw_carrier1")
    (added,) = next_events(watcher, 1)
    assert comparable(added) == comparable(
        events("profile_external_rescan_after_killgw_carrier1", "gwevents")[0])
    assert rewrite(api(switch, "sofia status gateway carrier1"), ports) == \
        recorded("sofia_status_gateway_carrier1_after_killgw_rescan")
    watcher.close()


def test_restart_stop_and_the_ten_second_rule(round5):
    switch, _carrier, server, ports = round5
    watcher = gateway_events_client(switch)
    assert api(switch, "sofia profile external restart") == "Invalid Profile [external]"
    api(switch, "sofia profile external start")
    next_events(watcher, 3)
    too_soon = api(switch, "sofia profile external restart")
    assert re.sub(r"wait \d+", "wait N", too_soon) == \
        re.sub(r"wait \d+", "wait N", reply("profile_external_restart_too_soon"))
    time.sleep(10 * switch.time_scale + 0.05)
    server.variant = "B"
    assert api(switch, "sofia profile external restart") == reply("profile_external_restart")
    got = [e["Event-Subclass"] for e in next_events(watcher, 5)]
    assert got == [e["Event-Subclass"] for e in events("profile_external_restart", "gwevents")]
    time.sleep(10 * switch.time_scale + 0.05)
    assert api(switch, "sofia profile external stop") == reply("profile_external_stop")
    assert [e["Event-Subclass"] for e in next_events(watcher, 2)] == \
        ["sofia::gateway_delete"] * 2
    assert api(switch, "sofia status") == reply("sofia_status_final")
    watcher.close()


def test_startgw_takes_one_gateway_from_the_whole_document(round5):
    switch, _carrier, server, ports = round5
    watcher = gateway_events_client(switch)
    api(switch, "sofia profile external start")
    next_events(watcher, 3)
    api(switch, "sofia profile external killgw carrier_down")
    next_events(watcher, 1)
    server.variant = "C"
    before = len(server.sofia_requests())
    assert api(switch, "sofia profile external startgw carrier_down") == \
        reply("startgw_carrier_down")
    (fetch,) = server.sofia_requests()[before:]
    assert dict(fetch)["gateway"] == "carrier_down" and dict(fetch)["reconfig"] == "true"
    (added,) = next_events(watcher, 1)
    assert comparable(added) == comparable(events("startgw_carrier_down", "gwevents")[0])
    assert "external::carrier2" not in api(switch, "sofia status")   # only the one named
    watcher.close()


@pytest.mark.parametrize("command, expected", [
    ("sofia profile nosuch rescan", "Invalid Profile [nosuch]"),
    ("sofia frobnicate", "Unknown Command [frobnicate]\n"),
])
def test_refusals(round5, command, expected):
    switch = round5[0]
    assert api(switch, command) == expected
