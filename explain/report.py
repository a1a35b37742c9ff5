"""A case report for people who write reports: one HTML file that needs nothing else to be read,
a PDF printed from it, or Markdown with the diagram beside it.

What the report says is gathered once from an assessment (report_content.py: `gather`, plain
dataclasses) and rendered by templates (report_render.py, templates/), so the HTML, the PDF and
the Markdown say the same things, and a report writer can render the same content with a template
of their own. This module only joins the two; it holds no markup and no law.

Everything that comes from a case file (its title, its id, any value) is escaped where a template
prints it: a case cannot add markup, scripts or links to a report. The HTML loads nothing: its
style is inline, the diagram is inline SVG, and a Content-Security-Policy forbids scripts and
outside resources as a second line of defence. Its only references outside are hyperlinks to the
legal sources.
"""

from __future__ import annotations

from pathlib import Path

from kbcheck.engine.result import Assessment

from .report_content import (  # noqa: F401  (the report's content, for those who import it from here)
    DEFAULT_DIAGRAM,
    KEY_CONCLUSIONS,
    NEXT_STEPS,
    NOT_ADVICE,
    OPEN_POINTS,
    Consequence,
    Diagram,
    Finding,
    Link,
    Open,
    Report,
    diagram,
    diagram_svg,
    gather,
    long_date,
)
from .report_render import e, m, render_html, render_markdown, render_pdf, stylesheet  # noqa: F401

CSS = stylesheet()  # the stylesheet shipped in templates/report.css, screen and print


def html_report(assessment: Assessment, conclusion: str = DEFAULT_DIAGRAM, template: str | Path | None = None) -> str:
    """The HTML report of an assessment, with the justification diagram of `conclusion`, from
    kbcheck's template or the report writer's `template`."""
    return render_html(gather(assessment, conclusion), diagram(assessment, conclusion, embedded=True), template)


def pdf_report(assessment: Assessment, conclusion: str = DEFAULT_DIAGRAM, template: str | Path | None = None) -> bytes:
    """The report as PDF: the HTML report (or the report writer's HTML template) printed by
    WeasyPrint on A4 with the stylesheet's print rules."""
    return render_pdf(html_report(assessment, conclusion, template))


def markdown_report(
    assessment: Assessment,
    diagram_file: str,
    conclusion: str = DEFAULT_DIAGRAM,
    template: str | Path | None = None,
) -> tuple[str, bytes]:
    """The Markdown report and the SVG it refers to as `diagram_file` (a path relative to it)."""
    text = render_markdown(gather(assessment, conclusion), diagram_file, template)
    return text, diagram_svg(assessment, conclusion)
