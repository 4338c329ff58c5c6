"""`visitplanner policy show|check|reference`."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def policy() -> None:
    """Show, check and document visiting policies."""


@policy.command()
@click.argument("name_or_file")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@click.option("--table", is_flag=True,
              help="Print a Markdown table: each source sentence and the rules encoding it.")
def show(name_or_file: str, as_json: bool, table: bool) -> None:
    """Print a policy's rules in plain English with their sources.

    NAME_OR_FILE is a bundled policy's name (camden, walsall), even when the current
    folder holds a file or folder of that name, or a path to a policy file
    (local.toml, ./camden).
    """
    from visitplanner.core.policy import load_policy
    from visitplanner.core.policy.describe import describe_policy, describe_rule, sources_table

    loaded = load_policy(name_or_file, Path.cwd())
    if table:
        click.echo(sources_table(loaded), nl=False)
        return
    if not as_json:
        click.echo(describe_policy(loaded))
        return
    rules = [{"id": r.id, "kind": r.kind.value, "plans": sorted(map(str, r.plans)),
              "text": describe_rule(loaded, r), "source": {
                  "document": r.source.document, "section": r.source.section,
                  "quote": r.source.quote}, "note": r.note} for r in loaded.rules]
    click.echo(json.dumps({"id": loaded.id, "name": loaded.name, "rules": rules}, indent=2))


@policy.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate a policy file and list every problem (exit 3 if any)."""
    from visitplanner.core.policy import load_policy

    loaded = load_policy(str(file), Path.cwd())
    click.echo(f"{file}: OK, {len(loaded.rules)} rules")


@policy.command()
def reference() -> None:
    """Print the policy format's reference (Markdown), generated from the spec."""
    from visitplanner.core.policy.spec import reference_markdown

    click.echo(reference_markdown(), nl=False)
