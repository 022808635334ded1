"""actions, the report: latencies per operation (Timings) and the Markdown section
for bench/RESULTS.md (tables, API/raw ESL ratios, CPU per action)."""
import os
import shlex
import sys
import time

from load_kit import percentile

from kzcore.config import SETTINGS


class Timings:
    """Latencies and errors of one operation; ``row`` is its line in the tables."""

    def __init__(self):
        self.values, self.errors, self.first_error = [], 0, None

    def add(self, started, ok, detail=None):
        if ok:
            self.values.append(time.perf_counter() - started)
        else:
            self.errors += 1
            self.first_error = self.first_error or detail

    def row(self, name, elapsed):
        return (f"| {name} | {len(self.values)} | {len(self.values) / elapsed:.0f} | "
                f"{percentile(self.values, 0.5) * 1000:.1f} | "
                f"{percentile(self.values, 0.99) * 1000:.1f} | {self.errors} |")


def report(args, results, server_command, cpu, load_before):
    (api, api_s), (raw, raw_s) = results[:2]
    api_rate, raw_rate = len(api.values) / api_s, len(raw.values) / raw_s
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    header = "| operation | count | per s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|"
    api_p99 = percentile(api.values, 0.99) * 1000
    lines = [
        f"## actions ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Participant mute/unmute alternating, {args.concurrency} clients on {args.members} "
        f"callers of one room, {args.duration:.0f} s per phase; two `fssim` processes as the "
        f"nodes; server: `{' '.join(server_command[2:])}` (embedded SQLite store). Raw ESL: the "
        f"same `conference <room> mute|unmute <id>` api commands, same concurrency, over "
        f"{args.workers} ESL connections (one per worker, as the API holds). Each API action "
        "goes to the node its worker remembers for the room (crossbar.live.room_cache, "
        f"KZ_ROOM_CACHE_TTL={room_cache_ttl()} s; only while crossbar watches every node's "
        "events); without that hint it first asks both nodes (`conference <room> list count`). "
        "Clients: raw-socket keep-alive HTTP/1.1 (bench/load_kit.RawClient).", "",
        header, api.row("mute/unmute through the API", api_s),
        raw.row("mute/unmute as raw ESL round trips", raw_s), "",
        f"- **ratio API/raw ESL (actions per second): {api_rate / max(1e-9, raw_rate):.3f}** "
        f"({api_rate:.0f} vs {raw_rate:.0f} per s; target >= 0.8)",
        f"- API p99 {api_p99:.1f} ms at {args.concurrency} connections (target < 50 ms)",
        cpu_line("API phase", cpu["api"], api_s, len(api.values)),
        cpu_line("raw ESL phase", cpu["raw"], raw_s, len(raw.values)),
        f"- **server CPU per action: {cpu_per(cpu['api'], 'server', api.values):.3f} ms** "
        "(gunicorn master and workers, whole requests: HTTP parsing included; target <= 0.3 ms); "
        f"simulator CPU per command: API phase {cpu_per(cpu['api'], 'sims', api.values):.3f} ms, "
        f"raw phase {cpu_per(cpu['raw'], 'sims', raw.values):.3f} ms",
        *floor_lines(cpu, api.values),
        f"- load average at the start: {' '.join(f'{x:.2f}' for x in load_before)}; when done: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores, shared with other work)", ""]
    if len(results) > 2:
        lines += reads_section(args, results[2:], header)
    return "\n".join(lines)


def floor_lines(cpu, api_values):
    """The HTTP floor (bench/http_floor_app.py) and crossbar's own share, if measured."""
    if "floor" not in cpu:
        return []
    timings, elapsed, server_cpu = cpu["floor"]
    floor = server_cpu / max(1, len(timings.values)) * 1000
    whole = cpu_per(cpu["api"], "server", api_values)
    return [f"- HTTP floor: the same requests answered by a WSGI app that does nothing "
            f"(bench/http_floor_app.py) under the same gunicorn command: "
            f"{len(timings.values) / elapsed:.0f} per s, p99 "
            f"{percentile(timings.values, 0.99) * 1000:.1f} ms, server CPU **{floor:.3f} ms per "
            f"request**; **crossbar's own CPU per action (server minus floor): "
            f"{whole - floor:.3f} ms** (target <= 0.3 ms)"]


def cpu_per(used, part, values):
    return used[part] / max(1, len(values)) * 1000


def cpu_line(name, used, elapsed, count):
    cores = {key: value / max(1e-9, elapsed) for key, value in used.items()}
    return (f"- CPU during the {name} (cores of 2): server {cores['server']:.2f}, simulators "
            f"{cores['sims']:.2f}, load generator {cores['generator']:.2f}, rest of the machine "
            f"{cores['other']:.2f} ({count} actions)")


def reads_section(args, results, header):
    (big, big_s), (listing, list_s), (raw_big, raw_big_s), (raw_list, raw_list_s) = results
    return [
        f"Reads, {args.read_concurrency} clients, {args.read_duration:.0f} s each:", "",
        header, big.row(f"GET conference with {args.big} participants", big_s),
        raw_big.row(f"raw ESL: `conference <room> json_list` to both nodes ({args.big} members)",
                    raw_big_s),
        listing.row(f"GET conference list ({args.rooms + 2} live on 2 nodes)", list_s),
        raw_list.row("raw ESL: `conference json_list` to both nodes", raw_list_s), "",
        f"- ratio API/raw ESL, GET one: {rate(big, big_s) / max(1e-9, rate(raw_big, raw_big_s)):.3f}; "
        f"list: {rate(listing, list_s) / max(1e-9, rate(raw_list, raw_list_s)):.3f}. The simulator "
        "renders json_list in Python (tens of ms for 200 members), so reads are bound by it; "
        "FreeSWITCH renders it in C.", ""]


def room_cache_ttl():
    """The TTL the server runs with (inherited from this environment, as the server's)."""
    return os.environ.get("KZ_ROOM_CACHE_TTL", SETTINGS["room_cache_ttl"][1])


def rate(timings, elapsed):
    return len(timings.values) / elapsed
