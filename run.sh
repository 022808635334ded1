#!/usr/bin/env bash
# Runs the whole service on embedded defaults: installs into .venv on first use,
# then starts crossbar, ecallmgr, blackhole, call-in and the FreeSWITCH simulator
# with a demo conference (kz-all). Extra arguments go to kz-all (--help lists them).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/kz-all ] || [ setup.cfg -nt .venv/.installed ]; then
  echo "run.sh: installing into .venv (first run only)..." >&2
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e .
  touch .venv/.installed
fi
exec .venv/bin/kz-all "$@"
