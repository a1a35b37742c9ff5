"""kbcheck why CASE CONCLUSION / kbcheck why-not CASE CONCLUSION=VALUE"""

from __future__ import annotations

import click

from kbcheck.engine import KbcheckError
from kbcheck.explain import names, serialize, text
from kbcheck.explain.explanation import Explanation

from .common import KbcheckClickError, assessed, communication_option, conclusion_arg, echo_json, fail


@click.command()
@click.argument("case_file", metavar="CASE")
@click.argument("conclusion")
@click.option("--json", "as_json", is_flag=True, help="The justification tree as JSON.")
@communication_option
def why(case_file: str, conclusion: str, as_json: bool, communication: str | None = None) -> None:
    """Explain a conclusion: the rules and facts that justify it, as an indented tree.

    Each step names the rule, its citation and the dates it is in force for; each fact says
    whether the case gave it. A step already explained higher up says "shown above".

    \b
    Examples:
      kbcheck why case.yaml offence.mca_s1
      kbcheck why case.yaml alternatives --json
    """
    assessment = assessed(case_file, communication)
    name = conclusion_arg(assessment.kb, conclusion)
    node = Explanation(assessment).why(name)
    if as_json:
        echo_json(serialize.why_json(assessment.kb, node))
    else:
        click.echo(text.why_text(assessment.kb, node), nl=False)


def split_target(kb, target: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """CONCLUSION=VALUE, where a list member may be given as list=member."""
    if "=" not in target:
        raise KbcheckClickError(f"{target}: expected CONCLUSION=VALUE, e.g. offence.mca_s1=made_out")
    name, value = (part.strip() for part in target.split("=", 1))
    try:
        return names.target(kb, name, value)
    except KbcheckError as exc:
        raise fail(exc) from None


@click.command("why-not")
@click.argument("case_file", metavar="CASE")
@click.argument("target", metavar="CONCLUSION=VALUE")
@click.option("--json", "as_json", is_flag=True, help="Each rule and condition as JSON.")
@communication_option
def why_not(case_file: str, target: str, as_json: bool, communication: str | None = None) -> None:
    """Explain why a conclusion does not have a value: each rule that could give it, condition by condition.

    Each condition is marked held, FAILED, or UNKNOWN (it turns on a fact the case does not give).

    \b
    Examples:
      kbcheck why-not case.yaml offence.mca_s1=made_out
      kbcheck why-not case.yaml alternatives=pha1997.s2
    """
    assessment = assessed(case_file, communication)
    kb = assessment.kb
    conclusion, value = split_target(kb, target)
    attempts = Explanation(assessment).why_not(conclusion, value)
    actual = assessment.values[conclusion]
    if as_json:
        echo_json(serialize.why_not_json(kb, conclusion, value, actual, attempts))
    else:
        click.echo(text.why_not_text(kb, conclusion, value, actual, attempts), nl=False)
