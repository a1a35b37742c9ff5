"""From a trace to a justification graph (networkx).

Nodes: the case's facts (with their values; unknown ones marked), the rules that fired (id,
title, citation, link, dates in force) and the conclusions (with values). Edges run premise ->
rule -> conclusion; a rule that defeats a conclusion adds a `defeats` edge from what it
concluded to the conclusion it defeats. The justification of one conclusion is its ancestor
subgraph; a rule or conclusion used twice appears once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from kbcheck.engine.model import UNKNOWN
from kbcheck.engine.result import Assessment

if TYPE_CHECKING:  # explanation imports this module lazily; at run time the import is in _explanation
    from .explanation import Explanation


def fact_node(name: str) -> str:
    return f"fact:{name}"


def rule_node(rule_id: str) -> str:
    return f"rule:{rule_id}"


def conclusion_node(conclusion: str) -> str:
    return f"concl:{conclusion}"


def build(assessment: Assessment, steps: int | None = None, explanation: Explanation | None = None) -> nx.DiGraph:
    """The whole case's justification graph (or the graph of its first `steps` firings). Pass the
    case's `explanation` where one exists, so that what is settled is not worked out again."""
    kb = assessment.kb
    case = assessment.case
    graph = nx.DiGraph(
        case=case.id,
        title=case.title,
        offence_date=case.offence_date.isoformat(),
        assessment_date=case.assessment_date.isoformat(),
        stages=dict(kb.stages),
    )
    firings = assessment.firings if steps is None else assessment.firings[:steps]
    for firing in firings:
        rule = firing.rule
        rnode = rule_node(rule.id)
        if rnode not in graph:
            source = kb.sources[rule.source]
            graph.add_node(
                rnode,
                kind="rule",
                id=rule.id,
                title=rule.title,
                citation=kb.citation(rule),
                url=kb.url_of(rule),
                source_kind=source.kind,
                dates=rule.dates_text(),
                confidence=rule.confidence,
                conclusion=rule.conclusion,
                value=rule.value,
                stage=kb.conclusions[rule.conclusion].stage,
                steps=[],
            )
        graph.nodes[rnode]["steps"].append(firing.step)
        dates_only = rule.dates_only_select_it()
        for name, value in firing.premises:
            pnode = _premise_node(graph, assessment, name, value)
            if not graph.has_edge(pnode, rnode):
                graph.add_edge(pnode, rnode, kind="premise", validity=name == rule.valid_on and dates_only)
        cnode = _conclusion(graph, assessment, firing.conclusion)
        graph.add_edge(rnode, cnode, kind="concludes")
    for lid, ldef in kb.lists.items():
        lnode = conclusion_node(lid)
        if steps is not None and not any(conclusion_node(ldef.member_id(m)) in graph for m in ldef.members):
            continue
        graph.add_node(
            lnode, kind="list", id=lid, value=assessment.value(lid), stage=ldef.stage, public=True, meaning=ldef.meaning
        )
        # The members in the list justify it; an empty list is justified by each member a rule
        # concluded is not in it (as `why` shows it), so that it is not drawn unconnected.
        empty = not assessment.value(lid)
        for member in ldef.members:
            mnode = conclusion_node(ldef.member_id(member))
            if mnode in graph and graph.nodes[mnode]["value"] == "yes":
                graph.add_edge(mnode, lnode, kind="member")
            elif mnode in graph and empty:
                graph.add_edge(mnode, lnode, kind="member", excluded=True)
    for firing in firings:
        for target in firing.rule.defeats:
            name, _, value = target.partition("=")
            tnode = conclusion_node(name)
            source = conclusion_node(firing.conclusion)
            if tnode in graph and source != tnode:
                graph.add_edge(source, tnode, kind="defeats", defeated=value or "")
    _mark_settled(graph, explanation or _explanation(assessment))
    return graph


def _explanation(assessment: Assessment) -> Explanation:
    from .explanation import Explanation

    return Explanation(assessment)


def _mark_settled(graph: nx.DiGraph, explanation: Explanation) -> None:
    """Each conclusion says whether it is settled or provisional (a fact not given could change
    it), so a diagram never shows a provisional finding as firm."""
    for _, data in graph.nodes(data=True):
        if data["kind"] in ("conclusion", "list"):
            data["settled"] = explanation.settled(data["id"])


def _premise_node(graph: nx.DiGraph, assessment: Assessment, name: str, value: str) -> str:
    kb = assessment.kb
    if name in kb.facts:
        node = fact_node(name)
        if node not in graph:
            fdef = kb.facts[name]
            given = fdef.header or name in assessment.case.given
            if name == "assessment_date" and not assessment.case.assessment_date_given:
                given = False
            if name == "jurisdiction" and not assessment.case.jurisdiction_given:
                given = False
            graph.add_node(
                node,
                kind="fact",
                name=name,
                value=value,
                given=given,
                unknown=value == UNKNOWN,
                meaning=fdef.meaning,
                group=fdef.group,
            )
        return node
    return _conclusion(graph, assessment, name)


def _conclusion(graph: nx.DiGraph, assessment: Assessment, name: str) -> str:
    node = conclusion_node(name)
    if node not in graph:
        cdef = assessment.kb.conclusions[name]
        graph.add_node(
            node,
            kind="conclusion",
            id=name,
            value=assessment.values[name],
            qualifier=assessment.qualifier(name),
            stage=cdef.stage,
            public=cdef.public,
            meaning=cdef.meaning,
        )
    return node


def justification(graph: nx.DiGraph, conclusion: str, depth: int | None = None) -> nx.DiGraph:
    """The subgraph that justifies one conclusion: it and its ancestors (up to `depth` rules back)."""
    target = conclusion_node(conclusion)
    if target not in graph:
        raise KeyError(conclusion)
    if depth is None:
        keep = nx.ancestors(graph, target) | {target}
    else:
        keep = {target}
        frontier = {target}
        for _ in range(depth):
            rules = {p for n in frontier for p in graph.predecessors(n)}
            premises = {p for r in rules for p in graph.predecessors(r)}
            keep |= rules | premises
            frontier = {p for p in premises if graph.nodes[p]["kind"] != "fact"}
            if not frontier:
                break
    return graph.subgraph(keep).copy()


def stage(graph: nx.DiGraph, name: str, depth: int | None = None) -> nx.DiGraph:
    """One stage: its public conclusions and lists, and what justifies them. A list nothing was
    concluded about (no member in it, none shown not to be) has no justification to draw."""
    roots = [
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] != "fact"
        and d.get("stage") == name
        and (d.get("public") or d["kind"] == "list")
        and (d["kind"] != "list" or graph.in_degree(n))
    ]
    return justifications(graph, roots, depth)


def justifications(graph: nx.DiGraph, roots: list[str], depth: int | None = None) -> nx.DiGraph:
    """The union of the justifications of these nodes."""
    keep: set[str] = set()
    for root in roots:
        keep |= set(justification(graph, root.split(":", 1)[1], depth).nodes)
    return graph.subgraph(keep).copy()


def roots(graph: nx.DiGraph) -> list[str]:
    """The nodes nothing else in the graph rests on: where its justifications end."""
    return sorted(n for n in graph.nodes if graph.out_degree(n) == 0 and graph.nodes[n]["kind"] != "fact")


def depth_of(graph: nx.DiGraph) -> int:
    """The most rules between a root and a fact: the depth that shows the whole graph."""
    rules = [n for n, d in graph.nodes(data=True) if d["kind"] == "rule"]
    if not rules:
        return 1
    sub = graph.subgraph(rules + [n for n, d in graph.nodes(data=True) if d["kind"] != "fact"])
    longest = nx.dag_longest_path(sub)
    return max(1, sum(1 for n in longest if graph.nodes[n]["kind"] == "rule"))


def fold(full: nx.DiGraph, shown: nx.DiGraph, depth: int) -> nx.DiGraph:
    """`shown` cut to `depth` rules back from its roots. Each conclusion whose own justification
    is cut carries `folded`, the number of rules behind it left out, for the diagram to say so."""
    cut = justifications(shown, roots(shown), depth)
    for node, data in cut.nodes(data=True):
        if data["kind"] == "fact" or cut.in_degree(node) == shown.in_degree(node):
            continue  # a fact, or a conclusion whose own rules are all drawn
        behind = {a for a in nx.ancestors(shown, node) if shown.nodes[a]["kind"] == "rule"}
        data["folded"] = len(behind - set(cut.nodes))
    left_out = {n for n in shown.nodes if n not in cut}
    cut.graph["folded"] = {
        "depth": depth,
        "rules": sum(1 for n in left_out if full.nodes[n]["kind"] == "rule"),
        "facts": sum(1 for n in left_out if full.nodes[n]["kind"] == "fact"),
        "conclusions": sum(1 for n in left_out if full.nodes[n]["kind"] in ("conclusion", "list")),
    }
    return cut


def chain(assessment: Assessment, graph: nx.DiGraph, conclusion: str) -> list[Any]:
    """The firings in one conclusion's justification, in the order they fired."""
    rules = {n for n, d in justification(graph, conclusion).nodes(data=True) if d["kind"] == "rule"}
    return [f for f in assessment.firings if rule_node(f.rule.id) in rules]


def to_json(graph: nx.DiGraph) -> dict[str, Any]:
    """The graph as plain JSON: nodes with their attributes, edges with theirs, sorted."""
    nodes = []
    for node in sorted(graph.nodes):
        data = dict(graph.nodes[node])
        data["node"] = node
        nodes.append(data)
    edges = [dict(graph.edges[u, v], source=u, target=v) for u, v in sorted(graph.edges)]
    return {"graph": dict(graph.graph), "nodes": nodes, "edges": edges}
