"""kbcheck what-if CASE --set FACT=VALUE ..."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from kbcheck.engine import KbcheckError
from kbcheck.engine.case import parse_fact_text, suggest
from kbcheck.engine.dates import parse_date
from kbcheck.explain import serialize, text
from kbcheck.explain.explanation import Explanation

from .common import KbcheckClickError, assessed, echo_json


def parse_sets(kb, pairs: tuple[str, ...]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    changes: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise KbcheckClickError(f"--set {pair}: expected FACT=VALUE, e.g. --set sender_identified=false")
        name, raw = (part.strip() for part in pair.split("=", 1))
        fact = kb.facts.get(name)
        if fact is None:
            hint = suggest(name, sorted(kb.facts)) or "; `kbcheck facts` lists them"
            raise KbcheckClickError(f"--set {pair}: {name} is not a fact of the vocabulary{hint}")
        if fact.header and name != "jurisdiction":
            raise KbcheckClickError(f"--set {pair}: {name} is a date of the case: use --{name.replace('_', '-')}")
        try:
            changes[name] = parse_fact_text(fact, raw)
        except ValueError as exc:
            raise KbcheckClickError(f"--set {pair}: {exc}") from None
    return changes


def _date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise KbcheckClickError(f"{option} {value}: {exc}") from None


def _moves(pairs: tuple[str, ...]) -> dict[str, dt.date]:
    moved: dict[str, dt.date] = {}
    for pair in pairs:
        if "=" not in pair:
            raise KbcheckClickError(f"--move {pair}: expected ID=DATE, e.g. --move b3=2024-01-20")
        cid, day = (part.strip() for part in pair.split("=", 1))
        moved[cid] = _date(f"--move {cid}=", day) or dt.date.min
    return moved


@click.command("what-if")
@click.argument("case_file", metavar="CASE")
@click.option(
    "--set", "sets", multiple=True, metavar="FACT=VALUE", help="Change a fact (unknown removes it). Repeatable."
)
@click.option("--offence-date", help="Move the offence to this date (the law in force changes with it).")
@click.option("--assessment-date", help="Assess on this date (time limits, magistrates' powers).")
@click.option(
    "--move",
    "moves",
    multiple=True,
    metavar="ID=DATE",
    help="A series: send one communication on another day. Repeatable.",
)
@click.option(
    "--remove", "removals", multiple=True, metavar="ID", help="A series: leave one communication out. Repeatable."
)
@click.option("--json", "as_json", is_flag=True, help="Both assessments and what changed, as JSON.")
def what_if(
    case_file: str,
    sets: tuple[str, ...],
    offence_date: str | None,
    assessment_date: str | None,
    as_json: bool,
    moves: tuple[str, ...] = (),
    removals: tuple[str, ...] = (),
) -> None:
    """Re-assess with changed facts or dates, and show which conclusions change and why.

    \b
    Examples:
      kbcheck what-if case.yaml --set sender_identified=false
      kbcheck what-if case.yaml --set fake_or_anonymous_account=true --set account_linked_to_suspect=false
      kbcheck what-if threat.yaml --offence-date 2024-03-01
      kbcheck what-if case.yaml --set jurisdiction=scotland
      kbcheck what-if series.yaml --move b3=2024-01-20 --remove b4

    On a series (a case that lists its communications), --set changes a fact for every
    communication, --offence-date moves the whole series (each communication keeps its distance
    from the last), and --move and --remove change one communication.
    """
    assessment = assessed(case_file)
    kb = assessment.kb
    if not sets and offence_date is None and assessment_date is None and not moves and not removals:
        raise KbcheckClickError(
            "nothing to change: give --set FACT=VALUE, --offence-date, --assessment-date, --move ID=DATE or --remove ID"
        )
    changes = parse_sets(kb, sets)
    moved = _moves(moves)
    edits = serialize.edits(changes, offence_date, assessment_date)
    edits += [f"move {cid} to {day.isoformat()}" for cid, day in moved.items()] + [f"remove {cid}" for cid in removals]
    try:
        after, changed = Explanation(assessment).what_if(
            changes,
            _date("--offence-date", offence_date),
            _date("--assessment-date", assessment_date),
            moves=moved,
            removals=tuple(removals),
        )
    except KbcheckError as exc:
        hint = ""
        if offence_date and not assessment_date and "is before the offence date" in exc.one_line():
            hint = "; give --assessment-date too"
        raise KbcheckClickError(f"what-if {', '.join(edits)}: {exc.one_line()}{hint}") from None
    if as_json:
        echo_json(serialize.what_if_json(kb, assessment, after, changed, edits))
    else:
        given = assessment.case.given
        same = [f"{k}={text.value_text(v)}" for k, v in changes.items() if k in given and given[k] == v]
        click.echo(text.what_if_text(kb, assessment, after, changed, edits, same), nl=False)
        if assessment.series is not None:
            from kbcheck.explain.series_view import series_changes

            for line in series_changes(assessment, after):
                click.echo(line)
