"""Counts and histograms kept as plain numbers (kzcore.timings), rendered as
Prometheus series (kzcore.metrics), and added up over gunicorn workers
(kzcore.stats_spool): what each service's /metrics is made of."""
import json
import os

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from crossbar.observability import outcome
from kzcore.metrics import HISTOGRAM, Metric, StatsCollector, make_registry
from kzcore.stats_spool import DEAD, StatsSpool, retire
from kzcore.timings import OTHER, Counts, Timings, labelled, merge


def samples(registry):
    text = generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_histogram_counts_each_value_in_the_first_bucket_that_holds_it():
    timings = Timings(bounds=(0.01, 0.1))
    for seconds in (0.005, 0.01, 0.05, 0.1, 0.2, 3.0):
        timings.observe(("GET", "/v2/x"), seconds)
    snap = timings.snapshot()
    assert list(snap) == ["GET\t/v2/x"] and snap["GET\t/v2/x"]["buckets"] == [2, 2, 2]
    assert round(snap["GET\t/v2/x"]["sum"], 6) == 3.365
    metric = Metric("kz_t_seconds", HISTOGRAM, "t", lambda s: labelled(s),
                    labels=("method", "route"), buckets=(0.01, 0.1))
    found = samples(make_registry(StatsCollector(lambda: snap, [metric])))
    labels = (("method", "GET"), ("route", "/v2/x"))
    assert found[("kz_t_seconds_bucket", tuple(sorted(labels + (("le", "0.01"),))))] == 2
    assert found[("kz_t_seconds_bucket", tuple(sorted(labels + (("le", "0.1"),))))] == 4
    assert found[("kz_t_seconds_bucket", tuple(sorted(labels + (("le", "+Inf"),))))] == 6
    assert found[("kz_t_seconds_count", labels)] == 6
    assert round(found[("kz_t_seconds_sum", labels)], 3) == 3.365


def test_label_values_chosen_by_clients_cannot_grow_without_end():
    counts = Counts(max_keys=2)
    for name in ("mute", "kick", "made-up-1", "made-up-2", "mute"):
        counts.add((name, "ok"))
    assert counts.snapshot() == {"mute\tok": 2, "kick\tok": 1, f"{OTHER}\t{OTHER}": 2}


def test_snapshots_add_up_key_by_key():
    left = {"counters": {"a": 1, "h": {"k": {"buckets": [1, 0], "sum": 0.5}}}, "gauges": {"g": 1}}
    right = {"counters": {"a": 2, "b": 5, "h": {"k": {"buckets": [0, 3], "sum": 1.5}}},
             "gauges": {"g": 1}}
    assert merge(left, right) == {"counters": {"a": 3, "b": 5, "h": {"k": {"buckets": [1, 3],
                                                                            "sum": 2.0}}},
                                  "gauges": {"g": 2}}


def test_outcomes_of_actions_come_from_their_status():
    assert [outcome(s) for s in (200, 202, 400, 404, 409, 422, 503, 500)] == \
        ["ok", "ok", "invalid", "not_found", "conflict", "refused", "unavailable", "error"]
    assert outcome(202, replayed=True) == "replayed"


def write(directory, name, value):
    with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
        json.dump(value, handle)


def test_a_worker_answers_the_sum_of_every_worker_and_of_those_that_exited(tmp_path):
    own = {"counters": {"requests": 3}, "gauges": {"connected": 1}}
    spool = StatsSpool(str(tmp_path), lambda: own)
    write(tmp_path, "111.json", {"counters": {"requests": 10}, "gauges": {"connected": 1}})
    write(tmp_path, "222.json", {"counters": {"requests": 5}, "gauges": {"connected": 1}})
    write(tmp_path, "222.json.222.tmp", {"counters": {"requests": 1000}})   # half-written
    assert spool.merged() == {"counters": {"requests": 18}, "gauges": {"connected": 3}}
    retire(str(tmp_path), 222)                   # the master saw worker 222 exit
    assert not (tmp_path / "222.json").exists() and not (tmp_path / "222.json.222.tmp").exists()
    assert json.loads((tmp_path / DEAD).read_text()) == {"counters": {"requests": 5}}
    assert spool.merged() == {"counters": {"requests": 18}, "gauges": {"connected": 2}}
    retire(str(tmp_path), 111)
    assert spool.merged() == {"counters": {"requests": 18}, "gauges": {"connected": 1}}


def test_the_spool_greenlet_writes_this_workers_snapshot(tmp_path):
    import gevent
    state = {"counters": {"n": 1}}
    spool = StatsSpool(str(tmp_path), lambda: state, interval=0.01).start()
    try:
        gevent.sleep(0.05)
        state["counters"]["n"] = 7
        gevent.sleep(0.05)
    finally:
        spool.stop()
    assert json.loads((tmp_path / f"{os.getpid()}.json").read_text()) == {"counters": {"n": 7}}
