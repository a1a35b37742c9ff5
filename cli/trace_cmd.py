"""kbcheck trace CASE [CONCLUSION]"""

from __future__ import annotations

import sys

import click

from kbcheck.explain import serialize, text

from .common import assessed, communication_option, conclusion_arg, echo_json, is_tty


@click.command()
@click.argument("case_file", metavar="CASE")
@click.argument("conclusion", required=False)
@click.option("--step", is_flag=True, help="Wait for Enter between firings (q and Enter stops).")
@click.option("--json", "as_json", is_flag=True, help="The firings as JSON.")
@communication_option
def trace(case_file: str, conclusion: str | None, step: bool, as_json: bool, communication: str | None = None) -> None:
    """Print the firings in order, numbered: rule, citation, what it concluded and from what.

    With a CONCLUSION, only the firings in its justification (those `kbcheck explain` draws for
    it), in the order they fired, each keeping its number in the whole trace.

    \b
    Examples:
      kbcheck trace case.yaml
      kbcheck trace case.yaml --step
      kbcheck trace case.yaml offence.mca_s1 --step
      kbcheck trace case.yaml --json
    """
    assessment = assessed(case_file, communication)
    kb = assessment.kb
    firings = assessment.firings
    if conclusion is not None:
        from kbcheck.explain import graph

        firings = graph.chain(assessment, graph.build(assessment), conclusion_arg(kb, conclusion))
    if as_json:
        echo_json({"case": assessment.case.id, "trace": [serialize.firing_json(kb, f) for f in firings]})
        return
    stdin = sys.stdin
    total = len(firings)
    for n, firing in enumerate(firings, start=1):
        click.echo(text.trace_line(kb, firing))
        if step and n < total:
            click.echo(f"     [{n}/{total}: Enter for the next firing, q to stop] ", nl=False, err=True)
            answer = stdin.readline()
            if not is_tty(stdin):  # a piped answer is not echoed: end the prompt's line ourselves
                click.echo("", err=True)
            if answer.strip().lower() == "q":
                break
            if answer == "":  # end of input: stop waiting
                step = False
