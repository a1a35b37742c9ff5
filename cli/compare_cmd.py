"""kbcheck compare CASE --dates D1,D2,..."""

from __future__ import annotations

import click

from kbcheck.engine import KbcheckError
from kbcheck.engine.dates import parse_date
from kbcheck.explain.compare import compare as run_compare
from kbcheck.explain.compare import table_json, table_text

from .common import KbcheckClickError, assessed, echo_json


@click.command()
@click.argument("case_file", metavar="CASE")
@click.option("--dates", required=True, metavar="D1,D2,...", help="Offence dates to compare, comma-separated.")
@click.option(
    "--assessment-date", default=None, help="Assess every date on this day (default: keep the case's interval)."
)
@click.option("--all", "every", is_flag=True, help="Show every conclusion, not only those that change.")
@click.option("--json", "as_json", is_flag=True, help="The table as JSON.")
def compare(case_file: str, dates: str, assessment_date: str | None, every: bool, as_json: bool) -> None:
    """Show how the conclusions change with the offence date: the law as it stood on each.

    Each date is assessed the same number of days after the offence as the case is, unless
    --assessment-date fixes the day. The conclusions that differ are listed stage by stage, with
    values in words ("not concluded" for none), wrapped to 100 columns, and the number left out as
    the same on every date is said; --json keeps the ids and values as they are.

    \b
    Examples:
      kbcheck compare case.yaml --dates 2014-01-01,2016-01-01,2023-06-01,2024-06-01
      kbcheck compare threat.yaml --dates 2024-01-30,2024-01-31 --all
    """
    assessment = assessed(case_file)
    try:
        days = [parse_date(part) for part in dates.split(",") if part.strip()]
        fixed = parse_date(assessment_date) if assessment_date else None
    except ValueError as exc:
        raise KbcheckClickError(f"--dates {dates}: {exc}") from None
    if not days:
        raise KbcheckClickError("--dates: give at least one date")
    try:
        results = run_compare(assessment, days, fixed)
    except KbcheckError as exc:
        raise KbcheckClickError(exc.one_line()) from None
    if as_json:
        echo_json(table_json(results, every))
    else:
        click.echo(table_text(results, every), nl=False)
