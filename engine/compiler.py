"""Compile the KB into flat rules that both engines run.

A KB rule may say `any:` and `all:`; an engine rule is one conjunction of patterns, one pattern
per fact or conclusion. So each KB rule becomes one engine rule per disjunct of its conditions
(named `id` when there is one, `id#1`, `id#2`... otherwise), and its dates in force become
tests on `offence_date`: one ruleset serves every date, compiled once per process.

Tests of one fact within a disjunct are merged into one pattern; for facts and conclusions with
a finite set of values the merged test is the set of values it admits, and a disjunct that
admits none is dropped (it can never hold).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

from .errors import KBError, KBErrors
from .model import KB, ORDER_OPS, All, AnyOf, Condition, Offset, Rule, Test

OFFENCE_DATE = "offence_date"
# Said of a rule no date and no facts can satisfy; lint reports it as unsatisfiable, and tells it
# apart from the compiler's other refusals by this text.
NEVER_HOLDS = "its conditions can never all hold"


@dataclass(frozen=True)
class Pattern:
    """The tests one fact or conclusion must pass. No tests: it must merely have a value."""

    name: str
    tests: tuple[Test, ...]

    def refs(self) -> set[str]:
        return {t.operand.fact for t in self.tests if isinstance(t.operand, Offset)}


@dataclass(frozen=True)
class CompiledRule:
    index: int
    name: str
    rule: Rule
    disjunct: int
    patterns: tuple[Pattern, ...]
    conclusion: str
    value: str

    @property
    def fact_id(self) -> str:
        return f"{self.conclusion}={self.value}"


@dataclass
class CompiledKB:
    kb: KB
    rules: tuple[CompiledRule, ...]
    offsets: dict[str, tuple[Offset, ...]]
    by_name: dict[str, tuple[int, ...]] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)  # conclusion -> depth above the facts

    @cached_property
    def in_dependency_order(self) -> tuple[CompiledRule, ...]:
        """The rules with every conclusion's rules after the rules of the conclusions it reads
        (the engines' own order is by stage, which a later stage's conclusion may feed)."""
        return tuple(sorted(self.rules, key=lambda c: (self.layers[c.conclusion], c.index)))

    @cached_property
    def by_rule(self) -> dict[str, tuple[CompiledRule, ...]]:
        grouped: dict[str, list[CompiledRule]] = {}
        for crule in self.rules:
            grouped.setdefault(crule.rule.id, []).append(crule)
        return {k: tuple(v) for k, v in grouped.items()}


def _dnf(cond: Condition) -> list[list[Test]]:
    if isinstance(cond, Test):
        return [[cond]]
    if isinstance(cond, AnyOf):
        return [conj for item in cond.items for conj in _dnf(item)]
    assert isinstance(cond, All)
    result: list[list[Test]] = [[]]
    for item in cond.items:
        result = [left + right for left, right in itertools.product(result, _dnf(item))]
    return result


def domain(kb: KB, name: str) -> tuple[str, ...] | None:
    """The finite set of value tokens of a fact or conclusion, or None for numbers and dates."""
    fact = kb.facts.get(name)
    if fact is not None:
        return fact.tokens() or None
    return kb.conclusions[name].values


def admitted(values: tuple[str, ...], test: Test) -> set[str]:
    operand = test.operand
    if test.op == "eq":
        return {v for v in values if v == operand}
    if test.op == "ne":
        return {v for v in values if v != operand}
    if test.op == "in":
        return {v for v in values if v in operand}  # type: ignore[operator]
    if test.op == "not_in":
        return {v for v in values if v not in operand}  # type: ignore[operator]
    raise ValueError(test.op)


def _patterns(kb: KB, tests: list[Test]) -> tuple[Pattern, ...] | None:
    """Merge the tests of one conjunction into one pattern per name; None if unsatisfiable."""
    by_name: dict[str, list[Test]] = {}
    for test in tests:
        by_name.setdefault(test.name, []).append(test)
        if isinstance(test.operand, Offset):
            by_name.setdefault(test.operand.fact, [])
    patterns = []
    for name, group in by_name.items():
        values = domain(kb, name)
        if values is None:
            patterns.append(Pattern(name, tuple(dict.fromkeys(group))))
            continue
        allowed = set(values)
        for test in group:
            allowed &= admitted(values, test)
        if not allowed:
            return None
        ordered = tuple(v for v in values if v in allowed)
        if len(ordered) == len(values):
            merged: tuple[Test, ...] = ()
        elif len(ordered) == 1:
            merged = (Test(name, "eq", ordered[0]),)
        else:
            merged = (Test(name, "in", ordered),)
        patterns.append(Pattern(name, merged))
    # A pattern that refers to another fact (a date plus months) must come after it: durable
    # joins only look back at earlier aliases.
    patterns.sort(key=lambda p: (bool(p.refs()), 0))
    return tuple(patterns)


def _validity(rule: Rule) -> list[Test]:
    """A rule's dates in force as tests on the date it is dated by (the offence date, unless the
    rule says `valid: {date: charge_date}` or another date fact)."""
    tests = []
    if rule.valid_from:
        tests.append(Test(rule.valid_on, "gte", rule.valid_from.toordinal()))
    if rule.valid_until:
        tests.append(Test(rule.valid_on, "lte", rule.valid_until.toordinal()))
    return tests


def _layers(kb: KB) -> dict[str, int]:
    """Depth of each rule's conclusion above the facts: the order the rules are defined in."""
    producers: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        producers.setdefault(rule.conclusion, []).append(rule)
    depth: dict[str, int] = {}

    def names(cond: Condition) -> set[str]:
        if isinstance(cond, Test):
            return {cond.name}
        return set().union(*(names(i) for i in cond.items)) if cond.items else set()

    def depth_of(conclusion: str, stack: tuple[str, ...]) -> int:
        if conclusion in depth:
            return depth[conclusion]
        if conclusion in stack:
            raise KBErrors([KBError(kb.root, "the rules conclude in a cycle: " + " -> ".join(stack + (conclusion,)))])
        best = 0
        for rule in producers.get(conclusion, []):
            for name in names(rule.when):
                if name in kb.conclusions:
                    best = max(best, depth_of(name, stack + (conclusion,)) + 1)
        depth[conclusion] = best
        return best

    for conclusion in producers:
        depth_of(conclusion, ())
    return depth


def compile_kb(kb: KB) -> CompiledKB:
    """Flatten every rule into engine rules. The order is the engines' priority: by stage (the
    law in force, the offence, procedure, ... advice), then by depth above the facts, then by
    file order, so that a trace reads like a legal analysis. Without negation the order cannot
    change what is concluded, only the order of the firings."""
    layers = _layers(kb)
    stage_rank = {stage: n for n, stage in enumerate(kb.stages)}

    def key(i: int) -> tuple[int, int, int]:
        conclusion = kb.rules[i].conclusion
        return (stage_rank[kb.conclusions[conclusion].stage], layers[conclusion], i)

    order = sorted(range(len(kb.rules)), key=key)
    compiled: list[CompiledRule] = []
    offsets: dict[str, dict[Offset, None]] = {}
    errors: list[KBError] = []
    for i in order:
        rule = kb.rules[i]
        conjunctions = _dnf(rule.when)
        kept = []
        for conj in conjunctions:
            patterns = _patterns(kb, conj + _validity(rule))
            if patterns is not None:
                kept.append(patterns)
        if not kept:
            errors.append(KBError(rule.file, NEVER_HOLDS, line=rule.line, field=rule.id))
            continue
        for k, patterns in enumerate(kept, start=1):
            if not patterns:  # no condition at all: it still needs one fact to fire on
                patterns = (Pattern(OFFENCE_DATE, ()),)
            if len(patterns) > 16:
                errors.append(
                    KBError(
                        rule.file,
                        f"disjunct {k} tests {len(patterns)} facts; the engine joins at most 16",
                        line=rule.line,
                        field=rule.id,
                    )
                )
            name = rule.id if len(kept) == 1 else f"{rule.id}#{k}"
            compiled.append(
                CompiledRule(
                    len(compiled), name, rule, 0 if len(kept) == 1 else k, patterns, rule.conclusion, rule.value
                )
            )
            for pattern in patterns:
                for test in pattern.tests:
                    if isinstance(test.operand, Offset):
                        offsets.setdefault(test.operand.fact, {})[test.operand] = None
    if errors:
        raise KBErrors(errors)
    by_name: dict[str, list[int]] = {}
    for crule in compiled:
        for pattern in crule.patterns:
            by_name.setdefault(pattern.name, []).append(crule.index)
    return CompiledKB(
        kb,
        tuple(compiled),
        {k: tuple(v) for k, v in offsets.items()},
        {k: tuple(v) for k, v in by_name.items()},
        layers,
    )


def holds(test: Test, fact: dict, facts: dict[str, dict]) -> bool:
    """Does one test hold of a working-memory fact? Same semantics as the durable patterns."""
    op = test.op
    if op in ORDER_OPS:
        if not fact.get("k"):
            return False
        operand = test.operand
        right = facts[operand.fact][operand.prop] if isinstance(operand, Offset) else operand
        left = fact["n"]
        if op == "gt":
            return left > right
        if op == "gte":
            return left >= right
        if op == "lt":
            return left < right
        return left <= right
    value = fact["v"]
    if op == "eq":
        return value == test.operand
    if op == "ne":
        return value != test.operand
    if op == "in":
        return value in test.operand  # type: ignore[operator]
    return value not in test.operand  # type: ignore[operator]
