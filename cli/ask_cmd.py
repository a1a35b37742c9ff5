"""kbcheck ask CASE [CONCLUSION]"""

from __future__ import annotations

import click

from kbcheck.explain import serialize, text
from kbcheck.explain.explanation import Explanation

from .common import assessed, conclusion_arg, echo_json


@click.command()
@click.argument("case_file", metavar="CASE")
@click.argument("conclusion", required=False)
@click.option("--json", "as_json", is_flag=True, help="The questions and their effects as JSON.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=None,
    help="Only the N most decisive facts (the rest are counted, not listed).",
)
def ask(case_file: str, conclusion: str | None, as_json: bool, top: int | None) -> None:
    """List the facts not given that could settle what is still unknown, most decisive first.

    For each fact: the conclusions it would settle or change, stage by stage, what each answer
    would make them ("if yes: not met; if no: met, as now"; a number as the range it stands
    for, "if 10 to 17"), and the rule that would then decide. Without a CONCLUSION, it looks at
    every conclusion that is unknown or undetermined. Lines fit 100 columns; --json keeps the ids
    and the values tried.

    \b
    Examples:
      kbcheck ask case.yaml
      kbcheck ask case.yaml --top 5
      kbcheck ask case.yaml element.purpose
      kbcheck ask case.yaml --json
    """
    assessment = assessed(case_file)
    explanation = Explanation(assessment)
    name = conclusion_arg(assessment.kb, conclusion) if conclusion else None
    targets = explanation.targets(name)
    questions = explanation.missing(name)
    rest = len(questions) - top if top is not None and len(questions) > top else 0
    if rest:
        questions = questions[:top]
    if as_json:
        echo_json(serialize.ask_json(questions, targets))
    else:
        click.echo(text.ask_text(assessment.kb, questions, targets), nl=False)
        if rest:
            click.echo(f"... and {rest} more facts that could change something (without --top, all are listed)")
