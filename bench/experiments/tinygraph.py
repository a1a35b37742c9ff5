"""Just enough of networkx's DiGraph for explain/graph.py and explain/dot.py, in plain dicts: the
experiment that measures what `kbcheck explain` would gain without importing networkx.

`python -m bench.experiments.without_networkx ...` puts it in sys.modules as `networkx`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class _Nodes:
    def __init__(self, graph: DiGraph):
        self._g = graph

    def __iter__(self) -> Iterator[str]:
        return iter(self._g._attrs)

    def __len__(self) -> int:
        return len(self._g._attrs)

    def __contains__(self, node: object) -> bool:
        return node in self._g._attrs

    def __getitem__(self, node: str) -> dict[str, Any]:
        return self._g._attrs[node]

    def __call__(self, data: bool = False) -> Any:
        return list(self._g._attrs.items()) if data else list(self._g._attrs)


class _Edges:
    def __init__(self, graph: DiGraph):
        self._g = graph

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((u, v) for u, out in self._g._succ.items() for v in out)

    def __len__(self) -> int:
        return sum(len(out) for out in self._g._succ.values())

    def __getitem__(self, edge: tuple[str, str]) -> dict[str, Any]:
        return self._g._succ[edge[0]][edge[1]]

    def __call__(self, data: bool = False) -> Any:
        return [(u, v, d) if data else (u, v) for u, out in self._g._succ.items() for v, d in out.items()]


class DiGraph:
    def __init__(self, **attrs: Any):
        self.graph: dict[str, Any] = dict(attrs)
        self._attrs: dict[str, dict[str, Any]] = {}
        self._succ: dict[str, dict[str, dict[str, Any]]] = {}
        self._pred: dict[str, dict[str, dict[str, Any]]] = {}

    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self)

    @property
    def edges(self) -> _Edges:
        return _Edges(self)

    def __contains__(self, node: object) -> bool:
        return node in self._attrs

    def __iter__(self) -> Iterator[str]:
        return iter(self._attrs)

    def add_node(self, node: str, **attrs: Any) -> None:
        if node not in self._attrs:
            self._attrs[node] = {}
            self._succ[node] = {}
            self._pred[node] = {}
        self._attrs[node].update(attrs)

    def add_edge(self, u: str, v: str, **attrs: Any) -> None:
        self.add_node(u)
        self.add_node(v)
        data = self._succ[u].setdefault(v, {})
        data.update(attrs)
        self._pred[v][u] = data

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._succ.get(u, {})

    def predecessors(self, node: str) -> Iterator[str]:
        return iter(self._pred[node])

    def in_degree(self, node: str) -> int:
        return len(self._pred[node])

    def number_of_nodes(self) -> int:
        return len(self._attrs)

    def subgraph(self, nodes: Any) -> DiGraph:
        keep = set(nodes)
        sub = DiGraph(**self.graph)
        for node in self._attrs:
            if node in keep:
                sub.add_node(node, **self._attrs[node])
        for u, out in self._succ.items():
            for v, data in out.items():
                if u in keep and v in keep:
                    sub.add_edge(u, v, **data)
        return sub

    def copy(self) -> DiGraph:
        return self.subgraph(self._attrs)


def ancestors(graph: DiGraph, node: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.predecessors(node))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(graph.predecessors(current))
    return seen


def number_of_edges(graph: DiGraph) -> int:
    return len(graph.edges)
