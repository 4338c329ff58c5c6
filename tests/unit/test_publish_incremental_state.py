"""Publishing at scale (issue 9): the publish state is kept as items and a documents file.

``published.json`` holds every item but its document and names the documents file beside
it (``published-<digest>.documents``); a file whose bytes would not change is not written.
A ``published.json`` of the earlier layout (documents inside) is still read.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from ics_samples import context, sample_schedule

from visitplanner.errors import PublishError
from visitplanner.publish import PublishState, build_documents, load_state, save_state
from visitplanner.publish.state import STATE_FILE, state_from_json, state_to_json


def published(state_of: PublishState | None = None) -> PublishState:
    _, state = build_documents(sample_schedule(), context(), state_of or PublishState())
    return state


def documents_files(root: Path) -> list[Path]:
    return sorted((root / STATE_FILE.parent).glob("published-*.documents"))


def test_the_state_is_kept_as_items_and_a_documents_file_privately(tmp_path: Path) -> None:
    state = published()
    save_state(tmp_path, state)
    (kept,) = documents_files(tmp_path)
    for path in (tmp_path / STATE_FILE, kept):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))
    assert raw["format"] == 2 and raw["documents"]["file"] == kept.name
    assert all("document" not in item for item in raw["items"])
    assert kept.read_bytes() == b"".join(
        state.items[uid].document.encode() for uid in sorted(state.items))
    assert load_state(tmp_path) == state


def test_nothing_is_written_again_when_nothing_changed(tmp_path: Path) -> None:
    state = published()
    save_state(tmp_path, state)
    paths = [tmp_path / STATE_FILE, *documents_files(tmp_path)]
    for path in paths:
        os.utime(path, ns=(1, 1))  # any rewrite would change this
    save_state(tmp_path, published(load_state(tmp_path)))
    assert [path.stat().st_mtime_ns for path in paths] == [1, 1]


def test_a_change_writes_a_new_documents_file_and_removes_the_old(tmp_path: Path) -> None:
    save_state(tmp_path, published())
    (old,) = documents_files(tmp_path)
    plan = sample_schedule()
    moved = replace(plan.visits[0], start=plan.visits[0].start + timedelta(hours=2),
                    end=plan.visits[0].end + timedelta(hours=2))
    _, state = build_documents(replace(plan, visits=(moved, *plan.visits[1:])), context(),
                               load_state(tmp_path))
    save_state(tmp_path, state)
    (new,) = documents_files(tmp_path)
    assert new != old and not old.exists()
    assert load_state(tmp_path) == state


def test_a_state_in_the_earlier_layout_is_read_and_then_kept_in_the_new(tmp_path: Path) -> None:
    state = published()
    earlier = json.loads(state_to_json(state))
    for item in earlier["items"]:  # as kept before issue 9
        del item["fingerprint"], item["verbatim"]
    (tmp_path / STATE_FILE).parent.mkdir()
    (tmp_path / STATE_FILE).write_text(json.dumps(earlier, indent=2), encoding="utf-8")
    loaded = load_state(tmp_path)
    assert loaded == state_from_json(json.dumps(earlier))
    assert all(item.fingerprint == "" for item in loaded.items.values())
    again = published(loaded)
    assert {uid: item.sequence for uid, item in again.items.items()} == {
        uid: item.sequence for uid, item in state.items.items()}
    save_state(tmp_path, again)
    assert load_state(tmp_path) == again and len(documents_files(tmp_path)) == 1


@pytest.mark.parametrize("damage", ["missing", "shorter", "name", "size"])
def test_a_damaged_state_is_refused_naming_the_file(tmp_path: Path, damage: str) -> None:
    save_state(tmp_path, published())
    (kept,) = documents_files(tmp_path)
    raw = json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))
    if damage == "missing":
        kept.unlink()
    elif damage == "shorter":
        kept.write_bytes(kept.read_bytes()[:-10])
    elif damage == "name":
        raw["documents"]["file"] = "../../elsewhere.documents"
    else:
        raw["items"][0]["document_bytes"] += 5
    (tmp_path / STATE_FILE).write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(PublishError) as refused:
        load_state(tmp_path)
    (problem,) = refused.value.problems
    assert "delete" in problem.fix
    if damage in ("missing", "shorter", "size"):
        assert kept.name in problem.where
