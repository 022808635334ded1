"""Pluggable dialplan: (regex, handler) pairs tried in order on the destination number.

A handler is ``handler(channel, match)``; it runs in its own greenlet and drives the
channel through the channel API. The defaults are the recorded rig's context "default":
conf_/confmod_/confmd_/confwb_/confv_ rooms and the talk/talk_slow/talk_steady/silent
far-leg extensions.
"""
import logging
import re
import uuid as uuidlib

import gevent

from fssim import channel_playback
from fssim.channels import COMPLETE_CALL, EXECUTE_CALL
from fssim.voice import EXTENSION_TONES, VoiceDriver

log = logging.getLogger(__name__)

CONFERENCE_EXTENSIONS = [
    (r"^conf_(.+)$", "default", ()),
    (r"^confmod_(.+)$", "default", ("moderator",)),
    (r"^confmd_(.+)$", "default", ("mute-detect",)),
    (r"^confwb_(.+)$", "wideband", ()),
    (r"^confv_(.+)$", "verbose", ()),
]


# As on the recorded rig: only "talk" was written with a capture group, so only it
# leaves a DP_MATCH variable on the channel.
FAR_PATTERNS = {"talk": "^(talk)$"}


def conference_extension(profile, flags):
    suffix = "+flags{%s}" % "|".join(flags) if flags else ""

    def handler(channel, match):
        room = match.group(1)
        data = f"{room}@{profile}{suffix}"
        channel.set_variable("current_application_data", data)
        channel.set_variable("current_application", "conference")
        channel.answer()
        announce_application(channel, "conference", data)
        member = channel.join_conference(room, profile, flags)
        if member is None:
            channel.hangup("NORMAL_CLEARING")
    return handler


def announce_application(channel, app, data):
    """CHANNEL_EXECUTE now, CHANNEL_EXECUTE_COMPLETE when the call ends (for the
    applications the dialplan runs without Channel.execute, e.g. `conference`)."""
    app_uuid = str(uuidlib.uuid4())
    head = [("Application", app), ("Application-Data", data)]
    channel.fire("CHANNEL_EXECUTE", EXECUTE_CALL, extra_after=head + [
        ("Application-UUID", app_uuid)])
    channel.before_report.append(lambda ch: ch.fire(
        "CHANNEL_EXECUTE_COMPLETE", COMPLETE_CALL,
        extra_after=head + [("Application-Response", "_none_"),
                            ("Application-UUID", app_uuid)]))


def far_extension(name, path=None):
    """The far leg plays a tone forever (PLAYBACK_START); the other loopback leg hears
    it as voice. Without a sound (path None and no recorded tone for `name`) it just
    answers and stays silent, with no playback (round4's "silent": no PLAYBACK_*)."""
    path = path or EXTENSION_TONES.get(name)

    def handler(channel, match):
        channel.answer()
        if not path:
            return
        channel.set_variable("current_application_data", path)
        channel.set_variable("current_application", "playback")
        channel.last_app, channel.last_arg = "playback", path
        channel_playback.start(channel, path)
        target = channel.partner or channel
        target.far_voice = VoiceDriver(target, path).start()
    return handler


def park_extension(channel, match):
    """An extension that answers and parks (round4's "silent" far leg: no playback,
    current_application/last_app park)."""
    channel.answer()
    channel.set_variable("current_application", "park")
    channel.last_app, channel.last_arg = "park", None


class Dialplan:
    def __init__(self, core):
        self.core = core
        self.entries = []
        for pattern, profile, flags in CONFERENCE_EXTENSIONS:
            self.add(pattern, conference_extension(profile, flags))
        for name in EXTENSION_TONES:
            self.add(FAR_PATTERNS.get(name, f"^{name}$"), far_extension(name))

    def add(self, pattern, handler, first=True):
        """Add an extension; `first` puts it before the defaults."""
        entry = (re.compile(pattern), handler)
        if first:
            self.entries.insert(0, entry)
        else:
            self.entries.append(entry)

    def lookup(self, destination):
        for regex, handler in self.entries:
            match = regex.match(destination)
            if match:
                return handler, match
        return None, None

    def dp_match(self, destination):
        """The DP_MATCH variable FreeSWITCH sets for a matched extension, or None."""
        handler, match = self.lookup(destination)
        if handler is None or not match.groups():
            return None
        return [match.group(0)] + list(match.groups())

    def route(self, channel, destination=None):
        """Run the matching extension in a greenlet; False when nothing matches."""
        destination = destination or channel.profile.destination_number
        handler, match = self.lookup(destination)
        if handler is None:
            return False
        gevent.spawn(self._run, handler, channel, match)
        return True

    def _run(self, handler, channel, match):
        try:
            handler(channel, match)
        except Exception:
            log.exception("dialplan handler failed", extra={"uuid": channel.uuid})
            channel.hangup("NORMAL_TEMPORARY_FAILURE")
