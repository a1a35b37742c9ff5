"""kbcheck lint"""

from __future__ import annotations

import click

from kbcheck.engine.lint import CHECKS
from kbcheck.engine.lint import lint as run_lint

from .common import echo_json, settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The findings as JSON.")
@click.option(
    "--samples",
    type=click.IntRange(min=10),
    default=400,
    show_default=True,
    help="Combinations sampled per conclusion where there are too many to enumerate.",
)
def lint(as_json: bool, samples: int) -> None:
    """Check the knowledge base for cycles, dead rules, overlaps, gaps and missing citations.

    Exit status 1 when there are findings, 0 when the knowledge base is clean.

    \b
    Examples:
      kbcheck lint
      kbcheck --kb my-kb/ lint --json
    """
    kb = settings().kb()
    findings = run_lint(kb, samples=samples)
    if as_json:
        echo_json(
            {
                "findings": [
                    {"check": f.check, "file": f.file, "line": f.line, "subject": f.subject, "message": f.message}
                    for f in findings
                ],
                "rules": len(kb.rules),
                "conclusions": len(kb.conclusions),
                "checks": len(CHECKS),
            }
        )
    else:
        for finding in findings:
            click.echo(finding.one_line())
    if findings:
        click.echo(f"{len(findings)} findings", err=True)
        raise SystemExit(1)
    click.echo(
        f"The knowledge base is clean: {len(kb.rules)} rules, {len(kb.conclusions)} conclusions, {len(CHECKS)} checks.",
        err=True,
    )
