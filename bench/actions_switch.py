"""actions, the switch side: two ``fssim`` nodes, ESL command connections, and
the rooms filled with callers that join through ``originate ... loopback``.

Expects the repository and bench/ on sys.path (bench/actions.py sets them).
"""
import json
import os
import socket
import subprocess
import sys
import time

from crossbar import documents
from crossbar.live.compose import COMMAND_EVENTS
from kzcore.esl.client import EslClient
from kzcore.naming import account_db, fs_conference_name, new_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sims(workdir):
    sims = []
    for index in (1, 2):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "fssim.cli", "--port", str(port),
                                 "--hostname", f"bench{index}", "--log-level", "WARNING",
                                 "--recordings-dir", workdir], cwd=ROOT,
                                stdin=subprocess.DEVNULL)
        sims.append((f"freeswitch@bench{index}", port, proc))
    for name, port, _ in sims:
        client = EslClient("127.0.0.1", port, "ClueCon", name=name, timeout=5)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.connect()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise SystemExit(f"simulator {name} did not start")
                time.sleep(0.2)
        client.close()
    return sims


def esl(port, name):
    """A command connection (no event subscription, like crossbar's own pool)."""
    return EslClient("127.0.0.1", port, "ClueCon", name=name, timeout=10,
                     events=COMMAND_EVENTS).connect()


def fill_room(client, room, count, first_number):
    for n in range(count):
        number = first_number + n
        reply = client.api(f"originate {{origination_caller_id_number={number},"
                           f"origination_caller_id_name=Caller{number}}}"
                           f"loopback/conf_{room}/default silent XML default", timeout=10)
        if not reply.startswith("+OK"):
            raise SystemExit(f"originate failed: {reply}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = json.loads(client.api(f"conference {room} json_list") or "[]")
        ids = [m["id"] for m in listed[0]["members"] if m.get("type") == "caller"] if listed else []
        if len(ids) >= count:
            return ids
        time.sleep(0.1)
    raise SystemExit(f"room {room} never reached {count} members")


def populate(args, sims, store, account_id):
    db = account_db(account_id)

    def conference(name):
        doc = {"_id": new_id(), "name": name, **documents.new_private(account_id, "conference")}
        store.save(db, doc)
        return doc["_id"]
    mute_room, big_room = conference("mute room"), conference("big room")
    rooms = [conference(f"room {n}") for n in range(args.rooms)]
    clients = [esl(port, name) for name, port, _ in sims]
    member_ids = fill_room(clients[0], fs_conference_name(account_id, mute_room), args.members, 10000)
    fill_room(clients[1], fs_conference_name(account_id, big_room), args.big, 20000)
    for index, room in enumerate(rooms):
        fill_room(clients[index % 2], fs_conference_name(account_id, room), 1, 30000 + index)
    for client in clients:
        client.close()
    return mute_room, member_ids, big_room
