"""kbcheck test PATH..."""

from __future__ import annotations

from pathlib import Path

import click

from kbcheck.engine.scenarios import run_file, scenario_files
from kbcheck.explain.text import value_text

from .common import KbcheckClickError, echo_json, settings


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One result per scenario, as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def test(paths: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Run scenario files (a case plus an `expect:` block) and report what differs.

    Each failure shows what was expected, what came out, and the rules that concluded it.
    Exit status 1 if a scenario fails, 2 if a file cannot be read as a scenario.

    \b
    Examples:
      kbcheck test tests/scenarios
      kbcheck test ../shared/cases/seed-fake-profile.yaml
    """
    cfg = settings()
    kb = cfg.kb()
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise KbcheckClickError(f"{missing[0]}: no such file or folder")
    files = scenario_files([Path(p) for p in paths])
    if not files:
        raise KbcheckClickError(f"no scenario files (*.yaml, *.yml, *.json) under {', '.join(paths)}")
    outcomes = [run_file(path, kb, cfg.engine) for path in files]
    errors = sum(1 for o in outcomes if o.error)
    failed = sum(1 for o in outcomes if o.failures)
    passed = len(outcomes) - errors - failed
    if as_json:
        results = [
            {
                "file": o.path,
                "case": o.case.id if o.case else None,
                "passed": o.passed,
                "error": o.error,
                "failures": [
                    {
                        "conclusion": f.conclusion,
                        "expected": f.expected,
                        "actual": f.actual,
                        "rules": sorted({x.rule.id for x in f.firings}),
                    }
                    for f in o.failures
                ],
            }
            for o in outcomes
        ]
        summary = {"scenarios": len(outcomes), "passed": passed, "failed": failed, "errors": errors}
        echo_json({"results": results, "summary": summary})
    else:
        for o in outcomes:
            if o.error:
                click.echo(f"ERROR {o.error}")
            elif o.failures:
                click.echo(f"FAIL  {o.path} ({o.case.id if o.case else '?'})")
                for f in o.failures:
                    click.echo(f"      {f.conclusion}: expected {f.expected}, got {value_text(f.actual)}")
                    for firing in f.firings:
                        click.echo(f"        step {firing.step}: {firing.rule.id} [{kb.citation(firing.rule)}]")
                        click.echo(f"          because {', '.join(firing.premise_ids())}")
            elif not quiet:
                click.echo(f"ok    {o.path}")
    click.echo(f"{len(outcomes)} scenarios: {passed} passed, {failed} failed, {errors} errors", err=True)
    if errors:
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)
