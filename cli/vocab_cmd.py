"""kbcheck facts / kbcheck new-case"""

from __future__ import annotations

import datetime as dt

import click

from kbcheck.engine.case import CASE_ID_RE
from kbcheck.engine.dates import parse_date
from kbcheck.explain.vocabulary import (
    case_template,
    conclusions_json,
    conclusions_markdown,
    conclusions_text,
    facts_json,
    facts_text,
)

from .common import KbcheckClickError, echo_json, file_or_stdout, settings, stderr, write_atomic


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The vocabulary as JSON.")
def facts(as_json: bool) -> None:
    """List the facts a case can give: their types, values and meaning.

    \b
    Examples:
      kbcheck facts
      kbcheck facts --json | jq '.facts[].name'
    """
    kb = settings().kb()
    if as_json:
        echo_json({"facts": facts_json(kb)})
    else:
        click.echo(facts_text(kb), nl=False)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The conclusions as JSON.")
@click.option("--markdown", is_flag=True, help="As docs/conclusions.md has them (a Markdown table).")
def conclusions(as_json: bool, markdown: bool) -> None:
    """List every conclusion id kbcheck can give, with its values and meaning, stage by stage.

    \b
    Examples:
      kbcheck conclusions
      kbcheck conclusions --json | jq '.conclusions[] | select(.public) | .id'
      kbcheck conclusions --markdown > docs/conclusions.md
    """
    kb = settings().kb()
    if as_json:
        echo_json({"conclusions": conclusions_json(kb)})
    elif markdown:
        click.echo(conclusions_markdown(kb), nl=False)
    else:
        click.echo(conclusions_text(kb), nl=False)


@click.command("new-case")
@click.option("-o", "--output", type=click.Path(), default=None, help="File to write; - for stdout (default: stdout).")
@click.option("--id", "case_id", default="my-case", show_default=True, help="The case id.")
@click.option("--offence-date", default=None, help="The offence date (default: today).")
def new_case(output: str | None, case_id: str, offence_date: str | None) -> None:
    """Write a case file template with every fact of the vocabulary commented.

    \b
    Examples:
      kbcheck new-case -o case.yaml
      kbcheck new-case --id neighbour-dispute --offence-date 2025-03-01 > case.yaml
    """
    output = file_or_stdout(output)
    kb = settings().kb()
    if not CASE_ID_RE.fullmatch(case_id):
        raise KbcheckClickError(f"--id {case_id}: expected 1 to 100 letters, digits, '-' or '_'")
    day: dt.date | None = None
    if offence_date:
        try:
            day = parse_date(offence_date)
        except ValueError as exc:
            raise KbcheckClickError(f"--offence-date {offence_date}: {exc}") from None
    text = case_template(kb, case_id, day)
    if output:
        write_atomic(output, text.encode("utf-8"))
        stderr(f"wrote {output}: uncomment the facts you know, then run kbcheck assess {output}")
    else:
        click.echo(text, nl=False)
