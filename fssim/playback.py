"""Files played into a conference or to one member, with their play-file* events
(conference_file.c, conference_member.c).

Room files play one after another (a queue: ``conference->fnode``), one ``async`` file
alongside (a new one replaces it); each member has its own queue. A node ends with
play-file-done / play-file-member-done reporting what it played; speech nodes (say)
report nothing. Stopping marks nodes done; they report what they played.
"""
import collections

from fssim import conference_events as ce
from fssim.file_node import FileNode, spawn_queue_runner
from fssim.media import file_seconds, reported_play_time


class FileQueue:
    """One fnode list: the room's, or one member's."""

    def __init__(self):
        self.queue = collections.deque()
        self.runner = None

    def nodes(self):
        return [node for node in self.queue if not node.finished]


class Playback:
    def __init__(self, conference):
        self.conference = conference
        self.room = FileQueue()
        self.async_node = None
        self.members = {}

    @property
    def clock(self):
        return self.conference.core.clock

    # -- starting ------------------------------------------------------------------------
    def play_room(self, path, announce=True, is_async=False, leadin=0.0, opened=None):
        """Queue a file for the whole room (a profile without that sound: nothing).
        ``opened`` (fssim.file_open.OpenedFile) gives the checked length."""
        if not path:
            return None
        seconds = opened.seconds if opened else file_seconds(path)
        node = FileNode(path, seconds, is_async=is_async, leadin=leadin,
                        file_path=opened.file_path if opened else None)
        if announce:
            self.conference.emit_conference("play-file", [
                ("File", path), ("Async", "true" if is_async else "false")])
        if is_async:
            self._replace_async(node)
        else:
            self._enqueue(self.room, node)
        return node

    def say_room(self, text, seconds):
        return self._enqueue(self.room, FileNode(f"say:{text}", seconds, speech=True))

    def play_member(self, member, path, announce=True, opened=None):
        if not path:
            return None
        seconds = opened.seconds if opened else file_seconds(path)
        node = FileNode(path, seconds, member=member,
                        file_path=opened.file_path if opened else None)
        if announce:
            self.conference.emit_member(member, "play-file-member", [("File", path)])
        return self._enqueue(self.members.setdefault(member.id, FileQueue()), node)

    def say_member(self, member, text, seconds):
        node = FileNode(f"say:{text}", seconds, member=member, speech=True)
        return self._enqueue(self.members.setdefault(member.id, FileQueue()), node)

    def _enqueue(self, files, node):
        files.queue.append(node)
        if files.runner is None or files.runner.dead:
            files.runner = spawn_queue_runner(files, self.clock, self._report)
        return node

    def _replace_async(self, node):
        old, self.async_node = self.async_node, node
        if old is not None:
            old.stop()
        files = FileQueue()
        files.queue.append(node)
        files.runner = spawn_queue_runner(files, self.clock, self._report_async)

    def _report_async(self, node):
        if self.async_node is node:
            self.async_node = None
        self._report(node)

    # -- ending --------------------------------------------------------------------------
    def _report(self, node):
        """conference_file_close: the done event with what the node played (once)."""
        conf = self.conference
        if node.reported or node.speech or conf.destroyed:
            return
        node.reported = True
        report = reported_play_time(node.played_seconds(self.clock), conf.profile.rate,
                                    node.path)
        member = node.member
        if member is not None:
            # A member who left is no longer found: the event has no member block.
            present = member.conference is conf and not member.leaving
            conf.emit("play-file-member-done",
                      ce.file_done(conf, report, member if present else None,
                                   member_file=True) + [("File", node.path)])
            return
        headers = ce.file_done(conf, report) + [("File", node.path)]
        if node.is_async:
            headers.append(("Async", "true"))
        conf.emit("play-file-done", headers)

    def busy(self):
        return bool(self.room.nodes() or self.async_node)

    def current(self, member=None):
        files = self.room if member is None else self.members.get(member.id)
        nodes = files.nodes() if files else []
        return nodes[0] if nodes else None

    def stop(self, kind="all", member=None):
        """`stop current|all|async [member]` -> how many nodes were marked done."""
        if member is not None:
            files = self.members.get(member.id)
            nodes = files.nodes() if files else []
            chosen = [] if kind == "async" else nodes[:1] if kind == "current" else nodes
        else:
            nodes = self.room.nodes()
            async_nodes = [self.async_node] if self.async_node else []
            chosen = {"current": nodes[:1], "async": async_nodes}.get(kind, nodes + async_nodes)
        self._stop_now(chosen)
        return len(chosen)

    def _stop_now(self, nodes):
        """Stopped nodes report at once (before the command's other consequences)."""
        for node in nodes:
            node.stop()
        for node in nodes:
            self._report(node)

    def stop_all(self):
        """Conference ending: what is playing stops and reports what it played."""
        self.stop("all")

    def stop_member_files(self, member):
        """A member leaving: its files close (conference_member_del)."""
        files = self.members.pop(member.id, None)
        self._stop_now(files.nodes() if files else [])
