"""What to do when a service the tests need is missing: fail, never skip quietly.

RabbitMQ, the CouchDB-API server (pouchdb-server) and Chromium are part of the
suite, not optional extras: a test that needs one fails when it is missing, so a
CI run cannot pass with a third of the suite silently skipped. On a machine that
really lacks one, ``KZ_TEST_ALLOW_SKIP=1`` turns those failures into skips (the
skip reason names the service); ``.ci/run`` never sets it and fails on any skip.
"""
import os

import pytest

ALLOW_SKIP_VAR = "KZ_TEST_ALLOW_SKIP"


def skips_allowed(environ=None):
    """True when the run opted out of failing on missing services."""
    value = (os.environ if environ is None else environ).get(ALLOW_SKIP_VAR, "")
    return value.strip() not in ("", "0")


def service_missing(service, detail, hint):
    """Fail the current test (or skip it under ``KZ_TEST_ALLOW_SKIP=1``):
    ``service`` is what is missing, ``detail`` why, ``hint`` how to provide it."""
    message = f"{service} is not available: {detail}"
    if skips_allowed():
        pytest.skip(f"{message} ({ALLOW_SKIP_VAR} is set)")
    pytest.fail(f"{message}. {hint}, or set {ALLOW_SKIP_VAR}=1 to skip the tests that need it",
                pytrace=False)
