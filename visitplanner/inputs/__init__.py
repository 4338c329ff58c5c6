"""The workspace's files: read into the core's values, and what visitplanner keeps in them.

- ``workspace``, ``csvsheet``, ``visit_rows``: the case system's CSV export (every problem
  found, named by file, row and column); ``settings``: ``visitplanner.toml``.
- ``planstore``: the kept plan (``.visitplanner/plan.json``); ``holiday_cache``: the bank
  holidays kept between commands; ``wslock``: one writer at a time; ``fsutil``: atomic,
  private writes.

The core never imports these; the CLI, the use cases, publishing and the desk do.
"""
