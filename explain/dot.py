"""Render a justification graph with Graphviz: DOT text, SVG, PNG or PDF.

The DOT is deterministic (nodes and edges in sorted order, no timestamps), so the same case
gives the same bytes and diagrams can be golden-tested. Every piece of text that comes from a
case (its title, its id) is escaped before it reaches an HTML-like label, so it cannot change
the diagram.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import graphviz
import networkx as nx

from . import style
from .text import qualifier_words

FORMATS = ("svg", "png", "pdf", "dot")


def dot_id(node: str) -> str:
    """A node id DOT will not read as node:port."""
    return node.replace(":", "/")


def _lines(text: str, width: int = style.WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def _html(text: str, width: int = style.WRAP) -> str:
    return "<BR/>".join(html.escape(line, quote=True) for line in _lines(text, width))


def _fact_label(data: dict[str, Any]) -> str:
    value = data["value"]
    note = "" if data["given"] else ("<BR/><I>not given: unknown</I>" if data["unknown"] else "<BR/><I>by default</I>")
    return f"<{html.escape(data['name'])}<BR/>= <B>{html.escape(str(value))}</B>{note}>"


def _rule_label(data: dict[str, Any]) -> str:
    parts = [
        f"<B>{_html(data['title'])}</B>",
        f'<FONT POINT-SIZE="10"><I>{_html(data["citation"], 36)}</I></FONT>',
        f'<FONT POINT-SIZE="9" COLOR="#444444">{_html(data["id"], 40)}</FONT>',
    ]
    if data["dates"] != "all dates":
        parts.append(f'<FONT POINT-SIZE="9" COLOR="#444444">{html.escape(data["dates"])}</FONT>')
    if data["confidence"] != "high":
        parts.append(f'<FONT POINT-SIZE="9" COLOR="#a83232">confidence: {html.escape(data["confidence"])}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]" if value else "[] (none)"
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    return str(value)


def _unsettled(data: dict[str, Any]) -> bool:
    """The value itself is open: unknown or undetermined."""
    return not isinstance(data["value"], list) and str(data["value"]) in style.UNSETTLED


def _conclusion_label(data: dict[str, Any]) -> str:
    value = _value_text(data["value"])
    name = data["id"]
    if "[" in name:  # a member of a list: alternatives [pha1997.s2]
        head, _, member = name.partition("[")
        shown = f"{_html(head, 34)}<BR/>[{_html(member.rstrip(']'), 34)}]"
    else:
        shown = _html(name, 34)
    provisional = data.get("settled") is False and not _unsettled(data)
    note = '<BR/><FONT POINT-SIZE="9"><I>provisional</I></FONT>' if provisional else ""
    qualifier = data.get("qualifier") or ""
    how = f'<BR/><FONT POINT-SIZE="9"><I>{_html(qualifier_words(qualifier), 34)}</I></FONT>' if qualifier else ""
    return f"<{shown}<BR/>= <B>{_html(value, 34)}</B>{how}{note}>"


def _attrs(*dicts: dict[str, str], **extra: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for d in dicts:
        merged.update(d)
    merged.update(extra)
    return merged


def _node_attrs(data: dict[str, Any]) -> dict[str, str]:
    kind = data["kind"]
    if kind == "fact":
        base = style.FACT_GIVEN if data["given"] or not data["unknown"] else style.FACT_UNKNOWN
        return _attrs(base, label=_fact_label(data), tooltip=data.get("meaning", ""))
    if kind == "rule":
        _, fill, border = style.SOURCE_KINDS[data["source_kind"]]
        return {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": fill,
            "color": border,
            "label": _rule_label(data),
            "URL": data["url"],
            "target": "_blank",
            "tooltip": f"{data['citation']}: {data['title']}",
        }
    base = style.CONCLUSION_UNSETTLED if _unsettled(data) else style.CONCLUSION
    extra = style.PUBLIC if data.get("public") else style.INTERMEDIATE
    return _attrs(base, extra, label=_conclusion_label(data), tooltip=data.get("meaning", ""))


def _drawn_edges(graph: nx.DiGraph) -> list[tuple[str, str, dict[str, Any]]]:
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


def _legend(dot: graphviz.Digraph, graph: nx.DiGraph) -> None:
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
            '<TD><FONT POINT-SIZE="9"><I>provisional</I></FONT></TD>',
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
    ]
    body = "".join(f'<TR>{cell}<TD ALIGN="LEFT">{text}</TD></TR>' for cell, text in rows)
    note = (
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9">The offence date (in the title) selects the rules in '
        "force; each rule prints its dates.</FONT></TD></TR>"
    )
    dot.node(
        "legend",
        shape="plaintext",
        fontsize="10",
        label=f'<<TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>{body}{note}</TABLE>>',
    )


def to_dot(graph: nx.DiGraph, title: str | None = None, legend: bool = True) -> graphviz.Digraph:
    """A graphviz.Digraph of the justification graph, deterministic."""
    meta = graph.graph
    heading = (
        title
        if title is not None
        else (
            f"{meta.get('case', '')}: {meta.get('title', '')}".strip(": ")
            + f"\nOffence date {meta.get('offence_date', '?')} (the law then in force); assessment date {meta.get('assessment_date', '?')}"
        )
    )
    dot = graphviz.Digraph("justification", format="svg")
    dot.attr(
        rankdir="LR",
        newrank="true",
        nodesep="0.25",
        ranksep="0.6",
        fontname="Helvetica",
        labelloc="t",
        labeljust="l",
        fontsize="16",
        label="<" + "<BR/>".join(_html(line, 110) for line in heading.split("\n")) + ">",
    )
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.06")
    dot.attr("edge", fontname="Helvetica")
    drawn = _drawn_edges(graph)
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
    with dot.subgraph(name="cluster_facts") as sub:
        sub.attr(label="Facts of the case", style="rounded", color="#c9b458", fontsize="13", rank="same")
        for node in facts:
            sub.node(dot_id(node), **_node_attrs(graph.nodes[node]))
    for stage in sorted(stages):
        with dot.subgraph(name=f"cluster_{stage}") as sub:
            sub.attr(label=meta.get("stages", {}).get(stage, stage), style="rounded", color="#9a9a9a", fontsize="13")
            for node in stages[stage]:
                sub.node(dot_id(node), **_node_attrs(graph.nodes[node]))
    for u, v, data in drawn:
        kind = data["kind"]
        if kind == "premise":
            unknown = graph.nodes[u]["kind"] == "fact" and graph.nodes[u]["unknown"]
            dot.edge(dot_id(u), dot_id(v), **(style.EDGE_PREMISE_UNKNOWN if unknown else style.EDGE_PREMISE))
        elif kind == "concludes":
            dot.edge(dot_id(u), dot_id(v), **style.EDGE_CONCLUDES)
        elif kind == "member":
            dot.edge(dot_id(u), dot_id(v), **style.EDGE_MEMBER)
        else:
            dot.edge(
                dot_id(u),
                dot_id(v),
                label=f"defeats {data.get('defeated', '')}".strip(),
                constraint="false",
                **style.EDGE_DEFEATS,
            )
    if legend:
        _legend(dot, graph)
    return dot


def render(graph: nx.DiGraph, fmt: str, title: str | None = None, legend: bool = True) -> bytes:
    """The diagram in one of FORMATS, as bytes."""
    dot = to_dot(graph, title, legend)
    if fmt == "dot":
        return dot.source.encode("utf-8")
    return dot.pipe(format=fmt)
