"""Media, pure parts: how long a sound plays, and WAV files of silence for recordings."""
import os
import re
import struct
import wave

TONE = re.compile(r"tone_stream://(?:[^%]*)%\(([\d,\s]+)\)(?:;loops=(-?\d+))?")
SILENCE = re.compile(r"silence_stream://(-?\d+)")
DEFAULT_SECONDS = 1.0
SPEECH_SECONDS_PER_WORD = 0.4


def tone_pattern(path):
    """(on_ms, off_ms, loops) of a tone_stream, or None. loops -1 = forever."""
    match = TONE.match(path or "")
    if not match:
        return None
    numbers = [int(n) for n in match.group(1).split(",") if n.strip()]
    if len(numbers) < 2:
        return None
    loops = int(match.group(2)) if match.group(2) else 1
    return numbers[0], numbers[1], loops


def file_seconds(path):
    """Simulated play time of a file; None means it plays until stopped."""
    tone = tone_pattern(path)
    if tone:
        on_ms, off_ms, loops = tone
        return None if loops < 0 else (on_ms + off_ms) * max(loops, 1) / 1000.0
    silence = SILENCE.match(path or "")
    if silence:
        ms = int(silence.group(1))
        return None if ms < 0 else ms / 1000.0
    if path and os.path.isfile(path) and path.endswith(".wav"):
        try:
            with wave.open(path, "rb") as handle:
                return handle.getnframes() / float(handle.getframerate())
        except (wave.Error, EOFError):
            return DEFAULT_SECONDS
    return DEFAULT_SECONDS


def speech_seconds(text):
    return max(1.0, SPEECH_SECONDS_PER_WORD * len(text.split()))


def reported_play_time(seconds, rate, path=""):
    """(seconds, milliseconds, samples) of play-file-*-done events. A tone_stream
    reports twice the time it played (every recorded tone, round 1 on); other files
    report what they played (round4: a 2 s http_cache wav ends 2 s later with 2000 ms,
    local_stream://moh held 0.8 s reports 800)."""
    factor = 2 if (path or "").startswith("tone_stream://") else 1
    ms = int(round(seconds * 1000 * factor))
    return ms // 1000, ms, ms * rate // 1000


def wav_header(samples, rate, channels=1, bits=16):
    data_bytes = samples * channels * bits // 8
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate,
                                    rate * channels * bits // 8, channels * bits // 8, bits)
            + b"data" + struct.pack("<I", data_bytes))


def write_silence_wav(path, seconds, rate):
    """Write a valid 16-bit mono WAV of `seconds` of silence; returns (samples, size)."""
    samples = int(round(seconds * rate))
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(wav_header(samples, rate))
        remaining = samples * 2
        chunk = b"\0" * 65536
        while remaining > 0:
            handle.write(chunk[:min(remaining, len(chunk))])
            remaining -= min(remaining, len(chunk))
    return samples, 44 + samples * 2


# Silent MPEG audio layer III frames (8 kbit/s, mono, no CRC, empty side info): what a
# switch with mod_shout (lame) writes for `.mp3` recordings, minus the sound. By rate:
# (version bits, sample-rate index, samples per frame); MPEG-1 for 32-48 kHz, MPEG-2 for
# 16-24 kHz, MPEG-2.5 for 8-12 kHz.
MP3_RATES = {48000: (3, 1, 1152), 44100: (3, 0, 1152), 32000: (3, 2, 1152),
             24000: (2, 1, 576), 22050: (2, 0, 576), 16000: (2, 2, 576),
             12000: (0, 1, 576), 11025: (0, 0, 576), 8000: (0, 2, 576)}


def silent_mp3_frame(rate):
    version, rate_index, per_frame = MP3_RATES[rate]
    bitrate_index = 1                                  # 32 kbit/s (MPEG-1) / 8 kbit/s
    kbps = 32 if version == 3 else 8
    size = (144 if version == 3 else 72) * kbps * 1000 // rate
    header = bytes([0xFF, 0xE0 | (version << 3) | (1 << 1) | 1,
                    (bitrate_index << 4) | (rate_index << 2), 0xC0])
    return header + bytes(size - 4), per_frame


def write_silence_mp3(path, seconds, rate):
    """An MP3 of ``seconds`` of silence; returns (samples, size)."""
    frame, per_frame = silent_mp3_frame(rate if rate in MP3_RATES else 8000)
    count = max(1, int(round(seconds * rate / per_frame)))
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(frame * count)
    return count * per_frame, count * len(frame)
