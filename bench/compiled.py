"""The environment a benchmark runs the CLI in: with its modules' bytecode kept, as installed.

``pip install`` compiles a wheel's modules, so a user's ``visitplanner`` never compiles its own
source at start.  A checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as this project's
machines set it) compiles every visitplanner module on every run, about 0.14 s that no user
pays.  The benchmarks therefore keep bytecode in a scratch folder of their own
(``PYTHONPYCACHEPREFIX``), which leaves the checkout untouched, and warm it before timing.
"""

from __future__ import annotations

import os
from pathlib import Path


def compiled_env(scratch: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with bytecode kept under ``scratch``."""
    environment = dict(os.environ if base is None else base)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return environment
