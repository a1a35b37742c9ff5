"""kbcheck explain CASE [CONCLUSION]"""

from __future__ import annotations

from pathlib import Path

import click

from .common import (
    KbcheckClickError,
    assessed,
    communication_option,
    conclusion_arg,
    echo_json,
    file_or_stdout,
    stderr,
    write_atomic,
)

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
    "--for",
    "medium",
    type=click.Choice(("screen", "slides")),
    default="screen",
    show_default=True,
    help="slides: a 16:9 page (a PNG is 1920x1080) with large text and no legend, the deepest branches "
    "folded away (and said so) where the whole would be too small to read.",
)
@click.option(
    "--steps",
    "steps_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write one diagram per firing into this folder, each adding that firing to the last, every node "
    "in the same place in each; what the step adds is highlighted.",
)
@click.option("--clear", is_flag=True, help="With --steps: remove the slides an earlier run left in the folder.")
@click.option("--legend/--no-legend", default=None, help="Draw the legend (default: on screen, not on slides).")
@click.option("--json", "as_json", is_flag=True, help="Print the justification graph as JSON.")
@click.option(
    "--timeline",
    is_flag=True,
    help="A series of communications as a timeline: each communication on its date with how its s.1 count "
    "stands and the law it was judged under, the law's changes between them, and each one's chain.",
)
@communication_option
def explain(
    case_file: str,
    conclusion: str | None,
    fmt: str | None,
    output: str | None,
    depth: int | None,
    stage: str | None,
    medium: str,
    steps_dir: str | None,
    clear: bool,
    legend: bool | None,
    as_json: bool,
    timeline: bool = False,
    communication: str | None = None,
) -> None:
    """Draw the chain of rules and facts that justifies a conclusion, a stage, or the whole case.

    Facts are notes (dashed where the case does not give them), rules are boxes coloured by the
    kind of source and carrying their citation (a link, in SVG), conclusions show their value.
    --steps refuses a folder that holds slides of an earlier run (they would read as this case's),
    unless --clear, which removes them first (files named step-NNN.svg/png/pdf/dot, nothing else).

    \b
    Examples:
      kbcheck explain case.yaml offence.mca_s1 -o offence.svg
      kbcheck explain case.yaml --stage evidence -o evidence.png
      kbcheck explain case.yaml element.purpose --depth 2 -f pdf -o purpose.pdf
      kbcheck explain case.yaml offence.mca_s1 --for slides -o offence.png
      kbcheck explain case.yaml offence.mca_s1 --for slides --steps slides/ -f png --clear
      kbcheck explain case.yaml offence.mca_s1 --json
    """
    import networkx as nx

    from kbcheck.explain import dot, graph, slides, style

    if steps_dir and output:
        raise KbcheckClickError("give -o or --steps, not both: --steps names a folder")
    if clear and not steps_dir:
        raise KbcheckClickError("--clear goes with --steps FOLDER")
    folder = Path(steps_dir) if steps_dir else None
    if folder is not None:
        old = _old_slides(folder)  # checked before the work, so a refusal costs nothing
        if old and not clear:
            raise KbcheckClickError(
                f"{folder}: holds {len(old)} slides of an earlier run ({old[0].name} ...); "
                "give --clear to replace them, or name another folder"
            )
    assessment = assessed(case_file, communication)
    if timeline:
        _write_timeline(
            assessment, case_file, output, fmt, medium, depth or 1, bool(conclusion or stage or folder or as_json)
        )
        return
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
        shown = graph.stage(full, stage, depth)
    else:
        shown = full
    if as_json:
        echo_json(graph.to_json(shown))
        return
    look = style.SLIDES if medium == "slides" else style.SCREEN
    legend = medium == "screen" if legend is None else legend
    if medium == "slides" and depth is None:
        shown = slides.fit(full, shown, look, legend)
        if not conclusion and not stage:
            stderr("The whole case is too large for one readable slide: name a CONCLUSION or a --stage.")
    if folder is not None:
        _write_steps(slides.steps(assessment, shown, fmt or "svg", look, legend), folder, clear)
        return
    fmt = _format_of(output, fmt)
    data = dot.render(shown, fmt, legend=legend, look=look)
    _emit(data, output, fmt, f"{shown.number_of_nodes()} nodes, {nx.number_of_edges(shown)} edges")


def _format_of(output: str | None, fmt: str | None) -> str:
    """The format asked for, else the output file's suffix, else svg for a file and DOT on stdout."""
    file_or_stdout(output)  # refuses -o --help and the like
    if fmt is not None:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
    if suffix and suffix not in FORMATS:
        raise KbcheckClickError(
            f"{output}: cannot tell the format from .{suffix}; name a .svg, .png, .pdf or .dot file, or give --format"
        )
    return suffix or ("svg" if output and output != "-" else "dot")


def _emit(data: bytes, output: str | None, fmt: str, what: str) -> None:
    if output == "-":
        click.echo(data, nl=False)  # asked for by name: binary formats too (click writes bytes as bytes)
        return
    if output:
        path = write_atomic(output, data)
        stderr(f"wrote {path} ({fmt}, {what})")
    elif fmt in ("dot", "svg"):
        click.echo(data.decode("utf-8"), nl=False)
    else:
        raise KbcheckClickError(f"--format {fmt} is binary: name a file with -o")


def _write_timeline(
    assessment: object, case_file: str, output: str | None, fmt: str | None, medium: str, depth: int, other: bool
) -> None:
    """--timeline: the series drawn along its dates (explain/timeline.py)."""
    from kbcheck.explain import style, timeline

    if other:
        raise KbcheckClickError("--timeline draws the whole series: give no CONCLUSION, --stage, --steps or --json")
    if getattr(assessment, "series", None) is None:
        raise KbcheckClickError(f"{case_file}: --timeline: the case lists no communications (docs/case-format.md §1.5)")
    fmt = _format_of(output, fmt)
    data = timeline.render(assessment, fmt, style.SLIDES if medium == "slides" else style.SCREEN, depth)  # type: ignore[arg-type]
    _emit(data, output, fmt, f"a timeline of {len(assessment.series.ids)} communications")  # type: ignore[attr-defined]


def _old_slides(folder: Path) -> list[Path]:
    """The slides a run of --steps leaves, in any format: step-001.svg, step-002.png, ..."""
    if folder.exists() and not folder.is_dir():
        raise KbcheckClickError(f"{folder}: is a file; --steps names a folder")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _step_number(p.stem) and p.suffix.lstrip(".") in FORMATS)


def _write_steps(diagrams: list[tuple[str, bytes]], folder: Path, clear: bool) -> None:
    """Write the step diagrams, all drawn before anything is removed or written; with --clear the
    earlier run's slides are removed first, so the folder holds this run's only."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KbcheckClickError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    old = _old_slides(folder) if clear else []
    for path in old:
        path.unlink()
    for name, data in diagrams:
        write_atomic(folder / name, data)
    removed = f"; removed {len(old)} of an earlier run" if old else ""
    if diagrams:
        first, last = diagrams[0][0], diagrams[-1][0]
        stderr(f"wrote {len(diagrams)} diagrams to {folder}/ ({first} ... {last}){removed}")
    else:
        stderr(f"no rule fired in what is shown: no diagrams written to {folder}/{removed}")


def _step_number(stem: str) -> int:
    """The number of a slide named step-NNN; 0 for any other name, which is left alone."""
    digits = stem.removeprefix("step-")
    return int(digits) if stem.startswith("step-") and digits.isdigit() else 0
