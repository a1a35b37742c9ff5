"""kbcheck report CASE [-o FILE] [--format html|md]"""

from __future__ import annotations

from pathlib import Path

import click

from .common import KbcheckClickError, assessed, conclusion_arg, file_or_stdout, stderr, write_atomic

FORMATS = ("html", "md")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


@click.command()
@click.argument("case_file", metavar="CASE")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="File to write; - for stdout (default: the HTML on stdout). For md, the diagram goes beside it as an .svg.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="html (one self-contained file) or md (Markdown) (default: from the file suffix, else html).",
)
@click.option(
    "--conclusion",
    default="offence.mca_s1",
    show_default=True,
    help="The conclusion whose justification diagram the report shows.",
)
def report(case_file: str, output: str | None, fmt: str | None, conclusion: str) -> None:
    """Write a report of the case for a reader: facts, conclusions with reasons and citations, the diagram.

    The HTML is one file that loads nothing (inline style, inline SVG diagram; citations are
    links to the sources) and prints well. It has the facts, each conclusion by stage with its
    value, whether it is settled and the rule and citation behind it, the points for and
    against, the practitioner's guide's next steps and the dates the law is taken at. Markdown
    writes the diagram as an SVG file beside the report (report.md and report.svg).

    \b
    Examples:
      kbcheck report case.yaml -o report.html
      kbcheck report case.yaml -o report.md
      kbcheck report case.yaml --conclusion evidence.strength -o evidence.html
      kbcheck report case.yaml > report.html
    """
    from kbcheck.explain import report as report_module

    output = file_or_stdout(output)

    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        if suffix and suffix not in SUFFIXES:
            raise KbcheckClickError(
                f"{output}: cannot tell the format from {suffix}; name a .html or .md file, or give --format"
            )
        fmt = SUFFIXES.get(suffix, "html")
    if fmt == "md" and not output:
        raise KbcheckClickError("--format md writes its diagram to a file beside the report: name the report with -o")
    assessment = assessed(case_file)
    name = conclusion_arg(assessment.kb, conclusion)
    if fmt == "html":
        data = report_module.html_report(assessment, name).encode("utf-8")
        if output is None:
            click.echo(data.decode("utf-8"), nl=False)
            return
        path = write_atomic(output, data)
        stderr(f"wrote {path} (html, one self-contained file; diagram of {name})")
        return
    assert output is not None
    target = Path(output)
    svg_path = target.with_suffix(".svg")
    if svg_path.resolve() == target.resolve():
        raise KbcheckClickError(f"{target}: a Markdown report needs a name other than .svg (its diagram is .svg)")
    text, svg = report_module.markdown_report(assessment, svg_path.name, name)
    write_atomic(svg_path, svg)  # the diagram first: the report never refers to a file not yet written
    path = write_atomic(target, text.encode("utf-8"))
    stderr(f"wrote {path} and its diagram {svg_path} (md; diagram of {name})")
