"""The justification graph and its diagrams."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from kbcheck.engine import assess, read_case
from kbcheck.explain import dot, graph

EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp-director.yaml"


def build(kb):
    return graph.build(assess(read_case(EXAMPLE, kb), kb))


def test_graph_is_acyclic_and_every_conclusion_reaches_facts(kb):
    g = build(kb)
    assert nx.is_directed_acyclic_graph(g)
    for node, data in g.nodes(data=True):
        if data["kind"] == "conclusion":
            ancestors = nx.ancestors(g, node)
            assert any(g.nodes[a]["kind"] == "fact" for a in ancestors), node


def test_justification_is_the_ancestor_subgraph(kb):
    g = build(kb)
    sub = graph.justification(g, "offence.mca_s1")
    assert "concl:offence.mca_s1" in sub
    assert "rule:mca1988.s1_1.offence.made_out" in sub
    assert "concl:procedure.mode_of_trial" not in sub
    assert set(sub.nodes) == nx.ancestors(g, "concl:offence.mca_s1") | {"concl:offence.mca_s1"}


def test_dot_is_deterministic(kb):
    first = dot.render(build(kb), "dot")
    second = dot.render(build(kb), "dot")
    assert first == second


XLINK = "{http://www.w3.org/1999/xlink}href"
SVG = "{http://www.w3.org/2000/svg}"


def svg_nodes(svg: bytes) -> dict[str, tuple[str, set[str]]]:
    """Each node of a Graphviz SVG: its title -> (its text, joined; the links on it)."""
    import xml.etree.ElementTree as ET

    nodes = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        text = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
        links = {a.get(XLINK) for a in group.iter(f"{SVG}a") if a.get(XLINK)}
        nodes[title] = (" ".join(text.split()), links)
    return nodes


def test_every_rule_node_in_the_svg_carries_its_citation_and_link(kb):
    g = build(kb)
    nodes = svg_nodes(dot.render(g, "svg"))
    rules = [(n, d) for n, d in g.nodes(data=True) if d["kind"] == "rule"]
    assert rules
    for node, data in rules:
        text, links = nodes[dot.dot_id(node)]
        assert " ".join(data["citation"].split()) in text
        assert data["url"] in links
