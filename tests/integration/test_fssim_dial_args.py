"""dial/bgdial arguments as FreeSWITCH reads them: quoted caller-id names (split by
switch_separate_string), `{origination_uuid=...}` as the member's Unique-ID, and
TCP_NODELAY on the ESL sockets."""
import socket
import uuid

import pytest

@pytest.fixture
def fast(fssim_factory):
    sim = fssim_factory(time_scale=0.05)
    sim.register_device("1000", "rig.test", behaviour="answer")
    return sim


def _member(sim, uuid_):
    members = sim.json_list("room1")[0]["members"]
    return next((m for m in members if m.get("uuid") == uuid_), None)


@pytest.mark.parametrize("endpoint", ["loopback/talk_steady/default", "user/1000@rig.test"])
def test_quoted_caller_id_name_is_one_argument(fast, events_on, endpoint):
    client = events_on(fast)
    fast.join("room1", "1001", "Alice")
    reply = client.api(f"conference room1 bgdial {endpoint} 5551212 'Conference XYZ'")
    assert reply.startswith("+OK Job-UUID: ")
    added = client.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Caller-Orig-Caller-ID-Number") == "5551212")
    # As recorded (round2 bgdial, round3 add_member.*): the dialled name and number are
    # the originating caller id; the member's own caller id name is "Outbound Call".
    assert added["Caller-Orig-Caller-ID-Name"] == "Conference XYZ"
    assert added["Caller-Caller-ID-Name"] == "Outbound Call"
    channel = fast.core.channel(added["Unique-ID"])
    assert channel.get_variable("origination_caller_id_name") == "Conference XYZ"
    listed = _member(fast, added["Unique-ID"])
    assert listed["caller_id_name"] == "Outbound Call"


def test_unquoted_extra_words_after_the_name_are_ignored(fast, events_on):
    """conference_api_sub_dial passes argv[4] as the name; argv[5...] go nowhere."""
    client = events_on(fast)
    fast.join("room1", "1001", "Alice")
    assert client.api("conference room1 dial loopback/talk_steady/default 5551213 Conference XYZ") \
        == "+OK Call Requested: result: [SUCCESS]\n"
    added = client.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Caller-Orig-Caller-ID-Number") == "5551213")
    assert added["Caller-Orig-Caller-ID-Name"] == "Conference"


@pytest.mark.parametrize("endpoint", ["loopback/talk_steady/default", "user/1000@rig.test"])
def test_bgdial_origination_uuid_is_the_member_unique_id(fast, events_on, endpoint):
    client = events_on(fast)
    fast.join("room1", "1001", "Alice")
    call_id = str(uuid.uuid4())
    reply = client.api(f"conference room1 bgdial {{origination_uuid={call_id}}}{endpoint} 2001 Dialed")
    job = reply.split()[-1]
    result = client.wait_event(lambda e: e.get("Action") == "bgdial-result")
    assert (result["Job-UUID"], result["Result"], result["Peer-UUID"]) == (job, "SUCCESS", call_id)
    added = client.wait_event(lambda e: e.get("Action") == "add-member"
                              and e.get("Caller-Orig-Caller-ID-Number") == "2001")
    assert added["Unique-ID"] == call_id
    assert _member(fast, call_id) is not None


def test_dial_and_originate_honour_origination_uuid(fast, events_on):
    client = events_on(fast)
    alice = fast.join("room1", "1001", "Alice")
    dialled, originated = str(uuid.uuid4()), str(uuid.uuid4())
    assert client.api(f"conference room1 dial {{origination_uuid={dialled}}}loopback/talk_steady/default "
                      "2002 Dialed") == "+OK Call Requested: result: [SUCCESS]\n"
    assert client.wait_event(lambda e: e.get("Action") == "add-member"
                             and e.get("Unique-ID") != alice.uuid)["Unique-ID"] == dialled
    assert client.api(f"originate {{origination_uuid={originated}}}user/1000@rig.test &conference(room1)") \
        == f"+OK {originated}\n"
    assert client.wait_event(lambda e: e.get("Action") == "add-member"
                             and e.get("Unique-ID") not in (alice.uuid, dialled))["Unique-ID"] == originated
    assert _member(fast, dialled) is not None and _member(fast, originated) is not None


def test_accepted_esl_sockets_have_tcp_nodelay(fast, esl_client_factory):
    esl_client_factory(fast)
    sessions = list(fast.server.sessions)
    assert sessions
    for session in sessions:
        assert session.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_outbound_socket_connection_has_tcp_nodelay(fssim, monkeypatch):
    """The `socket` application's connection to the service, as mod_event_socket makes it."""
    import gevent
    import gevent.queue
    from gevent.server import StreamServer

    from fssim import outbound
    made, seen = [], gevent.queue.Queue()
    real_connect = outbound.socket.create_connection
    monkeypatch.setattr(outbound.socket, "create_connection",
                        lambda *args, **kwargs: made.append(real_connect(*args, **kwargs)) or made[-1])

    def service(sock, address):
        sock.sendall(b"connect\n\n")
        sock.recv(65536)  # the channel data: the simulator's socket is set up by now
        seen.put(made[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        sock.sendall(b"exit\n\n")
        gevent.sleep(0.1)
        sock.close()

    server = StreamServer(("127.0.0.1", 0), service)
    server.start()
    try:
        fssim.add_extension(r"^svc$", outbound.socket_extension("127.0.0.1", server.server_port))
        fssim.place_call("svc", "1001", "Alice")
        assert seen.get(timeout=5) != 0
    finally:
        server.stop(timeout=1)
