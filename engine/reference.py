"""The reference engine: a plain-Python forward chainer over the same compiled rules.

It is the test oracle for the durable_rules adapter, the benchmark baseline, and the engine
kbcheck falls back to (saying so) where durable_rules cannot be imported. It fires rules in the
order durable_rules does: always the earliest-defined rule whose patterns all hold and that has
not fired yet, so that both engines give the same firings in the same order.
"""

from __future__ import annotations

import heapq
from typing import Any

from .compiler import CompiledKB, CompiledRule, holds
from .errors import EngineError
from .result import Record


class ReferenceEngine:
    name = "reference"

    def __init__(self, ckb: CompiledKB, rules: list[CompiledRule] | None = None):
        """All the compiled rules, or a subset of them (analysis runs one conclusion's rules)."""
        self.ckb = ckb
        chosen = ckb.rules if rules is None else rules
        self._rules = {c.index: c for c in chosen}
        if rules is None:
            self._by_name = ckb.by_name
        else:
            by_name: dict[str, list[int]] = {}
            for crule in chosen:
                for pattern in crule.patterns:
                    by_name.setdefault(pattern.name, []).append(crule.index)
            self._by_name = {k: tuple(v) for k, v in by_name.items()}

    @staticmethod
    def _satisfied(crule: CompiledRule, memory: dict[str, dict[str, Any]]) -> bool:
        for pattern in crule.patterns:
            fact = memory.get(pattern.name)
            if fact is None:
                return False
            for test in pattern.tests:
                if not holds(test, fact, memory):
                    return False
        return True

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        memory: dict[str, dict[str, Any]] = {}
        for fact in facts:
            if fact["t"] in memory:
                raise EngineError(f"the fact '{fact['t']}' is given twice")
            memory[fact["t"]] = fact
        rules = self._rules
        agenda = [i for i, c in rules.items() if self._satisfied(c, memory)]
        heapq.heapify(agenda)
        queued = set(agenda)
        records: list[Record] = []
        while agenda:
            crule = rules[heapq.heappop(agenda)]
            records.append((crule.index, tuple((p.name, memory[p.name]["v"]) for p in crule.patterns)))
            current = memory.get(crule.conclusion)
            if current is not None:
                if current["v"] != crule.value:
                    raise EngineError(
                        f"the knowledge base gives '{crule.conclusion}' two values: "
                        f"{current['v']} and {crule.value} (rule {crule.rule.id})"
                    )
                continue  # a second justification of the same conclusion
            memory[crule.conclusion] = {"id": crule.fact_id, "t": crule.conclusion, "v": crule.value}
            for index in self._by_name.get(crule.conclusion, ()):
                if index in rules and index not in queued and self._satisfied(rules[index], memory):
                    queued.add(index)
                    heapq.heappush(agenda, index)
        return records
