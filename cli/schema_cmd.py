"""`kbcheck schema`: print the JSON Schema a command's `--json` output follows."""

from __future__ import annotations

import click

from kbcheck.explain import schemas

from .common import KbcheckClickError


@click.command()
@click.argument("command", required=False)
def schema(command: str | None) -> None:
    """Print the JSON Schema of a command's --json output (without COMMAND, list them).

    Every --json output begins with "schema_version"; docs/json.md describes each one.

    \b
    Examples:
      kbcheck schema
      kbcheck schema assess > assess.schema.json
    """
    known = schemas.names()
    if command is None:
        for name in known:
            click.echo(name)
        return
    if command not in known:
        raise KbcheckClickError(f"{command}: no schema for that command; these have one: {', '.join(known)}")
    click.echo(schemas.text(command), nl=False)
