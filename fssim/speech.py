"""Real audio in recordings: what members say, mixed into the files the switch writes.

TEST CONTROL, not FreeSWITCH behaviour: ``sim_speak <uuid|member_id> <file.wav>`` (or
``Simulator.speak``) makes a member's far end send the audio of a WAV file, as a
caller speaking. Its samples (converted to mono at the channel's rate) are kept as a
``Segment`` on the channel and, while the member is in a conference, on that
conference; the member talks (start/stop-talking) for as long as the audio lasts.
A member's own recording (``uuid_record``) then holds what that member said, and the
room's recording (``recording start``) what every member said, at the times they
said it, with the paused stretches left out; everything else is silence, as before.
"""
import array
import dataclasses
import os
import wave

from fssim.media import wav_header
from kzcore.audio import resample

MAX_SPEECH_SECONDS = 120.0   # a test control: keeps a wrong file from filling memory


@dataclasses.dataclass(frozen=True)
class Segment:
    start: float            # simulated time the audio starts
    rate: int
    samples: array.array    # int16 mono

    @property
    def seconds(self):
        return len(self.samples) / float(self.rate)


def read_wav(path, rate):
    """The WAV's audio as int16 mono at ``rate`` (ValueError if it is not a 16-bit PCM
    WAV or is too long)."""
    try:
        with wave.open(path, "rb") as handle:
            channels, width, source_rate = (handle.getnchannels(), handle.getsampwidth(),
                                            handle.getframerate())
            if width != 2:
                raise ValueError(f"{os.path.basename(path)}: only 16-bit PCM WAV files")
            if handle.getnframes() > MAX_SPEECH_SECONDS * source_rate:
                raise ValueError(f"{os.path.basename(path)}: longer than {MAX_SPEECH_SECONDS} s")
            frames = handle.readframes(handle.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"cannot read {os.path.basename(path)}: {exc}") from None
    samples = array.array("h")
    samples.frombytes(frames)
    if channels > 1:
        samples = array.array("h", (sum(samples[i:i + channels]) // channels
                                    for i in range(0, len(samples), channels)))
    return resample(samples, source_rate, rate)


def active_spans(start, end, pauses):
    """``[(from, to)]`` of [start, end) minus the paused ``[(from, to|None)]`` spans."""
    spans, cursor = [], start
    for paused_from, paused_to in sorted(pauses):
        paused_to = end if paused_to is None else paused_to
        if paused_from > cursor:
            spans.append((cursor, min(paused_from, end)))
        cursor = max(cursor, paused_to)
    if cursor < end:
        spans.append((cursor, end))
    return [(a, b) for a, b in spans if b > a]


def mix(start, end, rate, segments, pauses=()):
    """int16 samples of [start, end) at ``rate``: the segments mixed (clipped) over
    silence, the paused spans cut out."""
    spans = active_spans(start, end, pauses)
    total = sum(int(round((b - a) * rate)) for a, b in spans)
    out = array.array("h", bytes(2 * total))
    offset = 0
    for span_from, span_to in spans:
        length = int(round((span_to - span_from) * rate))
        for segment in segments:
            _add(out, offset, length, span_from, rate, segment)
        offset += length
    return out


def _add(out, offset, length, span_from, rate, segment):
    first = int(round((segment.start - span_from) * rate))   # segment's place in the span
    begin, finish = max(0, first), min(length, first + len(segment.samples))
    for index in range(begin, finish):
        value = out[offset + index] + segment.samples[index - first]
        out[offset + index] = max(-32768, min(32767, value))


def write_wav(path, samples, rate):
    """A 16-bit mono WAV of ``samples``; returns (samples, size in bytes)."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(wav_header(len(samples), rate))
        handle.write(samples.tobytes())
    return len(samples), 44 + 2 * len(samples)


def speak(core, channel, path):
    """The member's far end sends the WAV at ``path`` from now on (test control)."""
    from fssim.voice import set_voice
    segment = Segment(core.clock.now(), channel.rate, read_wav(path, channel.rate))
    channel.__dict__.setdefault("speech", []).append(segment)
    member = channel.member
    if member is not None and member.conference is not None:
        member.conference.speech.append(segment)
    set_voice(channel, True)
    core.clock.later(segment.seconds, set_voice, channel, False)
    return segment


def at_rate(segment, rate):
    """The segment resampled to ``rate`` (a room may run at another rate)."""
    if segment.rate == rate:
        return segment
    return Segment(segment.start, rate, resample(segment.samples, segment.rate, rate))
