"""Audio helpers (PURE): int16 mono samples."""
import array


def resample(samples, source_rate, rate):
    """Linear interpolation from ``source_rate`` to ``rate`` (enough for speech)."""
    if source_rate == rate or not samples:
        return array.array("h", samples)
    count = int(len(samples) * rate / source_rate)
    step, last = source_rate / float(rate), len(samples) - 1
    out = array.array("h", bytes(2 * count))
    for index in range(count):
        position = index * step
        left = int(position)
        right = min(left + 1, last)
        fraction = position - left
        out[index] = int(samples[left] + (samples[right] - samples[left]) * fraction)
    return out


def voiced_spans(samples, rate, frame_s=0.02, gap_s=0.5, pad_s=0.2, floor=200):
    """``[(start, end)]`` sample ranges where there is sound: 20 ms frames louder than
    a tenth of the loudest (at least ``floor`` RMS), joined across gaps shorter than
    ``gap_s``, padded by ``pad_s``. Silence decoded as speech makes words up."""
    size = max(1, int(rate * frame_s))
    levels = []
    for start in range(0, len(samples), size):
        frame = samples[start:start + size]
        levels.append((sum(v * v for v in frame) / max(1, len(frame))) ** 0.5)
    threshold = max(floor, 0.1 * max(levels, default=0))
    spans, gap, pad = [], int(gap_s / frame_s), int(rate * pad_s)
    for index, level in enumerate(levels):
        if level < threshold:
            continue
        if spans and index - spans[-1][1] <= gap:
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    return [(max(0, a * size - pad), min(len(samples), b * size + pad)) for a, b in spans]
