"""Micro-benchmark: what the marshmallow representations cost per object.

Replays the recorded FreeSWITCH traffic (tests/fixtures/freeswitch) through
ecallmgr's normalize, maps a recorded ``json_list`` to API participants, and
builds webhook bodies, timing each per object (best of ``--repeat`` runs of
``timeit``; microseconds). With kzcore.representations present it also times
dumping each ecallmgr payload through its schema, i.e. what normalize would pay
on the event hot path if it dumped instead of building its dict.

    python bench/representations.py [--repeat 5]

Run it on an older checkout (no kzcore.representations) for the "before" figures.
"""
import argparse
import pathlib
import sys
import timeit

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crossbar.live import state  # noqa: E402
from ecallmgr.normalize import normalize  # noqa: E402
from ecallmgr.state import LiveState  # noqa: E402
from kzcore import fs_replies  # noqa: E402
from kzcore.esl.frames import FrameParser, parse_event  # noqa: E402
from webhooks.body import build_body  # noqa: E402
from webhooks.directory import Webhook  # noqa: E402
from webhooks.hooks import HookEvent  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "freeswitch"
ACCOUNT = "9d351ad7ffd6f846313af9eed3bb7b85"
NODE, FOCUS = "ecallmgr@bench", "freeswitch@bench"


def recorded_events(name="room1_scenario.plain.esl"):
    """(event, member, conference) of every maintenance event, as the stream has them."""
    events = [e for e in (parse_event(f) for f in FrameParser().feed((FIXTURES / name).read_bytes()))
              if e]
    live, calls = LiveState(), []
    for event in events:
        if "Conference-Name" in event:
            event["Conference-Name"] = f"{ACCOUNT}_{event['Conference-Name']}"
        applied = live.apply(FOCUS, event)
        if applied is not None:
            calls.append((event, applied.member, applied.conference))
    return calls


def per_call_us(function, items, repeat):
    """Best per-item time over ``repeat`` rounds of calling ``function`` on every item."""
    def round_():
        for item in items:
            function(item)
    loops = max(1, 20000 // max(1, len(items)))
    best = min(timeit.repeat(round_, number=loops, repeat=repeat))
    return best / loops / len(items) * 1e6


def normalised(calls):
    out = []
    for n, (event, member, conference) in enumerate(calls):
        result = normalize(event, node=NODE, focus=FOCUS, msg_id=f"m{n}", member=member,
                           conference=conference)
        if result:
            out.append(result[1])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    calls = recorded_events()
    payloads = normalised(calls)
    member_events = [p for p in payloads if p["event_name"] == "participant_event"]
    room_events = [p for p in payloads if p["event_name"] == "conference_event"]
    rows = []

    def normalize_one(call):
        event, member, conference = call
        normalize(event, node=NODE, focus=FOCUS, msg_id="m", member=member, conference=conference)

    rows.append((f"ecallmgr normalize, per event ({len(calls)} recorded)",
                 per_call_us(normalize_one, calls, args.repeat)))
    try:
        from kzcore.representations.conference_event import CONFERENCE_EVENT
        from kzcore.representations.participant_event import PARTICIPANT_EVENT
    except ImportError:
        PARTICIPANT_EVENT = CONFERENCE_EVENT = None
    if PARTICIPANT_EVENT is not None:
        rows.append((f"  participant_event schema dump ({len(member_events)})",
                     per_call_us(PARTICIPANT_EVENT.dump, member_events, args.repeat)))
        rows.append((f"  conference_event schema dump ({len(room_events)})",
                     per_call_us(CONFERENCE_EVENT.dump, room_events, args.repeat)))
        rows.append(("  participant_event schema validate (tests only)",
                     per_call_us(PARTICIPANT_EVENT.validate, member_events, args.repeat)))

    frame = [f for f in FrameParser().feed(
        (FIXTURES / "api_conference_room1_json_list.esl").read_bytes())
        if f.content_type == "api/response"][-1]
    (room,) = fs_replies.parse_json_list(frame.body)
    members = [m for m in room["members"] if state.is_participant(m)]
    rows.append((f"crossbar participant, per member ({len(members)})",
                 per_call_us(lambda m: state.participant(m, room, FOCUS, 1000), members,
                             args.repeat)))

    hook = Webhook(id="w1", account_id=ACCOUNT, rev="1-a", name="n", uri="http://x/",
                   http_verb="post", hook="all", enabled=True, include_subaccounts=False,
                   retries=2, secret="whsec_bench", custom_data={"crm": "7"})
    left = HookEvent("participant.left", {"reason": "kicked"})
    rows.append((f"webhook body (incl. orjson), per delivery ({len(member_events)})",
                 per_call_us(lambda p: build_body(p, hook, left, 9), member_events,
                             args.repeat)))
    for label, micros in rows:
        print(f"{label:<60} {micros:8.2f} us")


if __name__ == "__main__":
    main()
