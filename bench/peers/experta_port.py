"""The compiled KB on experta (a pure-Python RETE after CLIPS): a peer measured side by side.

experta 1.9.4 pins frozendict==1.2, which cannot be imported on Python 3.10 and later
(`collections.Mapping` is gone); it runs with frozendict 2, installed beside it without its pin
(see the Makefile's bench target).

Every compiled rule becomes one experta Rule over facts shaped like kbcheck's working memory.
Constant tests are predicates on a field, a shifted-date join is a TEST over bound variables,
and salience follows the compiled order so that the earliest-defined activation fires first.
The trace is kbcheck's Record shape, so the same Assessment is built from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kbcheck.engine.compiler import CompiledKB, CompiledRule, Pattern
from kbcheck.engine.model import Offset, Test
from kbcheck.engine.result import Record

ORDER = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _value_predicate(tests: tuple[Test, ...]) -> Callable[[Any], bool] | None:
    allowed: set[str] | None = None
    banned: set[str] = set()
    for test in tests:
        if test.op == "eq":
            allowed = {test.operand} if allowed is None else allowed & {test.operand}  # type: ignore[arg-type]
        elif test.op == "in":
            values = set(test.operand)  # type: ignore[arg-type]
            allowed = values if allowed is None else allowed & values
        elif test.op == "ne":
            banned.add(test.operand)  # type: ignore[arg-type]
        elif test.op == "not_in":
            banned |= set(test.operand)  # type: ignore[arg-type]
    if allowed is None and not banned:
        return None
    if allowed is None:
        return lambda v: v not in banned
    allowed -= banned
    return lambda v: v in allowed


def _order_predicate(tests: list[Test]) -> Callable[[Any], bool]:
    checks = [(ORDER[t.op], t.operand) for t in tests]
    return lambda n: all(check(n, operand) for check, operand in checks)


class ExpertaEngine:
    """Runs the compiled rules on experta; `run(facts)` returns kbcheck trace records."""

    name = "experta"

    def __init__(self, ckb: CompiledKB):
        from experta import KnowledgeEngine

        self.ckb = ckb
        self._records: list[Record] = []
        attrs = {f"r{crule.index}": self._rule(crule) for crule in ckb.rules}
        self._engine = type("CompiledKBEngine", (KnowledgeEngine,), attrs)()

    def _rule(self, crule: CompiledRule) -> Any:
        from experta import AS, MATCH, TEST, Fact, Rule

        conditions: list[Any] = []
        joins: list[tuple[str, str, str]] = []  # (op, variable of n, variable of the shifted date)
        shifted: dict[str, list[str]] = {}
        for pattern in crule.patterns:
            for test in pattern.tests:
                if isinstance(test.operand, Offset):
                    shifted.setdefault(test.operand.fact, []).append(test.operand.prop)
        for i, pattern in enumerate(crule.patterns):
            conditions.append(getattr(AS, f"c{i}") << self._fact(Fact, MATCH, i, pattern, shifted, joins))
        for n, (op, left, right) in enumerate(joins):
            conditions.append(TEST(self._join(n, op, left, right)))
        records, index = self._records, crule.index
        names = tuple(p.name for p in crule.patterns)
        conclusion, value = crule.conclusion, crule.value
        aliases = tuple(f"c{i}" for i in range(len(crule.patterns)))

        def action(engine: Any, **matched: Any) -> None:
            records.append((index, tuple(zip(names, (matched[a]["v"] for a in aliases), strict=True))))
            engine.declare(Fact(t=conclusion, v=value))

        return Rule(*conditions, salience=10000 - crule.index)(action)

    @staticmethod
    def _fact(
        fact_cls: Any,
        match: Any,
        i: int,
        pattern: Pattern,
        shifted: dict[str, list[str]],
        joins: list[tuple[str, str, str]],
    ) -> Any:
        fields: dict[str, Any] = {"t": pattern.name}
        value_tests = tuple(t for t in pattern.tests if t.op not in ORDER)
        order_tests = [t for t in pattern.tests if t.op in ORDER]
        from experta import P

        predicate = _value_predicate(value_tests)
        if predicate is not None:
            fields["v"] = P(predicate)
        if order_tests:
            fields["k"] = 1
            constant = [t for t in order_tests if not isinstance(t.operand, Offset)]
            joined = [t for t in order_tests if isinstance(t.operand, Offset)]
            if joined:
                fields["n"] = getattr(match, f"n{i}")
                for test in joined:
                    operand = test.operand
                    assert isinstance(operand, Offset)
                    joins.append((test.op, f"n{i}", f"{operand.fact}_{operand.prop}"))
                if constant:
                    fields["n"] = getattr(match, f"n{i}") & P(_order_predicate(constant))
            else:
                fields["n"] = P(_order_predicate(constant))
        for prop in shifted.get(pattern.name, []):
            fields[prop] = getattr(match, f"{pattern.name}_{prop}")
        return fact_cls(**fields)

    @staticmethod
    def _join(n: int, op: str, left: str, right: str) -> Callable[..., bool]:
        """A TEST function whose parameter names are the bound variables it compares (experta
        passes bindings by name)."""
        namespace: dict[str, Any] = {"check": ORDER[op]}
        exec(f"def join_{n}({left}, {right}):\n    return check({left}, {right})\n", namespace)  # noqa: S102
        return namespace[f"join_{n}"]  # type: ignore[no-any-return]

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        from experta import Fact

        self._records.clear()
        engine = self._engine
        engine.reset()
        engine.declare(*(Fact(**{k: v for k, v in f.items() if k != "id"}) for f in facts))
        engine.run()
        return list(self._records)
