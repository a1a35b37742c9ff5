"""kbcheck trace CASE"""

from __future__ import annotations

import sys

import click

from kbcheck.explain import serialize, text

from .common import assessed, echo_json, is_tty


@click.command()
@click.argument("case_file", metavar="CASE")
@click.option("--step", is_flag=True, help="Wait for Enter between firings (q and Enter stops).")
@click.option("--json", "as_json", is_flag=True, help="The firings as JSON.")
def trace(case_file: str, step: bool, as_json: bool) -> None:
    """Print the firings in order, numbered: rule, citation, what it concluded and from what.

    \b
    Examples:
      kbcheck trace case.yaml
      kbcheck trace case.yaml --step
      kbcheck trace case.yaml --json
    """
    assessment = assessed(case_file)
    kb = assessment.kb
    if as_json:
        echo_json({"case": assessment.case.id, "trace": [serialize.firing_json(kb, f) for f in assessment.firings]})
        return
    stdin = sys.stdin
    total = len(assessment.firings)
    for firing in assessment.firings:
        click.echo(text.trace_line(kb, firing))
        if step and firing.step < total:
            click.echo(f"     [{firing.step}/{total}: Enter for the next firing, q to stop] ", nl=False, err=True)
            answer = stdin.readline()
            if not is_tty(stdin):  # a piped answer is not echoed: end the prompt's line ourselves
                click.echo("", err=True)
            if answer.strip().lower() == "q":
                break
            if answer == "":  # end of input: stop waiting
                step = False
