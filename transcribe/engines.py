"""Speech-to-text engines, pluggable: ``make_engine(name)`` takes ``pocketsphinx`` (the
default: offline, CMU's en-us model that ships inside the PyPI wheel, nothing
downloaded at run time) or ``package.module:factory`` for another one. An engine has
``name``, ``languages`` and ``transcribe(samples, rate, language)`` -> words
``[(text, start_s, end_s, confidence)]`` for int16 mono samples."""
import array
import importlib
import threading

FRAME_RATE = 100   # pocketsphinx counts 10 ms frames


class PocketSphinx:
    name = "pocketsphinx"
    languages = ("en-us",)
    rate = 16000        # the en-us model's rate: other audio is resampled to it

    def __init__(self):
        import pocketsphinx   # noqa: F401 - fail at start, not at the first job
        self._local = threading.local()

    def _decoder(self):
        decoder = getattr(self._local, "decoder", None)
        if decoder is None:
            from pocketsphinx import Decoder
            decoder = self._local.decoder = Decoder(samprate=self.rate, logfn="/dev/null")
        return decoder

    def transcribe(self, samples, rate, language):
        if language not in self.languages:
            raise ValueError(f"pocketsphinx has no model for {language!r}")
        if rate != self.rate:
            from kzcore.audio import resample
            samples = resample(samples, rate, self.rate)
        from kzcore.audio import voiced_spans
        words = []
        for start, end in voiced_spans(samples, self.rate):   # silence stays undecoded
            words += self._decode(samples[start:end], start / float(self.rate))
        return words

    def _decode(self, samples, offset):
        decoder = self._decoder()
        decoder.start_utt()
        decoder.process_raw(array.array("h", samples).tobytes(), full_utt=True)
        decoder.end_utt()
        words = []
        for segment in decoder.seg():
            confidence = min(1.0, max(0.0, decoder.logmath.exp(segment.prob)))
            words.append((segment.word, offset + segment.start_frame / FRAME_RATE,
                          offset + (segment.end_frame + 1) / FRAME_RATE, round(confidence, 3)))
        return words


ENGINES = {"pocketsphinx": PocketSphinx}


def make_engine(name):
    if name in ENGINES:
        return ENGINES[name]()
    module, sep, attribute = name.partition(":")
    if not sep:
        raise ValueError(f"unknown transcription engine {name!r}: one of {sorted(ENGINES)} "
                         "or package.module:factory")
    return getattr(importlib.import_module(module), attribute)()
