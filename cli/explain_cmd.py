"""kbcheck explain CASE [CONCLUSION]"""

from __future__ import annotations

import click

from kbcheck.engine import assess as run_assess

from .common import KbcheckClickError, echo_json, read, settings, stderr, write_atomic

FORMATS = ("svg", "png", "pdf", "dot")


@click.command()
@click.argument("case_file", metavar="CASE", type=click.Path(dir_okay=True))
@click.argument("conclusion", required=False)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Diagram format (default: from the file suffix, else svg).",
)
@click.option("-o", "--output", type=click.Path(), default=None, help="File to write (default: DOT on stdout).")
@click.option(
    "--depth", type=click.IntRange(min=1), default=None, help="Show only this many rules back from the conclusion."
)
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option("--json", "as_json", is_flag=True, help="Print the justification graph as JSON.")
def explain(
    case_file: str,
    conclusion: str | None,
    fmt: str | None,
    output: str | None,
    depth: int | None,
    no_legend: bool,
    as_json: bool,
) -> None:
    """Draw the chain of rules and facts that justifies a conclusion (or the whole case).

    \b
    Examples:
      kbcheck explain case.yaml -o case.svg
      kbcheck explain case.yaml offence.mca_s1 -o offence.png
      kbcheck explain case.yaml element.purpose --depth 2 -f pdf -o purpose.pdf
      kbcheck explain case.yaml offence.mca_s1 --json
    """
    from kbcheck.explain import dot, graph

    cfg = settings()
    kb = cfg.kb()
    result = run_assess(read(case_file, kb), kb, cfg.engine)
    full = graph.build(result)
    if conclusion:
        if conclusion not in kb.conclusions and conclusion not in kb.lists:
            raise KbcheckClickError(f"{conclusion}: not a conclusion of the knowledge base; `kbcheck rules` lists them")
        try:
            shown = graph.justification(full, conclusion, depth)
        except KeyError:
            raise KbcheckClickError(f"{conclusion}: no rule concluded it for this case") from None
    else:
        shown = full
    if as_json:
        echo_json(graph.to_json(shown))
        return
    if fmt is None:
        suffix = output.rsplit(".", 1)[-1].lower() if output and "." in output else ""
        fmt = suffix if suffix in FORMATS else ("svg" if output else "dot")
    data = dot.render(shown, fmt, legend=not no_legend)
    if output:
        path = write_atomic(output, data)
        stderr(f"wrote {path} ({fmt}, {shown.number_of_nodes()} nodes)")
    elif fmt == "dot" or fmt == "svg":
        click.echo(data.decode("utf-8"), nl=False)
    else:
        raise KbcheckClickError(f"--format {fmt} is binary: name a file with -o")
