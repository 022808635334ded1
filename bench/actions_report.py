"""actions, the report: latencies per operation (Timings) and the Markdown section
for bench/RESULTS.md (tables, API/raw ESL ratios)."""
import os
import shlex
import sys
import time

from load_kit import percentile


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


def report(args, results, server_command):
    (api, api_s), (raw, raw_s), (big, big_s), (listing, list_s), (raw_big, raw_big_s), \
        (raw_list, raw_list_s) = results
    api_rate, raw_rate = len(api.values) / api_s, len(raw.values) / raw_s
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    header = "| operation | count | per s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|"
    return "\n".join([
        f"## actions ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Participant mute/unmute alternating, {args.concurrency} clients on {args.members} "
        f"callers of one room, {args.duration:.0f} s per phase; two `fssim` processes as the "
        f"nodes; server: `{' '.join(server_command[2:])}` (embedded SQLite store). Raw ESL: the "
        f"same `conference <room> mute|unmute <id>` api commands, same concurrency, over "
        f"{args.workers} ESL connections (one per worker, as the API holds). Each API action "
        "first asks both nodes where the room is (`conference <room> list count`): a room may "
        "run on two nodes, and a member id alone could then reach the wrong member.", "",
        header, api.row("mute/unmute through the API", api_s),
        raw.row("mute/unmute as raw ESL round trips", raw_s), "",
        f"- **ratio API/raw ESL (actions per second): {api_rate / max(1e-9, raw_rate):.3f}** "
        f"({api_rate:.0f} vs {raw_rate:.0f} per s)",
        f"- load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"(the machine is shared: other suites may run meanwhile)", "",
        f"Reads, {args.read_concurrency} clients, {args.read_duration:.0f} s each:", "",
        header, big.row(f"GET conference with {args.big} participants", big_s),
        raw_big.row(f"raw ESL: `conference <room> json_list` to both nodes ({args.big} members)",
                    raw_big_s),
        listing.row(f"GET conference list ({args.rooms + 2} live on 2 nodes)", list_s),
        raw_list.row("raw ESL: `conference json_list` to both nodes", raw_list_s), "",
        f"- ratio API/raw ESL, GET one: {rate(big, big_s) / max(1e-9, rate(raw_big, raw_big_s)):.3f}; "
        f"list: {rate(listing, list_s) / max(1e-9, rate(raw_list, raw_list_s)):.3f}. The simulator "
        "renders json_list in Python (tens of ms for 200 members), so reads are bound by it; "
        "FreeSWITCH renders it in C.", ""])


def rate(timings, elapsed):
    return len(timings.values) / elapsed
