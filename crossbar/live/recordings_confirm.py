"""Is the switch really recording? ``recording start`` proves nothing.

FreeSWITCH answers ``+OK Record file <path>`` before its recording thread opens the
file; when the file cannot be opened only the ``start-recording`` event says so
(``Error: File could not be opened for recording``, a ``stop-recording`` at once),
and ``recording check`` then answers ``-ERR Conference is not being recorded.``
(round4 recording_start_unwritable, recording_check_after_unwritable). A start is
confirmed by that event, seen on crossbar's own event connection to the node
(``DialWatcher``), within the ESL timeout; when the event does not come (no event
connection, or it did not arrive in time) ``recording check`` must list the file.
The check cannot decide at once: the switch lists a recording only once its
thread has opened the file, so without the event connection it is asked again
until the file is listed or the timeout has passed.

Errors name the file, never the directory it is in (replies never show where files
live on the server).
"""
import logging
import os
import time

import gevent

from kzcore.errors import SwitchRefused

log = logging.getLogger(__name__)

CHECK_INTERVAL = 0.1  # seconds between ``recording check`` polls (no event connection)
RECORD_FILE = "+OK Record file "


def checked_paths(text):
    """The files a ``recording check`` reply lists (pure): one ``+OK Record file <path>``
    line per recording; ``-ERR ...`` lists none."""
    return [line[len(RECORD_FILE):].strip() for line in (text or "").splitlines()
            if line.startswith(RECORD_FILE)]


def refusal_from_event(started, path):
    """The refusal a start-recording event's facts mean (pure), or None when the
    switch opened the file."""
    error = (started or {}).get("error")
    if not error:
        return None
    name = os.path.basename(path)
    return SwitchRefused(f"{error}: {name}", {"file": name, "event": "start-recording"})


class StartConfirmation:
    """``confirm(live, located, path, watcher)`` returns how the start was confirmed
    ("event" or "check") or raises SwitchRefused with the switch's words."""

    def __init__(self, timeout, interval=CHECK_INTERVAL, clock=time.monotonic):
        self.timeout, self.interval, self.clock = timeout, interval, clock

    def confirm(self, live, located, path, watcher):
        """``watcher``: the DialWatcher (None: no event connection, only the check)."""
        started = None
        watched = watcher is not None and watcher.ready(located.node, 0)
        if watched:
            started = watcher.wait_started_recording(located.node, located.name, path,
                                                     self.timeout)
        if started is not None:
            refused = refusal_from_event(started, path)
            if refused is not None:
                raise refused
            return "event"
        log.warning("no start-recording event; asking recording check", extra={
            "node": located.node, "conference_name": located.name,
            "event_connection": watched, "timeout": self.timeout})
        self._check(live, located, path, polls=not watched)
        return "check"

    def _check(self, live, located, path, polls):
        """Until ``recording check`` lists ``path`` (once, or polled until the timeout)."""
        deadline = self.clock() + (self.timeout if polls else 0)
        name = os.path.basename(path)
        while True:
            try:
                text = live.send(located, "recording", subcommand="check")
                answer = f"recording check does not list {name}"  # others' paths stay hidden
            except SwitchRefused as refused:
                text, answer = "", refused.message.strip()
            if path in checked_paths(text):
                return
            if self.clock() + self.interval > deadline:
                break
            gevent.sleep(self.interval)
        raise SwitchRefused(answer, {"file": name, "command": "recording check"})
