"""kbcheck report CASE [-o FILE] [--format html|md|pdf] [--template FILE]"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kbcheck.engine import KbcheckError

from .common import KbcheckClickError, assessed, conclusion_arg, fail, file_or_stdout, stderr, write_atomic

FORMATS = ("html", "md", "pdf")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf"}


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
    help="html (one self-contained file), pdf (printed from the HTML) or md (Markdown) "
    "(default: from the file suffix, else html).",
)
@click.option(
    "--conclusion",
    default="offence.mca_s1",
    show_default=True,
    help="The conclusion whose justification diagram the report shows.",
)
@click.option(
    "--template",
    "template",
    type=click.Path(dir_okay=True),
    default=None,
    help="Your own Jinja2 template instead of kbcheck's (an HTML one for html and pdf, a Markdown one for md); "
    "README.md lists the variables it receives.",
)
def report(case_file: str, output: str | None, fmt: str | None, conclusion: str, template: str | None) -> None:
    """Write a report of the case for a reader: facts, conclusions with reasons and citations, the diagram.

    The HTML is one file that loads nothing (inline style, inline SVG diagram; citations are
    links to the sources) and prints well; a .pdf is that HTML printed on A4 (by WeasyPrint). It has the facts, each conclusion by stage with its
    value, whether it is settled and the rule and citation behind it, the points for and
    against, the practitioner's guide's next steps and the dates the law is taken at. Markdown
    writes the diagram as an SVG file beside the report (report.md and report.svg). The
    report is rendered from Jinja2 templates shipped with kbcheck; --template renders it
    with your own.

    \b
    Examples:
      kbcheck report case.yaml -o report.html
      kbcheck report case.yaml -o report.pdf
      kbcheck report case.yaml -o report.md
      kbcheck report case.yaml --template my.html.j2 -o out.html
      kbcheck report case.yaml --conclusion evidence.strength -o evidence.html
      kbcheck report case.yaml > report.html
    """
    from kbcheck.explain import report as report_module

    output = file_or_stdout(output)

    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        if suffix and suffix not in SUFFIXES:
            raise KbcheckClickError(
                f"{output}: cannot tell the format from {suffix}; name a .html, .pdf or .md file, or give --format"
            )
        fmt = SUFFIXES.get(suffix, "html")
    if fmt == "md" and not output:
        raise KbcheckClickError("--format md writes its diagram to a file beside the report: name the report with -o")
    assessment = assessed(case_file)
    name = conclusion_arg(assessment.kb, conclusion)
    try:
        if fmt == "html":
            text = report_module.html_report(assessment, name, template)
            if output is None:
                click.echo(text, nl=False)
                return
            path = write_atomic(output, text.encode("utf-8"))
            stderr(f"wrote {path} (html, one self-contained file; diagram of {name})")
            return
        if fmt == "pdf":
            data = report_module.pdf_report(assessment, name, template)
            if output is None:
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                return
            path = write_atomic(output, data)
            stderr(f"wrote {path} (pdf, A4; diagram of {name})")
            return
        assert output is not None
        target = Path(output)
        svg_path = target.with_suffix(".svg")
        if svg_path.resolve() == target.resolve():
            raise KbcheckClickError(f"{target}: a Markdown report needs a name other than .svg (its diagram is .svg)")
        text, svg = report_module.markdown_report(assessment, svg_path.name, name, template)
    except KbcheckError as exc:  # a template's error (its file and line), or no WeasyPrint: nothing written
        raise fail(exc) from None
    write_atomic(svg_path, svg)  # the diagram first: the report never refers to a file not yet written
    path = write_atomic(target, text.encode("utf-8"))
    stderr(f"wrote {path} and its diagram {svg_path} (md; diagram of {name})")
