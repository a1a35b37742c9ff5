"""Static and abstract analysis of the compiled KB.

- `dependencies`: the facts a conclusion can depend on, through the rules that conclude it.
- `representatives`: for numbers and dates, the values either side of every boundary the KB
  tests, so that enumerating them covers every way a rule can go.
- `possible_values`: what each conclusion could still be if the unknown facts of a case were
  given, by propagating sets of values through the rules in order. Facts are treated as
  independent, so the sets can only be too large, never too small: a conclusion whose set has
  one value is settled, whatever the unknown facts turn out to be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

from .case import Case
from .compiler import CompiledKB, CompiledRule, holds
from .dates import shift
from .memory import fact_dict
from .model import UNKNOWN, Offset

Candidates = dict[str, list[dict[str, Any]]]


class Analysis:
    """Everything derived from one compiled KB, computed once."""

    def __init__(self, ckb: CompiledKB):
        self.ckb = ckb
        self.kb = ckb.kb

    # --- Dependencies -----------------------------------------------------------------------
    @cached_property
    def producers(self) -> dict[str, list[CompiledRule]]:
        result: dict[str, list[CompiledRule]] = {}
        for crule in self.ckb.rules:
            result.setdefault(crule.conclusion, []).append(crule)
        return result

    def expand(self, conclusion: str) -> list[str]:
        """A list conclusion stands for its members; any other conclusion for itself."""
        ldef = self.kb.lists.get(conclusion)
        return [ldef.member_id(m) for m in ldef.members] if ldef else [conclusion]

    def upstream(self, conclusion: str) -> set[str]:
        """The conclusion (a list's members) and every conclusion it is derived from."""
        seen: set[str] = set()
        todo = self.expand(conclusion)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for crule in self.producers.get(name, []):
                todo.extend(p.name for p in crule.patterns if p.name in self.kb.conclusions)
        return seen

    def dependencies(self, conclusion: str) -> set[str]:
        """The facts of the vocabulary the conclusion can depend on."""
        facts: set[str] = set()
        for name in self.upstream(conclusion):
            for crule in self.producers.get(name, []):
                for pattern in crule.patterns:
                    if pattern.name in self.kb.facts:
                        facts.add(pattern.name)
                    for test in pattern.tests:
                        if isinstance(test.operand, Offset):
                            facts.add(test.operand.fact)
        return facts

    def rules_for(self, conclusions: Iterable[str]) -> list[CompiledRule]:
        wanted: set[str] = set()
        for conclusion in conclusions:
            wanted |= self.upstream(conclusion)
        return [c for c in self.ckb.rules if c.conclusion in wanted]

    # --- Representative values ------------------------------------------------------------------
    @cached_property
    def _constants(self) -> dict[str, set[int]]:
        return self.constants(self.ckb.rules)

    @staticmethod
    def constants(rules: Iterable[CompiledRule]) -> dict[str, set[int]]:
        """The numbers and day ordinals each fact is compared with, in these rules."""
        found: dict[str, set[int]] = {}
        for crule in rules:
            for pattern in crule.patterns:
                for test in pattern.tests:
                    if isinstance(test.operand, int) and not isinstance(test.operand, bool):
                        found.setdefault(pattern.name, set()).add(test.operand)
                    elif isinstance(test.operand, str) and test.operand.lstrip("-").isdigit():
                        found.setdefault(pattern.name, set()).add(int(test.operand))
                    elif isinstance(test.operand, tuple):
                        for value in test.operand:
                            if value.lstrip("-").isdigit():
                                found.setdefault(pattern.name, set()).add(int(value))
        return found

    @cached_property
    def offsets(self) -> list[Offset]:
        return [o for offs in self.ckb.offsets.values() for o in offs]

    def int_values(self, name: str) -> list[int]:
        """Whole numbers either side of every boundary the KB tests for this fact."""
        fdef = self.kb.facts[name]
        low = fdef.minimum if fdef.minimum is not None else 0
        high = fdef.maximum if fdef.maximum is not None else 10**6
        values = {low}
        for c in self._constants.get(name, set()):
            values |= {c - 1, c, c + 1}
        return sorted(v for v in values if low <= v <= high)

    def date_values(self, name: str, rules: Iterable[CompiledRule] | None = None) -> list[dt.date]:
        """Days either side of every date the KB (or these rules) test for this date fact."""
        constants = self._constants if rules is None else self.constants(rules)
        values: set[dt.date] = set()
        for ordinal in constants.get(name, set()):
            day = dt.date.fromordinal(ordinal)
            values |= {day - dt.timedelta(days=1), day}
        return sorted(values)

    def date_combinations(self, today: dt.date, rules: list[CompiledRule] | None = None) -> list[dict[str, dt.date]]:
        """Header dates covering every boundary and every offset (of the whole KB, or of these
        rules): the offence date either side of each boundary, and for each offence date the
        assessment, charge and conviction dates either side of theirs. A decision date the rules do
        not test stays at its default (the assessment date)."""
        referenced = {p.name for c in (rules if rules is not None else self.ckb.rules) for p in c.patterns}
        later = [name for name in ("assessment_date", "charge_date", "conviction_date") if name in referenced]
        if not later:
            later = ["assessment_date"]
        offence_days = [d for d in self.date_values("offence_date", rules) if d <= today]
        if not offence_days:  # only the later dates matter: start before their first boundary
            firsts = [min(self.date_values(name, rules)) for name in later if self.date_values(name, rules)]
            offence_days = [min(firsts) - dt.timedelta(days=1)] if firsts else [today]
        offsets = (
            self.offsets
            if rules is None
            else sorted(
                {t.operand for c in rules for p in c.patterns for t in p.tests if isinstance(t.operand, Offset)},
                key=lambda o: (o.fact, o.months, o.days),
            )
        )
        combinations: list[dict[str, dt.date]] = []
        for offence in offence_days:
            edges = {offence, today}
            for offset in offsets:
                edge = shift(offence, offset.months, offset.days)
                edges |= {edge - dt.timedelta(days=1), edge, edge + dt.timedelta(days=1)}
            options = []
            for name in later:
                days = edges | {d for d in self.date_values(name, rules)}
                options.append(sorted(d for d in days if offence <= d <= today))
            for chosen in product(options):
                combination = dict(zip(later, chosen, strict=True))
                if combination.get("conviction_date", today) < combination.get("charge_date", offence):
                    continue  # a conviction comes after the charge
                combinations.append({"offence_date": offence, **combination})
        return combinations

    def values_of(self, name: str) -> list[Any]:
        """Every value (unknown included) worth trying for a fact that is not a date."""
        fdef = self.kb.facts[name]
        if fdef.type == "bool":
            return [True, False, UNKNOWN]
        if fdef.type == "enum":
            return list(fdef.values) + ([] if fdef.header else [UNKNOWN])
        if fdef.type == "int":
            return [*self.int_values(name), UNKNOWN]
        raise ValueError(f"{name} is a date")

    # --- Possible values --------------------------------------------------------------------
    def candidates(self, case: Case, open_facts: Iterable[str] | None = None) -> Candidates:
        """Working-memory candidates per fact: the case's value, or for each open fact every
        value worth trying (by default the open facts are those the case leaves unknown)."""
        kb = self.kb
        offsets = self.ckb.offsets
        open_set = (
            set(open_facts)
            if open_facts is not None
            else {n for n, f in kb.facts.items() if not f.header and n not in case.given}
        )
        result: Candidates = {}
        for name, fdef in kb.facts.items():
            if name in open_set and fdef.type != "date":
                result[name] = [fact_dict(kb, name, v, offsets.get(name, ())) for v in self.values_of(name)]
            else:
                result[name] = [fact_dict(kb, name, case.value(name), offsets.get(name, ()))]
        return result

    def possible_values(
        self, candidates: Candidates, before: dict[str, set[str]] | None = None, changed: str | None = None
    ) -> dict[str, set[str]]:
        """Each conclusion's possible values, given the candidates for each fact. Given the
        possible values `before` a change to the candidates of one fact (`changed`), only the
        conclusions that can depend on that fact are worked out again: the interview tries every
        answer to every open fact this way."""
        rules: Iterable[CompiledRule]
        if before is not None and changed is not None:
            possible = {c: v for c, v in before.items() if c not in self.downstream[changed]}
            rules = self._downstream_rules[changed]
        else:
            possible, rules = {}, self.ckb.in_dependency_order
        facts_first = {n: c[0] for n, c in candidates.items()}
        for crule in rules:
            if self._may_fire(crule, candidates, possible, facts_first):
                possible.setdefault(crule.conclusion, set()).add(crule.value)
        return possible

    @cached_property
    def downstream(self) -> dict[str, frozenset[str]]:
        """For each fact, the conclusions whose possible values can change with it: those of the
        rules that test it (or read it for a date offset), and those resting on them, and so on."""
        direct: dict[str, set[str]] = {}
        for crule in self.ckb.rules:
            for pattern in crule.patterns:
                direct.setdefault(pattern.name, set()).add(crule.conclusion)
                for test in pattern.tests:
                    if isinstance(test.operand, Offset):
                        direct.setdefault(test.operand.fact, set()).add(crule.conclusion)
        out: dict[str, frozenset[str]] = {}
        for fact in self.kb.facts:
            seen: set[str] = set()
            todo = list(direct.get(fact, ()))
            while todo:
                name = todo.pop()
                if name not in seen:
                    seen.add(name)
                    todo.extend(direct.get(name, ()))
            out[fact] = frozenset(seen)
        return out

    @cached_property
    def _downstream_rules(self) -> dict[str, list[CompiledRule]]:
        order = self.ckb.in_dependency_order
        return {fact: [r for r in order if r.conclusion in names] for fact, names in self.downstream.items()}

    def relevant(self, candidates: Candidates, targets: Iterable[str], open_facts: set[str]) -> set[str]:
        """The open facts that could still change any of the targets: those a rule tests that may
        still fire for an open target, or for an open conclusion such a rule rests on. A settled
        conclusion (one possible value) is not followed, nor is a rule that cannot fire, since no
        open fact can change either. Never too few (the possible values are never too few), so
        its size bounds the questions an interview still has to ask, and it only shrinks as facts
        are given."""
        possible: dict[str, set[str]] = {}
        live: dict[str, list[CompiledRule]] = {}
        facts_first = {n: c[0] for n, c in candidates.items()}
        for crule in self.ckb.in_dependency_order:
            if self._may_fire(crule, candidates, possible, facts_first):
                possible.setdefault(crule.conclusion, set()).add(crule.value)
                live.setdefault(crule.conclusion, []).append(crule)
        found: set[str] = set()
        seen: set[str] = set()
        todo = [m for t in targets for m in self.expand(t)]
        while todo:
            name = todo.pop()
            if name in seen or len(possible.get(name, ())) <= 1:
                continue
            seen.add(name)
            for crule in live.get(name, []):
                for pattern in crule.patterns:
                    if pattern.name in open_facts:
                        found.add(pattern.name)
                    elif pattern.name in self.kb.conclusions:
                        todo.append(pattern.name)
                    for test in pattern.tests:
                        if isinstance(test.operand, Offset) and test.operand.fact in open_facts:
                            found.add(test.operand.fact)
        return found

    @staticmethod
    def _may_fire(
        crule: CompiledRule, candidates: Candidates, possible: dict[str, set[str]], dates: dict[str, dict[str, Any]]
    ) -> bool:
        for pattern in crule.patterns:
            options = candidates.get(pattern.name)
            if options is None:
                options = [{"t": pattern.name, "v": v} for v in possible.get(pattern.name, ())]
            if not any(all(holds(t, option, dates) for t in pattern.tests) for option in options):
                return False
        return True


def product(domains: list[list[Any]]) -> Iterator[tuple[Any, ...]]:
    """itertools.product, spelled out so the count can be checked first."""
    import itertools

    return itertools.product(*domains)


# --- Coverage: exactly one value for every combination -------------------------------------------
class Gap:
    """A combination of facts for which a conclusion's chain has no value, or two."""

    def __init__(self, conclusion: str, values: dict[str, Any], problem: str):
        self.conclusion = conclusion
        self.values = values
        self.problem = problem

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in sorted(self.values.items()) if v != UNKNOWN)
        return f"{self.problem} when {shown or 'every fact is unknown'}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


EXHAUSTIVE_LIMIT = 200_000  # combinations `coverage` runs in full; past it, a seeded sample


def _space(
    analysis: Analysis, conclusion: str, today: dt.date
) -> tuple[list[str], list[list[Any]], list[dict[str, dt.date]]]:
    """What a conclusion depends on, to check it: its facts other than dates with the values
    worth trying for each, and the combinations of dates worth trying."""
    kb = analysis.kb
    deps = sorted(analysis.dependencies(conclusion))
    plain = [d for d in deps if kb.facts[d].type != "date"]
    dates = (
        analysis.date_combinations(today, analysis.rules_for([conclusion]))
        if any(kb.facts[d].type == "date" for d in deps)
        else [{"offence_date": dt.date(2025, 1, 1), "assessment_date": dt.date(2025, 2, 1)}]
    )
    return plain, [analysis.values_of(d) for d in plain], dates


def combinations(analysis: Analysis, conclusion: str, today: dt.date) -> int:
    """How many combinations `coverage` runs to check a conclusion exhaustively."""
    import math

    _, domains, dates = _space(analysis, conclusion, today)
    return math.prod(len(d) for d in domains) * len(dates)


def coverage(
    analysis: Analysis, conclusion: str, today: dt.date, exhaustive_limit: int = EXHAUSTIVE_LIMIT, samples: int = 3_000
) -> tuple[int, bool, list[Gap]]:
    """Run the conclusion's rules on every combination of the facts it depends on (or a seeded
    sample of them): (combinations checked, whether that was all of them, the gaps found)."""
    import math
    import random

    from .case import check_constraints
    from .errors import CaseError, EngineError
    from .memory import plain_facts
    from .reference import ReferenceEngine

    kb, ckb = analysis.kb, analysis.ckb
    rules = analysis.rules_for([conclusion])
    engine = ReferenceEngine(ckb, rules)
    chain = analysis.upstream(conclusion)
    plain, domains, dates = _space(analysis, conclusion, today)
    total = math.prod(len(d) for d in domains) * len(dates)
    exhaustive = total <= exhaustive_limit
    if exhaustive:
        combos: Iterable[tuple[dict[str, dt.date], tuple[Any, ...]]] = (
            (days, values) for days in dates for values in product(domains)
        )
    else:
        rng = random.Random(conclusion)
        combos = [(rng.choice(dates), tuple(rng.choice(d) for d in domains)) for _ in range(samples)]
    checked = 0
    gaps: list[Gap] = []
    for days, values in combos:
        given = dict(zip(plain, values, strict=True))
        jurisdiction = given.pop("jurisdiction", "england_and_wales")
        offence = days["offence_date"]
        assessment = days.get("assessment_date", max(days.values()))
        case = Case(
            id="combination",
            offence_date=offence,
            assessment_date=assessment,
            jurisdiction=jurisdiction,
            given={k: v for k, v in given.items() if v != UNKNOWN},
            charge_date_given=days.get("charge_date"),
            conviction_date_given=days.get("conviction_date"),
        )
        try:
            check_constraints(kb, case, "combination")
        except CaseError:
            continue  # facts the case reader refuses together
        shown = dict(given, jurisdiction=jurisdiction, **days)
        checked += 1
        try:
            records = engine.run(plain_facts(kb, case, ckb.offsets))
        except EngineError as exc:
            gaps.append(Gap(conclusion, shown, str(exc)))
            continue
        missing = chain - {ckb.rules[i].conclusion for i, _ in records}
        if missing:
            gaps.append(Gap(conclusion, shown, f"no value for {', '.join(sorted(missing))}"))
        if len(gaps) >= 5:
            break
    return checked, exhaustive, gaps
