"""The wheel works where pipx puts it: built from the checkout, installed outside it.

The wheel is built offline (no build isolation: the test extra brings setuptools with
``bdist_wheel``) from a copy of the project, installed with ``--no-deps`` into a fresh
virtual environment in a temporary folder, and run from there with the current folder
outside the checkout.  The fresh environment finds the dependencies (click, holidays...)
through a ``.pth`` line naming this environment's site-packages; its own site-packages
comes first, so ``visitplanner`` is the installed wheel, never the checkout.
Deselect with ``-m "not wheel"``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What a build reads from the checkout.
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "MANIFEST.in", "config", "visitplanner")
NOT_SOURCES = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
TIMEOUT = 120

pytestmark = pytest.mark.wheel


def run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``args`` in ``cwd`` with no PYTHONPATH, so nothing points back at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    return done


def checked(args: list[str | Path], cwd: Path) -> str:
    done = run(args, cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, source / name, symlinks=True, ignore=NOT_SOURCES)
        elif item.exists():
            shutil.copy2(item, source / name)
    checked([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--no-build-isolation", "--disable-pip-version-check", "-w", tmp / "dist", source],
            tmp)
    (wheel,) = (tmp / "dist").glob("visitplanner-*.whl")
    return wheel


def fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A new virtual environment holding the wheel; the dependencies come from ours."""
    venv = tmp / "venv"
    checked([sys.executable, "-m", "venv", "--without-pip", venv], tmp)
    python = venv / "bin" / "python"
    purelib = Path(checked([python, "-c", "import sysconfig; print(sysconfig.get_path("
                                         "'purelib'))"], tmp).strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n",
                                              encoding="utf-8")
    checked([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
             "--no-deps", "--no-index", "--disable-pip-version-check", wheel], tmp)
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    assert not tmp.is_relative_to(ROOT)
    return fresh_venv(tmp, build_wheel(tmp))


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A working folder outside the checkout."""
    assert not tmp_path.is_relative_to(ROOT)
    return tmp_path


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                              outside: Path) -> None:
    where = checked([installed / "bin" / "python", "-c",
                     "import visitplanner; print(visitplanner.__file__)"], outside)
    assert Path(where.strip()).is_relative_to(installed)


def test_the_wheel_holds_every_policy_in_config(installed: Path, outside: Path) -> None:
    names = checked([installed / "bin" / "python", "-c",
                     "from visitplanner.core.policy.load import bundled_names; "
                     "print(' '.join(bundled_names()))"], outside)
    assert names.split() == sorted(p.stem for p in (ROOT / "config").glob("*.toml"))


def test_an_installed_wheel_shows_a_bundled_policy(installed: Path, outside: Path) -> None:
    shown = checked([installed / "bin" / "visitplanner", "policy", "show", "camden"], outside)
    assert "(policy id camden;" in shown


def test_an_installed_wheel_plans_a_workspace_naming_a_bundled_policy(
        installed: Path, outside: Path) -> None:
    workspace = outside / "camden"
    shutil.copytree(ROOT / "examples" / "camden", workspace)
    done = run([installed / "bin" / "visitplanner", "plan", "--no-keep"], workspace)
    assert done.returncode == 0, done.stderr
    assert "visits to 60 children" in done.stdout.splitlines()[0]


DESK_PROBE = """
import sys
from datetime import date, datetime
from pathlib import Path
from visitplanner.desk.app import DeskConfig, create_app
root = Path(sys.argv[1])
config = DeskConfig(root, f"sqlite:///{root}/desk.sqlite", b"k" * 32, lambda: date(2026, 11, 23),
                    lambda: datetime(2026, 11, 23), secure_cookies=False)
client = create_app(config).test_client()
page, style = client.get("/login"), client.get("/static/desk.css")
print(page.status_code, style.status_code, "Log in" in page.get_data(as_text=True))
"""


def test_an_installed_wheel_serves_the_desks_pages_and_migrates_its_database(
        installed: Path, outside: Path) -> None:
    shown = checked([installed / "bin" / "python", "-c", DESK_PROBE, outside], outside)
    assert shown.split() == ["200", "200", "True"]
    assert (outside / "desk.sqlite").exists()


def test_an_installed_wheel_previews_a_decision(installed: Path, outside: Path) -> None:
    workspace = outside / "camden"
    shutil.copytree(ROOT / "examples" / "camden", workspace)
    checked([installed / "bin" / "visitplanner", "plan", "--from", "2026-11-23", "--force"],
            workspace)
    shown = checked([installed / "bin" / "visitplanner", "absence", "add", "sw.osei", "--from",
                     "2026-11-24", "--to", "2026-12-07", "--dry-run", "--today", "2026-11-23"],
                    workspace)
    assert shown.startswith("Preview (nothing changed):") and "sw.osei: gains 0" in shown


KEPT_HOLIDAYS_PROBE = """
import sys
from visitplanner.cli import main
try:
    main(["-w", sys.argv[1], "plan", "--no-keep"])
except SystemExit as exit_:
    assert not exit_.code, exit_.code
print("holidays imported:", "holidays" in sys.modules)
"""


def test_an_installed_wheel_keeps_the_bank_holidays_for_the_next_command(
        installed: Path, outside: Path) -> None:
    workspace = outside / "camden-kept"
    shutil.copytree(ROOT / "examples" / "camden", workspace)
    done = run([installed / "bin" / "visitplanner", "plan"], workspace)
    assert done.returncode == 0, done.stderr
    version = checked([installed / "bin" / "python", "-c",
                       "from holidays.version import __version__; print(__version__)"], outside)
    kept = json.loads((workspace / ".visitplanner" / "bank-holidays.json").read_text("utf-8"))
    assert kept["holidays"] == version.strip() and kept["years"]
    # Planned afresh (no kept plan to keep teams from), the next command asks no package.
    (workspace / ".visitplanner" / "plan.json").unlink()
    shown = checked([installed / "bin" / "python", "-c", KEPT_HOLIDAYS_PROBE, str(workspace)],
                    outside)
    assert shown.strip().splitlines()[-1] == "holidays imported: False"
