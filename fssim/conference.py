"""One conference: members, flags, lock, sounds, settings, and the events they cause
(talking and the floor: fssim/conference_floor.py).

Counting as mod_conference: ``count`` leaves ghost members out (Conference-Size,
json_list member_count, `list count`, `get count`); they are counted apart
(Conference-Ghosts, ghost_count) and keep the room alive (round4 *_with_ghost).
"""
import logging
import uuid as uuidlib

from fssim import conference_events as ce
from fssim.conference_floor import FLOOR_DELAY, FloorAndTalk
from fssim.events import CONFERENCE_SUBCLASS
from fssim.file_node import CONF_DEFAULT_LEADIN
from fssim.playback import Playback

log = logging.getLogger(__name__)


class Conference(FloorAndTalk):
    def __init__(self, core, name, profile):
        self.core = core
        self.name = name
        self.profile = profile
        self.uuid = str(uuidlib.uuid4())
        self.members = []            # join order; listings print newest first
        self.recordings = []
        self.record_path = None  # the last recording started (stamped on new members)
        self.speech = []             # what members said here (fssim/speech.py, test control)
        self.variables = {}
        self.locked = False
        self.floor_holder = None
        self.created = core.clock.now()
        self.destroyed = False
        self.playback = Playback(self)
        # settings the api can change (`set`, `enter_sound`, `exit_sound`)
        self.max_members = profile.max_members
        self.endconference_grace_time = profile.endconference_grace_time
        self.sound_prefix = profile.sound_prefix
        self.enter_sound, self.exit_sound = profile.enter_sound, profile.exit_sound
        self.enter_sound_on = self.exit_sound_on = True
        self.caller_id_name = self.caller_id_number = None
        self.wait_mod = False

    # -- counting ----------------------------------------------------------------------
    @property
    def count(self):
        return sum(1 for member in self.members if not member.ghost)

    @property
    def ghosts(self):
        return sum(1 for member in self.members if member.ghost)

    # -- events ------------------------------------------------------------------------
    def emit(self, action, headers, calling=None):
        """calling: (file, function, line) where it differs from ce.CALLING[action]."""
        if self.destroyed and action != "conference-destroy":
            return None
        event = self.core.events.custom(CONFERENCE_SUBCLASS, calling or ce.CALLING[action],
                                        headers)
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

    def is_full(self):
        return self.max_members > 0 and self.count >= self.max_members

    def add_member(self, member):
        member.conference = self
        member.leaving = False
        member.join_time = self.core.clock.now()
        self.members.append(member)
        self.emit_member(member, "add-member")
        if len(self.members) == 1:
            self.core.clock.later(FLOOR_DELAY, self._first_floor, member)
        if self.count > 1:
            if self.enter_sound_on:  # a caller's conference_enter_sound wins
                sound = member.channel.get_variable("conference_enter_sound") \
                    or self.enter_sound
                self.playback.play_room(sound, announce=False, leadin=CONF_DEFAULT_LEADIN)
        elif self.count == 1 and not member.ghost:
            # (a ghost alone hears "You are currently the only person..." by TTS:
            # not modelled, not shown by any fixture)
            self.playback.play_room(self.profile.alone_sound, announce=False,
                                    leadin=CONF_DEFAULT_LEADIN)
        if member.voice_on:
            self.voice_changed(member)

    def remove_member(self, member, hangup=False, reason=None):
        """reason: 'kick-member' / 'hup-member' event first (when not sent already)."""
        if member not in self.members:
            return
        if reason:
            self.emit_member(member, reason)
        custom_exit = member.channel.get_variable("conference_exit_sound")
        if custom_exit:  # played whatever exit_sound says, instead of the room's
            self.playback.play_room(custom_exit, announce=False, leadin=CONF_DEFAULT_LEADIN)
        member.leaving = True  # its files close unnamed, before the floor moves
        self.playback.stop_member_files(member)
        if self.floor_holder is member:
            self.floor_holder = None
            self.emit("floor-change", ce.floor_change(self, None, None))
        self.members.remove(member)
        member.conference = None
        member.talk_started = None
        self._leave_sounds(member, play_exit=not custom_exit)
        self.emit("del-member", ce.member_action(self, member, "del-member", floor=False))
        member.channel.member = None
        self.core.conferences.unstamp_channel(member.channel)
        if not self.members:
            self._end()
            return
        self.core.clock.later(FLOOR_DELAY, self._pass_floor)

    def _leave_sounds(self, member, play_exit=True):
        if not self.members:
            return
        if play_exit and self.exit_sound_on:
            self.playback.play_room(self.exit_sound, announce=False)
        if self.count == 1 and not member.ghost:
            self.playback.play_room(self.profile.alone_sound, announce=False)

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

    # -- member flags ------------------------------------------------------------------
    def mute(self, member, quiet=False):
        member.can_speak = False
        if member.talking:
            member.last_talking = self.core.clock.now()
        member.talking = False
        self.emit_member(member, "mute-member")
        if self.floor_holder is member:
            self._floor_to_speaker(need_voice=False)
        if member.voice_on:
            self.core.clock.later(0.0, self._detect_talking, member)
        if not quiet:
            self.playback.play_member(member, self.profile.muted_sound, announce=False)

    def unmute(self, member, quiet=False):
        member.can_speak = True
        self.emit_member(member, "unmute-member")
        if member.voice_on:
            self.core.clock.later(0.02, self._detect_talking, member)
        if not quiet:
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
        self.playback.play_room(sound, announce=False, leadin=CONF_DEFAULT_LEADIN)

    def member_dtmf(self, member, digits):
        """Digits a member pressed; the simulated caller-controls ignore them."""
        log.debug("member dtmf", extra={"conference": self.name, "member_id": member.id,
                                        "digits": digits})
