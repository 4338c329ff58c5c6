"""The README's main job on the bundled example: due dates, plan, publish ICS, CalDAV sync.

It copies ``examples/camden`` (or the team named on the command line) to
``out/<team>`` so the committed example is never written to, starts a local
Radicale on 127.0.0.1 (a throwaway user; nothing leaves the machine), points
the copy's ``[caldav]`` settings at it, and runs the real CLI step by step:

    visitplanner due --on 2026-11-23 --overdue
    visitplanner plan --from 2026-11-23 --force
    visitplanner publish
    visitplanner sync            (first sync: everything is created)
    visitplanner sync            (again: nothing to do, no writes)

Credentials reach ``sync`` through environment variables, as they would in
production; they are never written to a file the user commits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from visitplanner.publish.devserver import DevServer, point_workspace_at

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"


def run(workspace: Path, *args: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "visitplanner", "-w", str(workspace), *args]
    print(f"\n$ visitplanner -w {workspace.relative_to(ROOT)} {' '.join(args)}", flush=True)
    completed = subprocess.run(command, env=env, check=False)
    if completed.returncode != 0:
        sys.exit(f"step failed with exit code {completed.returncode}: {' '.join(args)}")


def main(team: str = "camden") -> None:
    out = ROOT / "out"
    workspace = out / team
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.rmtree(out / "radicale", ignore_errors=True)
    shutil.copytree(ROOT / "examples" / team, workspace)
    run(workspace, "due", "--on", TODAY, "--overdue")
    run(workspace, "plan", "--from", TODAY, "--force")  # a fixed day, however far from today
    run(workspace, "publish")
    with DevServer.radicale(out / "radicale") as server:
        point_workspace_at(workspace, server.url, server.calendar_url_template)
        env = {**os.environ, "VISITPLANNER_CALDAV_USERNAME": server.username,
               "VISITPLANNER_CALDAV_PASSWORD": server.password}
        print(f"\nLocal Radicale on {server.url} (user {server.username})", flush=True)
        run(workspace, "sync", env=env)
        run(workspace, "sync", env=env)
    print(f"\nDone. Calendars: {workspace.relative_to(ROOT)}/calendars/*.ics; "
          f"kept plan: {workspace.relative_to(ROOT)}/.visitplanner/plan.json")


if __name__ == "__main__":
    main(*sys.argv[1:2])
