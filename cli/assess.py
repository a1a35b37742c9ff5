"""kbcheck assess CASE"""

from __future__ import annotations

import click

from kbcheck.engine import assess as run_assess
from kbcheck.explain.explanation import Explanation

from .common import echo_json, read, settings


@click.command()
@click.argument("case_file", metavar="CASE", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the contract's JSON (docs/case-format.md §3).")
def assess(case_file: str, as_json: bool) -> None:
    """Assess a case: each conclusion, its value, the rules that concluded it, and whether it is settled.

    A conclusion is settled when no fact the case leaves unknown could change it, and
    provisional otherwise (`kbcheck ask` lists the facts that could).

    \b
    Examples:
      kbcheck assess case.yaml
      kbcheck assess case.yaml --json | jq '.conclusions["offence.mca_s1"]'
      kbcheck --engine reference assess case.yaml
    """
    cfg = settings()
    kb = cfg.kb()
    result = run_assess(read(case_file, kb), kb, cfg.engine)
    status = Explanation(result).status()
    if as_json:
        echo_json(dict(result.to_json(), status=status))
    else:
        from kbcheck.explain.text import assessment_text

        click.echo(assessment_text(result, status), nl=False)
