"""Prometheus metrics from the counters a service already keeps.

Services count what they do in plain dicts (``stats()``); ``StatsCollector`` turns
one snapshot of them into Prometheus series at scrape time, so the event path
pays nothing per event. Each ``Metric`` names a series and reads its value from the
snapshot: a number, or ``{label value (or tuple of values): number}`` for a
labelled series. A ``HISTOGRAM``'s value is a ``kzcore.timings`` histogram (or
``{labels: histogram}``): ``{"buckets": [count per bound...], "sum": seconds}``
with the bounds in ``Metric.buckets``. Every service builds its own
``CollectorRegistry`` (no global).
"""
import dataclasses
import logging
import typing

from prometheus_client import CollectorRegistry
from prometheus_client.core import (CounterMetricFamily, GaugeMetricFamily,
                                    HistogramMetricFamily)

log = logging.getLogger(__name__)

COUNTER, GAUGE, HISTOGRAM = "counter", "gauge", "histogram"


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str                      # without the _total suffix for counters
    kind: str                      # COUNTER or GAUGE
    help: str
    value: typing.Callable         # snapshot -> number | {labels: number}
    labels: tuple = ()
    buckets: tuple = ()            # HISTOGRAM: upper bounds in seconds (+Inf added)


class StatsCollector:
    def __init__(self, read, metrics):
        self.read = read
        self.metrics = list(metrics)

    def describe(self):
        return []                  # descriptions come from collect (values are read live)

    def collect(self):
        try:
            snapshot = self.read()
        except Exception:  # a scrape must never break the service
            log.exception("metrics snapshot failed")
            return
        for metric in self.metrics:
            family = _family(metric)
            try:
                value = metric.value(snapshot)
            except (KeyError, TypeError, ValueError):
                continue               # not kept (yet) by this service: no series
            if value is None:
                continue               # not applicable here (e.g. no lease without HA)
            if metric.kind == HISTOGRAM:
                _add_histograms(family, metric, value)
            elif isinstance(value, dict):
                for labels, number in value.items():
                    family.add_metric(_label_values(labels), float(number))
            else:
                family.add_metric([], float(value))
            yield family


def _label_values(labels):
    labels = labels if isinstance(labels, tuple) else (labels,)
    return [str(label) for label in labels]


def _add_histograms(family, metric, value):
    series = value.items() if metric.labels else [((), value)]
    for labels, histogram in series:
        counts, running, buckets = histogram["buckets"], 0, []
        for bound, count in zip(tuple(metric.buckets) + (float("inf"),), counts):
            running += count
            buckets.append((_bound(bound), running))
        family.add_metric(_label_values(labels) if metric.labels else [], buckets,
                          float(histogram["sum"]))


def _bound(bound):
    return "+Inf" if bound == float("inf") else repr(float(bound))


def _family(metric):
    if metric.kind == HISTOGRAM:
        return HistogramMetricFamily(metric.name, metric.help, labels=list(metric.labels))
    kind = CounterMetricFamily if metric.kind == COUNTER else GaugeMetricFamily
    return kind(metric.name, metric.help, labels=list(metric.labels))


def make_registry(*collectors):
    registry = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        registry.register(collector)
    return registry
