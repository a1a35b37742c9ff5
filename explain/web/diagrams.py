"""The diagrams the page shows: a conclusion's justification as inline SVG, and the same diagram
step by step, as `kbcheck explain --steps` draws it (explain/slides.py): every step is the one
full layout with what is not yet reached invisible and what the newest firing added highlighted,
so nothing moves between steps while the class is watching."""

from __future__ import annotations

import html
from dataclasses import dataclass

import networkx as nx

from kbcheck.explain import dot, graph, slides
from kbcheck.explain.explanation import Explanation


def inline(svg: bytes, label: str) -> str:
    """The diagram as an element of the page, named by `label`."""
    return dot.svg_element(svg, f'role="img" aria-label="{html.escape(label, quote=True)}"')


def shown_graph(explanation: Explanation, conclusion: str) -> nx.DiGraph:
    return graph.justification(explanation.graph, conclusion)


def why_svg(explanation: Explanation, conclusion: str) -> str:
    shown = shown_graph(explanation, conclusion)
    return inline(dot.render(shown, "svg", legend=False), f"Why {conclusion}: its rules and facts")


@dataclass
class Step:
    frame: slides.Frame
    total: int
    svg: str

    @property
    def number(self) -> int:
        return self.frame.number

    @property
    def firing(self):  # type: ignore[no-untyped-def]
        return self.frame.firing


def step(explanation: Explanation, conclusion: str, number: int) -> Step | None:
    """Step `number` of the conclusion's justification (clamped to the steps there are), drawn
    on the full layout; None if no rule concluded it."""
    shown = shown_graph(explanation, conclusion)
    found = slides.frames(explanation.assessment, shown, explanation=explanation)
    if not found:
        return None
    frame = found[max(1, min(number, len(found))) - 1]
    svg = dot.render(shown, "svg", title=frame.title, legend=False, reveal=frame.reveal)
    label = f"Step {frame.number} of {len(found)}: {frame.firing.rule.title}"
    return Step(frame, len(found), inline(svg, label))
