"""bench/events.py's report: the RESULTS.md section for one run (pure)."""
import os
import time

P99_LIMIT_MS = 10.0


GENERATOR_TITLES = {
    "fssim": "fssim emits the events (several talking members; the simulator's cost included)",
    "replay": "fssim's captured frames replayed by bench/events_replay.py (ecallmgr's ceiling)",
}


def best_step(steps):
    sustained = [s for s in steps if s["sustained"]]
    return max(sustained, key=lambda s: s["rate"]) if sustained else None


def summarise(results, raw, args):
    command = (f"python bench/events.py --rates {args.rates} --seconds {args.seconds:g} "
               f"--generators {args.generators} --members {args.members}")
    lines = ["", "## Events: fssim -> ecallmgr -> RabbitMQ (bench/events.py)", "",
             f"Command: `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"Raw pika publish loop (plain `basic_publish`, no confirms, same payload, exchange "
             f"and binding): **{raw['rate']:.0f} msg/s**. The same loop paced, consumed here "
             "(latency from the scheduled send, and from the actual send: the broker + consumer "
             "floor):", ""]
    lines += [f"- raw paced {p['count'] / args.seconds:.0f}/s: from schedule "
              f"p50 {p.get('p50_ms')} ms, "
              f"p99 {p.get('p99_ms')} ms; from the actual send p50 {p.get('sent_p50_ms')} ms, "
              f"p99 {p.get('sent_p99_ms')} ms" for p in raw.get("paced", [])]
    floor = [q for q in raw.get("paced", []) if q.get("received") == q["count"]
             and (q.get("sent_p99_ms") or 1e9) < P99_LIMIT_MS]
    if floor:
        best_raw = max(floor, key=lambda q: q["count"])
        lines.append(f"- highest paced rate at which the raw loop itself stays under p99 "
                     f"{P99_LIMIT_MS:g} ms from its actual sends: "
                     f"{best_raw['count'] / args.seconds:.0f}/s (the broker + consumer floor)")
    lines += [f"- load average (1 min) at the end of the run: {os.getloadavg()[0]:.1f} "
              "(2 cores, shared with the other work on this machine)", ""]
    for generator, steps in results.items():
        best = best_step(steps)
        rate = best["throughput"] if best else 0.0
        complete = [s for s in steps if s["received"] == s["events"] and s["in_order"]]
        peak = max(complete, key=lambda s: s["throughput"]) if complete else None
        lines += [f"### {GENERATOR_TITLES.get(generator, generator)}", "",
                  "| offered/s | delivered/s | in order "
                  "| p50 ms sched | p99 ms sched | max ms sched "
                  "| p50 ms emitted | p99 ms emitted "
                  "| ecallmgr CPU s/1000 | generator CPU s/1000 | broker CPU s/1000 "
                  "| consumer CPU s/1000 | sustained |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {s['rate']} | {s['throughput']} | {s['in_order']} | {s['p50_ms']} | "
                  f"{s['p99_ms']} | {s['max_ms']} | {s.get('emitted_p50_ms') or '-'} | "
                  f"{s.get('emitted_p99_ms') or '-'} | {s['cpu_s_per_1000']} | "
                  f"{s['generator_cpu_s_per_1000']} | {s.get('broker_cpu_s_per_1000') or '-'} | "
                  f"{s.get('consumer_cpu_s_per_1000') or '-'} | {s['sustained']} |" for s in steps]
        lines += ["",
                  f"- Highest sustained rate (all delivered, in order, p99 < {P99_LIMIT_MS:g} ms; "
                  "from emission where measured, else from schedule): "
                  f"**{rate:.0f} events/s** (offered {best['rate'] if best else 0}/s); "
                  f"ratio to the raw loop **{rate / raw['rate']:.2f}**; ecallmgr CPU "
                  f"{best['cpu_s_per_1000'] if best else '-'} s per 1,000 events."]
        if peak:
            lines.append(f"- Highest throughput delivered complete and in order, whatever the "
                         f"latency: **{peak['throughput']:.0f} events/s** (offered {peak['rate']}/s, "
                         f"p99 {peak['p99_ms']} ms); ratio to the raw loop "
                         f"**{peak['throughput'] / raw['rate']:.2f}**; ecallmgr CPU "
                         f"{peak['cpu_s_per_1000']} s per 1,000 events.")
        lines.append("")
    return "\n".join(lines)
