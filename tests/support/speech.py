"""Real speech for the transcription tests and the benchmark: Debian's ``flite``
(installed by test.sh) speaks a sentence into an 8 kHz WAV."""
import shutil
import subprocess

from tests.support.needs import service_missing


def flite_wav(text, path):
    """``path`` holding ``text`` as flite says it (fails, or skips under
    KZ_TEST_ALLOW_SKIP=1, without flite)."""
    binary = shutil.which("flite")
    if binary is None:
        service_missing("flite (text to speech)", "no flite on PATH",
                        "Install it with `apt-get install flite` (test.sh does)")
    subprocess.run([binary, "-t", text, "-o", str(path)], check=True, timeout=30)
    return str(path)
