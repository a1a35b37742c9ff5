"""Diagrams for a class: fitted to a projected slide, and revealed one firing at a time.

- A slide is 1920x1080 pixels (16:9). Graphviz fills it exactly (explain/style.py's SLIDES), but
  a graph larger than the page is scaled down to fit, its text with it. So `fit` measures the
  laid-out graph first, and while it would be scaled below `style.SLIDE_MIN_SCALE`, folds its
  deepest branches away, one rule of depth at a time; each conclusion whose justification is cut
  says how many rules are behind it, and the title how much was left out.
- `steps` draws one diagram per firing of the shown graph. Every step lays out the whole graph
  with what is not yet reached invisible, so that each node stays where it is from one step to
  the next (a class sees the reasoning grow, not jump about); what the step adds is highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from kbcheck.engine.result import Assessment

from . import dot, graph, style


def scale(size: tuple[float, float], look: style.Look) -> float:
    """How much the page shrinks a drawing of this size (1 or more: it is not shrunk)."""
    if look.page is None:
        return 1.0
    return min(look.page[0] / size[0], look.page[1] / size[1])


def fit(full: nx.DiGraph, shown: nx.DiGraph, look: style.Look, legend: bool) -> nx.DiGraph:
    """`shown`, its deepest branches folded until it is readable on the page (or down to one rule
    back from each root, if even that is too large)."""
    if look.page is None or scale(dot.measure(shown, legend, look), look) >= style.SLIDE_MIN_SCALE:
        return shown
    depth = graph.depth_of(shown) - 1
    while depth > 1:
        cut = graph.fold(full, shown, depth)
        if scale(dot.measure(cut, legend, look), look) >= style.SLIDE_MIN_SCALE:
            return cut
        depth -= 1
    return graph.fold(full, shown, 1)


@dataclass(frozen=True)
class Frame:
    """One step of the reasoning as drawn: the firing, what is reached once it has fired, and
    what it adds."""

    number: int  # 1-based
    firing: Any
    reveal: dot.Reveal
    title: str


def frames(
    assessment: Assessment, shown: nx.DiGraph, look: style.Look = style.SCREEN, explanation: Any = None
) -> list[Frame]:
    """The steps of `shown`: one per firing of a rule in it that adds to it, in the order they
    fired. A firing that adds nothing drawn (a rule firing again on another alternative of its
    conditions, all of whose premises are drawn already) gets no step of its own. Every step's
    title fits one box, so that the layout is the same at every step."""
    from .explanation import Explanation

    rule_nodes = {n for n, d in shown.nodes(data=True) if d["kind"] == "rule"}
    firings = [f for f in assessment.firings if graph.rule_node(f.rule.id) in rule_nodes]
    # what is settled, worked out once for every step (or the caller's, worked out already)
    explanation = explanation or Explanation(assessment)
    drawn_edges = {(u, v) for u, v, _ in dot.drawn_edges(shown)}
    reached: list[tuple[Any, frozenset[str], frozenset[tuple[str, str]]]] = []
    for firing in firings:
        partial = graph.build(assessment, steps=firing.step, explanation=explanation)
        nodes = frozenset(x for x in partial.nodes if x in shown)
        edges = frozenset(e for e in partial.edges if e in drawn_edges and e[0] in nodes and e[1] in nodes)
        if not reached or (nodes, edges) != reached[-1][1:]:
            reached.append((firing, nodes, edges))
    titles = [
        dot.with_note(_step_title(assessment, firing, n, len(reached)), shown)
        for n, (firing, _, _) in enumerate(reached, start=1)
    ]
    box = dot.title_box(titles, look)
    out = []
    before: tuple[frozenset[str], frozenset[tuple[str, str]]] = (frozenset(), frozenset())
    for n, ((firing, nodes, edges), title) in enumerate(zip(reached, titles, strict=True), start=1):
        out.append(Frame(n, firing, dot.Reveal(nodes, edges, nodes - before[0], edges - before[1], box), title))
        before = (nodes, edges)
    return out


def steps(
    assessment: Assessment,
    shown: nx.DiGraph,
    fmt: str,
    look: style.Look = style.SCREEN,
    legend: bool = True,
) -> list[tuple[str, bytes]]:
    """One diagram per step (`frames`): (file name, bytes). Each is the whole of `shown`, laid out
    the same, with only what those firings reached drawn."""
    found = frames(assessment, shown, look)
    viewport = None
    if look.page and found:  # every step is laid out alike: one measure serves them all
        box = found[0].reveal.title_box
        drawn = frozenset((u, v) for u, v, _ in dot.drawn_edges(shown))
        everything = dot.Reveal(frozenset(shown.nodes), drawn, frozenset(), frozenset(), box)
        viewport = dot.page_viewport(dot.to_dot(shown, found[0].title, legend, look, everything), look)
    return [
        (
            f"step-{f.number:03d}.{fmt}",
            dot.render(shown, fmt, title=f.title, legend=legend, look=look, reveal=f.reveal, viewport=viewport),
        )
        for f in found
    ]


def _step_title(assessment: Assessment, firing: Any, n: int, total: int) -> str:
    return (
        f"{assessment.case.id}: step {n} of {total} (firing {firing.step})\n"
        f"{firing.rule.title} [{assessment.kb.citation(firing.rule)}] => {firing.concludes}"
    )
