"""The compiled KB on CLIPS 6.4 through clipspy: a peer measured side by side with kbcheck's engines.

Every compiled rule becomes one `defrule` over a single `f` template that mirrors kbcheck's
working-memory facts (`t` the name, `v` the value token, `k`/`n` for numbers and dates, one
slot per shifted date). Tests follow `engine.compiler.holds` exactly: value tests constrain
`v`, order tests need `k` = 1 and compare `n`, and a shifted date is a join on the other
fact's slot. Salience follows the compiled order, so CLIPS, like durable_rules, fires the
earliest-defined activation first.

The trace is the same Record shape as kbcheck's engines, sent to Python by one function call
per firing with the matched values (not fact addresses: clipspy keeps every Fact object it
hands to Python alive, and `reset` then slows down case after case). Facts go in as one
`load_facts` text for the same reason.
"""

from __future__ import annotations

from typing import Any

from kbcheck.engine.compiler import CompiledKB, CompiledRule, Pattern
from kbcheck.engine.model import Offset, Test
from kbcheck.engine.result import Record

CLIPS_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _string(token: Any) -> str:
    return '"' + str(token).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value_constraint(var: str, tests: tuple[Test, ...]) -> str:
    """The `v` slot: bind the value for the trace and apply every value test."""
    parts = [var]
    for test in tests:
        if test.op == "eq":
            parts.append(_string(test.operand))
        elif test.op == "ne":
            parts.append("~" + _string(test.operand))
        elif test.op == "in":
            parts.append("|".join(_string(v) for v in test.operand))  # type: ignore[union-attr]
        elif test.op == "not_in":
            parts.extend("~" + _string(v) for v in test.operand)  # type: ignore[union-attr]
    return "&".join(parts)


class ClipsEngine:
    """Runs the compiled rules on CLIPS; `run(facts)` returns kbcheck trace records."""

    name = "clipspy"

    def __init__(self, ckb: CompiledKB):
        import clips

        self.ckb = ckb
        self._env = clips.Environment()
        self._records: list[Record] = []
        self._premises: dict[int, tuple[str, ...]] = {}
        props = sorted({o.prop for offsets in ckb.offsets.values() for o in offsets})
        self._props = props
        slots = " ".join(f"(slot {p} (default 0))" for p in props)
        self._env.build(
            "(deftemplate f (slot t (type STRING)) (slot v (type STRING)) "
            f"(slot k (type INTEGER) (default 0)) (slot n (type INTEGER) (default 0)) {slots})"
        )
        records, premises = self._records, self._premises

        def fire(index: int, *values: Any) -> None:
            records.append((index, tuple(zip(premises[index], (str(v) for v in values), strict=True))))

        self._env.define_function(fire, name="kb-fire")
        for crule in ckb.rules:
            self._env.build(self._defrule(crule))
            self._premises[crule.index] = tuple(p.name for p in crule.patterns)

    def _defrule(self, crule: CompiledRule) -> str:
        refs: dict[tuple[str, str], str] = {}
        for pattern in crule.patterns:
            for test in pattern.tests:
                if isinstance(test.operand, Offset):
                    refs[(test.operand.fact, test.operand.prop)] = f"?{test.operand.fact}_{test.operand.prop}"
        lhs = [self._pattern(i, p, refs) for i, p in enumerate(crule.patterns)]
        values = " ".join(f"?v{i}" for i in range(len(crule.patterns)))
        # CLIPS salience runs from -10000 to 10000: earlier rules fire first, as in durable_rules.
        return (
            f"(defrule r{crule.index} (declare (salience {10000 - crule.index})) {' '.join(lhs)} => "
            f"(kb-fire {crule.index} {values}) "
            f"(assert (f (t {_string(crule.conclusion)}) (v {_string(crule.value)}))))"
        )

    def _pattern(self, i: int, pattern: Pattern, refs: dict[tuple[str, str], str]) -> str:
        value_tests = tuple(t for t in pattern.tests if t.op not in CLIPS_OPS)
        order_tests = [t for t in pattern.tests if t.op in CLIPS_OPS]
        slots = [f"(t {_string(pattern.name)})", f"(v {_value_constraint(f'?v{i}', value_tests)})"]
        if order_tests:
            checks = []
            for test in order_tests:
                operand = test.operand
                right = refs[(operand.fact, operand.prop)] if isinstance(operand, Offset) else str(operand)
                checks.append(f":({CLIPS_OPS[test.op]} ?n{i} {right})")
            slots.append("(k 1)")
            slots.append(f"(n ?n{i}&{'&'.join(checks)})")
        for (fact, prop), var in refs.items():
            if fact == pattern.name:
                slots.append(f"({prop} {var})")
        return f"(f {' '.join(slots)})"

    def _fact_text(self, fact: dict[str, Any]) -> str:
        slots = [f"(t {_string(fact['t'])})", f"(v {_string(fact['v'])})"]
        if "k" in fact:
            slots.append(f"(k {int(fact['k'])}) (n {int(fact['n'])})")
        slots.extend(f"({p} {int(fact[p])})" for p in self._props if p in fact)
        return f"(f {' '.join(slots)})"

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        self._records.clear()
        self._env.reset()
        self._env.load_facts(" ".join(self._fact_text(f) for f in facts))
        self._env.run()
        return list(self._records)
