"""kbcheck explain CASE [CONCLUSION]"""

from __future__ import annotations

from pathlib import Path

import click

from .common import KbcheckClickError, assessed, conclusion_arg, echo_json, file_or_stdout, stderr, write_atomic

FORMATS = ("svg", "png", "pdf", "dot")


@click.command()
@click.argument("case_file", metavar="CASE")
@click.argument("conclusion", required=False)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Diagram format (default: from the file suffix, else svg).",
)
@click.option(
    "-o", "--output", type=click.Path(), default=None, help="File to write; - for stdout (default: DOT on stdout)."
)
@click.option(
    "--depth", type=click.IntRange(min=1), default=None, help="Show only this many rules back from the conclusion."
)
@click.option("--stage", default=None, help="Draw one stage: its conclusions and what justifies them (e.g. offence).")
@click.option(
    "--steps",
    "steps_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write one diagram per firing into this folder, each adding that firing to the last.",
)
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option("--json", "as_json", is_flag=True, help="Print the justification graph as JSON.")
def explain(
    case_file: str,
    conclusion: str | None,
    fmt: str | None,
    output: str | None,
    depth: int | None,
    stage: str | None,
    steps_dir: str | None,
    no_legend: bool,
    as_json: bool,
) -> None:
    """Draw the chain of rules and facts that justifies a conclusion, a stage, or the whole case.

    Facts are notes (dashed where the case does not give them), rules are boxes coloured by the
    kind of source and carrying their citation (a link, in SVG), conclusions show their value.

    \b
    Examples:
      kbcheck explain case.yaml offence.mca_s1 -o offence.svg
      kbcheck explain case.yaml --stage evidence -o evidence.png
      kbcheck explain case.yaml element.purpose --depth 2 -f pdf -o purpose.pdf
      kbcheck explain case.yaml offence.mca_s1 --steps slides/
      kbcheck explain case.yaml offence.mca_s1 --json
    """
    import networkx as nx

    from kbcheck.explain import dot, graph

    assessment = assessed(case_file)
    kb = assessment.kb
    full = graph.build(assessment)
    if conclusion and stage:
        raise KbcheckClickError("give a CONCLUSION or --stage, not both")
    if conclusion:
        name = conclusion_arg(kb, conclusion)
        shown = graph.justification(full, name, depth)
    elif stage:
        if stage not in kb.stages:
            raise KbcheckClickError(f"--stage {stage}: expected one of {', '.join(kb.stages)}")
        roots = [
            n
            for n, d in full.nodes(data=True)
            if d["kind"] != "fact" and d.get("stage") == stage and (d["kind"] == "list" or d.get("public"))
        ]
        keep: set[str] = set()
        for root in roots:
            keep |= set(graph.justification(full, root.split(":", 1)[1], depth).nodes)
        shown = full.subgraph(keep).copy()
    else:
        shown = full
    if as_json:
        echo_json(graph.to_json(shown))
        return
    if steps_dir:
        _write_steps(assessment, shown, Path(steps_dir), fmt or "svg", not no_legend)
        return
    file_or_stdout(output)  # refuses -o --help and the like
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
        if suffix and suffix not in FORMATS:
            raise KbcheckClickError(
                f"{output}: cannot tell the format from .{suffix}; name a .svg, .png, .pdf or .dot file, or give --format"
            )
        fmt = suffix or ("svg" if output and output != "-" else "dot")
    data = dot.render(shown, fmt, legend=not no_legend)
    if output == "-":
        click.echo(data, nl=False)  # asked for by name: binary formats too (click writes bytes as bytes)
        return
    if output:
        path = write_atomic(output, data)
        stderr(f"wrote {path} ({fmt}, {shown.number_of_nodes()} nodes, {nx.number_of_edges(shown)} edges)")
    elif fmt in ("dot", "svg"):
        click.echo(data.decode("utf-8"), nl=False)
    else:
        raise KbcheckClickError(f"--format {fmt} is binary: name a file with -o")


def _write_steps(assessment, shown, folder: Path, fmt: str, legend: bool) -> None:  # type: ignore[no-untyped-def]
    """step-001.svg, step-002.svg, ...: the firings in the shown graph, one more each time."""
    from kbcheck.explain import dot, graph
    from kbcheck.explain.explanation import Explanation

    folder.mkdir(parents=True, exist_ok=True)
    rule_nodes = {n for n, d in shown.nodes(data=True) if d["kind"] == "rule"}
    steps = [f.step for f in assessment.firings if graph.rule_node(f.rule.id) in rule_nodes]
    explanation = Explanation(assessment)  # what is settled, worked out once for every step
    for n, step in enumerate(steps, start=1):
        partial = graph.build(assessment, steps=step, explanation=explanation)
        partial = partial.subgraph([x for x in partial.nodes if x in shown]).copy()
        firing = assessment.firings[step - 1]
        title = (
            f"{assessment.case.id}: step {n} of {len(steps)} (firing {step})\n"
            f"{firing.rule.title} [{assessment.kb.citation(firing.rule)}] => {firing.concludes}"
        )
        write_atomic(folder / f"step-{n:03d}.{fmt}", dot.render(partial, fmt, title=title, legend=legend))
    # Slides of an earlier, longer run would read as this case's later steps: remove them.
    stale = [p for p in folder.glob(f"step-*.{fmt}") if _step_number(p.stem) > len(steps)]
    for path in stale:
        path.unlink()
    removed = f"; removed {len(stale)} left from an earlier run" if stale else ""
    stderr(f"wrote {len(steps)} diagrams to {folder}/ (step-001.{fmt} ... step-{len(steps):03d}.{fmt}){removed}")


def _step_number(stem: str) -> int:
    """The number of a slide named step-NNN; 0 for any other name, which is left alone."""
    digits = stem.removeprefix("step-")
    return int(digits) if stem.startswith("step-") and digits.isdigit() else 0
