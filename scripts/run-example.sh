#!/usr/bin/env bash
# The main job on the bundled example: due, plan, publish ICS, sync to a local Radicale.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
exec .venv/bin/python examples/run_example.py "$@"
