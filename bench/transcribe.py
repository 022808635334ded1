"""Transcription benchmark: audio seconds transcribed per CPU second, and word error rate
(WER) of the default engine on sentences flite speaks, at the telephone rate the switch
records participants (8 kHz, resampled to the model's 16 kHz as the worker does).

    .venv/bin/python bench/transcribe.py [--engine pocketsphinx]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fssim.speech import read_wav  # noqa: E402
from kzcore import transcripts  # noqa: E402
from transcribe.engines import make_engine  # noqa: E402

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "please send the report to the team before friday",
    "we will start the meeting at ten o'clock",
    "can everyone hear me now",
    "the budget for next year is almost ready",
    "let us move on to the next item on the agenda",
    "i will call you back this afternoon",
    "thank you all for joining the call today",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="pocketsphinx")
    args = parser.parse_args()
    engine = make_engine(args.engine)
    errors = words = 0
    audio = cpu = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for number, sentence in enumerate(SENTENCES):
            path = os.path.join(folder, f"{number}.wav")
            subprocess.run(["flite", "-t", sentence, "-o", path], check=True)
            samples = read_wav(path, 8000)
            started = time.process_time()
            said = engine.transcribe(samples, 8000, "en-us")
            cpu += time.process_time() - started
            audio += len(samples) / 8000.0
            text = " ".join(w for w in (transcripts.clean_word(t) for t, *_ in said) if w)
            edits, length = transcripts.word_errors(sentence, text)
            errors, words = errors + edits, words + length
            print(f"{edits}/{length}  {sentence!r} -> {text!r}")
    print(f"engine {engine.name}: {audio:.1f} s of audio in {cpu:.2f} CPU s = "
          f"{audio / cpu:.1f} audio s per CPU s; WER {errors}/{words} = {errors / words:.1%}")


if __name__ == "__main__":
    main()
