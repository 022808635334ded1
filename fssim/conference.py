"""One conference: members, flags, floor, lock, variables, and the events they cause.

Timing follows the recordings: the first member gets the floor 20 ms after joining,
a member whose far end plays a tone starts talking 60 ms after the tone starts and stops
800 ms after it ends (so a 400/600 tone counts as continuous talking).
"""
import logging
import uuid as uuidlib

from fssim import conference_events as ce
from fssim.events import CONFERENCE_SUBCLASS
from fssim.playback import Playback

log = logging.getLogger(__name__)

TALK_ON_DELAY = 0.06
TALK_HANGOVER = 0.8
FLOOR_DELAY = 0.02
FLOOR_TAKE_DELAY = 0.2  # recorded: the floor moves ~200 ms after start-talking


class Conference:
    def __init__(self, core, name, profile):
        self.core = core
        self.name = name
        self.profile = profile
        self.uuid = str(uuidlib.uuid4())
        self.members = []            # join order; listings print newest first
        self.recordings = []
        self.record_path = None  # the last recording started (stamped on new members)
        self.variables = {}
        self.locked = False
        self.floor_holder = None
        self.created = core.clock.now()
        self.destroyed = False
        self.playback = Playback(self)

    # -- events ------------------------------------------------------------------------
    def emit(self, action, headers):
        if self.destroyed and action != "conference-destroy":
            return None
        event = self.core.events.custom(CONFERENCE_SUBCLASS, ce.CALLING[action], headers)
        self.core.emit(event)
        return event

    def emit_member(self, member, action, extras=(), extras_first=False):
        return self.emit(action, ce.member_action(self, member, action, extras, extras_first))

    def emit_conference(self, action, extras=()):
        return self.emit(action, ce.conference_action(self, action, extras))

    # -- membership --------------------------------------------------------------------
    def newest_first(self):
        return list(reversed(self.members))

    def find(self, member_id):
        for member in self.members:
            if member.id == member_id:
                return member
        return None

    def add_member(self, member):
        member.conference = self
        member.join_time = self.core.clock.now()
        self.members.append(member)
        self.emit_member(member, "add-member")
        if len(self.members) == 1:
            self.core.clock.later(FLOOR_DELAY, self._first_floor, member)
            self.playback.play_room(self.profile.alone_sound, announce=False)
        else:
            self.playback.play_room(self.profile.enter_sound, announce=False)
        if member.voice_on:
            self.voice_changed(member)

    def _first_floor(self, member):
        if member in self.members and self.floor_holder is None:
            self.set_floor(member)

    def remove_member(self, member, hangup=False, reason=None):
        """reason: 'kick-member' / 'hup-member' event first; hangup marks the channel."""
        if member not in self.members:
            return
        if reason:
            self.emit_member(member, reason)
        if self.floor_holder is member:
            self.floor_holder = None
            self.emit("floor-change", ce.floor_change(self, None, None))
        self.members.remove(member)
        member.conference = None
        member.talk_started = None
        self.emit(
            "del-member", ce.member_action(self, member, "del-member", floor=False))
        member.channel.member = None
        self.core.conferences.unstamp_channel(member.channel)
        self.playback.stop_member_files(member)
        if not self.members:
            self._end()
            return
        self.playback.play_room(self.profile.exit_sound, announce=False)
        if len(self.members) == 1:
            self.playback.play_room(self.profile.alone_sound, announce=False)
        self.core.clock.later(FLOOR_DELAY, self._pass_floor)

    def _pass_floor(self):
        """The conference thread hands the floor on at its next pass (20 ms): the
        newest member first, then whoever is talking."""
        if self.floor_holder is not None or not self.members or self.destroyed:
            return
        newest = self.members[-1]
        self.set_floor(newest)
        self._floor_to_speaker(need_voice=False)

    def _end(self):
        """Last member gone: files still playing are cut, then the room is destroyed
        on the conference thread's next pass (20 ms); with nothing playing, at once."""
        if self.playback.busy():
            self.core.clock.later(0.02, self.destroy)
        else:
            self.destroy()

    def destroy(self):
        if self.destroyed or self.members:
            return
        for node in list(self.recordings):
            self.core.recorder.stop(self, node)
        self.playback.stop_all()
        self.emit_conference("conference-destroy")
        self.destroyed = True
        self.core.conferences.forget(self)

    # -- floor and talking -------------------------------------------------------------
    def set_floor(self, member):
        old = self.floor_holder
        if old is member:
            return
        self.floor_holder = member
        self.emit("floor-change", ce.floor_change(self, old, member))

    def _floor_to_speaker(self, need_voice=True):
        """The floor goes to a talking member who is sounding now (need_voice) while
        the holder is silent, muted or gone."""
        holder = self.floor_holder
        if holder is not None and holder.voice_on and holder.can_speak and not holder.hold:
            return
        for member in self.newest_first():
            if member is holder or not (member.talking and member.can_speak):
                continue
            if member.voice_on or not need_voice:
                self.set_floor(member)
                return

    def voice_changed(self, member):
        """The far end of `member` started or stopped sending sound."""
        clock = self.core.clock
        if member.voice_on:
            member.talk_started = member.talk_started or clock.now()
            clock.later(TALK_ON_DELAY, self._detect_talking, member)
        else:
            clock.later(TALK_HANGOVER, self._detect_silence, member)
            if self.floor_holder is member:
                self._floor_to_speaker()

    def _detect_talking(self, member):
        if member.conference is not self or not member.voice_on or member.hold:
            return
        if not member.can_speak:
            if member.mute_detect and not member.talking:
                member.talking = True
                self.emit_member(member, "mute-detect")
                self.playback.play_member(member, self.profile.muted_sound, announce=False)
            return
        delay = FLOOR_DELAY
        if not member.talking:
            member.talking = True
            self.emit_member(member, "start-talking")
            delay = FLOOR_TAKE_DELAY
        self.core.clock.later(delay, self._floor_to_speaker)

    def _detect_silence(self, member):
        if member.conference is not self or member.voice_on or not member.talking:
            return
        started = member.talk_started or self.core.clock.now()
        member.talking = False
        member.talk_started = None
        member.last_talking = self.core.clock.now()
        duration = int((self.core.clock.now() - started) * 1000)
        self.emit_member(member, "stop-talking", ce.talking_stats(duration), extras_first=True)

    # -- member flags ------------------------------------------------------------------
    def mute(self, member):
        member.can_speak = False
        if member.talking:
            member.last_talking = self.core.clock.now()
        member.talking = False
        self.emit_member(member, "mute-member")
        if self.floor_holder is member:
            self._floor_to_speaker(need_voice=False)
        if member.voice_on:
            self.core.clock.later(0.0, self._detect_talking, member)
        self.playback.play_member(member, self.profile.muted_sound, announce=False)

    def unmute(self, member):
        member.can_speak = True
        self.emit_member(member, "unmute-member")
        if member.voice_on:
            self.core.clock.later(0.02, self._detect_talking, member)
        self.playback.play_member(member, self.profile.unmuted_sound, announce=False)

    def deaf(self, member):
        member.can_hear = False
        self.emit_member(member, "deaf-member")

    def undeaf(self, member):
        member.can_hear = True
        self.emit_member(member, "undeaf-member")

    def set_lock(self, locked):
        self.locked = locked
        self.emit_conference("lock" if locked else "unlock")
        sound = self.profile.is_locked_sound if locked else self.profile.is_unlocked_sound
        self.playback.play_room(sound, announce=False)

    def retalk(self, member):
        """As recorded after `relate`: the member's talking state restarts (a new
        start-talking when it still sounds)."""
        member.talking = False
        if member.voice_on:
            self.core.clock.later(FLOOR_DELAY, self._detect_talking, member)

    def member_dtmf(self, member, digits):
        """Digits a member pressed; the simulated caller-controls ignore them."""
        log.debug("member dtmf", extra={"conference": self.name, "member_id": member.id,
                                        "digits": digits})
