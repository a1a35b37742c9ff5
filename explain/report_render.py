"""The case report rendered from Jinja2 templates: HTML (and from it PDF) and Markdown.

The report's content is gathered once (report_content.py); this module only hands it to a template.
The templates ship with kbcheck in templates/ (report.html.j2, report.md.j2, report.css), so a
report writer can read them, and `kbcheck report CASE --template my.html.j2` renders with their own
instead. Why it is built the way it is:

- **Escaping is on by default, in both formats.** Whatever a template prints with `{{ ... }}` passes
  through the environment's `finalize` hook: HTML is escaped (quotes included, so a value is safe in
  an attribute) and Markdown has its markup characters backslashed, unless a filter of ours marked
  it as already safe. A template cannot forget to escape a case's title, and a case cannot add
  markup, scripts or links to a report, whichever template is used.
- **Every value is printed on one line.** Runs of white space, line breaks included, become one
  space, so a value can neither end a Markdown table row nor a heading.
- **Undefined names are errors.** A template that names a variable the report does not have stops
  with its file and line (StrictUndefined), rather than printing an empty gap in a legal document.
- **A template's errors are input errors.** A syntax error, a missing file or an undefined name is
  one `InputError` naming the template file and line: the CLI prints one line and writes nothing.
- **A report writer's template can build on ours.** Their folder is searched first, then kbcheck's,
  so their template can include kbcheck's files (`{% include "report.css" %}`) or its own beside it.
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kbcheck.engine.errors import InputError, KbcheckError

from . import dot
from .report_content import (
    KEY_CONCLUSIONS,
    NOT_ADVICE,
    OPEN_POINTS,
    Diagram,
    Finding,
    Report,
)

HTML_TEMPLATE = "report.html.j2"
MD_TEMPLATE = "report.md.j2"
STYLESHEET = "report.css"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


# --- Escaping -------------------------------------------------------------------------------------
def e(text: Any) -> str:
    """Escape text for HTML content and attribute values alike, on one line."""
    return html.escape(" ".join(str(text).split()), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


MdSafe = Markup  # Markdown built from escaped parts (Markdown's escaping includes HTML's)


def m(text: Any) -> str:
    """Escape text for Markdown: no markup, no raw HTML, no table breaks, one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def md_code(text: Any) -> MdSafe:
    """Text inside a code span: no backtick or line break can end it, no pipe can split a table."""
    return MdSafe(" ".join(str(text).split()).replace("`", "'").replace("|", "\\|"))


def _html_finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return Markup(e(value))


def _md_finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return MdSafe(m(value))


# --- Filters: citations and values, the same in every template --------------------------------------
def _web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def href(link: Any, text: str | None = None) -> Markup:
    """A citation (a Link, or anything with a `url`, given its `text`) as a link, or as plain text
    if its address is not a web address."""
    words = link.text if text is None else text
    if _web(link.url):
        return Markup(f'<a href="{e(link.url)}" rel="noopener noreferrer">{e(words)}</a>')
    return Markup(e(words))


def md_link(link: Any, text: str | None = None) -> MdSafe:
    """A citation (a Link, or anything with a `url`, given its `text`) as a Markdown link; an
    address that is not a web address is not linked."""
    words = link.text if text is None else text
    if _web(link.url):
        url = link.url
        for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
            url = url.replace(char, code)
        return MdSafe(f"[{m(words)}]({url})")
    return MdSafe(m(words))


def md_value(f: Finding) -> MdSafe:
    """A conclusion's value as code (each member of a list), with how it is known after it."""
    if isinstance(f.value, list):
        return MdSafe(", ".join(f"`{md_code(v)}`" for v in f.value) or "none")
    return MdSafe(f"`{md_code(f.text)}`" + (f" ({m(f.qualifier)})" if f.qualifier else ""))


def md_path(name: str) -> MdSafe:
    """A file name as the target of a Markdown image (spaces encoded)."""
    return MdSafe(name.replace(" ", "%20"))


def inline_svg(svg: bytes) -> Markup:
    """The diagram as an element of the page, named by its caption."""
    return Markup(dot.svg_element(svg, 'role="img" aria-labelledby="diagram-caption"'))


def legend(drawing: Diagram) -> list[dict[str, str]]:
    """The diagram's key, for the page to show as text beside it: each entry a swatch drawn in the
    diagram's own colours (`style`, CSS for the swatch; or `mark`, a character) and its `text`."""
    from . import style

    def swatch(fill: str, border: str, extra: str = "") -> dict[str, str]:
        return {"style": f"background:{fill};border-color:{border};{extra}", "mark": ""}

    items = [{**swatch(style.FACT_GIVEN["fillcolor"], style.FACT_GIVEN["color"]), "text": "a fact the case gives"}]
    if drawing.unknown_facts:
        unknown = swatch("#ffffff", style.FACT_UNKNOWN["color"], "border-style:dashed")
        items.append({**unknown, "text": "a fact not given: unknown"})
    for kind in drawing.source_kinds:
        label, fill, border = style.SOURCE_KINDS[kind]
        items.append({**swatch(fill, border, "border-radius:4px"), "text": f"a rule from: {label}"})
    double = swatch("#ffffff", "#222222", "border-radius:4px;border-style:double;border-width:3px")
    items.append({**double, "text": "a conclusion"})
    if drawing.open_conclusions:
        unsettled = style.CONCLUSION_UNSETTLED
        dashed = swatch(unsettled["fillcolor"], unsettled["color"], "border-style:dashed")
        items.append({**dashed, "text": "a conclusion that is unknown or undetermined"})
    if drawing.defeats:
        items.append({"style": "", "mark": "\u22a3", "text": "a consideration that defeats a conclusion"})
    return items


# --- Templates --------------------------------------------------------------------------------------
def stylesheet() -> str:
    """The report's CSS, as shipped: screen and print."""
    return resources.files("kbcheck.explain").joinpath("templates").joinpath(STYLESHEET).read_text(encoding="utf-8")


@cache
def _environment(kind: str, folder: str | None) -> jinja2.Environment:
    """A Jinja2 environment for one format ("html" or "md"), searching a report writer's folder
    (when they pass a template) before kbcheck's own templates."""
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.PackageLoader("kbcheck.explain", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # for Markdown too: its escaping (m) includes HTML's, and finalize applies it
        finalize=_html_finalize if kind == "html" else _md_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if kind == "html":
        env.filters.update(href=href)
    else:
        env.filters.update(code=md_code, link=md_link, value=md_value, path=md_path, md=lambda t: MdSafe(m(t)))
    env.globals.update(
        key_questions=KEY_CONCLUSIONS,
        not_advice=NOT_ADVICE,
        open_points=OPEN_POINTS,
    )
    return env


def _render(kind: str, template: str | Path | None, default: str, variables: dict[str, Any]) -> str:
    """Render kbcheck's template for `kind`, or the report writer's file `template`. Any fault of a
    template (syntax, a missing file, an undefined name, an error raised inside it) is an
    InputError naming the template's file and, where Jinja2 knows it, its line."""
    if template is None:
        env, name, shown = _environment(kind, None), default, default
    else:
        path = Path(template)
        shown = str(template)
        if not path.is_file():
            raise InputError(shown, "no such template file" if not path.exists() else "not a file")
        env, name = _environment(kind, str(path.resolve().parent)), path.name
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            _where(exc.filename, exc.name, shown, template), exc.message or "syntax error", exc.lineno
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InputError(
            shown, f"the template includes {exc.name}, which is neither beside it nor one of kbcheck's"
        ) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        file, line = _template_frame(exc)
        raise InputError(file or shown, f"{type(exc).__name__}: {exc}", line) from None


def _where(filename: str | None, name: str | None, shown: str, template: str | Path | None) -> str:
    """The file a syntax error is in, as the user named it where it is their own template."""
    if template is not None and filename and Path(filename).resolve() == Path(template).resolve():
        return shown
    return filename or name or shown


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised at: Jinja2 rewrites the traceback so that
    each frame inside a template carries the template's file name and line."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".jinja", ".jinja2", ".html", ".md", ".txt")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_html(report: Report, drawing: Diagram, template: str | Path | None = None) -> str:
    """The report as one HTML document: inline style, inline SVG, nothing loaded from anywhere."""
    variables = {
        "report": report,
        "diagram": inline_svg(drawing.svg),
        "legend": legend(drawing),
        "css": Markup(stylesheet()),
        "csp": Markup(CSP),
    }
    return _render("html", template, HTML_TEMPLATE, variables)


def render_markdown(report: Report, diagram_file: str, template: str | Path | None = None) -> str:
    """The report as Markdown (GitHub tables); the diagram is the SVG file `diagram_file`, beside it."""
    return _render("md", template, MD_TEMPLATE, {"report": report, "diagram_file": diagram_file})


def render_pdf(document: str) -> bytes:
    """An HTML report printed to PDF by WeasyPrint, with the stylesheet's print rules (A4, page
    breaks). The page loads nothing: WeasyPrint is given no base URL and a fetcher that refuses
    every address, so a link in a custom template cannot make it fetch anything."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # WeasyPrint, or the Pango libraries it loads, missing
        raise KbcheckError(
            f"a PDF report needs WeasyPrint and the Pango libraries ({' '.join(str(exc).split())}): "
            "pip install 'weasyprint>=70,<71'; on Debian, apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None

    def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"the report loads nothing from outside ({url})")

    # WeasyPrint warns through the logging module about CSS it ignores (screen-only properties)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return bytes(weasyprint.HTML(string=document, url_fetcher=refuse).write_pdf() or b"")
