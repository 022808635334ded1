"""Talking and the floor: the simulator's tone on/off model of mod_conference's energy
detector (a known gap of the replay tests: timing, not behaviour).

A member whose far end sounds starts talking 60 ms later and stops 800 ms after the
sound ends (so a 400/600 tone is continuous talking); the first member gets the floor
20 ms after joining; the floor moves to a talking member ~200 ms after start-talking
when the holder is silent, muted or gone.
"""
from fssim import conference_events as ce

TALK_ON_DELAY = 0.06
TALK_HANGOVER = 0.8
FLOOR_DELAY = 0.02
FLOOR_TAKE_DELAY = 0.2  # recorded: the floor moves ~200 ms after start-talking


class FloorAndTalk:
    """Mixed into Conference (uses its core, members, profile, playback, emit*)."""

    def set_floor(self, member):
        old = self.floor_holder
        if old is member:
            return
        self.floor_holder = member
        self.emit("floor-change", ce.floor_change(self, old, member))

    def _first_floor(self, member):
        if member in self.members and self.floor_holder is None:
            self.set_floor(member)

    def _pass_floor(self):
        """The conference thread hands the floor on at its next pass (20 ms): the
        newest member first, then whoever is talking."""
        if self.floor_holder is not None or not self.members or self.destroyed:
            return
        self.set_floor(self.members[-1])
        self._floor_to_speaker(need_voice=False)

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

    def retalk(self, member):
        """`relate ... nospeak` clears the member's talking flag: it starts talking
        again while it still sounds (recorded: a new start-talking)."""
        member.talking = False
        if member.voice_on:
            self.core.clock.later(FLOOR_DELAY, self._detect_talking, member)
