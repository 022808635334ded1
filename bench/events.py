"""Event pipeline benchmark: fssim -> kz-ecallmgr -> RabbitMQ -> a consumer.

The simulator (its own process) emits member events (start/stop-talking bursts,
``sim_talk_burst``) at increasing rates; ecallmgr (its own process, as deployed)
normalises and publishes them; this process consumes them from RabbitMQ. A rate
is *sustained* when every event arrives, in order, with p99 end-to-end latency
under 10 ms. Two latencies are reported. "Scheduled": arrival here - the time
the generator was scheduled to emit the event (generator lag counts against us).
"Emitted" (replay generator only): arrival here - the time the replayer actually
wrote the event to ecallmgr's ESL socket (``api replay_times``), i.e. what a
consumer would see relative to FreeSWITCH's own Event-Date-Timestamp; it is the
figure the 10 ms criterion is judged on when available (scheduled otherwise).
The baseline is a raw pika publish loop (plain ``BlockingChannel.basic_publish``,
no gevent, no confirms) of the same payloads to the same exchange and binding.
CPU is ecallmgr's own (user+system, from /proc), per 1,000 events.

    python bench/events.py [--rates 1000,2000,...] [--seconds 3] [--append-results]
"""
import argparse
import json
import os
import pathlib
import signal
import sys
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from events_support import (REPO, Esl, Tap, broker_pid, cpu_seconds, encode_command,  # noqa: E402
                            free_port, percentile, run_raw, spawn)
from ecallmgr import events as ecallmgr_events  # noqa: E402
from kzcore.esl.frames import parse_event  # noqa: E402
from events_report import P99_LIMIT_MS, summarise  # noqa: E402

ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
BROKER_PID = broker_pid()   # RabbitMQ's beam.smp on this machine, if it runs here


def emission_times(esl):
    """Per event index, when the replayer wrote it (None if the generator cannot say)."""
    reply = esl.api("replay_times")
    if not reply.startswith("["):
        return None
    times = []
    for written, first, end in json.loads(reply):
        times.extend([written] * (end - first))
    return times


def run_step(esl, tap, bursts, rate, seconds, ecallmgr_pid, sim_pid, emitted=False):
    """``bursts``: (call_id, api command template formatted with count and rate) per
    member; the offered ``rate`` is shared between them. ``emitted``: also measure
    from the actual emission times (replay generator, one member)."""
    per_member = rate / len(bursts)
    each = max(2, int(per_member * seconds) // 2 * 2)       # even: members end silent
    count = each * len(bursts)
    cpu0, sim_cpu0 = cpu_seconds(ecallmgr_pid), cpu_seconds(sim_pid)
    broker_cpu0, own_cpu0 = cpu_seconds(BROKER_PID), cpu_seconds(os.getpid())
    starts = {}
    for call_id, template in bursts:
        starts[call_id] = time.time()
        reply = esl.api(template.format(count=each, rate=per_member))
        assert not reply.startswith("-ERR"), reply
    got = tap.collect(count, timeout=seconds + 15)
    cpu = cpu_seconds(ecallmgr_pid) - cpu0
    sim_cpu = cpu_seconds(sim_pid) - sim_cpu0
    broker_cpu = cpu_seconds(BROKER_PID) - broker_cpu0 if BROKER_PID else None
    own_cpu = cpu_seconds(os.getpid()) - own_cpu0
    times = emission_times(esl) if emitted else None
    sequences, latencies, from_emission = {}, [], []
    for arrived, body in got:
        payload = json.loads(body)
        sequence = sequences.setdefault(payload["call_id"], [])
        latencies.append((arrived - (starts[payload["call_id"]] + len(sequence) / per_member)) * 1000)
        if times is not None and len(sequence) < len(times):
            from_emission.append((arrived - times[len(sequence)]) * 1000)
        sequence.append(payload["event"])
    in_order = all(seq == ["start-talking", "stop-talking"] * (len(seq) // 2)
                   for seq in sequences.values())
    elapsed = got[-1][0] - min(starts.values()) if got else float("inf")
    p99 = percentile(latencies, 0.99)
    emitted_p99 = percentile(from_emission, 0.99)
    judged_p99 = p99 if emitted_p99 is None else emitted_p99
    return {"rate": rate, "members": len(bursts), "events": count, "received": len(got),
            "in_order": in_order, "throughput": round(len(got) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 2), "p99_ms": round(p99, 2),
            "max_ms": round(max(latencies), 2),
            "emitted_p50_ms": _rounded(percentile(from_emission, 0.5)),
            "emitted_p99_ms": _rounded(emitted_p99),
            "cpu_s_per_1000": round(cpu / count * 1000, 4),
            "generator_cpu_s_per_1000": round(sim_cpu / count * 1000, 4),
            "broker_cpu_s_per_1000": None if broker_cpu is None else round(broker_cpu / count * 1000, 4),
            "consumer_cpu_s_per_1000": round(own_cpu / count * 1000, 4),
            "sustained": len(got) == count and in_order and judged_p99 < P99_LIMIT_MS,
            "sample": got[0][1] if got else None}


def _rounded(value):
    return None if value is None else round(value, 2)


def pipeline_env(url, port):
    return {**os.environ, "PYTHONPATH": str(REPO), "KZ_AMQP_URL": url,
            "KZ_ESL_NODES": f"freeswitch@bench=127.0.0.1:{port}:ClueCon",
            "KZ_NODE_NAME": "ecallmgr@bench", "KZ_LOG_LEVEL": "WARNING", "KZ_LOG_FORMAT": "text"}


def start_fssim(port, env):
    return spawn([sys.executable, "-m", "fssim.cli", "--port", str(port),
                  "--hostname", "bench", "--log-level", "WARNING"], env)


def start_ecallmgr(env):
    return spawn([sys.executable, "-m", "ecallmgr.cli"], env)


def join_member(esl, room):
    reply = esl.api(f"sim_join {room} 1001 Bench Caller")
    assert reply.startswith("+OK"), reply
    _, _member_id, call_id = reply.split()
    return call_id


def capture_frames(url):
    """Run fssim alone, subscribe in ecallmgr's event format, make a member talk
    twice; keep the two event frames exactly as sent and the json_list reply, for
    the replay generator."""
    port = free_port()
    sim = start_fssim(port, pipeline_env(url, port))
    try:
        control, listener = Esl(port), Esl(port)
        listener.sock.sendall(encode_command(
            f"event {ecallmgr_events.EVENT_FORMAT} CUSTOM conference::maintenance"))
        listener._next()
        room = f"{ACCOUNT}_{uuid.uuid4().hex}"
        call_id = join_member(control, room)
        time.sleep(0.5)
        listener.frames.clear()
        control.api(f"sim_talk_burst {call_id} 2 100")
        frames = {}
        while len(frames) < 2:
            frame = listener._next()
            action = parse_event(frame).get("Action")
            if action in ("start-talking", "stop-talking"):
                head = f"Content-Length: {len(frame.body)}\nContent-Type: {frame.content_type}\n\n"
                frames[action.split("-")[0]] = (head.encode() + frame.body).decode("latin-1")
        frames["json_list"] = control.api("conference json_list")
        return room, call_id, frames
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def run_generator(args, generator):
    """Start generator + ecallmgr, step through the rates; returns the steps."""
    port = free_port()
    env = pipeline_env(args.amqp_url, port)
    if generator == "replay":
        room, call_id, frames = capture_frames(args.amqp_url)
        path = pathlib.Path(f"/tmp/kz-bench-capture-{port}.json")
        path.write_text(json.dumps(frames))
        source = spawn([sys.executable, str(REPO / "bench" / "events_replay.py"),
                        str(port), str(path)], env)
        bursts = [(call_id, "replay_burst {count} {rate}")]
    else:
        source = start_fssim(port, env)
    ecallmgr = start_ecallmgr(env)
    try:
        esl = Esl(port)
        if generator == "fssim":
            # several talking members: the simulator paces each burst by sleeping
            room = f"{ACCOUNT}_{uuid.uuid4().hex}"
            call_ids = [join_member(esl, room) for _ in range(args.members)]
            bursts = [(cid, f"sim_talk_burst {cid} {{count}} {{rate:.3f}}") for cid in call_ids]
        keys = [f"conference.event.{room.split('_', 1)[1]}.{cid}" for cid, _ in bursts]
        tap = Tap(args.amqp_url, keys)
        tap.collect(10 ** 6, timeout=1.5)    # what the joins / resync published
        steps = run_steps(args, esl, tap, bursts, ecallmgr.pid, source.pid, generator == "replay")
        return steps, tap, keys[0]
    finally:
        for process in (ecallmgr, source):
            process.terminate()
            process.wait(timeout=10)


def run_steps(args, esl, tap, bursts, ecallmgr_pid, source_pid, emitted):
    warm = run_step(esl, tap, bursts, 500, 1.0, ecallmgr_pid, source_pid)
    assert warm["received"] == warm["events"], f"pipeline not flowing: {warm}"
    steps, failures = [], 0
    for rate in [int(r) for r in args.rates.split(",")]:
        step = run_step(esl, tap, bursts, rate, args.seconds, ecallmgr_pid, source_pid, emitted)
        steps.append(step)
        print(json.dumps({k: v for k, v in step.items() if k != "sample"}), flush=True)
        keeping_up = (step["received"] == step["events"] and step["in_order"]
                      and step["throughput"] >= 0.9 * step["rate"])
        failures = 0 if keeping_up else failures + 1
        if failures >= 2:       # two steps in a row that it could not keep up with
            break
        time.sleep(0.5)
    return steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amqp-url", default=os.environ.get(
        "KZ_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--rates", default="1000,2000,3000,4000,5000,6000,7000,8000,10000")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--generators", default="fssim,replay")
    parser.add_argument("--members", type=int, default=8,
                        help="talking members sharing the offered rate (fssim generator)")
    parser.add_argument("--append-results", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))    # run the finally clauses
    results, raw = {}, None
    for generator in args.generators.split(","):
        print(f"# generator: {generator}", flush=True)
        steps, tap, key = run_generator(args, generator)
        results[generator] = steps
        if raw is None:
            sample = next(s["sample"] for s in steps if s["sample"])
            raw = run_raw(args.amqp_url, tap, key, sample, 30000)
            print(json.dumps({"raw_pika_loop": raw}), flush=True)
            raw["paced"] = [run_raw(args.amqp_url, tap, key, sample, int(rate * args.seconds), rate)
                            for rate in sorted({1000, *map(int, args.rates.split(","))})]
            print(json.dumps({"raw_paced": raw["paced"]}), flush=True)
    report = summarise(results, raw, args)
    print(report)
    if args.append_results:
        with open(REPO / "bench" / "RESULTS.md", "a") as handle:
            handle.write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
