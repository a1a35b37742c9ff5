"""Render a justification graph with Graphviz: DOT text, SVG, PNG or PDF.

The DOT is deterministic (nodes and edges in sorted order, no timestamps), so the same case
gives the same bytes and diagrams can be golden-tested. Every piece of text that comes from a
case (its title, its id) is escaped before it reaches an HTML-like label, so it cannot change
the diagram.

The labels themselves (one table row a line, so that PNG and PDF read as cleanly as SVG) are built
in explain/labels.py.

A `Look` (explain/style.py) gives the sizes: the screen's, or a slide's, whose page is fixed
(`size`, `ratio`, `dpi`) so that a PNG is exactly the projector's pixels. A `Reveal` draws a step
of the reasoning: the whole graph is laid out every time, with what is not yet reached invisible,
so that every node keeps its place from one step to the next (invisibility does not change the
layout; nor does a step's title, which sits in a box of one fixed size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import graphviz
import networkx as nx

from . import labels, style

FORMATS = ("svg", "png", "pdf", "dot")


def dot_id(node: str) -> str:
    """A node id DOT will not read as node:port."""
    return node.replace(":", "/")


def _attrs(*dicts: dict[str, str], **extra: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for d in dicts:
        merged.update(d)
    merged.update(extra)
    return merged


def _node_attrs(data: dict[str, Any], look: style.Look) -> dict[str, str]:
    kind = data["kind"]
    if kind == "fact":
        base = style.FACT_GIVEN if data["given"] or not data["unknown"] else style.FACT_UNKNOWN
        return _attrs(base, label=labels.fact_label(data, look), tooltip=data.get("meaning", ""))
    if kind == "rule":
        _, fill, border = style.SOURCE_KINDS[data["source_kind"]]
        return {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": fill,
            "color": border,
            "label": labels.rule_label(data, look),
            "URL": data["url"],
            "target": "_blank",
            "tooltip": f"{data['citation']}: {data['title']}",
        }
    base = style.CONCLUSION_UNSETTLED if labels.unsettled(data) else style.CONCLUSION
    extra = style.PUBLIC if data.get("public") else style.INTERMEDIATE
    return _attrs(base, extra, label=labels.conclusion_label(data, look), tooltip=data.get("meaning", ""))


@dataclass(frozen=True)
class Reveal:
    """One step of the reasoning: the nodes and edges reached so far are drawn, those this step
    adds in the highlight colour, the rest are laid out but invisible. `title_box` (width and
    height, in points) is the fixed size of the title, the same for every step."""

    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]
    new_nodes: frozenset[str]
    new_edges: frozenset[tuple[str, str]]
    title_box: tuple[int, int]

    def node_attrs(self, node: str, attrs: dict[str, str]) -> dict[str, str]:
        if node not in self.nodes:
            return {**attrs, "style": "invis"}
        if node in self.new_nodes:
            # Colour only: a thicker border would make the node larger, and move the layout.
            return {**attrs, "color": style.NEW, "fontcolor": style.NEW, "class": "new"}
        return attrs

    def edge_attrs(self, edge: tuple[str, str], attrs: dict[str, str]) -> dict[str, str]:
        if edge not in self.edges:
            return {**attrs, "style": "invis"}
        if edge in self.new_edges:
            return {**attrs, "color": style.NEW, "fontcolor": style.NEW, "class": "new"}
        return attrs


def drawn_edges(graph: nx.DiGraph) -> list[tuple[str, str, dict[str, Any]]]:
    """Edges to draw: a rule's edge from offence_date is left out where it only selects the rule
    by date (the dates are printed on the rule), unless it is the rule's only premise."""
    edges = []
    for u, v in sorted(graph.edges):
        data = graph.edges[u, v]
        if data.get("validity") and graph.in_degree(v) > 1:
            continue
        edges.append((u, v, data))
    return edges


def _only_selects_by_date(graph: nx.DiGraph, drawn: list[tuple[str, str, dict[str, Any]]]) -> set[str]:
    """Fact nodes none of whose edges is drawn: the offence date where it only selects the rules in
    force. Drawn alone it would float unconnected; the title states it instead."""
    touched = {u for u, _, _ in drawn} | {v for _, v, _ in drawn}
    return {
        node
        for node, data in graph.nodes(data=True)
        if data["kind"] == "fact" and graph.out_degree(node) and node not in touched
    }


def _swatch(fill: str, border: str, style_: str = "solid") -> str:
    dashed = ' STYLE="dashed"' if "dashed" in style_ else ""
    return f'<TD WIDTH="28" HEIGHT="16" BGCOLOR="{fill}" COLOR="{border}" BORDER="1"{dashed}></TD>'


def _legend(dot: graphviz.Digraph, graph: nx.DiGraph, look: style.Look, extra: list[tuple[str, str]]) -> None:
    """One compact key: a swatch and a label per kind of node actually drawn, and the arrows."""
    kinds_used = sorted({d["source_kind"] for _, d in graph.nodes(data=True) if d["kind"] == "rule"})
    rows = [
        (_swatch(style.FACT_GIVEN["fillcolor"], style.FACT_GIVEN["color"]), "Fact given by the case"),
        (_swatch("#ffffff", style.FACT_UNKNOWN["color"], "dashed"), "Fact not given: unknown"),
    ]
    for kind in kinds_used:
        label, fill, border = style.SOURCE_KINDS[kind]
        rows.append((_swatch(fill, border), f"Rule from: {label}"))
    rows += [
        (_swatch("#ffffff", "#222222"), "Conclusion (double border: in the contract)"),
        (
            _swatch(style.CONCLUSION_UNSETTLED["fillcolor"], style.CONCLUSION_UNSETTLED["color"], "dashed"),
            "Conclusion that is unknown or undetermined",
        ),
        (
            f'<TD><FONT POINT-SIZE="{look.smaller}"><I>provisional</I></FONT></TD>',
            "a fact not given could still change this conclusion",
        ),
        (
            '<TD><FONT COLOR="#555555">&#8594;</FONT></TD>',
            "fact or conclusion &#8594; rule it satisfies &#8594; what it concludes",
        ),
        (
            '<TD><FONT COLOR="#9a9a9a">- - &#8594;</FONT></TD>',
            "an unknown fact the rule allows: not proof, but it did not rule the conclusion out",
        ),
        ('<TD><FONT COLOR="#c62828"><B>&#8867;</B></FONT></TD>', "a consideration that defeats a conclusion"),
        *extra,
    ]
    body = "".join(f'<TR>{cell}<TD ALIGN="LEFT">{text}</TD></TR>' for cell, text in rows)
    note = (
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="{look.smaller}">The offence date (in the title) selects '
        "the rules in force; each rule prints its dates.</FONT></TD></TR>"
    )
    dot.node(
        "legend",
        shape="plaintext",
        fontsize=str(look.small),
        label=f'<<TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>{body}{note}</TABLE>>',
    )


def heading(graph: nx.DiGraph) -> str:
    """The usual title: the case, and the dates that chose the law."""
    meta = graph.graph
    return (
        f"{meta.get('case', '')}: {meta.get('title', '')}".strip(": ")
        + f"\nOffence date {meta.get('offence_date', '?')} (the law then in force); assessment date {meta.get('assessment_date', '?')}"
    )


TITLE_WRAP = 110


def folded_note(shown: nx.DiGraph) -> str:
    """The line a title adds where a diagram was folded to fit: what was left out."""
    folded = shown.graph.get("folded")
    if not folded:
        return ""
    depth = folded["depth"]
    counts = [(folded["rules"], "rule"), (folded["conclusions"], "conclusion"), (folded["facts"], "fact")]
    words = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n]
    left = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else "nothing"
    return (
        f"Folded to fit the slide, {depth} rule{'s' if depth != 1 else ''} back: {left} further back not shown "
        "(+N on a conclusion: the rules behind it)"
    )


def with_note(title: str, shown: nx.DiGraph) -> str:
    note = folded_note(shown)
    return f"{title}\n{note}" if note else title


def _title(text: str, box: tuple[int, int] | None = None) -> str:
    """The title, one row a line, left-aligned; in a box of a fixed size where one is given."""
    rows = [row for line in text.split("\n") for row in labels.wrapped(line, TITLE_WRAP)] if text else []
    if not rows:
        return ""
    table = labels.stack(rows, "LEFT")
    if box is None:
        return f"<{table}>"
    width, height = box
    return (
        f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD FIXEDSIZE="TRUE" WIDTH="{width}" '
        f'HEIGHT="{height}" ALIGN="LEFT" VALIGN="TOP">{table}</TD></TR></TABLE>>'
    )


def title_box(titles: list[str], look: style.Look) -> tuple[int, int]:
    """A box (points) that holds the longest of these titles: DejaVu Sans is at most about 0.62
    of its size wide a character on average, in bold too; each line takes 1.3 of its size."""
    lines = [[row for line in t.split("\n") for row in labels.lines(line, TITLE_WRAP)] for t in titles]
    longest = max((len(row) for rows in lines for row in rows), default=1)
    most = max((len(rows) for rows in lines), default=1)
    return int(longest * look.title * 0.62) + 8, int(most * (look.title * 1.3 + 2)) + 4


def to_dot(
    graph: nx.DiGraph,
    title: str | None = None,
    legend: bool = True,
    look: style.Look = style.SCREEN,
    reveal: Reveal | None = None,
) -> graphviz.Digraph:
    """A graphviz.Digraph of the justification graph, deterministic."""
    meta = graph.graph
    text = title if title is not None else with_note(heading(graph), graph)
    dot = graphviz.Digraph("justification", format="svg")
    dot.attr(
        rankdir="LR",
        newrank="true",
        nodesep=str(look.nodesep),
        ranksep=str(look.ranksep),
        fontname=style.FONT,
        labelloc="t",
        labeljust="l",
        fontsize=str(look.title),
        label=_title(text, reveal.title_box if reveal else None),
    )
    dot.attr("node", fontname=style.FONT, fontsize=str(look.font), margin="0.12,0.06")
    dot.attr("edge", fontname=style.FONT, fontsize=str(look.small))
    drawn = drawn_edges(graph)
    hidden = _only_selects_by_date(graph, drawn)
    stages: dict[str, list[str]] = {}
    facts: list[str] = []
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        if node in hidden:
            continue
        if data["kind"] == "fact":
            facts.append(node)
        else:
            stages.setdefault(data["stage"], []).append(node)

    def add_cluster(name: str, label: str, nodes: list[str], **attrs: str) -> None:
        with dot.subgraph(name=name) as sub:
            sub.attr(label=label, style="rounded", fontsize=str(look.cluster), **attrs)
            if reveal and not reveal.nodes.intersection(nodes):
                sub.attr(color="transparent", fontcolor="transparent")  # laid out, not yet drawn
            for node in nodes:
                attrs_ = _node_attrs(graph.nodes[node], look)
                sub.node(dot_id(node), **(reveal.node_attrs(node, attrs_) if reveal else attrs_))

    add_cluster("cluster_facts", "Facts of the case", facts, color="#c9b458", rank="same")
    for stage in sorted(stages):
        add_cluster(f"cluster_{stage}", meta.get("stages", {}).get(stage, stage), stages[stage], color="#9a9a9a")
    not_members = False
    for u, v, data in drawn:
        kind = data["kind"]
        if kind == "premise":
            unknown = graph.nodes[u]["kind"] == "fact" and graph.nodes[u]["unknown"]
            attrs = dict(style.EDGE_PREMISE_UNKNOWN if unknown else style.EDGE_PREMISE)
        elif kind == "concludes":
            attrs = dict(style.EDGE_CONCLUDES)
        elif kind == "member" and data.get("excluded"):
            attrs = dict(style.EDGE_NOT_MEMBER)
            not_members = True
        elif kind == "member":
            attrs = dict(style.EDGE_MEMBER)
        else:
            attrs = {
                "label": f"defeats {data.get('defeated', '')}".strip(),
                "constraint": "false",
                **style.EDGE_DEFEATS,
            }
        dot.edge(dot_id(u), dot_id(v), **(reveal.edge_attrs((u, v), attrs) if reveal else attrs))
    if legend:
        extra = []
        if not_members:
            extra.append(
                (
                    '<TD><FONT COLOR="#777777">&#8943;&#9675;</FONT></TD>',
                    "not in the list: why an empty list is empty",
                )
            )
        if reveal:
            extra.append(
                (
                    f'<TD><FONT COLOR="{style.NEW}"><B>&#9632;</B></FONT></TD>',
                    "what this step adds",
                )
            )
        _legend(dot, graph, look, extra)
    return dot


def render(
    graph: nx.DiGraph,
    fmt: str,
    title: str | None = None,
    legend: bool = True,
    look: style.Look = style.SCREEN,
    reveal: Reveal | None = None,
    viewport: str | None = None,
) -> bytes:
    """The diagram in one of FORMATS, as bytes. On a page (slides), the drawing is centred on it and
    zoomed to fit; `viewport` gives the page's viewport where it was worked out already (steps)."""
    dot = to_dot(graph, title, legend, look, reveal)
    if look.page:
        dot.attr(viewport=viewport or page_viewport(dot, look), margin="0")  # PDF would add half an inch
        if fmt == "png":
            dot.attr(dpi=str(look.dpi))  # the page's inches become the projector's pixels
    if fmt == "dot":
        return dot.source.encode("utf-8")
    return dot.pipe(format=fmt)


def page_viewport(dot: graphviz.Digraph, look: style.Look) -> str:
    """The `viewport` that puts the laid-out drawing on the page: the page's size in points, the
    zoom that fits the drawing in it (shrinking a large one, enlarging a small one a little), and
    the drawing's centre. Graphviz's `size` and `ratio` fit a drawing only roughly (a PNG came out
    1696x1081); a viewport gives the page exactly."""
    assert look.page is not None
    plain = dot.pipe(format="plain").decode("utf-8")
    width, height = (float(x) * 72 for x in plain.split("\n", 1)[0].split()[2:4])
    page_w, page_h = (x * 72 for x in look.page)
    zoom = min(page_w / width, page_h / height, style.SLIDE_MAX_ZOOM) * 0.98  # a margin
    return f"{page_w:.1f},{page_h:.1f},{zoom:.4f},{width / 2:.2f},{height / 2:.2f}"


def measure(graph: nx.DiGraph, legend: bool, look: style.Look) -> tuple[float, float]:
    """The laid-out graph's width and height in inches, before it is put on any page."""
    plain = to_dot(graph, legend=legend, look=look).pipe(format="plain").decode("utf-8")
    width, height = plain.split("\n", 1)[0].split()[2:4]
    return float(width), float(height)


def svg_element(svg: bytes, attributes: str) -> str:
    """An SVG file Graphviz wrote, as an element to put inside HTML: no XML prolog, doctype or
    comments before it, `attributes` added to its <svg> tag (a role and a name for assistive
    technology), sized by the page's CSS rather than in points. Graphviz escaped every label in
    it, the case's text included, so it is markup already."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document")
    text = re.sub(r"<!--.*?-->\n?", "", text[start:], flags=re.S)
    return re.sub(r"<svg\b([^>]*)>", lambda m: f"<svg{m.group(1)} {attributes}>", text, count=1)
