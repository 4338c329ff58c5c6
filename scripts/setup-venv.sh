#!/usr/bin/env bash
# Create .venv (if missing) and install visitplanner with its test extra into it.
# An isolated environment matters: caldav pulls in niquests, whose urllib3-future
# replaces the `urllib3` package in place.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
