"""Running schemathesis (its CLI, the pinned version from setup.cfg) against a
crossbar served on a real port: every check, every phase (examples, coverage,
fuzzing, stateful: the document's links create -> read -> update -> delete),
positive and negative data, a fixed seed so that a run can be replayed.

``KZ_FUZZ_MAX_EXAMPLES`` (default 10) sets the examples per operation, ``KZ_FUZZ_SEED``
the seed and ``KZ_FUZZ_PHASES`` the phases: by default examples, fuzzing and stateful;
the coverage phase (every boundary and type of every parameter and field, some
thousands of cases, minutes) is added by hand: ``KZ_FUZZ_PHASES=examples,coverage,
fuzzing,stateful``. README ("The API description (OpenAPI) and fuzzing it").
"""
import dataclasses
import os
import re
import shutil
import subprocess
import sys

DEFAULT_MAX_EXAMPLES = 10
DEFAULT_PHASES = "examples,fuzzing,stateful"
DEFAULT_SEED = 20261206
STATEFUL_SCENARIOS = 40
# These end the token the run authenticates with (each says so in the document): a run
# that signs itself out tests nothing after it. tests/integration/test_api_auth.py and
# tests/security/test_revocation*.py cover them.
TOKEN_ENDING = ("sign_out_account", "rotate_api_key")


@dataclasses.dataclass
class FuzzRun:
    returncode: int
    output: str

    @property
    def cases(self):
        """Test cases generated and sent, as schemathesis's summary counts them."""
        found = re.search(r"Test cases:\s*\n?\s*(\d+) generated", self.output) \
            or re.search(r"(\d+) generated", self.output)
        return int(found.group(1)) if found else 0

    @property
    def summary(self):
        """schemathesis's last line (failures, warnings, time)."""
        lines = [line.strip("= ") for line in self.output.splitlines() if line.startswith("===")]
        return lines[-1] if lines else "no summary"

    @property
    def failures(self):
        return re.findall(r"^_+ (.+?) _+$", self.output, re.M)


def schemathesis_cli():
    found = shutil.which("schemathesis", path=os.path.dirname(sys.executable))
    assert found, "schemathesis is not installed: pip install -e '.[test]' (setup.cfg pins it)"
    return found


# Kazoo answers 400 (a validation error) for rules no schema can state because they
# depend on what is stored or on the deployment: a username, account name or realm
# already in use (``unique``), a new username without the password again, a device's
# owner_id that is no user of the account, conference numbers another conference holds,
# a webhook uri whose address KZ_WEBHOOK_ALLOW_NETWORKS does not allow, a dialled SIP
# endpoint whose realm is not the account's (conference_action), a command_id used
# before for another command on the conference (every action route), and one rule on
# the bytes no schema of a binary body can state: an audio upload that starts as
# markup (its first non-space byte '<') is refused (crossbar.media.audio); and a
# carrier's rules must be safe regular expressions (kzcore.safe_regex: no backreferences,
# look-around or nested repeats), which format: regex cannot say. A schema-valid
# body may meet them: 400 is accepted there (and only there).
STORE_RULES = tuple(f"{verb}_{collection}" for verb in ("create", "update", "patch")
                    for collection in ("users", "devices", "conference", "webhook")) + (
    "create_child_account", "update_account", "patch_account", "conference_action",
    "participants_action", "participant_action", "put_media_raw", "post_media_raw",
    *[f"{scope}{verb}_resources" for scope in ("", "system_")
      for verb in ("create", "update", "patch")])
POSITIVE = ["2xx", "401", "403", "404", "409", "429"]


def write_config(path, account_id, expected=None):
    """schemathesis.toml: the account every account-scoped path names (and, for a
    run with another account's token, the only answers it may get: ``expected``)."""
    text = f'[parameters]\n"path.account_id" = "{account_id}"\n'
    for check in ("positive_data_acceptance", "negative_data_rejection") if expected else ():
        text += f"\n[checks.{check}]\nexpected-statuses = {list(expected)!r}\n"
    if not expected:   # the stateful phase: more scenarios, longer chains of links
        text += ("\n[phases.stateful]\nmax-steps = 12\n"
                 f"\n[phases.stateful.generation]\nmax-examples = {STATEFUL_SCENARIOS}\n")
        text += f"\n[checks.positive_data_acceptance]\nexpected-statuses = {POSITIVE!r}\n"
        for op_id in STORE_RULES:
            text += (f"\n[[operations]]\ninclude-operation-id = {op_id!r}\n"
                     f"checks.positive_data_acceptance.expected-statuses = "
                     f"{POSITIVE + ['400']!r}\n")
    path.write_text(text.replace("'", '"'))
    return path


def run(base_url, token, account_id, tmp_path, *, max_examples=None, seed=None,
        checks="all", extra=(), timeout=900, expected=None, phases=None):
    max_examples = max_examples or int(os.environ.get("KZ_FUZZ_MAX_EXAMPLES",
                                                      DEFAULT_MAX_EXAMPLES))
    seed = seed or int(os.environ.get("KZ_FUZZ_SEED", DEFAULT_SEED))
    phases = phases or os.environ.get("KZ_FUZZ_PHASES", DEFAULT_PHASES)
    config = write_config(tmp_path / "schemathesis.toml", account_id, expected)
    command = [schemathesis_cli(), "--config-file", str(config), "--no-color", "run",
               f"{base_url}/v2/openapi.json", "--checks", checks,
               "--phases", phases, "--mode", "all",
               "--header", f"X-Auth-Token: {token}", "--max-examples", str(max_examples),
               "--seed", str(seed), "--workers", "1", "--suppress-health-check", "all",
               "--request-timeout", "20", "--output-truncate", "false",
               *[arg for op in TOKEN_ENDING for arg in ("--exclude-operation-id", op)],
               *extra]
    log = tmp_path / "schemathesis.log"   # written as it runs: tail -f it
    with open(log, "w", encoding="utf-8") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=timeout,
                              cwd=tmp_path,   # its .schemathesis cache stays out of the checkout
                              env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    return FuzzRun(done.returncode, log.read_text(encoding="utf-8"))
