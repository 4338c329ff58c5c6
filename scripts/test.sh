#!/usr/bin/env bash
# The whole test suite, with lint and type checks, from nothing: what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
.venv/bin/ruff check .
.venv/bin/mypy visitplanner
exec .venv/bin/pytest -q "$@"
