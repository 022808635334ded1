"""Transcripts (PURE): words -> segments, WebVTT and plain text, word error rate.

A word is ``(text, start, end, confidence)`` with times in seconds from the start of
its track; a segment is ``{"start", "end", "participant", "text", "confidence"}``
with times relative to the conference (the track's offset added).
"""
import re

GAP = 0.8          # seconds of silence that end a segment
MAX_SEGMENT = 15.0  # seconds: a longer stretch of speech is cut
NON_WORDS = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+|\(.*\))$")


def clean_word(text):
    """A recogniser's token as a word ("read(2)" -> "read"), or None for fillers."""
    if not text or NON_WORDS.match(text):
        return None
    return re.sub(r"\(\d+\)$", "", text)


def segments(words, offset, participant):
    """Consecutive words, split at pauses longer than GAP or past MAX_SEGMENT."""
    found, current = [], []
    for text, start, end, confidence in words:
        word = clean_word(text)
        if word is None:
            continue
        if current and (start - current[-1][2] > GAP or end - current[0][1] > MAX_SEGMENT):
            found.append(_segment(current, offset, participant))
            current = []
        current.append((word, start, end, confidence))
    if current:
        found.append(_segment(current, offset, participant))
    return found


def _segment(words, offset, participant):
    return {"start": round(offset + words[0][1], 2), "end": round(offset + words[-1][2], 2),
            "participant": participant, "text": " ".join(w[0] for w in words),
            "confidence": round(sum(w[3] for w in words) / len(words), 3)}


def speaker(participant):
    participant = participant or {}
    return participant.get("caller_id_name") or participant.get("caller_id_number") \
        or f"participant {participant.get('participant_id')}"


def _timestamp(seconds):
    millis = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(millis, 3600000)
    minutes, rest = divmod(rest, 60000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _cue_text(text):
    return text.replace("-->", "->").replace("\n", " ")


def webvtt(segment_list):
    """WebVTT: one cue per segment, the speaker as a voice span."""
    lines = ["WEBVTT", ""]
    for number, segment in enumerate(sorted(segment_list, key=lambda s: s["start"]), 1):
        who = _cue_text(speaker(segment.get("participant"))).replace(">", "")
        lines += [str(number), f"{_timestamp(segment['start'])} --> {_timestamp(segment['end'])}",
                  f"<v {who}>{_cue_text(segment['text'])}", ""]
    return "\n".join(lines)


def plain_text(segment_list):
    """``[mm:ss] Speaker: text`` lines, in time order."""
    out = []
    for segment in sorted(segment_list, key=lambda s: s["start"]):
        minutes, seconds = divmod(int(segment["start"]), 60)
        out.append(f"[{minutes:02d}:{seconds:02d}] {speaker(segment.get('participant'))}: "
                   f"{segment['text']}")
    return "\n".join(out) + ("\n" if out else "")


def normalise(text):
    return re.findall(r"[a-z0-9']+", (text or "").lower())


def word_errors(reference, hypothesis):
    """(edits, reference length): Levenshtein distance over words."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, other in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (word != other)))
        previous = current
    return previous[-1], len(ref)
