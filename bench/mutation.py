"""Mutation testing of the modules where a wrong answer reaches the switch or another
tenant (issue 19): each mutant (bench/mutants.py) is run against the FAST unit tests
that cover its module; a mutant the tests do not fail "survives".

    .venv/bin/python bench/mutation.py                       # every module, 2 jobs
    .venv/bin/python bench/mutation.py kzcore/accounts --survivors
    .venv/bin/python bench/mutation.py --json bench/out/mutation.json

A mutant never touches the tree: the runner imports what the tests need once, then for
each mutant forks a child whose import hook serves the mutated source of that one
module (compiled from memory) and runs ``pytest -x -q -p no:cacheprovider <tests>``
in it. A child that runs past ``--timeout`` is killed and counts as killed. Results
are recorded in tests/MUTATION.md.
"""
import argparse
import importlib.abc
import importlib.util
import json
import os
import pathlib
import select
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from mutants import mutants  # noqa: E402

U = "tests/unit/"
# module (as issue 19 names it) -> (its source files, the unit tests that cover it)
MODULES = {
    "kzcore/fs_commands": (
        ["kzcore/fs_commands/__init__.py", "kzcore/fs_commands/validate.py",
         "kzcore/fs_commands/controls.py", "kzcore/fs_commands/apps.py",
         "kzcore/fs_commands/sofia.py"],
        [U + "test_fs_commands.py", U + "test_fs_commands_controls.py",
         U + "test_fs_commands_recorded.py", U + "test_fs_commands_exact.py",
         U + "test_fs_commands_apps.py",
         U + "test_sofia_commands.py", U + "test_callin_wire.py", U + "test_fssim_argsplit.py",
         U + "test_live_dial_plan.py", U + "test_live_split.py", U + "test_callin_rules.py"]),
    "kzcore/fs_replies": (["kzcore/fs_replies.py"],
                          [U + "test_fs_replies.py", U + "test_fs_replies_exact.py"]),
    "ecallmgr/normalize": (["ecallmgr/normalize.py"],
                           [U + "test_normalize.py", U + "test_normalize_member_actions.py",
                            U + "test_normalize_exact.py", U + "test_ecallmgr_state.py",
                            U + "test_webhook_hooks.py"]),
    "kzcore/bus/topics": (["kzcore/bus/topics.py"], [U + "test_topics.py"]),
    "blackhole/protocol": (["blackhole/protocol.py"],
                           [U + "test_blackhole_protocol.py", U + "test_blackhole_resume.py",
                            U + "test_blackhole_protocol_exact.py"]),
    "crossbar/auth": (["crossbar/auth/policy.py", "crossbar/auth/credentials.py"],
                      [U + "test_auth_policy.py", U + "test_auth_policy_exact.py",
                       U + "test_auth_credentials.py"]),
    "kzcore/accounts": (["kzcore/accounts.py"], [U + "test_accounts.py"]),
    # the member-action fast path decides alone who may act (issue 16): its tests are the
    # in-process comparison with the Flask route (a scripted ESL server, ~3 s a run)
    "crossbar/fast_actions": (["crossbar/fast_actions.py"],
                              ["tests/integration/test_fast_actions.py"]),
}
# Imported once by the runner, so that each forked child only re-imports the project:
# the test plugins (they pull in crossbar's app, most of the import time) and libraries.
PREIMPORT = ("pytest", "tests.conftest", "tests.support.paths", "tests.support.couch",
             "tests.support.rabbit", "tests.support.bus", "tests.support.sim", "tests.support.api")
PROJECT = ("kzcore", "crossbar", "ecallmgr", "blackhole", "fssim", "callin", "kzdemo",
           "webhooks", "lifecycle", "transcribe")


def dotted(path):
    name = path[:-3].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


class MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module's mutated source (from memory) in the forked child."""

    def __init__(self, name, path, source):
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        package = self.path.endswith("__init__.py")
        spec = importlib.util.spec_from_loader(fullname, self, origin=self.path,
                                               is_package=package)
        if package:
            spec.submodule_search_locations = [os.path.dirname(self.path)]
        return spec

    def exec_module(self, module):
        module.__file__ = self.path
        exec(compile(self.source, self.path, "exec"), module.__dict__)


def _reimported(name):
    """Project modules and test modules (not the test plugins) are imported afresh."""
    top = name.split(".")[0]
    return top in PROJECT or (top == "tests" and name not in ("tests", "tests.conftest")
                              and not name.startswith("tests.support"))


def run_child(tests, finder):
    """In a forked child: install the finder (None: the unmutated tree), run pytest, exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    for name in [n for n in sys.modules if _reimported(n)]:
        del sys.modules[name]   # re-imported fresh, so nothing holds the unmutated code
    if finder is not None:
        sys.meta_path.insert(0, finder)
    import pytest
    try:
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
    except BaseException:  # noqa: BLE001 - an import failing is a kill too
        code = 99
    os._exit(int(code))


def start(tests, finder):
    pid = os.fork()
    if pid == 0:
        run_child(tests, finder)
    return pid


def wait_all(running, timeout):
    """Reap finished children; kill the ones past ``timeout``. -> [(key, code)]"""
    done = []
    for pid, (key, started) in list(running.items()):
        got, status = os.waitpid(pid, os.WNOHANG)
        if got:
            done.append((key, os.waitstatus_to_exitcode(status)))
            del running[pid]
        elif time.monotonic() - started > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            done.append((key, "timeout"))
            del running[pid]
    if not done:
        select.select([], [], [], 0.02)
    return done


def run_module(name, jobs, timeout, only=None):
    files, tests = MODULES[name]
    tests = [t for t in tests if (REPO / t).exists()]
    if not tests:   # never let pytest fall back to the whole suite
        sys.exit(f"{name}: none of its unit tests exist: {MODULES[name][1]}")
    baseline = os.waitpid(start(tests, None), 0)[1]
    if os.waitstatus_to_exitcode(baseline) != 0:
        sys.exit(f"{name}: the unit tests fail without any mutant ({tests})")
    queue = [(path, m) for path in files
             for m in mutants((REPO / path).read_text())
             if only is None or m.index in only.get(path, ())]
    results, running, total = [], {}, len(queue)
    print(f"{name}: {total} mutants, tests {' '.join(tests)}", flush=True)
    while queue or running:
        while queue and len(running) < jobs:
            path, mutant = queue.pop(0)
            finder = MutantFinder(dotted(path), str(REPO / path), mutant.source)
            running[start(tests, finder)] = ((path, mutant), time.monotonic())
        for (path, mutant), code in wait_all(running, timeout):
            results.append({"file": path, "index": mutant.index, "line": mutant.lineno,
                            "operator": mutant.operator, "before": mutant.before,
                            "after": mutant.after, "killed": code != 0, "code": code})
            if len(results) % 25 == 0 or len(results) == total:
                print(f"  {len(results)}/{total} done, {sum(not r['killed'] for r in results)} "
                      "survived", flush=True)
    return sorted(results, key=lambda r: (r["file"], r["index"]))


def _selection(args):
    """({file: {indexes}} or None for everything, {module: earlier results kept})."""
    if not args.only and not args.retry:
        return None, {}
    only, earlier = {}, {}
    for item in args.only:
        path, _, indexes = item.partition(":")
        only.setdefault(path, set()).update(int(i) for i in indexes.split(","))
    if args.retry:
        report = json.loads(pathlib.Path(args.retry).read_text())
        for name, entry in report.items():
            earlier[name] = entry["results"]
            for r in entry["results"]:
                if not r["killed"]:
                    only.setdefault(r["file"], set()).add(r["index"])
    return only, earlier


def _same_mutants(results, earlier):
    """A retry is only meaningful on unchanged sources: the same index, the same mutant."""
    before = {(r["file"], r["index"]): (r["operator"], r["before"], r["after"]) for r in earlier}
    for r in results:
        was = before.get((r["file"], r["index"]))
        if was is not None and was != (r["operator"], r["before"], r["after"]):
            sys.exit(f"{r['file']} changed since the earlier report: run its module in full")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per mutant")
    parser.add_argument("--survivors", action="store_true", help="print each survivor")
    parser.add_argument("--only", action="append", default=[],
                        help="FILE:INDEX,INDEX... re-run only these mutants (repeatable)")
    parser.add_argument("--retry", help="a --json report: re-run only its survivors, keep its kills")
    parser.add_argument("--json", help="write every result to this file")
    args = parser.parse_args(argv)
    from gevent import monkey   # as tests/conftest.py does, before anything imports sockets
    monkey.patch_all()
    for module in PREIMPORT:
        __import__(module)
    only, earlier = _selection(args)
    if only is not None:
        args.modules = [n for n, (files, _) in MODULES.items() if set(files) & set(only)]
    report, started = {}, time.monotonic()
    for name in args.modules:
        results = run_module(name, args.jobs, args.timeout, only)
        rerun = {(r["file"], r["index"]) for r in results}
        _same_mutants(results, earlier.get(name, ()))
        results = sorted(results + [r for r in earlier.get(name, ())
                                    if (r["file"], r["index"]) not in rerun],
                         key=lambda r: (r["file"], r["index"]))
        killed = sum(r["killed"] for r in results)
        report[name] = {"mutants": len(results), "killed": killed, "results": results,
                        "score": round(100.0 * killed / len(results), 1) if results else 100.0}
        print(f"{name}: {killed}/{len(results)} killed = {report[name]['score']}%", flush=True)
        if args.survivors:
            for r in results:
                if not r["killed"]:
                    print(f"  SURVIVED {r['file']}:{r['line']} #{r['index']} {r['operator']}: "
                          f"{r['before']}  ->  {r['after']}")
    for name in earlier.keys() - report.keys():     # nothing left to re-run there
        entry = json.loads(pathlib.Path(args.retry).read_text())[name]
        report[name] = entry
    print(f"\n{'module':<22} {'mutants':>8} {'killed':>7} {'score':>7}")
    for name, entry in report.items():
        print(f"{name:<22} {entry['mutants']:>8} {entry['killed']:>7} {entry['score']:>6}%")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))
    return 0 if all(e["score"] >= 90.0 for e in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
