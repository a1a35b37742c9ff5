"""The visual vocabulary of the diagrams, in one place, so the legend and the nodes agree."""

from __future__ import annotations

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
