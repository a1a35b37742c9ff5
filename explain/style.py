"""The visual vocabulary of the diagrams, in one place, so the legend and the nodes agree."""

from __future__ import annotations

from dataclasses import dataclass

# DejaVu Sans first: it is on every Debian and Ubuntu with Graphviz, and its metrics are the ones
# Graphviz lays out with, so PNG and PDF are drawn as laid out. The others are for an SVG opened
# where it is missing (a browser takes the first family it has).
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

SOURCE_KINDS = {
    # kind: (label in the legend, fill, border)
    "statute": ("Statute or statutory instrument", "#dbe8f7", "#2b5c9e"),
    "case_law": ("Case law", "#ece1f5", "#6b3fa0"),
    "cps": ("CPS: the Code and guidance", "#dcefd9", "#2e7d32"),
    "sentencing": ("Sentencing Council guideline", "#fde6cf", "#b85a00"),
    "police": ("Police practice", "#f8dcdc", "#a83232"),
    "practice": ("Practitioner's guide", "#ececec", "#5f5f5f"),
}

UNSETTLED = {"unknown", "undetermined"}

FACT_GIVEN = {"shape": "note", "style": "filled", "fillcolor": "#fff8d6", "color": "#8a7a2a"}
FACT_UNKNOWN = {"shape": "note", "style": "dashed", "color": "#9a9a9a", "fontcolor": "#6f6f6f"}
CONCLUSION = {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#ffffff", "color": "#222222"}
CONCLUSION_UNSETTLED = {
    "shape": "box",
    "style": "rounded,filled,dashed,bold",
    "fillcolor": "#fff1c2",
    "color": "#a07800",
}
INTERMEDIATE = {"penwidth": "1"}
PUBLIC = {"peripheries": "2"}
EDGE_PREMISE = {"color": "#555555", "arrowsize": "0.7"}
# A premise that is an unknown fact: the rule allowed it (it did not rule the conclusion out);
# it is not proof of anything.
EDGE_PREMISE_UNKNOWN = {"color": "#9a9a9a", "style": "dashed", "arrowsize": "0.7"}
EDGE_CONCLUDES = {"color": "#222222", "penwidth": "1.6", "arrowsize": "0.8"}
EDGE_MEMBER = {"color": "#222222", "style": "dotted", "arrowsize": "0.7"}
EDGE_DEFEATS = {"color": "#c62828", "style": "bold", "arrowhead": "tee", "fontcolor": "#c62828", "fontsize": "10"}

WRAP = 30
EDGE_NOT_MEMBER = {"color": "#777777", "style": "dotted", "arrowhead": "odot", "arrowsize": "0.8"}

# What a step of `explain --steps` adds: drawn in this colour, the rest as before.
NEW = "#e4007c"
NEW_FILL = "#ffe3f1"


@dataclass(frozen=True)
class Look:
    """The sizes of one kind of diagram. On screen a reader zooms; on a projected slide the text
    must be large enough to read from the back of a room, at the slide's fixed size."""

    font: int = 11  # a node's text, in points
    small: int = 10  # a rule's citation
    smaller: int = 9  # ids, dates, notes
    title: int = 16
    cluster: int = 13
    wrap: int = WRAP  # characters a line, before wrapping
    wrap_note: int = 34
    rule_ids: bool = True  # print each rule's id under its citation
    nodesep: float = 0.25
    ranksep: float = 0.6
    # Slides only: the page in inches and the resolution, so a PNG is the slide's pixels exactly.
    page: tuple[float, float] | None = None
    dpi: int = 96


SCREEN = Look()
SLIDES = Look(
    font=20,
    small=17,
    smaller=15,
    title=26,
    cluster=20,
    wrap=22,
    wrap_note=26,
    rule_ids=False,
    nodesep=0.3,
    ranksep=0.7,
    page=(19.2, 10.8),
    dpi=100,
)
# On a slide, a diagram drawn smaller than this (its layout scaled down to fit the page) is too
# small to read in a room: its deepest branches are folded away until it is not.
SLIDE_MIN_SCALE = 0.75
# A small diagram is enlarged to fill the slide, but not beyond this.
SLIDE_MAX_ZOOM = 1.5
