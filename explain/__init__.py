"""Explanations: the trace as a justification graph, rendered as text, diagrams and JSON."""
