#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs what the tests need (Python
# packages into .venv, pouchdb-server from npm, Debian's chromium for the browser
# tests) and runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/pytest ] || [ setup.cfg -nt .venv/.installed-test ]; then
  echo "test.sh: installing Python packages into .venv..." >&2
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e '.[test]'
  touch .venv/.installed-test
fi
if [ ! -d tests/node/node_modules/pouchdb-server ]; then
  echo "test.sh: installing pouchdb-server (npm)..." >&2
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
fi
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing chromium (apt)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
if ! command -v flite >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing flite (apt: real speech for the transcription tests)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq flite) >/dev/null
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
