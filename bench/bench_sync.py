"""Figures for `visitplanner sync`, beside vdirsyncer's on the same documents (prints; not a test).

The Camden example is planned for ``--weeks`` weeks (16 by default).  For each server kind
(fresh Radicale and Xandikos processes on 127.0.0.1, each behind a proxy that counts the
requests) three steps are timed -- the first sync, a no-op sync, and a sync after visits
were moved (``--move`` of them, by half an hour: their worker's and their team's
documents change) -- with wall time, CPU time (user + system of the child process) and
requests.  With ``--vdirsyncer PATH`` (a vdirsyncer installed in a venv of its own; it is
no dependency of ours) the very same documents, read back from visitplanner's server, are
synced by vdirsyncer from a vdir to a second fresh server of the same kind, step by step,
and the ratio printed.  ``--code ROOT`` runs the visitplanner of another checkout (a
"before" figure).  visitplanner runs with its bytecode kept, as an installed wheel's is (see
``compiled.py``; vdirsyncer's venv has its own).

    .venv/bin/python bench/bench_sync.py --vdirsyncer /tmp/vds/bin/vdirsyncer
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "publish"))
sys.path.insert(0, str(ROOT / "bench"))

from compiled import compiled_env  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

from visitplanner.publish.caldav_storage import CaldavStorage  # noqa: E402
from visitplanner.publish.devserver import DevServer, point_workspace_at  # noqa: E402

PLAN_FROM = "2026-11-23"
MOVED_BY = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Figure:
    wall: float
    cpu: float
    requests: int

    def text(self) -> str:
        return f"{self.wall:7.2f} s wall {self.cpu:6.2f} s CPU {self.requests:5d} requests"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], object], proxy: FaultProxy) -> Figure:
    requests, cpu, started = proxy.requests.total(), _child_cpu(), time.perf_counter()
    run()
    return Figure(time.perf_counter() - started, _child_cpu() - cpu,
                  proxy.requests.total() - requests)


def cli(workspace: Path, code: Path, *args: str, env: dict[str, str] | None = None,
        ok: tuple[int, ...] = (0, 8)) -> str:
    environment = dict(env or os.environ) | {"PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "visitplanner", "-w", str(workspace), *args]
    done = subprocess.run(command, env=environment, cwd=code, check=False, capture_output=True,
                          text=True)
    if done.returncode not in ok:
        raise RuntimeError(f"visitplanner {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def move_visits(workspace: Path, count: int) -> None:
    """Move the kept plan's first ``count`` visits after the first week by half an hour."""
    path = workspace / ".visitplanner" / "plan.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    visits = [v for v in plan["schedule"]["visits"] if v["start"][:10] > "2026-12-01"]
    for visit in visits[:count]:
        for key in ("start", "end"):
            visit[key] = (datetime.fromisoformat(visit[key]) + MOVED_BY).isoformat()
    path.write_text(json.dumps(plan), encoding="utf-8")


def set_concurrency(workspace: Path, concurrency: int) -> None:
    """Add ``concurrency = N`` to ``[caldav]`` (after its calendar_url_template line)."""
    settings = workspace / "visitplanner.toml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(calendar_url_template = .*)$", rf"\1\nconcurrency = {concurrency}",
                  text, count=1)
    settings.write_text(text, encoding="utf-8")


@contextmanager
def served(kind: str, folder: Path) -> Iterator[tuple[DevServer, FaultProxy]]:
    server = DevServer.radicale(folder) if kind == "radicale" else DevServer.xandikos(folder)
    with server, FaultProxy(server.port) as proxy:
        yield server, proxy


def login(server: DevServer) -> tuple[str, str] | tuple[()]:
    return (server.username, server.password) if server.needs_auth else ()


def calendars_of(workspace: Path, code: Path, env: dict[str, str]) -> list[str]:
    """The calendar ids, from a dry run (which fails: the calendars do not exist yet)."""
    report = json.loads(cli(workspace, code, "sync", "--json", "--dry-run", env=env, ok=(0, 7, 8)))
    return [c["calendar"] for c in report["calendars"]]


def copy_to_vdir(server: DevServer, calendars: list[str], vdir: Path) -> int:
    """Make ``vdir/<calendar>/`` hold what visitplanner's server holds, one file per item;
    a file whose bytes did not change is left alone (vdirsyncer compares modification times)."""
    count = 0
    for calendar in calendars:
        folder = vdir / calendar
        folder.mkdir(parents=True, exist_ok=True)
        storage = CaldavStorage.connect(server.calendar_url(calendar), calendar, *login(server))
        try:
            items = storage.get(storage.list())
        finally:
            storage.close()
        for stale in set(p.name for p in folder.iterdir()) - items.keys():
            (folder / stale).unlink()
        for href, (data, _) in items.items():
            path = folder / href
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
        count += len(items)
    return count


def vdirsyncer_config(server: DevServer, proxy: FaultProxy, calendars: list[str],
                      scratch: Path) -> Path:
    lines = ["[general]", f'status_path = "{scratch / "vds-status"}"', ""]
    for calendar in calendars:
        name = calendar.replace(".", "_").replace("-", "_")
        remote = proxy.url_for(server.calendar_url(calendar))
        auth = ([f'username = "{server.username}"', f'password = "{server.password}"']
                if server.needs_auth else [])
        lines += [f"[pair {name}]", f'a = "{name}_local"', f'b = "{name}_remote"',
                  "collections = null", 'conflict_resolution = "a wins"', "",
                  f"[storage {name}_local]", 'type = "filesystem"',
                  f'path = "{scratch / "vdir" / calendar}"', 'fileext = ".ics"', "",
                  f"[storage {name}_remote]", 'type = "caldav"', f'url = "{remote}"', *auth, ""]
        storage = CaldavStorage.connect(server.calendar_url(calendar), calendar, *login(server))
        try:
            storage.ensure_collection()
        finally:
            storage.close()
    config = scratch / "vdirsyncer.conf"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def vdirsyncer(executable: str, config: Path, *args: str) -> None:
    env = dict(os.environ) | {"VDIRSYNCER_CONFIG": str(config)}
    subprocess.run([executable, *args], env=env, check=True, capture_output=True, input=b"y\n" * 64)


def bench(kind: str, scratch: Path, options: argparse.Namespace) -> None:
    workspace = scratch / "camden"
    shutil.copytree(ROOT / "examples" / "camden", workspace)
    code = Path(options.code).resolve()
    cli(workspace, code, "plan", "--from", PLAN_FROM, "--weeks", str(options.weeks), "--force")
    ours: dict[str, Figure] = {}
    theirs: dict[str, Figure] = {}
    with served(kind, scratch / "ours") as (server, proxy):
        point_workspace_at(workspace, proxy.url_for(server.url), server.calendar_url_template)
        if options.concurrency is not None:
            set_concurrency(workspace, options.concurrency)
        env = compiled_env(scratch)  # bytecode kept, as installed; warmed by the dry run
        if server.needs_auth:
            env |= {"VISITPLANNER_CALDAV_USERNAME": server.username,
                    "VISITPLANNER_CALDAV_PASSWORD": server.password}
        calendars = calendars_of(workspace, code, env)
        steps = [("initial", lambda: None), ("no-op", lambda: None),
                 (f"{options.move} moved", lambda: move_visits(workspace, options.move))]
        documents: dict[str, int] = {}
        their_run = _their_steps(kind, scratch, options, server, calendars) \
            if options.vdirsyncer else None
        for label, prepare in steps:
            prepare()
            ours[label] = timed(lambda: cli(workspace, code, "sync", "--json", env=env), proxy)
            documents[label] = copy_to_vdir(server, calendars, scratch / "vdir")
            if their_run is not None:
                theirs[label] = their_run()
    print(f"{kind}: {documents['initial']} documents in {len(calendars)} calendars "
          f"({options.weeks} weeks)")
    for label, figure in ours.items():
        line = f"  {label:<10} visitplanner {figure.text()}"
        if label in theirs:
            other = theirs[label]
            line += (f" | vdirsyncer {other.text()} | ratio wall "
                     f"{figure.wall / other.wall:4.2f}x, requests "
                     f"{figure.requests / max(other.requests, 1):4.2f}x")
        print(line, flush=True)


def _their_steps(kind: str, scratch: Path, options: argparse.Namespace, ours: DevServer,
                 calendars: list[str]) -> Callable[[], Figure]:
    """A callable timing one vdirsyncer sync of the vdir to a fresh server of ``kind``."""
    stack = served(kind, scratch / "theirs")
    server, proxy = stack.__enter__()
    config = vdirsyncer_config(server, proxy, calendars, scratch)
    vdirsyncer(options.vdirsyncer, config, "discover")
    atexit_stack.append(stack)

    def step() -> Figure:
        return timed(lambda: vdirsyncer(options.vdirsyncer, config, "sync"), proxy)

    return step


atexit_stack: list[object] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--move", type=int, default=5, help="visits moved in the last step")
    parser.add_argument("--servers", default="radicale,xandikos")
    parser.add_argument("--vdirsyncer", default=None, help="a vdirsyncer executable")
    parser.add_argument("--code", default=str(ROOT), help="the visitplanner checkout to run")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="[caldav] concurrency (default: the setting's default)")
    options = parser.parse_args()
    for kind in options.servers.split(","):
        with tempfile.TemporaryDirectory() as scratch:
            try:
                bench(kind, Path(scratch), options)
            finally:
                while atexit_stack:
                    atexit_stack.pop().__exit__(None, None, None)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
