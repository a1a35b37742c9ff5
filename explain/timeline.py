"""A series of communications as a timeline: `kbcheck explain CASE --timeline`.

Left to right, in date order: each communication (its id, date, how its s.1 count stands, the
law it was judged under, the other offences open on it), the days between them on which the law
changed (from the KB's own dates in force: the rules that begin or end that day, by their
sources), and the charge decision. Under each communication hangs its own chain for
`offence.mca_s1`, drawn as every other justification is (explain/dot.py), cut at `depth`.
A long series is drawn without the chains, which `--communication ID` draws one at a time.
"""

from __future__ import annotations

import datetime as dt
import html

import graphviz

from kbcheck.engine.result import Assessment

from . import dot, style
from .graph import build, conclusion_node, justification
from .series_view import rows

CHAINS_UP_TO = 8  # communications whose chains are drawn; a longer series shows the line alone
STANDING_COLOURS = {
    "made_out_in_time": ("#e8f5e9", "#2e7d32"),
    "made_out_out_of_time": ("#fff3e0", "#ef6c00"),
    "undetermined_in_time": ("#fffde7", "#9e9d24"),
    "undetermined_out_of_time": ("#fff3e0", "#ef6c00"),
    "not_made_out_in_time": ("#f5f5f5", "#757575"),
    "not_made_out_out_of_time": ("#f5f5f5", "#757575"),
    "not_applicable": ("#f5f5f5", "#757575"),
}


def law_changes(assessment: Assessment) -> list[tuple[dt.date, list[str]]]:
    """The days after the first communication and up to the last on which a rule read against
    the offence date begins or ends, with the sources of those rules."""
    kb = assessment.series.plan.kb
    comms = assessment.case.communications
    first, last = comms[0].date, comms[-1].date
    found: dict[dt.date, dict[str, None]] = {}
    for rule in kb.rules:
        if rule.valid_on != "offence_date":
            continue
        days = [rule.valid_from] if rule.valid_from else []
        if rule.valid_until:
            days.append(rule.valid_until + dt.timedelta(days=1))
        for day in days:
            if first < day <= last:
                found.setdefault(day, {})[kb.sources[rule.source].short] = None
    return sorted((day, list(sources)) for day, sources in found.items())


def _cell(text: str, size: int, bold: bool = False, colour: str = "#222222") -> str:
    body = html.escape(text)
    if bold:
        body = f"<B>{body}</B>"
    return f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{size}" COLOR="{colour}">{body}</FONT></TD></TR>'


def timeline(assessment: Assessment, look: style.Look = style.SCREEN, depth: int = 2) -> graphviz.Digraph:
    series, case = assessment.series, assessment.case
    comms = case.communications
    chains = len(comms) <= CHAINS_UP_TO
    graph = graphviz.Digraph("timeline", format="svg")
    title = (
        f"{case.id}: {len(comms)} communications, {comms[0].date.isoformat()} to {comms[-1].date.isoformat()}, "
        "each judged under the law on its own date"
        + ("" if chains else f" (chains drawn for up to {CHAINS_UP_TO}; --communication ID draws one)")
    )
    graph.attr(
        rankdir="TB",
        newrank="true",
        fontname=style.FONT,
        labelloc="t",
        labeljust="l",
        fontsize=str(look.title),
        label=html.escape(title),
        nodesep=str(look.nodesep),
        ranksep=str(look.ranksep),
    )
    graph.attr("node", fontname=style.FONT, fontsize=str(look.font), margin="0.12,0.06")
    events: list[tuple[dt.date, int, str]] = []
    for index, row in enumerate(rows(assessment)):
        fill, border = STANDING_COLOURS.get(row.standing, ("#ffffff", "#222222"))
        cells = [
            _cell(f"{row.id}  {row.date}{' ' + row.time if row.time else ''}", look.font, bold=True),
            _cell(f"s.1 {row.words}", look.font, colour=border),
            _cell(row.law, look.small),
        ]
        if row.also:
            cells.append(_cell("also open: " + ", ".join(row.also), look.small))
        if row.quotation:
            cells.append(_cell(f"“{row.quotation[:60]}”", look.smaller, colour="#555555"))
        if row.lead:
            cells.append(_cell("the case rests on this communication", look.smaller, bold=True))
        label = '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(cells) + "</TABLE>>"
        node = f"comm_{index}"
        graph.node(
            node,
            label=label,
            shape="box",
            style="rounded,filled" + (",bold" if row.lead else ""),
            fillcolor=fill,
            color=border,
        )
        events.append((dt.date.fromisoformat(row.date), 1, node))
    for index, (day, sources) in enumerate(law_changes(assessment)):
        node = f"law_{index}"
        label = (
            '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'
            + _cell(f"{day.isoformat()}: the law changes", look.small, bold=True, colour="#c62828")
            + _cell("; ".join(sources[:4]) + (" ..." if len(sources) > 4 else ""), look.smaller, colour="#c62828")
            + "</TABLE>>"
        )
        graph.node(node, label=label, shape="note", color="#c62828", fontcolor="#c62828")
        events.append((day, 0, node))
    decided = case.charge_date
    graph.node(
        "charge",
        label=html.escape(f"charge decision {decided.isoformat()}: the time limits are counted to it"),
        shape="box",
        style="dashed",
        color="#555555",
    )
    events.append((decided, 2, "charge"))
    order = [node for _, _, node in sorted(events)]
    with graph.subgraph(name="line") as line:
        line.attr(rank="same")
        for node in order:
            line.node(node)
    for left, right in zip(order, order[1:], strict=False):
        graph.edge(left, right, color="#9a9a9a", arrowsize="0.6", penwidth="1.4")
    if chains:
        for index, comm in enumerate(comms):
            full = series.of(comm.id)
            shown = justification(build(full), "offence.mca_s1", depth)
            _chain(graph, shown, f"c{index}_", f"comm_{index}", comm.id, look)
    return graph


def _chain(graph: graphviz.Digraph, shown: object, prefix: str, anchor: str, cid: str, look: style.Look) -> None:
    """One communication's chain, under it: the same nodes and edges as `kbcheck explain`."""
    with graph.subgraph(name=f"cluster_{prefix}") as sub:
        sub.attr(
            label=html.escape(f"{cid}: why offence.mca_s1"),
            style="rounded",
            color="#9a9a9a",
            fontsize=str(look.cluster),
        )
        for node in sorted(shown.nodes):  # type: ignore[attr-defined]
            sub.node(prefix + dot.dot_id(node), **dot._node_attrs(shown.nodes[node], look))  # type: ignore[attr-defined]
    for u, v, data in dot.drawn_edges(shown):  # type: ignore[arg-type]
        attrs = {
            "premise": style.EDGE_PREMISE,
            "concludes": style.EDGE_CONCLUDES,
            "member": style.EDGE_MEMBER,
        }.get(data["kind"], style.EDGE_PREMISE)
        graph.edge(prefix + dot.dot_id(v), prefix + dot.dot_id(u), dir="back", **attrs)
    graph.edge(anchor, prefix + dot.dot_id(conclusion_node("offence.mca_s1")), style="dotted", arrowhead="none")


def render(assessment: Assessment, fmt: str, look: style.Look = style.SCREEN, depth: int = 2) -> bytes:
    drawing = timeline(assessment, look, depth)
    if fmt == "dot":
        return drawing.source.encode("utf-8")
    if look.page and fmt == "png":
        drawing.attr(dpi=str(look.dpi))
    return drawing.pipe(format=fmt)
