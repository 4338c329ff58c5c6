"""The bundled policies, as package data: ``NAME.toml`` for ``policy show NAME``.

Each file here links to its source in the project's top-level ``config/`` folder; the
wheel holds copies, read through :mod:`importlib.resources` (``visitplanner.core.policy.load``).
"""
