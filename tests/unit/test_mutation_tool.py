"""bench/mutants.py and bench/mutation.py work: the operators make the mutants they
claim, a good test kills them all, a weak one leaves survivors, and the runner serves
a mutant from memory to a forked pytest without touching the file."""
import importlib.util
import os
import sys

import pytest

from tests.support.paths import REPO

SOURCE = '''"""A module docstring is never mutated."""
import logging

log = logging.getLogger(__name__)
PASS = 50


def grade(score, passmark=PASS):
    """Docstrings are never mutated either."""
    log.info("grading %s", score)
    if score < 0:
        raise ValueError("negative")
    if score >= passmark and not score == 99:
        return "pass"
    return "fail"


def span(low, high):
    return high - low + 1


def label(flag):
    return "on" if flag is True else "off"
'''


def _bench(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "bench"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "bench"))
    return module


mutants = _bench("mutants")


def strong_check(ns):
    grade, label = ns["grade"], ns["label"]
    assert [grade(v) for v in (0, 10, 49, 50, 60, 99, 100)] == \
        ["fail", "fail", "fail", "pass", "pass", "fail", "pass"]
    with pytest.raises(ValueError, match="^negative$"):
        grade(-1)
    assert ns["span"](2, 5) == 4
    assert (label(True), label(1), label(False)) == ("on", "off", "off")


def weak_check(ns):
    assert ns["grade"](60) == "pass"


def test_each_operator_makes_its_mutants():
    made = list(mutants.mutants(SOURCE))
    operators = {m.operator for m in made}
    assert {"compare Lt->LtE", "compare GtE->Gt", "compare Eq->NotEq", "compare Is->IsNot",
            "bool And->Or", "bool remove not", "arith Add->Sub", "arith Sub->Add", "constant n->n+1",
            "constant True->False", "string change", "return None",
            "remove statement"} <= operators
    changed = {(m.before, m.after) for m in made}
    assert ("score < 0", "score <= 0") in changed
    assert ("'on'", "'XXonXX'") in changed
    assert ("50", "51") in changed                         # PASS, off by one
    assert all(m.source != SOURCE for m in made)
    texts = " ".join(m.before for m in made)
    assert "docstring" not in texts.lower() and "grading" not in texts   # skipped
    assert [m.index for m in made] == list(range(len(made)))


def test_a_strong_test_kills_every_mutant_and_a_weak_one_does_not():
    killed, survivors = mutants.score(SOURCE, strong_check)
    assert [(m.before, m.after) for m in survivors] == [] and killed == len(list(mutants.mutants(SOURCE)))
    killed, survivors = mutants.score(SOURCE, weak_check)
    assert survivors and killed


def test_the_runner_serves_a_mutant_from_memory_to_a_forked_pytest(tmp_path):
    runner = _bench("mutation")
    target = REPO / "kzcore" / "bus" / "topics.py"
    before = target.read_bytes()
    source = before.decode()
    mutated = source.replace("return t == len(tokens)", "return t != len(tokens)")
    assert mutated != source
    tests = [str(REPO / "tests" / "unit" / "test_topics.py")]
    finder = runner.MutantFinder("kzcore.bus.topics", str(target), mutated)
    codes = {}
    for name, serve in (("mutant", finder), ("original", None)):
        pid = os.fork()
        if pid == 0:
            os.chdir(REPO)
            runner.run_child(tests, serve)
        codes[name] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    assert codes["mutant"] != 0 and codes["original"] == 0
    assert target.read_bytes() == before


@pytest.mark.parametrize("path, name", [("kzcore/fs_commands/__init__.py", "kzcore.fs_commands"),
                                        ("kzcore/bus/topics.py", "kzcore.bus.topics")])
def test_module_names(path, name):
    assert _bench("mutation").dotted(path) == name
