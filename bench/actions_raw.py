"""actions, the raw ESL baselines: the same mod_conference commands the API sends
(mute/unmute, json_list reads), as ESL round trips straight to the simulators.

Expects the repository and bench/ on sys.path (bench/actions.py sets them).
"""
import time

import gevent
from actions_report import Timings
from actions_switch import esl


def esl_loop(client, room, member, timings, deadline):
    verbs, index = ("mute", "unmute"), 0
    while time.monotonic() < deadline:
        command = f"conference {room} {verbs[index % 2]} {member}"
        index += 1
        started = time.perf_counter()
        try:
            reply = client.api(command)
        except Exception as exc:  # a bench counts every failure
            timings.add(started, False, repr(exc))
            continue
        timings.add(started, reply.startswith("+OK"), reply)
        gevent.sleep(0)  # let the other greenlets on this connection take their turn


def run_raw_esl(args, sims, room, member_ids):
    """The same commands, same concurrency, on as many connections as the API's workers hold."""
    name, port, _ = sims[0]
    clients = [esl(port, name) for _ in range(args.workers)]
    timings = Timings()
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    gevent.joinall([gevent.spawn(esl_loop, clients[index % len(clients)], room,
                                 member_ids[index % len(member_ids)], timings, deadline)
                    for index in range(args.concurrency)])
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    return timings, elapsed


def run_raw_reads(args, sims, commands):
    """``commands``: [(sim index, api command)] asked together per read, like the API does."""
    clients = {index: [esl(sims[index][1], sims[index][0]) for _ in range(args.workers)]
               for index, _ in commands}
    timings = Timings()
    deadline = time.monotonic() + args.read_duration
    started = time.monotonic()

    def one_client(slot):
        while time.monotonic() < deadline:
            began = time.perf_counter()
            calls = [gevent.spawn(clients[index][slot % args.workers].api, command)
                     for index, command in commands]
            gevent.joinall(calls)
            ok = all(call.successful() and call.value.startswith(("[", "-ERR Conference"))
                     for call in calls)  # a node not hosting the room says "not found"
            timings.add(began, ok, [str(call.value or call.exception)[:100] for call in calls])
    gevent.joinall([gevent.spawn(one_client, n) for n in range(args.read_concurrency)])
    elapsed = time.monotonic() - started
    for group in clients.values():
        for client in group:
            client.close()
    return timings, elapsed
