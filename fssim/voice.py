"""What a member's far end sends: silence, a looping tone, or sound switched by hand.

The recorded far-leg extensions: talk = tone 400 ms on / 600 ms off, talk_slow = 2000/4000,
talk_steady = 1000/0 (continuous), silent = silence.
"""
import gevent

from fssim.media import tone_pattern

EXTENSION_TONES = {
    "talk": "tone_stream://%(400,600,440);loops=-1",
    "talk_slow": "tone_stream://%(2000,4000,523);loops=-1",
    "talk_steady": "tone_stream://%(1000,0,392);loops=-1",
    "silent": "silence_stream://-1",
}


def set_voice(channel, on):
    """Sound starts/stops on `channel`; its conference member (if any) reacts."""
    on = bool(on)
    if getattr(channel, "voice_on", False) == on:
        return
    channel.voice_on = on
    member = channel.member
    if member is not None and member.conference is not None:
        member.voice_on = on
        member.conference.voice_changed(member)


class VoiceDriver:
    """Plays a tone pattern as voice on a channel until stopped or hung up."""

    def __init__(self, channel, path):
        self.channel = channel
        self.pattern = tone_pattern(path)
        self.greenlet = None

    def start(self):
        if self.pattern is None:
            return self
        self.greenlet = gevent.spawn(self._run)
        self.channel.on_hangup(lambda _ch: self.stop())
        return self

    def stop(self):
        if self.greenlet is not None and self.greenlet is not gevent.getcurrent():
            self.greenlet.kill(block=False)
        self.greenlet = None

    def _run(self):
        on_ms, off_ms, loops = self.pattern
        clock = self.channel.core.clock
        count = 0
        while self.channel.is_up and (loops < 0 or count < loops):
            set_voice(self.channel, True)
            clock.sleep(on_ms / 1000.0)
            if off_ms:
                set_voice(self.channel, False)
                clock.sleep(off_ms / 1000.0)
            count += 1
        set_voice(self.channel, False)
