"""The webhook benchmark's section of bench/RESULTS.md (pure formatting)."""
import time


def _ms(value):
    return "—" if value is None else f"{value:.1f}"


def report(steps, plain, argv):
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## webhooks: RabbitMQ -> kz-webhooks -> local receiver ({stamp})", "",
             f"Command: `python bench/webhooks.py {' '.join(argv)}`".rstrip() + "", "",
             "kz-webhooks in its own process (durable classic queue, prefetch 1000, pool of 10 "
             "connections per destination, embedded store file), the receiver in another "
             "(gevent WSGI, answers 204), events published by this process over 20 conferences; "
             "all on the same two cores as the broker. Throughput: a burst, from the first "
             "publication to the last delivery. Latency: publication -> receipt, events paced at "
             "half the measured rate. CPU: kz-webhooks' own (user+system, /proc).", "",
             "| webhooks | events | deliveries | deliveries/s | CPU ms/delivery "
             "| p50 ms (paced) | p99 ms (paced) | p99 ms (burst) | order violations |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in steps:
        lines.append(f"| {s['webhooks']} | {s['events']} | {s['deliveries']} "
                     f"| {s['per_second']:.0f} | {s['cpu_ms']:.2f} | {_ms(s['p50_ms'])} "
                     f"| {_ms(s['p99_ms'])} | {_ms(s['burst_p99_ms'])} | {s['violations']} |")
    lines += ["", f"**Baseline**: a plain loop of {plain['count']} HTTP POSTs of the same signed "
              f"bodies (urllib3, one keep-alive connection, this process): "
              f"{plain['per_second']:.0f} req/s, {plain['cpu_ms']:.2f} CPU ms per POST, "
              f"p50 {plain['p50_ms']:.2f} ms, p99 {plain['p99_ms']:.2f} ms.", ""]
    for s in steps:
        lines.append(f"- {s['webhooks']} webhook(s): **{s['per_second'] / plain['per_second']:.2f}x"
                     f"** the plain loop's rate, **{s['cpu_ms'] / plain['cpu_ms']:.1f}x** its CPU "
                     "per delivery")
    return "\n".join(lines) + "\n"
