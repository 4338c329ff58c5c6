"""The command line's inputs (issue 10): a bundled policy's name means the bundled policy,
a missing workspace folder is named, a port in use is one line, never a traceback."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.core.policy.load import BUNDLED, bundled_names, load_policy
from visitplanner.errors import InputError, PolicyError, PublishError
from visitplanner.inputs.workspace import load_workspace

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "camden"


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The exit code (0 when main returns), stdout and stderr of ``visitplanner ARGV``."""
    try:
        main(argv)
        code = 0
    except SystemExit as exit_:
        assert isinstance(exit_.code, int)
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- bundled policies


def test_the_bundled_policies_are_the_files_in_config() -> None:
    sources = sorted((ROOT / "config").glob("*.toml"))
    assert bundled_names() == tuple(p.stem for p in sources)
    for source in sources:
        assert (BUNDLED / source.name).read_bytes() == source.read_bytes()


@pytest.mark.parametrize("local", ["folder", "file"])
def test_policy_show_camden_means_the_bundled_policy_whatever_the_current_folder_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        local: str) -> None:
    if local == "folder":
        (tmp_path / "camden").mkdir()
    else:
        (tmp_path / "camden").write_text("not a policy", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["policy", "show", "camden"], capsys)
    assert (code, err) == (0, "")
    assert "(policy id camden;" in out


def test_a_workspace_naming_a_bundled_policy_loads_it_beside_a_folder_of_that_name(
        tmp_path: Path) -> None:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root)
    (root / "camden").mkdir()
    assert load_workspace(root).policy.id == "camden"


@pytest.mark.parametrize("given", ["camden.toml", "./camden", "policies/camden.toml"])
def test_a_path_means_the_file_even_when_it_names_a_bundled_policy(
        tmp_path: Path, given: str) -> None:
    local = tmp_path / given
    local.parent.mkdir(parents=True, exist_ok=True)
    text = (BUNDLED / "walsall.toml").read_text(encoding="utf-8")
    local.write_text(text, encoding="utf-8")
    assert load_policy(given, tmp_path).id == "walsall"


def test_an_unknown_policy_name_lists_the_bundled_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["policy", "show", "camdne"], capsys)
    assert code == PolicyError.exit_code
    assert f"(fix: name a bundled policy ({', '.join(bundled_names())}) or a .toml file)" in err
    assert "Traceback" not in err


def test_a_policy_file_that_is_not_utf8_is_a_policy_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "local.toml").write_bytes("# Caf\u00e9\n".encode("latin-1"))
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["policy", "check", "local.toml"], capsys)
    assert code == PolicyError.exit_code
    assert err.splitlines() == ["error: cannot read policy 'local.toml' (1 problem)",
                                f"  - {tmp_path / 'local.toml'}, line 1: is not UTF-8 text "
                                "(byte 0xe9 at offset 5 cannot be read) "
                                "(fix: save the file as UTF-8)"]


# ---------------------------------------------------------------- -w / --workspace


@pytest.mark.parametrize("command", [["due"], ["plan"], ["publish"], ["serve"]])
def test_a_missing_workspace_folder_is_named_and_exits_with_the_input_error_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    missing = tmp_path / "no-such-workspace"
    code, out, err = run_main(["-w", str(missing), *command], capsys)
    assert code == InputError.exit_code
    assert (out, err) == ("", f"error: workspace folder {missing} does not exist (fix: give "
                              "-w/--workspace the folder that holds visitplanner.toml and the CSV "
                              "files)\n")


# ---------------------------------------------------------------- serve


@pytest.fixture()
def port_in_use() -> Iterator[int]:
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        yield int(holder.getsockname()[1])
    finally:
        holder.close()


def test_serve_on_a_port_in_use_is_one_line_naming_the_port_and_the_fix(
        tmp_path: Path, port_in_use: int, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root)
    code, out, err = run_main(["-w", str(root), "serve", "--port", str(port_in_use)], capsys)
    assert code == PublishError.exit_code
    assert (out, err) == ("", f"error: port {port_in_use} on 127.0.0.1 is already in use (fix: "
                              "stop the program using it, or choose another port with --port)\n")
