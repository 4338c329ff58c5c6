"""Validation never by `assert` (issue 10): what publishing checks, it checks under
``python -O`` too, and a value that would break a calendar file is refused, naming the
item and the property but never the value (it may hold a child's name).

Values are checked when a workspace is read; these tests give the renderer what only a
hand-edited kept plan (or a caller of the library) could: a line break or NUL in a case
reference.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest
from ics_samples import CHILDREN, context, schedule, visit

from visitplanner.errors import PublishError
from visitplanner.publish import PublishState, build_documents
from visitplanner.publish import ics as ics_module

HERE = Path(__file__).resolve().parent
ICS = Path(ics_module.__file__)
INJECTED = "C-0031\r\nBEGIN:VEVENT\r\nUID:injected@example.org"


def plan_naming(case_ref: str):
    """A kept plan of one visit to a child whose case reference is ``case_ref``."""
    ctx = context("full")
    children = {**ctx.children, case_ref: replace(CHILDREN[0], case_ref=case_ref)}
    plan = schedule(date(2026, 3, 23), (visit("v-1", date(2026, 3, 30), case_refs=(case_ref,)),))
    return plan, replace(ctx, children=MappingProxyType(children))


def test_the_ics_module_holds_no_assert_statement() -> None:
    tree = ast.parse(ICS.read_text(encoding="utf-8"))
    asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert asserts == []


@pytest.mark.parametrize("case_ref", [INJECTED, "C-00\n31", "C-00\r31", "C-00\x0031"])
def test_a_line_break_or_nul_in_a_case_reference_is_refused_naming_the_item(
        case_ref: str) -> None:
    plan, ctx = plan_naming(case_ref)
    with pytest.raises(PublishError) as refused:
        build_documents(plan, ctx, PublishState())
    (problem,) = refused.value.problems
    assert problem.where == "calendar item 'v-1@visitplanner'"
    # The property holding it, by name; the value is never repeated (nor the child's name).
    assert re.fullmatch(r"[A-Z-]+ holds a line break or a NUL character", problem.what)
    assert "children.csv" in problem.fix
    assert "Zebedee" not in refused.value.render() and "C-00" not in refused.value.render()
    assert "nothing was written" in refused.value.message


#: Run with ``python -O``: the ``assert False`` is stripped, so the script goes on.
UNDER_O = f"""
import sys
assert False, "asserts ran: this is not python -O"
sys.path.insert(0, {str(HERE)!r})
from test_ics_without_assert import INJECTED, plan_naming
from visitplanner.errors import PublishError
from visitplanner.publish import PublishState, build_documents
plan, ctx = plan_naming(INJECTED)
try:
    documents, _ = build_documents(plan, ctx, PublishState())
except PublishError as error:
    print("refused:", error.problems[0].where)
else:
    print("written: injected" if b"UID:injected" in b"".join(documents["w-ana"].values())
          else "written")
"""


def test_under_python_o_a_line_break_is_refused_not_written_into_the_calendar() -> None:
    run = subprocess.run([sys.executable, "-O", "-c", UNDER_O], capture_output=True,
                         text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "refused: calendar item 'v-1@visitplanner'"
