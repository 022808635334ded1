"""Files played into a conference or to one member, with their play-file* events.

Room files play one after another (a queue), `async` ones alongside; each ends with
play-file-done. A file stopped early (conference destroyed, `stop`) reports the time
it actually played.
"""
import collections

import gevent

from fssim import conference_events as ce
from fssim.media import file_seconds, reported_play_time


class PlayingFile:
    def __init__(self, path, member=None, is_async=False):
        self.path = path
        self.member = member
        self.is_async = is_async
        self.started = None
        self.greenlet = None
        self.stopped = False
        self.finished = False


class Playback:
    def __init__(self, conference):
        self.conference = conference
        self.queue = collections.deque()
        self.current = None
        self.async_files = []
        self.member_files = {}
        self._runner = None

    @property
    def clock(self):
        return self.conference.core.clock

    # -- room files --------------------------------------------------------------------
    def play_room(self, path, announce=True, is_async=False):
        """Play to the whole room (a profile without that sound: nothing)."""
        if not path:
            return None
        conf = self.conference
        if announce:
            conf.emit_conference("play-file", [("File", path), ("Async", "true" if is_async
                                                                 else "false")])
        item = PlayingFile(path, is_async=is_async)
        if is_async:
            self.async_files.append(item)
            item.greenlet = gevent.spawn(self._play, item)
            return item
        self.queue.append(item)
        if self._runner is None or self._runner.dead:
            self._runner = gevent.spawn(self._run_queue)
        return item

    def _run_queue(self):
        while self.queue and not self.conference.destroyed:
            self.current = self.queue.popleft()
            self._play(self.current)
            self.current = None

    def _play(self, item):
        item.started = self.clock.now()
        seconds = file_seconds(item.path)
        try:
            if seconds is None:
                gevent.sleep(3600 * 24)
            else:
                self.clock.sleep(seconds)
        except gevent.GreenletExit:
            pass
        self._finish(item)

    def _finish(self, item):
        if item.finished:
            return
        item.finished = True
        if item in self.async_files:
            self.async_files.remove(item)
        conf = self.conference
        played = max(0.0, self.clock.now() - item.started) if item.started else 0.0
        length = file_seconds(item.path)
        if length is not None and not item.stopped:
            played = length
        report = reported_play_time(played, conf.profile.rate)
        if item.member is not None:
            if item.member.conference is not conf:
                return
            headers = ce.file_done(conf, report, item.member) + [("File", item.path)]
            conf.emit("play-file-member-done", headers)
            return
        headers = ce.file_done(conf, report) + [("File", item.path)]
        if item.is_async:
            headers.append(("Async", "true"))
        conf.emit("play-file-done", headers)

    def busy(self):
        return bool(self.current or self.queue or self.async_files)

    def stop_all(self):
        """Conference ending: what is playing stops and reports what it played."""
        queued = list(self.queue)
        self.queue.clear()
        for item in [self.current] + list(self.async_files) + queued:
            self._stop(item)

    def stop_current(self):
        count = 0
        for item in [self.current] + list(self.async_files):
            if item is not None and self._stop(item):
                count += 1
        return count

    def _stop(self, item):
        """Stop one file now: its done event goes out before this returns."""
        if item is None or item.finished:
            return False
        item.stopped = True
        item.started = item.started or self.clock.now()
        self._finish(item)
        target = self._runner if item is self.current else item.greenlet
        if target is not None and not target.dead and target is not gevent.getcurrent():
            target.kill(block=False)
        return True

    # -- member files ------------------------------------------------------------------
    def play_member(self, member, path, announce=True):
        if not path:
            return None
        conf = self.conference
        if announce:
            conf.emit_member(member, "play-file-member", [("File", path)])
        item = PlayingFile(path, member=member)
        self.member_files.setdefault(member.id, []).append(item)
        item.greenlet = gevent.spawn(self._play_member, item)
        return item

    def _play_member(self, item):
        try:
            self._play(item)
        finally:
            files = self.member_files.get(item.member.id, [])
            if item in files:
                files.remove(item)

    def stop_member_current(self, member):
        files = [item for item in self.member_files.get(member.id, []) if not item.finished]
        return sum(1 for item in files[:1] if self._stop(item))

    def stop_member_files(self, member):
        for item in self.member_files.pop(member.id, []):
            item.finished = True
            item.greenlet.kill(block=False)
