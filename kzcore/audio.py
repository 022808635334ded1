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
