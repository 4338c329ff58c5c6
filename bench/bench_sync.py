"""Figures for the CalDAV sync of the bundled Camden example (prints; not a test).

For each local server (Radicale, Xandikos on 127.0.0.1): a first sync, a no-op sync, and the
sync of an ordinary next day (Monday's planned visits recorded as made, then re-planned from
Tuesday), each with the requests made and the time taken.

    .venv/bin/python bench/bench_sync.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from visitplanner.devserver import DevServer, point_workspace_at

ROOT = Path(__file__).resolve().parents[1]


def cli(workspace: Path, *args: str, env: dict[str, str] | None = None) -> str:
    command = [sys.executable, "-m", "visitplanner", "-w", str(workspace), *args]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def record_first_day(workspace: Path) -> int:
    """Append the kept plan's visits of its first day to visits.csv, as made as planned."""
    plan = json.loads((workspace / ".visitplanner" / "plan.json").read_text(encoding="utf-8"))
    schedule = plan["schedule"]
    made = [v for v in schedule["visits"] if v["start"][:10] == schedule["start"]]
    rows = []
    for visit in made:
        refs = ";".join(visit["case_refs"])
        checks = {c for child in visit["checks"] for c in child["checks"]}
        alone = refs if "seen_alone" in checks else ""
        awake = refs if "seen_awake" in checks else ""
        bedroom = refs if "bedroom" in checks else ""
        other = ";".join(sorted(checks - {"seen_alone", "seen_awake", "bedroom"}))
        rows.append(f"BENCH-{visit['id']},{visit['start'][:10]},{visit['start'][11:16]},"
                    f"{visit['worker_id']},{refs},home,{'yes' if visit['announced'] else 'no'},"
                    f"completed,{refs},{alone},{awake},{bedroom},{other}")
    visits = workspace / "visits.csv"
    header = visits.read_text(encoding="utf-8").splitlines()[0]
    assert header == ("visit_id,date,time,worker_id,case_refs,location,announced,outcome,"
                      "children_seen,seen_alone,seen_awake,bedroom_seen,checks"), header
    with visits.open("a", encoding="utf-8") as out:
        out.write("".join(row + "\n" for row in rows))
    return len(rows)


def timed_sync(workspace: Path, env: dict[str, str], label: str) -> None:
    started = time.perf_counter()
    report = json.loads(cli(workspace, "sync", "--json", env=env))
    seconds = time.perf_counter() - started
    requests = sum(c["requests"] for c in report["calendars"])
    totals = report["totals"]
    print(f"  {label:<24} {requests:>5} requests {seconds:6.2f} s   "
          f"created {totals['created']}, updated {totals['updated']}, "
          f"deleted {totals['deleted']}, unchanged {totals['unchanged']}, "
          f"conflicts {totals['conflicts']}")


def bench(kind: str, scratch: Path) -> None:
    workspace = scratch / f"camden-{kind}"
    shutil.copytree(ROOT / "examples" / "camden", workspace)
    cli(workspace, "plan", "--from", "2026-11-23", "--force")
    server = DevServer.radicale(scratch / kind) if kind == "radicale" \
        else DevServer.xandikos(scratch / kind)
    with server:
        point_workspace_at(workspace, server.url, server.calendar_url_template)
        env = dict(os.environ)
        if server.needs_auth:
            env |= {"VISITPLANNER_CALDAV_USERNAME": server.username,
                    "VISITPLANNER_CALDAV_PASSWORD": server.password}
        print(f"{kind} on {server.url} (wall time includes starting the CLI, ~0.5 s)")
        timed_sync(workspace, env, "first sync")
        timed_sync(workspace, env, "no-op sync")
        made = record_first_day(workspace)
        cli(workspace, "plan", "--from", "2026-11-24", "--force")
        timed_sync(workspace, env, f"next day ({made} recorded)")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for kind in ("radicale", "xandikos"):
            bench(kind, Path(scratch))


if __name__ == "__main__":
    main()
