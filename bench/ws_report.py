"""Figures and the RESULTS.md section for bench/websocket.py."""
import collections
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = ("gateway", "clients", "publisher", "amqp_consumer", "rabbitmq")


class Histogram:
    """Latencies in 0.1 ms buckets: cheap to fill, mergeable across processes."""

    def __init__(self, buckets=None):
        self.buckets = collections.Counter({int(k): v for k, v in (buckets or {}).items()})

    def add(self, seconds):
        self.buckets[max(0, int(seconds * 10000))] += 1

    def percentile(self, pct):
        count = sum(self.buckets.values())
        if not count:
            return float("nan")
        rank, seen = count * pct / 100.0, 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return bucket / 10.0
        return max(self.buckets) / 10.0


def summarize(args, rate, published, websocket, amqp, gateway_stats, cpu):
    """One rate's figures (a flat dict, printed as JSON and tabulated)."""
    ws_hist, amqp_hist = Histogram(websocket["histogram"]), Histogram(amqp["histogram"])
    sent = published["published"]
    expected = sent * args.subscribers
    frames = gateway_stats.get("frames_queued") or 0
    figures = {
        "rate": rate, "published": sent, "achieved_rate": sent / published["seconds"],
        "subscribers": args.subscribers, "clients": args.clients,
        "ws_p50_ms": ws_hist.percentile(50), "ws_p99_ms": ws_hist.percentile(99),
        "ws_expected": expected, "ws_received": websocket["received"],
        "ws_lost": expected - websocket["received"],
        "ws_told_dropped": websocket["dropped"], "client_reads": websocket.get("reads"), "ws_sockets_closed": websocket["closed"],
        "amqp_p50_ms": amqp_hist.percentile(50), "amqp_p99_ms": amqp_hist.percentile(99),
        "amqp_lost": sent - amqp["received"],
        "gateway_events_received": gateway_stats.get("events_received"),
        "gateway_events_dropped": gateway_stats.get("events_dropped"),
        "gateway_frames_queued": frames,
        "load_1m": gateway_stats["load"][0],
        "window_s": cpu["wall"],
    }
    figures["ws_lost_pct"] = 100.0 * figures["ws_lost"] / expected if expected else 0.0
    figures["ratio_p50"] = figures["ws_p50_ms"] / max(figures["amqp_p50_ms"], 0.1)
    figures["ratio_p99"] = figures["ws_p99_ms"] / max(figures["amqp_p99_ms"], 0.1)
    for role in ROLES:
        figures[f"cpu_{role}"] = cpu[role]
    figures["cpu_machine"] = cpu["machine"]
    figures["cpu_other"] = cpu["machine"] - sum(cpu[role] for role in ROLES)
    figures["gateway_us_per_frame"] = 1e6 * cpu["gateway"] / max(frames, 1)
    figures["clients_us_per_frame"] = 1e6 * cpu["clients"] / max(websocket["received"], 1)
    return figures


def report(args, rows):
    lines = [
        "| events/s (achieved) | AMQP p50 / p99 ms | websocket p50 / p99 ms | ratio p50 / p99 "
        "| websocket delivered of expected | lost | told dropped | AMQP lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in rows:
        lines.append(
            f"| {f['rate']} ({f['achieved_rate']:.0f}) | {f['amqp_p50_ms']:.1f} / "
            f"{f['amqp_p99_ms']:.1f} | {f['ws_p50_ms']:.1f} / {f['ws_p99_ms']:.1f} | "
            f"x{f['ratio_p50']:.1f} / x{f['ratio_p99']:.1f} | {f['ws_received']} of "
            f"{f['ws_expected']} | {f['ws_lost']} ({f['ws_lost_pct']:.2f} %) | "
            f"{f['ws_told_dropped']} | {f['amqp_lost']} |")
    lines += [
        "",
        "CPU seconds during each run (publishing + 3 s tail; 2 cores = 2 CPU-s per second):",
        "",
        "| events/s | window s | gateway (us/frame) | clients (us/frame) | publisher "
        "| AMQP consumer | RabbitMQ | rest of the machine | machine busy | load 1m |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in rows:
        lines.append(
            f"| {f['rate']} | {f['window_s']:.1f} | {f['cpu_gateway']:.1f} "
            f"({f['gateway_us_per_frame']:.1f}) | {f['cpu_clients']:.1f} "
            f"({f['clients_us_per_frame']:.1f}) | {f['cpu_publisher']:.1f} | "
            f"{f['cpu_amqp_consumer']:.1f} | {f['cpu_rabbitmq']:.1f} | {f['cpu_other']:.1f} | "
            f"{f['cpu_machine']:.1f} of {2 * f['window_s']:.0f} | {f['load_1m']:.2f} |")
    return "\n".join(lines)


def record(args, text, command):
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    client = ("Node 20 built-in WebSocket (bench/ws_clients.js)" if args.clients == "node"
              else "raw sockets on one epoll loop (bench/ws_pyclients.py)")
    setup = (f"{args.subscribers} websocket subscribers on one conference "
             f"(`conference.event.{{conference_id}}.*`, Kazoo subscribe with a TokenSigner token) "
             f"while seed-002-shaped events (~1.1 KB) are published for {args.duration:g} s per "
             "rate through `kzcore.bus.pika_publisher.PikaPublisher` (bench/ws_publish.py) on "
             "`conference.event.{conference_id}.{call_id}`; gateway = `python -m blackhole.cli` "
             f"(one AMQP consumer, per-socket queue {args.queue_size}); clients = ONE process, "
             f"{client}; baseline = one plain pika consumer bound to the same key. Latency = "
             "receive time minus the publisher's timestamp inside the event; lost = not "
             "received within 3 s after publishing ended.")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n## websocket fan-out, blackhole ({stamp})\n\n"
                     f"Command: `{command}`\n\n{setup}\n\n{text}\n")
