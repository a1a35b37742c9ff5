"""The text inside the diagrams' nodes, as Graphviz HTML-like labels.

Every label is a borderless table, one row a line, each row padded: with `<BR/>` between lines,
Graphviz's cairo renderer (PNG, PDF) spaces them by less than the font's descent, so the
underscores of one line were drawn through the line below (`law.mca_s1_applies` over `= true`).
SVG, drawn by a browser, never showed it. Everything from a case or the KB is escaped here.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from . import style
from .text import qualifier_words


def lines(text: str, width: int = style.WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def wrapped(text: str, width: int, before: str = "", after: str = "") -> list[str]:
    """`text` wrapped and escaped, each line one row, each between `before` and `after`."""
    return [f"{before}{html.escape(line, quote=True)}{after}" for line in lines(text, width)]


def stack(rows: list[str], align: str = "CENTER") -> str:
    """Rows of text as a borderless table: one cell a line, padded so that no line's descenders
    reach the next (see the module's docstring)."""
    cells = "".join(f'<TR><TD ALIGN="{align}">{row}</TD></TR>' for row in rows)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'


def small(size: int, colour: str = "", italic: bool = False) -> tuple[str, str]:
    colour_attr = f' COLOR="{colour}"' if colour else ""
    opening, closing = ("<I>", "</I>") if italic else ("", "")
    return f'<FONT POINT-SIZE="{size}"{colour_attr}>{opening}', f"{closing}</FONT>"


def fact_label(data: dict[str, Any], look: style.Look) -> str:
    rows = [html.escape(data["name"]), f"= <B>{html.escape(str(data['value']))}</B>"]
    if not data["given"]:
        rows.append("<I>not given: unknown</I>" if data["unknown"] else "<I>by default</I>")
    return f"<{stack(rows)}>"


def rule_label(data: dict[str, Any], look: style.Look) -> str:
    rows = wrapped(data["title"], look.wrap, "<B>", "</B>")
    rows += wrapped(data["citation"], look.wrap_note + 2, *small(look.small, italic=True))
    if look.rule_ids:
        rows += wrapped(data["id"], look.wrap_note + 6, *small(look.smaller, "#444444"))
    if data["dates"] != "all dates":
        rows += wrapped(data["dates"], look.wrap_note + 6, *small(look.smaller, "#444444"))
    if data["confidence"] != "high":
        rows += wrapped(f"confidence: {data['confidence']}", look.wrap_note + 6, *small(look.smaller, "#a83232"))
    return f"<{stack(rows)}>"


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]" if value else "[] (none)"
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    return str(value)


def unsettled(data: dict[str, Any]) -> bool:
    """The value itself is open: unknown or undetermined."""
    return not isinstance(data["value"], list) and str(data["value"]) in style.UNSETTLED


def conclusion_label(data: dict[str, Any], look: style.Look) -> str:
    name = data["id"]
    if "[" in name:  # a member of a list: alternatives [pha1997.s2]
        head, _, member = name.partition("[")
        rows = wrapped(head, look.wrap_note) + wrapped(f"[{member}", look.wrap_note)
    else:
        rows = wrapped(name, look.wrap_note)
    value = wrapped(value_text(data["value"]), look.wrap_note - 2, "<B>", "</B>")
    rows += [f"= {value[0]}", *value[1:]]
    note = small(look.smaller, italic=True)
    qualifier = data.get("qualifier") or ""
    if qualifier:
        rows += wrapped(qualifier_words(qualifier), look.wrap_note, *note)
    if data.get("settled") is False and not unsettled(data):
        rows += wrapped("provisional", look.wrap_note, *note)
    folded = data.get("folded")
    if folded:
        rules = "rule" if folded == 1 else "rules"
        rows += wrapped(f"+{folded} {rules} not shown", look.wrap_note, *small(look.smaller, "#444444", True))
    return f"<{stack(rows)}>"
