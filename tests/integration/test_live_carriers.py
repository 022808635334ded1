"""Numbers dialled out through carriers, against two simulated FreeSWITCH nodes
over TCP (their external profile fetches its gateways from crossbar over
xml_curl) and simulators playing the carriers' side: rules and priorities pick
the gateway, failed legs fail over, every node is rescanned when resources
change, and one account's carriers are never another's."""
import contextlib

import gevent

from tests.support.carriers import carrier_rig, closed_udp_port, wait_for  # noqa: F401
from tests.support.sim import EslTestClient


def legs_of(reply):
    assert reply.status_code in (200, 422), reply.get_json()
    body = reply.get_json()
    return body["data"]["endpoint_responses"]


def far_calls(carrier):
    """The request line of every INVITE the carrier got."""
    return [line for line in carrier.core.carrier.received if line.startswith("INVITE")]


def test_rules_and_priorities_choose_the_gateway(carrier_rig):
    rig = carrier_rig
    cheap, cheap_port = rig.make_carrier()
    dear, dear_port = rig.make_carrier()
    uk, uk_port = rig.make_carrier()
    rig.resource(None, [dear_port], scope="system", name="system", weight_cost=1,
                 rules=[r"^\+1\d{10}$"])
    rig.resource(rig.alpha, [cheap_port], name="cheap", weight_cost=50, rules=[r"^\+1555"])
    uk_resource = rig.resource(rig.alpha, [(uk_port, {"invite_format": "npan", "prefix": "9"})],
                               name="uk", weight_cost=1, rules=[r"^\+44"])
    conference_id, _room = rig.running_room(rig.alpha)
    legs = legs_of(rig.dial(rig.alpha, conference_id, ["5552234567", "+442071234567",
                                                       "+33142685300"]))
    us, gb, fr = legs
    assert us["status"] == "success" and us["resource_name"] == "cheap", us
    assert us["scope"] == "account" and [a["cause"] for a in us["attempts"]] == ["SUCCESS"]
    assert [line.split()[1] for line in far_calls(cheap)] == [
        f"sip:+15552234567@127.0.0.1:{cheap_port}"]
    assert gb["status"] == "success" and gb["resource_id"] == uk_resource["id"]
    assert far_calls(uk)[0].split()[1].startswith("sip:9442071234567@")   # npan + prefix
    assert fr["status"] == "error" and fr["message"] == "no resource (carrier) takes this number"
    assert not far_calls(dear)   # the account's own resources first


def test_system_first_when_the_account_says_so(carrier_rig):
    rig = carrier_rig
    own, own_port = rig.make_carrier()
    system, system_port = rig.make_carrier()
    rig.resource(None, [system_port], scope="system", name="system", rules=[r"^\+1"])
    rig.resource(rig.alpha, [own_port], name="own", rules=[r"^\+1"])
    reply = rig.api.call("PATCH", f"/v2/accounts/{rig.alpha.account_id}",
                         {"resource_order": "system_first"}, token=rig.api.root.token)
    assert reply.status_code == 200, reply.get_json()
    conference_id, _room = rig.running_room(rig.alpha)
    (leg,) = legs_of(rig.dial(rig.alpha, conference_id, ["+15550001111"]))
    assert leg["status"] == "success" and leg["scope"] == "system"
    assert "server" not in leg and "server" not in leg["attempts"][0]   # the operator's carrier
    assert far_calls(system) and not far_calls(own)


def test_failover_on_unreachable_and_busy_reaches_the_next_gateway(carrier_rig):
    rig = carrier_rig
    busy, busy_port = rig.make_carrier([(".*", "busy")])
    good, good_port = rig.make_carrier()
    resource = rig.resource(rig.alpha, [closed_udp_port(), busy_port, good_port],
                            rules=[r"^\+1"])
    conference_id, room = rig.running_room(rig.alpha)
    (leg,) = legs_of(rig.dial(rig.alpha, conference_id, ["+15557654321"], timeout=10))
    assert [a["cause"] for a in leg["attempts"]] == ["NORMAL_TEMPORARY_FAILURE", "USER_BUSY",
                                                     "SUCCESS"]
    assert [a["gateway_index"] for a in leg["attempts"]] == [0, 1, 2]
    assert leg["status"] == "success" and leg["gateway_index"] == 2
    assert leg["resource_id"] == resource["id"] and leg["server"] == "127.0.0.1"
    wait_for(lambda: leg["call_id"] in {m.get("uuid") for m in
                                        rig.nodes[0].json_list(room)[0]["members"]})
    assert len(rig.bgdials(rig.nodes[0])) == 3 and not rig.bgdials(rig.nodes[1])


def test_no_answer_fails_over_within_the_dial_timeout(carrier_rig):
    rig = carrier_rig
    silent, silent_port = rig.make_carrier([(".*", "no_answer")])
    good, good_port = rig.make_carrier()
    rig.resource(rig.alpha, [silent_port, good_port], rules=[r"^\+1"])
    conference_id, _room = rig.running_room(rig.alpha)
    (leg,) = legs_of(rig.dial(rig.alpha, conference_id, ["+15550009999"], timeout=8))
    assert [a["cause"] for a in leg["attempts"]] == ["NO_ANSWER", "SUCCESS"]
    first, second = rig.bgdials(rig.nodes[0])
    timeouts = [int(c.split("originate_timeout=")[1].split("}")[0].split(",")[0])
                for c in (first, second)]
    assert 7 <= timeouts[0] <= 8 and 1 <= timeouts[1] <= timeouts[0]   # what is left of 8 s


def test_unknown_gateway_is_skipped_without_dialling(carrier_rig):
    rig = carrier_rig
    _one, one_port = rig.make_carrier()
    two, two_port = rig.make_carrier()
    rig.resource(rig.alpha, [one_port, two_port], rules=[r"^\+1"])
    first_name = sorted(rig.gateway_names(rig.nodes[0]))
    for name in first_name[:1]:
        rig.nodes[0].api(f"sofia profile external killgw {name}")
    wait_for(lambda: len(rig.gateway_names(rig.nodes[0])) == 1)
    conference_id, _room = rig.running_room(rig.alpha)
    (leg,) = legs_of(rig.dial(rig.alpha, conference_id, ["+15550002222"]))
    causes = [a["cause"] for a in leg["attempts"]]
    assert causes in (["INVALID_GATEWAY", "SUCCESS"], ["SUCCESS"]), causes
    assert len(rig.bgdials(rig.nodes[0])) == 1


def test_every_endpoint_failing_is_422_with_each_attempt(carrier_rig):
    rig = carrier_rig
    rig.resource(rig.alpha, [closed_udp_port()], rules=[r"^\+1"])
    conference_id, _room = rig.running_room(rig.alpha)
    reply = rig.dial(rig.alpha, conference_id, ["+15550003333", "+4930123456"])
    assert reply.status_code == 422
    failed, unrouted = legs_of(reply)
    assert failed["attempts"][0]["cause"] == "NORMAL_TEMPORARY_FAILURE"
    assert failed["message"] == "dial failed on every gateway: NORMAL_TEMPORARY_FAILURE"
    assert unrouted["message"] == "no resource (carrier) takes this number"


def test_caller_id_per_resource_options_and_dial_values(carrier_rig):
    rig = carrier_rig
    forced, forced_port = rig.make_carrier()
    rig.resource(rig.alpha, [forced_port], rules=[r"^\+1"],
                 caller_id_options={"number": "+15550000001", "name": "Main Line",
                                    "force": True})
    conference_id, _room = rig.running_room(rig.alpha)
    far = EslTestClient(forced.host, forced.port)          # the carrier's switch, over TCP
    far.command("event json CHANNEL_CREATE")
    legs_of(rig.dial(rig.alpha, conference_id, ["+15550004444"], caller_id_number="777",
                     caller_id_name="Ignored"))
    (sent,) = rig.bgdials(rig.nodes[0])
    assert sent.endswith(" +15550000001 'Main Line'")
    created = far.wait_event(lambda e: e.get("Event-Name") == "CHANNEL_CREATE")
    assert (created["Caller-Caller-ID-Number"], created["Caller-Caller-ID-Name"],
            created["Caller-Destination-Number"]) == ("+15550000001", "Main Line", "+15550004444")
    far.close()


def test_a_conference_number_of_ours_stays_in_the_dialplan(carrier_rig):
    rig = carrier_rig
    _carrier, port = rig.make_carrier()
    rig.resource(rig.alpha, [port], rules=[r".*"])
    reply = rig.api.call("PUT", f"/v2/accounts/{rig.beta.account_id}/conferences",
                         {"name": "Beta line", "conference_numbers": ["4155550100"]},
                         token=rig.beta.token)
    assert reply.status_code == 201
    conference_id, _room = rig.running_room(rig.alpha)
    rig.dial(rig.alpha, conference_id, ["4155550100"])
    (sent,) = rig.bgdials(rig.nodes[0])
    assert "}loopback/4155550100/default" in sent and "sofia/gateway" not in sent


def test_sip_uris_go_through_resources_that_allow_them(carrier_rig):
    rig = carrier_rig
    carrier, port = rig.make_carrier()
    rig.resource(rig.alpha, [port], allow_sip_uris=True)
    conference_id, _room = rig.running_room(rig.alpha)
    (leg,) = legs_of(rig.dial(rig.alpha, conference_id, ["sip:bob@far.example.net"]))
    (sent,) = rig.bgdials(rig.nodes[0])
    assert "/bob@far.example.net " in sent + " " and "sofia/gateway/kz_" in sent
    assert leg["status"] == "success", leg


def test_accounts_never_use_each_others_carriers(carrier_rig):
    rig = carrier_rig
    alphas, port = rig.make_carrier()
    alpha_resource = rig.resource(rig.alpha, [port], rules=[r"^\+1"])
    path = f"/v2/accounts/{rig.alpha.account_id}/resources"
    assert rig.api.call("GET", path, token=rig.beta.token).status_code == 403
    other = f"/v2/accounts/{rig.beta.account_id}/resources/{alpha_resource['id']}"
    assert rig.api.call("GET", other, token=rig.beta.token).status_code == 404
    assert rig.api.call("GET", f"/v2/accounts/{rig.beta.account_id}/resources",
                        token=rig.beta.token).get_json()["data"] == []
    conference_id, _room = rig.running_room(rig.beta)
    reply = rig.dial(rig.beta, conference_id, ["+15550005555"])
    assert reply.status_code == 422
    (leg,) = legs_of(reply)
    assert leg["message"] == "no resource (carrier) takes this number"
    assert not far_calls(alphas) and not rig.bgdials(rig.nodes[0])


def test_every_node_is_rescanned_and_changed_gateways_are_killed(carrier_rig):
    rig = carrier_rig
    _carrier, port = rig.make_carrier()
    marks = [len(node.command_log) for node in rig.nodes]
    created = rig.resource(rig.alpha, [port], rules=[r"^\+1"])
    assert created["_read_only"]["gateway_sync"] == {
        node.node_name: {"status": "success", "killed": []} for node in rig.nodes}
    for node, mark in zip(rig.nodes, marks):
        assert node.command_log[mark:] == ["sofia status gateway",
                                           "sofia profile external rescan"]
    first = [rig.gateway_names(node) for node in rig.nodes]
    assert first[0] == first[1] and len(first[0]) == 1
    path = f"/v2/accounts/{rig.alpha.account_id}/resources/{created['id']}"
    reply = rig.api.call("PATCH", path, {"gateways": [{"server": "127.0.0.1", "port": port,
                                                       "prefix": "1"}]}, token=rig.alpha.token)
    assert reply.status_code == 200, reply.get_json()
    synced = reply.get_json()["data"]["_read_only"]["gateway_sync"]
    assert all(result["killed"] == first[0] for result in synced.values())
    for node in rig.nodes:
        assert f"sofia profile external killgw {first[0][0]}" in node.command_log
        wait_for(lambda n=node: rig.gateway_names(n) != first[0]
                 and len(rig.gateway_names(n)) == 1)
    reply = rig.api.call("DELETE", path, token=rig.alpha.token)
    assert reply.status_code == 200
    for node in rig.nodes:
        wait_for(lambda n=node: rig.gateway_names(n) == [])


def test_a_node_without_the_profile_is_reported(carrier_rig):
    rig = carrier_rig
    rig.nodes[1].api("sofia profile external stop")   # too soon: the profile stays
    rig.nodes[1].core.sofia.stop("external")
    _carrier, port = rig.make_carrier()
    created = rig.resource(rig.alpha, [port], rules=[r"^\+1"])
    synced = created["_read_only"]["gateway_sync"]
    assert synced[rig.nodes[0].node_name]["status"] == "success"
    assert synced[rig.nodes[1].node_name] == {"status": "error",
                                              "message": "rescan: Invalid Profile [external]"}


@contextlib.contextmanager
def node_away(rig):
    """A resync on reconnect, a carrier and node 1 watched then stopped:
    ``(carrier port, the stopped node)``."""
    from crossbar.resources.sync import GatewaySync, ResyncOnReconnect
    live = rig.live
    live.watcher.start()
    resync = ResyncOnReconnect(GatewaySync(live.pool, rig.api.store, "external", 2.0),
                               live.watcher).start()
    try:
        _carrier, port = rig.make_carrier()
        away = rig.nodes[1]
        wait_for(lambda: live.watcher.ready(away.node_name, 0.1), timeout=30)
        away.stop()                                        # the node is unreachable
        yield port, away
    finally:
        resync.close()


def test_a_node_that_missed_a_change_is_synced_when_it_reconnects(carrier_rig):
    rig = carrier_rig
    with node_away(rig) as (port, away):
        created = rig.resource(rig.alpha, [port], rules=[r"^\+1"])
        assert created["_read_only"]["gateway_sync"][away.node_name]["status"] == "error"
        assert rig.gateway_names(rig.nodes[0]) and not away.core.sofia.profiles["external"].gateways
        away.start()                                       # back on the same port
        wait_for(lambda: len(away.core.sofia.profiles["external"].gateways) == 1, timeout=30)
        assert rig.gateway_names(away) == rig.gateway_names(rig.nodes[0])


def test_a_resync_waits_for_the_command_connection_to_come_back(carrier_rig):
    """The event connection (which announces the node back) and the command one (which
    syncs) reconnect apart, each with its own back-off: the resync waits for the latter."""
    rig = carrier_rig
    live = rig.live
    with node_away(rig) as (port, away):
        rig.resource(rig.alpha, [port], rules=[r"^\+1"])
        commands = live.pool.client(away.node_name)
        commands.close()                                   # the command connection stays down
        away.start()                                       # while the event connection is back
        wait_for(lambda: live.watcher.ready(away.node_name, 0.1), timeout=30)
        gevent.sleep(0.2)          # a resync that does not wait would fail now, and give up
        assert not away.core.sofia.profiles["external"].gateways
        commands.start()
        wait_for(lambda: len(away.core.sofia.profiles["external"].gateways) == 1, timeout=30)
        assert rig.gateway_names(away) == rig.gateway_names(rig.nodes[0])


NASTY_DIALS = [{"caller_id_name": "Conf\nXYZ"}, {"caller_id_name": "a'b"},
               {"caller_id_number": "555 1212"}, {"caller_id_number": "1,origination_uuid=x"},
               {"participant_flags": ["mute}{"]}, {"timeout": "5}{x"}]


def test_nasty_dial_values_never_reach_a_node(carrier_rig):
    rig = carrier_rig
    _carrier, port = rig.make_carrier()
    rig.resource(rig.alpha, [port], rules=[r"^\+1"])
    conference_id, _room = rig.running_room(rig.alpha)
    for data in NASTY_DIALS:
        marks = [len(node.command_log) for node in rig.nodes]
        reply = rig.dial(rig.alpha, conference_id, ["+15552234567"], **data)
        assert reply.status_code == 400, (data, reply.get_json())
        assert [node.command_log[mark:] for node, mark in zip(rig.nodes, marks)] == [[], []]
    body = {"action": "dial", "data": {"custom_application_vars": {"x": "a,b=c"},
                                       "data": {"endpoints": ["+15552234567"]}}}
    reply = rig.api.call("PUT", f"/v2/accounts/{rig.alpha.account_id}/conferences/"
                                f"{conference_id}", body=body, token=rig.alpha.token)
    assert reply.status_code == 400
    assert not rig.bgdials(rig.nodes[0])
