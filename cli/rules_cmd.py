"""kbcheck rules / kbcheck rule ID"""

from __future__ import annotations

import click

from kbcheck.explain.text import rule_json, rule_text

from .common import KbcheckClickError, echo_json, settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Every rule as JSON.")
@click.option("--source", default=None, help="Only rules citing this source id (e.g. mca1988, cps_comms).")
@click.option("--guide-differs", is_flag=True, help="Only rules where the practitioner's guide says otherwise.")
def rules(as_json: bool, source: str | None, guide_differs: bool) -> None:
    """List every rule: id, title, citation, link and the dates it is in force for.

    \b
    Examples:
      kbcheck rules
      kbcheck rules --json | jq '.rules | length'
      kbcheck rules --guide-differs
    """
    kb = settings().kb()
    chosen = [r for r in kb.rules if (source is None or r.source == source) and (not guide_differs or r.seed)]
    if as_json:
        echo_json({"rules": [rule_json(kb, r) for r in chosen]})
        return
    for r in chosen:
        click.echo(f"{r.id}\n    {r.title}\n    {kb.citation(r)} | {r.dates_text()} | {kb.url_of(r)}")
        if guide_differs:
            click.echo(f"    {r.seed}")  # each begins "The guide..."
    click.echo(f"{len(chosen)} rules", err=True)


@click.command()
@click.argument("rule_id")
@click.option("--json", "as_json", is_flag=True, help="The rule as JSON.")
def rule(rule_id: str, as_json: bool) -> None:
    """Show one rule in plain English: its source, dates, conditions and conclusion.

    \b
    Examples:
      kbcheck rule mca1988.s1_1.offence.made_out
      kbcheck rule osa2023.s189_1.threat_limb_repealed --json
    """
    kb = settings().kb()
    try:
        found = kb.rule(rule_id)
    except KeyError:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in kb.rules], n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else "; `kbcheck rules` lists them"
        raise KbcheckClickError(f"{rule_id}: no such rule{hint}") from None
    if as_json:
        echo_json(rule_json(kb, found))
    else:
        click.echo(rule_text(kb, found), nl=False)
