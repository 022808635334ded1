"""Events as FreeSWITCH builds them: the common header block, sequence numbers, dates.

An :class:`Event` is an ordered list of (name, value) headers (duplicates allowed, as
FreeSWITCH allows them) plus an optional body. :class:`EventFactory` stamps the headers
every event starts with, in FreeSWITCH's order.
"""
import dataclasses
import functools
import itertools
import time

from fssim import wire

CONFERENCE_SUBCLASS = "conference::maintenance"


@dataclasses.dataclass
class Event:
    name: str
    headers: list
    body: str = None
    subclass: str = None
    # The headers after the common block, when the caller passed them as a tuple it
    # reuses from event to event (talk bursts): their encoding is then cached.
    tail: tuple = None

    def get(self, header, default=None):
        for name, value in self.headers:
            if name == header:
                return value
        return default

    def encode(self, fmt="plain"):
        if self.tail is not None:       # set only for events without a body
            head = self.headers[:len(self.headers) - len(self.tail)]
            return wire.event_frame_with_tail(head, self.tail, fmt)
        return wire.event_frame(self.headers, self.body, fmt)


@dataclasses.dataclass
class Identity:
    core_uuid: str
    hostname: str = "vm"
    ipv4: str = "127.0.0.1"
    ipv6: str = "::1"


@functools.lru_cache(maxsize=64)
def _dates(second):
    return (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)),
            time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(second)))


def date_headers(epoch):
    local, gmt = _dates(int(epoch))
    return [("Event-Date-Local", local), ("Event-Date-GMT", gmt),
            ("Event-Date-Timestamp", str(int(epoch * 1_000_000)))]


class EventFactory:
    """Builds events with the common header block; one per simulated switch."""

    def __init__(self, identity, clock, first_sequence=1):
        self.identity = identity
        self.clock = clock
        self._sequence = itertools.count(first_sequence)

    def next_sequence(self):
        """A sequence number for something that is not an event (xml_curl params)."""
        return next(self._sequence)

    def make(self, name, calling, headers=(), body=None, subclass=None):
        """calling = (file, function, line) as in Event-Calling-* headers."""
        ident = self.identity
        head = [("Event-Subclass", subclass)] if subclass else []
        head += [
            ("Event-Name", name),
            ("Core-UUID", ident.core_uuid),
            ("FreeSWITCH-Hostname", ident.hostname),
            ("FreeSWITCH-Switchname", ident.hostname),
            ("FreeSWITCH-IPv4", ident.ipv4),
            ("FreeSWITCH-IPv6", ident.ipv6),
            *date_headers(self.clock.now()),
            ("Event-Calling-File", calling[0]),
            ("Event-Calling-Function", calling[1]),
            ("Event-Calling-Line-Number", str(calling[2])),
            ("Event-Sequence", str(next(self._sequence))),
        ]
        tail = headers if isinstance(headers, tuple) and headers and body is None else None
        return Event(name, head + list(headers), body, subclass, tail)

    def custom(self, subclass, calling, headers=()):
        return self.make("CUSTOM", calling, headers, subclass=subclass)
