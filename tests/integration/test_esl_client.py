"""EslClient / EslPool over real TCP against a server that plays back recorded frames."""
import time

import gevent
import gevent.queue
import pytest

from kzcore.config import EslNode
from kzcore.errors import SwitchRefused, SwitchUnavailable
from kzcore.esl import EslAuthError, EslClient, EslPool
from kzcore.esl.frames import FrameParser, parse_event
from tests.support.esl_script_server import EslScriptServer, recorded_body
from tests.support.paths import fs_fixture

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def server():
    script = EslScriptServer().start()
    yield script
    script.stop()


@pytest.fixture
def make_client(server):
    clients = []

    def make(**options):
        options.setdefault("timeout", 1.0)
        options.setdefault("backoff", (0.05, 0.2))
        client = EslClient("127.0.0.1", server.port, options.pop("password", "ClueCon"), name="fs1", **options)
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()


def started(client, timeout=3):
    client.start()
    assert client.wait_connected(timeout)
    return client


def test_wrong_password_is_a_clear_auth_error(make_client):
    client = make_client(password="NotThePassword")
    with pytest.raises(EslAuthError) as raised:
        client.connect()
    assert raised.value.message == "authentication failed for node fs1: -ERR invalid"
    assert isinstance(raised.value, SwitchUnavailable) and not client.connected


def test_refused_and_silent_servers_are_unavailable():
    closed = EslClient("127.0.0.1", 1, "x", name="fs-closed", timeout=0.5)
    with pytest.raises(SwitchUnavailable, match="fs-closed"):
        closed.connect()
    from gevent.server import StreamServer
    silent = StreamServer(("127.0.0.1", 0), lambda sock, addr: gevent.sleep(5))
    silent.start()
    try:
        client = EslClient("127.0.0.1", silent.server_port, "x", name="fs-silent", timeout=0.3)
        with pytest.raises(SwitchUnavailable, match="no auth/request"):
            client.connect()
    finally:
        silent.stop(timeout=0)


def test_connect_subscribes_and_api_returns_recorded_body(server, make_client):
    client = make_client().connect()
    assert server.subscriptions == ["event plain BACKGROUND_JOB CUSTOM conference::maintenance"]
    assert client.api("conference room1 list") == recorded_body("api_conference_room1_list.esl").decode()
    assert client.api("conference room1 mute 9999") == "-ERR Non-Existant ID 9999\n"


def test_timeout_poisons_the_connection_and_the_late_reply_never_reaches_the_next_caller(server, make_client):
    server.delays["echo slow"] = 0.6
    client = started(make_client(timeout=0.2))
    with pytest.raises(SwitchUnavailable, match="no reply"):
        client.api("echo slow")
    assert not client.connected
    with pytest.raises(SwitchUnavailable):
        client.api("echo too-early")          # refused at once, not queued behind the late reply
    assert client.wait_connected(3)
    gevent.sleep(0.6)                          # the late "slow" reply would have arrived by now
    assert client.api("echo next") == "next\n"
    assert server.accepted == 2


def test_fifty_concurrent_callers_each_get_their_own_reply(server, make_client):
    client = started(make_client(timeout=5))
    calls = [gevent.spawn(client.api, f"echo caller-{n}") for n in range(50)]
    gevent.joinall(calls, raise_error=True)
    assert [call.value for call in calls] == [f"caller-{n}\n" for n in range(50)]


def test_dropped_connection_reconnects_with_backoff_and_resubscribes(server, make_client):
    events = gevent.queue.Queue()
    client = started(make_client(on_connect=lambda c: events.put("connect"),
                                 on_disconnect=lambda c: events.put("disconnect")))
    assert events.get(timeout=1) == "connect"
    server.drop_all()
    assert events.get(timeout=2) == "disconnect"
    assert events.get(timeout=3) == "connect"
    assert client.connected and client.api("echo back") == "back\n"
    assert len(server.subscriptions) == 2 and server.accepted == 2


def test_reconnect_keeps_trying_while_the_server_is_down(make_client, server):
    client = started(make_client())
    port = server.port
    server.stop()
    gevent.sleep(0.5)                                    # several failed attempts with backoff
    assert not client.connected
    revived = EslScriptServer()
    revived._server.set_listener(("127.0.0.1", port))
    revived.start()
    try:
        assert client.wait_connected(3)
        assert client.api("echo revived") == "revived\n"
    finally:
        revived.stop()


def test_bgapi_jobs_finishing_out_of_order_are_matched_by_job_uuid(server, make_client):
    client = started(make_client(timeout=3))
    for n, delay in enumerate((0.5, 0.1, 0.3)):
        server.delays[f"echo job-{n}"] = delay
    calls = [gevent.spawn(client.bgapi, f"echo job-{n}") for n in range(3)]
    gevent.joinall(calls, raise_error=True)
    assert [call.value for call in calls] == ["job-0\n", "job-1\n", "job-2\n"]
    job_uuids = [line.split(": ")[1] for line in server.commands if line.startswith("Job-UUID")]
    assert len(set(job_uuids)) == len(job_uuids)


def test_bgapi_without_result_times_out_but_keeps_the_connection(server, make_client):
    server.delays["echo never"] = 5
    client = started(make_client(timeout=0.3))
    with pytest.raises(SwitchUnavailable, match="no result"):
        client.bgapi("echo never")
    assert client.connected and client.api("echo still") == "still\n"


def test_events_reach_on_event_url_decoded(server, make_client):
    received = gevent.queue.Queue()
    started(make_client(on_event=lambda client, event: received.put(event)))
    recorded = [f for f in FrameParser().feed(fs_fixture("room1_scenario.plain.esl"))
                if f.content_type == "text/event-plain"][:20]
    for frame in recorded:
        server.push(b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(frame.body) + frame.body)
    got = [received.get(timeout=2) for _ in recorded]
    assert got == [parse_event(frame) for frame in recorded]
    add_member = next(e for e in got if e.get("Action") == "add-member")
    assert add_member["Event-Subclass"] == "conference::maintenance"
    assert " " in add_member["Event-Date-Local"] and "%" not in add_member["Event-Date-Local"]


def test_json_subscription_gives_the_same_events_as_plain(server, make_client):
    """``event_format="json"`` (ecallmgr's): FreeSWITCH's recorded json frames reach
    on_event as the very dicts the recorded plain frames of the same events give."""
    received = gevent.queue.Queue()
    started(make_client(on_event=lambda client, event: received.put(event), event_format="json"))
    assert server.subscriptions == ["event json BACKGROUND_JOB CUSTOM conference::maintenance"]
    recorded = {name: [f for f in FrameParser().feed(fs_fixture(f"room1_scenario.{name}.esl"))
                       if f.content_type.startswith("text/event-")]
                for name in ("json", "plain")}
    plain = {e["Event-Sequence"]: e for e in map(parse_event, recorded["plain"])}
    for frame in recorded["json"][:30]:
        server.push(b"Content-Length: %d\nContent-Type: text/event-json\n\n" % len(frame.body) + frame.body)
    got = [received.get(timeout=2) for _ in range(30)]
    assert [e["Event-Sequence"] for e in got] == [parse_event(f)["Event-Sequence"]
                                                 for f in recorded["json"][:30]]
    compared = [e for e in got if e["Event-Sequence"] in plain]
    assert len(compared) > 10 and all(e == plain[e["Event-Sequence"]] for e in compared)


def test_unknown_event_format_is_refused():
    with pytest.raises(ValueError, match="plain or json"):
        EslClient("127.0.0.1", 1, "ClueCon", event_format="xml")


def test_pool_keyed_by_node_name(server):
    nodes = [EslNode("fs-a", "127.0.0.1", server.port, "ClueCon"),
             EslNode("fs-b", "127.0.0.1", server.port, "ClueCon"),
             EslNode("fs-down", "127.0.0.1", 1, "ClueCon")]
    pool = EslPool(nodes, timeout=0.5).start()
    try:
        assert pool.names() == ["fs-a", "fs-b", "fs-down"]
        assert not pool.wait_connected(1)
        assert sorted(pool.connected_names()) == ["fs-a", "fs-b"]
        assert pool.api("fs-b", "echo hi") == "hi\n"
        results = pool.api_all("echo all")
        assert results["fs-a"] == results["fs-b"] == "all\n"
        assert isinstance(results["fs-down"], SwitchUnavailable)
        with pytest.raises(SwitchUnavailable, match="no FreeSWITCH node"):
            pool.client("fs-zz")
    finally:
        pool.close()


# --- against the FreeSWITCH simulator (tests/support/sim.py) ---------------------------------

def test_against_the_simulator_commands_replies_and_events(fssim):
    from kzcore import fs_commands, fs_replies
    events = gevent.queue.Queue()
    client = EslClient(fssim.host, fssim.port, fssim.password, name="sim", timeout=3,
                       on_event=lambda c, event: events.put(event))
    try:
        client.start()
        assert client.wait_connected(3)
        assert fs_replies.check(client.api("sim_join room1 1001 Alice")).startswith("+OK")
        added = next_event(events, "add-member")
        assert added["Caller-Caller-ID-Name"] == "Alice" and added["Conference-Name"] == "room1"
        member = int(added["Member-ID"])
        mute = fs_commands.build("room1", "mute", member=member)
        assert fs_replies.check(client.api(mute), mute) == f"+OK mute {member}"
        assert next_event(events, "mute-member")["Member-ID"] == str(member)
        (conference,) = fs_replies.parse_json_list(client.api(fs_commands.build("room1", "json_list")))
        assert [m["id"] for m in conference["members"]] == [member]
        assert not conference["members"][0]["flags"]["can_speak"]
        refused = fs_commands.build("room1", "kick", member=9999)
        with pytest.raises(SwitchRefused) as raised:
            fs_replies.check(client.api(refused), refused)
        assert raised.value.message == "-ERR Non-Existant ID 9999"
        job = client.bgapi(fs_commands.build("room1", "list"))
        assert fs_replies.parse_list(job)[0]["members"][0]["id"] == member
    finally:
        client.close()


def test_against_the_simulator_wrong_password(fssim):
    with pytest.raises(EslAuthError, match="authentication failed for node sim: -ERR invalid"):
        EslClient(fssim.host, fssim.port, "NotThePassword", name="sim", timeout=2).connect()


def next_event(events, action, timeout=3):
    deadline = gevent.Timeout(timeout)
    with deadline:
        while True:
            event = events.get()
            if event.get("Action") == action:
                return event


# --- raw commands, filters across reconnections, fairness --------------------------------------

def test_command_returns_the_reply_text(server, make_client):
    client = started(make_client())
    assert client.command("filter Action bgdial-result") == "+OK filter added. [Action]=[bgdial-result]"
    assert client.command("nosuchcommand") == "-ERR command not found"
    with pytest.raises(ValueError):
        client.command("filter Action x\n\napi status")


def test_a_rejected_command_sends_nothing_and_the_next_caller_is_answered_at_once(server, make_client):
    from kzcore.errors import InvalidCommandArgument
    client = started(make_client(timeout=1.0))
    before = list(server.commands)
    for call in (lambda: client.api("status\nbgapi status"), lambda: client.api("status\r"),
                 lambda: client.api("status\0"), lambda: client.bgapi("status\nexit"),
                 lambda: client.command("filter Action x\r\napi status")):
        with pytest.raises(InvalidCommandArgument) as raised:
            call()
        assert isinstance(raised.value, ValueError)
    # below the up-front check: a header that cannot be framed must not leave a reply waiter queued
    with pytest.raises(ValueError):
        client._exchange("api status", 1.0, headers={"X-Bad": "a\nb"})
    started_at = time.monotonic()
    assert client.api("conference room1 mute 9999") == "-ERR Non-Existant ID 9999\n"
    assert time.monotonic() - started_at < 0.5
    assert client.connected and server.accepted == 1
    assert server.commands[len(before):] == ["api conference room1 mute 9999"]


def test_filters_follow_the_subscription_on_every_connection(server, make_client):
    filters = [("Action", "bgdial-result"), ("Event-Name", "CHANNEL_ANSWER")]
    client = started(make_client(filters=filters))
    expected = ["filter Action bgdial-result", "filter Event-Name CHANNEL_ANSWER"]
    assert server.filters == expected
    first = server.commands.index(server.subscriptions[0])
    assert server.commands[first + 1:first + 3] == expected  # before anything else
    server.drop_all()
    deadline = gevent.Timeout(3)
    with deadline:
        while server.accepted < 2 or not client.connected:
            gevent.sleep(0.02)
    assert server.filters == expected * 2


def test_pool_passes_filters_through(server):
    nodes = [EslNode("fs-a", "127.0.0.1", server.port, "ClueCon")]
    pool = EslPool(nodes, timeout=1, filters=[("Action", "add-member")]).start()
    try:
        assert pool.wait_connected(3)
        assert server.filters == ["filter Action add-member"]
        assert pool.command("fs-a", "filter Action del-member").startswith("+OK filter added")
    finally:
        pool.close()


def test_a_greenlet_looping_commands_does_not_starve_another(server, make_client):
    """gevent's Semaphore lets a greenlet that releases and re-acquires at once win every
    time; the client's lock hands the turn to whoever waited first."""
    server.delays["echo loop"] = 0.005
    client = started(make_client(timeout=2.0))
    stop, loops = [], []

    def hog():
        while not stop:
            client.api("echo loop")
            loops.append(1)

    looping = gevent.spawn(hog)
    try:
        gevent.sleep(0.05)
        waits = []
        for _ in range(5):
            began = time.monotonic()
            assert client.api("echo mine") == "mine\n"
            waits.append(time.monotonic() - began)
            gevent.sleep(0.01)
        assert max(waits) < 0.5, waits  # one loop turn (~5 ms) ahead of us, not a timeout
        assert len(loops) > 10  # and the loop kept going meanwhile
    finally:
        stop.append(True)
        looping.join(3)


def test_fair_lock_order_and_timeouts():
    from kzcore.esl.fairlock import FairLock
    lock, order = FairLock(), []
    assert lock.acquire()

    def waiter(name, timeout=None):
        if lock.acquire(timeout=timeout):
            order.append(name)
            gevent.sleep(0.001)
            lock.release()
        else:
            order.append(f"{name}-timeout")

    greenlets = [gevent.spawn(waiter, "a"), gevent.spawn(waiter, "late", 0.01), gevent.spawn(waiter, "b")]
    gevent.sleep(0.05)
    lock.release()
    assert lock.acquire()  # the releaser comes straight back: it must queue behind a and b
    order.append("releaser")
    lock.release()
    gevent.joinall(greenlets, timeout=2)
    assert order == ["late-timeout", "a", "b", "releaser"]
    assert not lock.locked()
    with pytest.raises(gevent.Timeout):  # an outer timeout leaves no stale turn behind
        with lock, gevent.Timeout(0.01):
            lock.acquire()
    assert not lock.locked()


def test_client_socket_has_tcp_nodelay(server, make_client):
    import socket
    client = started(make_client())
    assert client._transport.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_commands_are_pipelined_and_replies_stay_in_order():
    """A caller's command is written while an earlier one still waits for its
    reply (FreeSWITCH answers a connection's api commands in order): a hand-driven
    server holds the first reply back and sees the next commands arrive."""
    from gevent.server import StreamServer
    from tests.support.esl_script_server import AUTH_BANNER, AUTH_OK, SUBSCRIBED, api_response
    received, release = gevent.queue.Queue(), gevent.event.Event()

    def answer_in_order(sock, replies):
        for line in replies:
            if line == "api echo first":
                release.wait(5)                  # its reply waits; the reader reads on
            sock.sendall(api_response(line[9:].encode() + b"\n"))

    def handle(sock, address):
        sock.sendall(AUTH_BANNER)
        buffer, replies = b"", gevent.queue.Queue()
        gevent.spawn(answer_in_order, sock, replies)
        while True:
            data = sock.recv(65536)
            if not data:
                return
            *blocks, buffer = (buffer + data).split(b"\n\n")
            for block in blocks:
                line = block.decode().partition("\n")[0]
                if line.startswith("auth "):
                    sock.sendall(AUTH_OK)
                elif line.startswith("event "):
                    sock.sendall(SUBSCRIBED)
                elif line.startswith("api echo "):
                    received.put(line)
                    replies.put(line)

    listener = StreamServer(("127.0.0.1", 0), handle)
    listener.start()
    client = started(EslClient("127.0.0.1", listener.server_port, "ClueCon", name="fs1",
                               timeout=5.0, backoff=(0.05, 0.2)))
    try:
        first = gevent.spawn(client.api, "echo first")
        assert received.get(timeout=2) == "api echo first"
        later = [gevent.spawn(client.api, f"echo later-{n}") for n in range(3)]
        assert [received.get(timeout=2) for _ in range(3)] == [
            f"api echo later-{n}" for n in range(3)]        # on the wire before any reply
        assert not first.ready() and not any(call.ready() for call in later)
        release.set()
        gevent.joinall([first] + later, raise_error=True, timeout=5)
        assert first.value == "first\n"
        assert [call.value for call in later] == [f"later-{n}\n" for n in range(3)]
    finally:
        client.close()
        listener.stop()


def test_commands_behind_a_timed_out_one_fail_and_the_next_connection_is_clean(server,
                                                                              make_client):
    server.delays["echo stuck"] = 0.8
    client = started(make_client(timeout=0.3))
    stuck = gevent.spawn(client.api, "echo stuck")
    gevent.sleep(0.05)
    behind = gevent.spawn(client.api, "echo behind")
    gevent.joinall([stuck, behind])
    assert isinstance(stuck.exception, SwitchUnavailable) and "no reply" in str(stuck.exception)
    assert isinstance(behind.exception, SwitchUnavailable)
    assert client.wait_connected(3)
    gevent.sleep(0.8)                          # the late replies would have arrived by now
    assert client.api("echo after") == "after\n"
