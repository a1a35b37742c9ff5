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

    def __init__(self, ckb: CompiledKB):
        self.ckb = ckb
        self._rules = ckb.rules
        self._by_name = ckb.by_name

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
        agenda = [c.index for c in rules if self._satisfied(c, memory)]
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
                if index not in queued and self._satisfied(rules[index], memory):
                    queued.add(index)
                    heapq.heappush(agenda, index)
        return records
