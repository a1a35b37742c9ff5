"""The diagrams the page shows: a conclusion's justification as inline SVG, and the same diagram
step by step. Every step is the one full layout (Graphviz lays it out once; a step only fades
what the engine has not yet concluded and rings what the newest firing added), so nothing moves
between steps when the class is watching."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import networkx as nx

from kbcheck.engine.result import Assessment, Firing
from kbcheck.explain import dot, graph
from kbcheck.explain.explanation import Explanation

_GROUP = re.compile(r'<g id="(?:node|edge)\d+" class="(node|edge)">\s*<title>(.*?)</title>', re.S)
STEP_STYLE = (
    "<style>.kb-future{opacity:.08}"
    ".kb-new polygon,.kb-new path,.kb-new ellipse{stroke:#d4380d;stroke-width:4px}"
    ".kb-new text{font-weight:bold}</style>"
)


def inline(svg: bytes, label: str) -> str:
    """An SVG file as an element inside HTML: no prolog, doctype or comments, named for readers
    of assistive technology, sized by the page's CSS."""
    text = svg.decode("utf-8")
    text = text[text.find("<svg") :]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    return re.sub(
        r"<svg\b([^>]*)>",
        lambda m: f'<svg{m.group(1)} role="img" aria-label="{html.escape(label, quote=True)}">',
        text,
        count=1,
    )


def shown_graph(explanation: Explanation, conclusion: str) -> nx.DiGraph:
    return graph.justification(explanation.graph, conclusion)


def why_svg(explanation: Explanation, conclusion: str) -> str:
    shown = shown_graph(explanation, conclusion)
    return inline(dot.render(shown, "svg", legend=False), f"Why {conclusion}: its rules and facts")


@dataclass
class Step:
    number: int  # 1-based, among the firings in this conclusion's justification
    total: int
    firing: Firing
    svg: str


def _firing_steps(assessment: Assessment, shown: nx.DiGraph) -> list[int]:
    rule_nodes = {n for n, d in shown.nodes(data=True) if d["kind"] == "rule"}
    return [f.step for f in assessment.firings if graph.rule_node(f.rule.id) in rule_nodes]


def _visible(explanation: Explanation, shown: nx.DiGraph, upto: int) -> set[str]:
    if upto <= 0:
        return set()
    partial = graph.build(explanation.assessment, steps=upto, explanation=explanation)
    return {n for n in partial.nodes if n in shown}


def step(explanation: Explanation, conclusion: str, number: int) -> Step | None:
    """Firing `number` of the conclusion's justification, drawn on the full layout; None if the
    conclusion has no firing to step through."""
    assessment = explanation.assessment
    shown = shown_graph(explanation, conclusion)
    steps = _firing_steps(assessment, shown)
    if not steps:
        return None
    number = max(1, min(number, len(steps)))
    now = _visible(explanation, shown, steps[number - 1])
    before = _visible(explanation, shown, steps[number - 2]) if number > 1 else set()
    by_id = {dot.dot_id(n): n for n in shown.nodes}

    def mark(match: re.Match[str]) -> str:
        kind, title = match.group(1), html.unescape(match.group(2))
        ends = [by_id.get(part) for part in title.split("->")] if kind == "edge" else [by_id.get(title)]
        if any(end is None for end in ends):  # the legend and the clusters: always shown
            return match.group(0)
        names = [e for e in ends if e is not None]
        if not all(n in now for n in names):
            cls = "kb-future"
        elif kind == "node" and names[0] not in before:
            cls = "kb-new"
        else:
            return match.group(0)
        return match.group(0).replace(f'class="{kind}"', f'class="{kind} {cls}"', 1)

    svg = dot.render(shown, "svg", legend=False).decode("utf-8")
    svg = _GROUP.sub(mark, svg)
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + STEP_STYLE, svg, count=1)
    firing = assessment.firings[steps[number - 1] - 1]
    label = f"Step {number} of {len(steps)}: {firing.rule.title}"
    return Step(number, len(steps), firing, inline(svg.encode("utf-8"), label))
