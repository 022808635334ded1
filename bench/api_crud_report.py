"""api_crud, the report: the Markdown section for bench/RESULTS.md (tables per
side, API/direct ratio, p50s, CPU per operation) and appending it."""
import os
import shlex
import sys
import time

from api_crud_api import PAGE_SIZE
from load_kit import OPS, percentile


def table(title, stats, elapsed):
    lines = [f"**{title}** ({elapsed:.1f} s)", "",
             "| operation | count | req/s | p50 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|"]
    for op in OPS:
        values = stats.latencies[op]
        lines.append(f"| {op} | {len(values)} | {len(values) / elapsed:.0f} | "
                     f"{percentile(values, 0.5) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f}"
                     f" | {stats.errors[op]} |")
    return lines


def _rate(stats, elapsed):
    return sum(len(v) for v in stats.latencies.values()) / elapsed


def cpu_line(label, used, side, rate):
    """Cores used, and the side's CPU per operation (robust to a busy machine)."""
    return (f"- CPU during the {label} run (cores of {os.cpu_count()}): {side} "
            f"{used['server']:.2f} ({used['server'] * 1000 / max(rate, 1e-9):.2f} ms CPU per "
            f"operation), load generator {used['generator']:.2f}, other processes on the "
            f"machine {used['other']:.2f}")


def cpu_ratio(api_cpu, api_rate, direct_cpu, direct_rate):
    api_cost = api_cpu["server"] / max(api_rate, 1e-9)
    return f"{direct_cpu['server'] / max(direct_rate, 1e-9) / max(api_cost, 1e-9):.3f}"


def report(args, api, direct, api_command):
    """``api`` and ``direct`` are (stats, elapsed, cpu) of each run."""
    (api_stats, api_elapsed, api_cpu), (direct_stats, direct_elapsed, direct_cpu) = api, direct
    api_rate, direct_rate = _rate(api_stats, api_elapsed), _rate(direct_stats, direct_elapsed)
    latency_lines = [
        f"- {op}: p50 {percentile(api_stats.latencies[op], 0.5) * 1000:.1f} ms through the API "
        f"vs {percentile(direct_stats.latencies[op], 0.5) * 1000:.2f} ms direct" for op in OPS]
    backend = f"CouchDB at {args.couch_url}" if args.couch_url else "embedded SQLite (WAL) file"
    command = " ".join(shlex.quote(a) for a in ["python"] + sys.argv)
    procs = args.direct_procs or args.workers
    return "\n".join([
        f"## api_crud ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"Command: `{command}`", "",
        f"Conferences create{' (each with a unique conference number)' if args.numbers else ''}"
        f" -> get -> list(page_size={PAGE_SIZE}) in a loop per client, "
        f"concurrency {args.concurrency}, {args.duration:.0f} s each; store: {backend}; server: "
        f"`{' '.join(api_command[2:])}`; client: raw-socket keep-alive HTTP/1.1.", "",
        *table("through the API (gunicorn, gevent workers)", api_stats, api_elapsed), "",
        *table(f"directly on the store (the same store calls, {args.concurrency} greenlets "
               f"over {procs} processes)", direct_stats, direct_elapsed), "",
        f"- **ratio API/direct (operations per second, all three operations): "
        f"{api_rate / max(1e-9, direct_rate):.3f}** ({api_rate:.0f} req/s vs "
        f"{direct_rate:.0f} ops/s)", *latency_lines,
        cpu_line("API", api_cpu, "gunicorn", api_rate),
        cpu_line("direct", direct_cpu, "store processes", direct_rate),
        f"- CPU per operation, direct/API: {cpu_ratio(api_cpu, api_rate, direct_cpu, direct_rate)}",
        ""])


def append_results(path, text):
    """Append a section, separated from what others appended by one blank line."""
    with open(path, "a+", encoding="utf-8") as out:
        out.seek(0)
        existing = out.read()
        gap = "" if not existing or existing.endswith("\n\n") else \
            ("\n" if existing.endswith("\n") else "\n\n")
        out.write(gap + text)
