"""Static checks of a knowledge base (`kbcheck lint`).

Each check looks for a way the KB could give a silent wrong answer or an answer a lawyer cannot
check: a cycle among rules; a conclusion that cannot be reached from the facts; conditions that
can never hold; two rules in force on the same date that could give one conclusion different
values for the same facts; a period of dates no rule of a conclusion covers; a combination of
facts that leaves a conclusion without a value; a fact no rule reads; a rule without a citation,
or below high confidence without a note saying why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .analysis import Analysis, coverage

if TYPE_CHECKING:
    import networkx as nx
from .compiler import NEVER_HOLDS, OFFENCE_DATE, CompiledRule, _dnf, _patterns, _validity, compile_kb, domain, holds
from .errors import KBErrors
from .model import KB, ORDER_OPS, All, AnyOf, Condition, Offset, Rule, Test

FIRST_DAY = dt.date(1900, 1, 1).toordinal()
LAST_DAY = dt.date(9999, 12, 31).toordinal()
CHECKS = (
    "cycle",
    "unreachable",
    "unsatisfiable",
    "overlap",
    "date-gap",
    "no-value",
    "unread-fact",
    "citation",
    "confidence-note",
    "engine-limit",
)
# durable_rules' hard limits (engine notes §2.2), with the notes' margins: above 512 tests under
# one alpha node compiling never returns; a fact satisfying more than 64 sibling tests is refused.
ROOT_TESTS_MAX = 400
SATISFIED_TESTS_MAX = 50


@dataclass(frozen=True)
class Finding:
    check: str
    file: str
    line: int | None
    subject: str
    message: str

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.subject}: [{self.check}] {self.message}"


def _names(cond: Condition) -> set[str]:
    if isinstance(cond, Test):
        names = {cond.name}
        if isinstance(cond.operand, Offset):
            names.add(cond.operand.fact)
        return names
    return set().union(*(_names(item) for item in cond.items)) if cond.items else set()


def dependency_graph(kb: KB) -> nx.DiGraph:
    """premise name -> conclusion, through each rule (edge attribute: the rule ids)."""
    import networkx as nx  # here, so that `kbcheck --help` does not load it

    graph = nx.DiGraph()
    for rule in kb.rules:
        for name in _names(rule.when):
            if graph.has_edge(name, rule.conclusion):
                graph.edges[name, rule.conclusion]["rules"].append(rule.id)
            else:
                graph.add_edge(name, rule.conclusion, rules=[rule.id])
        graph.add_node(rule.conclusion)
    return graph


def _first_rule(kb: KB, conclusion: str) -> Rule | None:
    return next((r for r in kb.rules if r.conclusion == conclusion), None)


def _at_conclusion(kb: KB, check: str, conclusion: str, message: str, subject: str | None = None) -> Finding:
    """A finding about a conclusion, placed at the first rule that concludes it."""
    rule = _first_rule(kb, conclusion)
    return Finding(check, rule.file if rule else kb.root, rule.line if rule else None, subject or conclusion, message)


def check_cycles(kb: KB, graph: nx.DiGraph) -> list[Finding]:
    import networkx as nx

    findings = []
    for found in nx.simple_cycles(graph.subgraph([n for n in graph if n in kb.conclusions])):
        start = found.index(min(found))  # report every cycle from the same place, whatever the order found
        cycle = found[start:] + found[:start]
        rule = _first_rule(kb, cycle[0])
        loop = " -> ".join(cycle + [cycle[0]])
        findings.append(
            _at_conclusion(
                kb, "cycle", cycle[0], f"the rules conclude in a cycle: {loop}", subject=rule.id if rule else None
            )
        )
    return findings


def check_reachable(kb: KB) -> list[Finding]:
    """A conclusion is reachable when some rule concluding it needs only facts and reachable
    conclusions; iterate to a fixpoint from the facts."""
    reachable = set(kb.facts)
    changed = True
    while changed:
        changed = False
        for rule in kb.rules:
            if rule.conclusion not in reachable and _names(rule.when) <= reachable:
                reachable.add(rule.conclusion)
                changed = True
    return [
        _at_conclusion(kb, "unreachable", cid, "no chain of rules reaches it from the facts")
        for cid in kb.conclusions
        if cid not in reachable
    ]


def _bounds(tests: list[Test], low: int, high: int) -> tuple[int, int] | None:
    for test in tests:
        value = test.operand if isinstance(test.operand, int) else 0  # a shifted date: relative to it
        if test.op == "gt":
            low = max(low, value + 1)
        elif test.op == "gte":
            low = max(low, value)
        elif test.op == "lt":
            high = min(high, value - 1)
        elif test.op == "lte":
            high = min(high, value)
    return (low, high) if low <= high else None


def _interval(kb: KB, tests: tuple[Test, ...]) -> tuple[int, int] | None:
    """The range of whole numbers (or day ordinals) the order tests of one pattern admit
    against constants; None when they contradict each other, against a constant or against
    the same shifted date (`> offence_date + 6 months` and `<= offence_date + 6 months`)."""
    constant = [t for t in tests if t.op in ORDER_OPS and isinstance(t.operand, int)]
    by_offset: dict[Offset, list[Test]] = {}
    for test in tests:
        if test.op in ORDER_OPS and isinstance(test.operand, Offset):
            by_offset.setdefault(test.operand, []).append(test)
    if any(_bounds(group, -(10**9), 10**9) is None for group in by_offset.values()):
        return None
    return _bounds(constant, -(10**9), 10**9)


def _numbers_ok(kb: KB, tests: tuple[Test, ...], name: str) -> bool:
    fdef = kb.facts.get(name)
    if fdef is None or fdef.type not in ("int", "date"):
        return True
    span = _interval(kb, tests)
    if span is None:
        return False
    equal = {str(t.operand) for t in tests if t.op == "eq"}
    if len(equal) > 1:
        return False  # one number cannot equal two things
    if "unknown" in equal and any(t.op in ORDER_OPS for t in tests):
        return False  # an unknown number is never greater or less than anything
    return all(span[0] <= int(v) <= span[1] for v in equal if v.lstrip("-").isdigit())


def _produced(kb: KB) -> dict[str, set[str]]:
    produced: dict[str, set[str]] = {}
    for rule in kb.rules:
        produced.setdefault(rule.conclusion, set()).add(rule.value)
    return produced


def check_satisfiable(kb: KB) -> list[Finding]:
    findings = []
    produced = _produced(kb)
    for rule in kb.rules:
        conjunctions = _dnf(rule.when)
        dead = []
        for k, conj in enumerate(conjunctions, start=1):
            patterns = _patterns(kb, conj + _validity(rule))
            ok = patterns is not None and all(_numbers_ok(kb, p.tests, p.name) for p in patterns)
            if ok and patterns is not None:
                for pattern in patterns:
                    if pattern.name in kb.conclusions:
                        values = domain(kb, pattern.name) or ()
                        allowed = {v for v in values if all(_admits(t, v) for t in pattern.tests)}
                        if not allowed & produced.get(pattern.name, set()):
                            ok = False
            if not ok:
                dead.append(k)
        if len(dead) == len(conjunctions):
            findings.append(Finding("unsatisfiable", rule.file, rule.line, rule.id, NEVER_HOLDS))
        elif dead:
            which = ", ".join(str(k) for k in dead)
            findings.append(
                Finding(
                    "unsatisfiable",
                    rule.file,
                    rule.line,
                    rule.id,
                    f"alternative {which} of its conditions (in the order of its any:) can never hold",
                )
            )
    return findings


def _admits(test: Test, value: str) -> bool:
    from .compiler import admitted

    return bool(admitted((value,), test)) if test.op not in ORDER_OPS else True


def _compatible(kb: KB, a: CompiledRule, b: CompiledRule) -> bool:
    """Could both rules' patterns hold for one set of facts and conclusions?"""
    mine = {p.name: p for p in a.patterns}
    for other in b.patterns:
        pattern = mine.get(other.name)
        if pattern is None:
            continue
        values = domain(kb, other.name)
        tests = pattern.tests + other.tests
        if values is not None:
            if not {v for v in values if all(_admits(t, v) for t in tests)}:
                return False
        elif not _numbers_ok(kb, tests, other.name):
            return False
    return True


def check_overlaps(kb: KB, ckb_rules: tuple[CompiledRule, ...]) -> list[Finding]:
    findings = []
    by_conclusion: dict[str, list[CompiledRule]] = {}
    for crule in ckb_rules:
        by_conclusion.setdefault(crule.conclusion, []).append(crule)
    reported: set[tuple[str, str]] = set()
    for crules in by_conclusion.values():
        for i, a in enumerate(crules):
            for b in crules[i + 1 :]:
                if a.value == b.value or (a.rule.id, b.rule.id) in reported:
                    continue
                if _defeats(a, b) or _defeats(b, a):
                    continue
                if _compatible(kb, a, b):
                    reported.add((a.rule.id, b.rule.id))
                    findings.append(
                        Finding(
                            "overlap",
                            b.rule.file,
                            b.rule.line,
                            b.rule.id,
                            f"it and {a.rule.id} ({a.rule.file}:{a.rule.line}) can both hold on the same date for the "
                            f"same facts, giving {a.conclusion} = {a.value} and = {b.value}; make them exclusive, or mark "
                            "one to defeat the other",
                        )
                    )
    return findings


def _defeats(a: CompiledRule, b: CompiledRule) -> bool:
    """Rule a is marked to defeat b's conclusion (that value, or the conclusion as a whole)."""
    return f"{b.conclusion}={b.value}" in a.rule.defeats or b.conclusion in a.rule.defeats


def _date_span(crule: CompiledRule) -> tuple[int, int]:
    for pattern in crule.patterns:
        if pattern.name == OFFENCE_DATE:
            span = _interval_tests(pattern.tests)
            if span is not None:
                return span
    return (FIRST_DAY, LAST_DAY)


def _interval_tests(tests: tuple[Test, ...]) -> tuple[int, int] | None:
    low, high = FIRST_DAY, LAST_DAY
    for test in tests:
        if isinstance(test.operand, int) and test.op in ORDER_OPS:
            value = test.operand
            low = max(low, value + 1) if test.op == "gt" else max(low, value) if test.op == "gte" else low
            high = min(high, value - 1) if test.op == "lt" else min(high, value) if test.op == "lte" else high
    return (low, high) if low <= high else None


def check_date_gaps(kb: KB, ckb_rules: tuple[CompiledRule, ...]) -> list[Finding]:
    findings = []
    spans: dict[str, list[tuple[int, int]]] = {}
    for crule in ckb_rules:
        spans.setdefault(crule.conclusion, []).append(_date_span(crule))
    for conclusion, ranges in spans.items():
        covered_to = FIRST_DAY - 1
        gaps = []
        for low, high in sorted(ranges):
            if low > covered_to + 1:
                gaps.append(
                    f"from {dt.date.fromordinal(covered_to + 1).isoformat()} to "
                    f"{dt.date.fromordinal(low - 1).isoformat()}"
                )
            covered_to = max(covered_to, high)
        if covered_to < LAST_DAY:
            gaps.append(f"from {dt.date.fromordinal(covered_to + 1).isoformat()}")
        findings += [
            _at_conclusion(kb, "date-gap", conclusion, f"no rule gives it a value for conduct {gap}") for gap in gaps
        ]
    return findings


def check_unread_facts(kb: KB) -> list[Finding]:
    read: set[str] = set()
    for rule in kb.rules:
        read |= _names(rule.when)
        if rule.valid_from or rule.valid_until:
            read.add(rule.valid_on)
    return [
        Finding("unread-fact", "kb/vocab.yaml", None, name, "no rule reads this fact")
        for name, fdef in kb.facts.items()
        if name not in read and not (fdef.header and fdef.type == "date")  # a date others default from
    ]


def check_citations(kb: KB) -> list[Finding]:
    findings = []
    for rule in kb.rules:
        source = kb.sources.get(rule.source)
        if source is None or not rule.cite.strip() or not kb.url_of(rule).startswith("https://"):
            findings.append(
                Finding("citation", rule.file, rule.line, rule.id, "it has no source, pinpoint citation and link")
            )
        if rule.confidence != "high" and not rule.notes.strip():
            findings.append(
                Finding(
                    "confidence-note",
                    rule.file,
                    rule.line,
                    rule.id,
                    f"its confidence is {rule.confidence}, but no note says why",
                )
            )
    return findings


def check_engine_limits(kb: KB, analysis: Analysis) -> list[Finding]:
    """Keep the compiled KB well inside the limits of durable_rules' C engine."""
    from .durable_adapter import root_tests
    from .fnv import property_keys
    from .memory import fact_dict

    ckb = analysis.ckb
    findings = []
    roots = root_tests(ckb, property_keys([*kb.facts, *kb.conclusions]))
    if roots > ROOT_TESTS_MAX:
        findings.append(
            Finding(
                "engine-limit",
                kb.root,
                None,
                "the rules",
                f"{roots} tests under the root of durable_rules' network (at most {ROOT_TESTS_MAX}; "
                "above 512 compiling never returns)",
            )
        )
    dates = {
        n: fact_dict(kb, n, dt.date(2025, 1, 1), ckb.offsets.get(n, ()))
        for n, f in kb.facts.items()
        if f.type == "date"
    }
    networks: dict[str, _Node] = {}
    for crule in ckb.rules:
        for pattern in crule.patterns:
            networks.setdefault(pattern.name, _Node()).add(_terms(pattern.tests))
    for name, network in networks.items():
        fdef = kb.facts.get(name)
        if fdef is not None and fdef.type == "date":
            candidates = [fact_dict(kb, name, d, ckb.offsets.get(name, ())) for d in analysis.date_values(name)]
        elif fdef is not None:
            candidates = [fact_dict(kb, name, v) for v in analysis.values_of(name)]
        else:
            candidates = [{"t": name, "v": v} for v in kb.conclusions[name].values]
        most = max((network.widest(c, dates) for c in candidates), default=0)
        if most > SATISFIED_TESTS_MAX:
            findings.append(
                _at_conclusion(
                    kb,
                    "engine-limit",
                    name,
                    f"one value satisfies {most} sibling tests "
                    f"(at most {SATISFIED_TESTS_MAX}; above 64 durable_rules refuses the fact)",
                )
                if name in kb.conclusions
                else Finding(
                    "engine-limit",
                    "kb/vocab.yaml",
                    None,
                    name,
                    f"one value satisfies {most} sibling tests (at most {SATISFIED_TESTS_MAX})",
                )
            )
    return findings


# durable_rules' alpha network for one fact, as the adapter builds it (engine/durable_adapter.py,
# pattern_json): each pattern is a chain of tests under the fact's own node. Measured on 2.0.28:
# identical plain tests (equal, not equal, a comparison with a constant) at the same place are
# one shared node, but every `$or` (an `in` test) is a node of its own, even where another is the
# same; and a fact that satisfies more than 64 sibling tests is refused with error 303. So 70
# rules testing `x == a` run, 70 testing `x in [a, b]` do not, nor do 70 distinct `x >= n`.
@dataclass
class _Node:
    children: dict[object, tuple[Test | None, _Node]] = field(default_factory=dict)

    def add(self, terms: list[tuple[object, Test | None]]) -> None:
        node = self
        for key, test in terms:
            if key not in node.children:
                node.children[key] = (test, _Node())
            node = node.children[key][1]

    def widest(self, fact: dict, dates: dict[str, dict]) -> int:
        """The most sibling tests the fact satisfies at any one node it reaches."""
        met = [child for test, child in self.children.values() if test is None or holds(test, fact, dates)]
        return max([len(met), *(child.widest(fact, dates) for child in met)])


def _terms(tests: tuple[Test, ...]) -> list[tuple[object, Test | None]]:
    """A pattern's tests as the network's nodes: a key (shared where durable_rules shares the
    node) and the test that decides whether a fact passes it (None: a comparison with another
    fact, counted as passed)."""
    terms: list[tuple[object, Test | None]] = []
    for test in tests:
        if isinstance(test.operand, Offset):
            terms += [(("k",), None), (("offset", test.op, test.operand), None)]
        elif test.op == "in":
            terms.append((object(), test))  # an $or: never shared
        elif test.op == "not_in":
            terms += [(("ne", v), Test(test.name, "ne", v)) for v in test.operand]  # type: ignore[union-attr]
        else:
            terms.append(((test.op, test.operand), test))
    return terms


def check_no_value(kb: KB, analysis: Analysis, today: dt.date, samples: int) -> list[Finding]:
    findings = []
    for conclusion in kb.public_conclusions():
        _, _, gaps = coverage(analysis, conclusion, today, exhaustive_limit=samples * 10, samples=samples)
        for gap in gaps[:1]:
            located = _at_conclusion(kb, "no-value", analysis.expand(conclusion)[0], str(gap))
            findings.append(Finding(located.check, located.file, located.line, conclusion, located.message))
    return findings


def check_series_limits(kb: KB) -> list[Finding]:
    """The KBs kb/series.yaml derives (engine/series.py) within durable_rules' limits too."""
    if kb.series is None:
        return []
    from .errors import EngineError
    from .series import plan

    try:
        the_plan = plan(kb)
        return [
            f
            for derived in (the_plan.step, the_plan.case)
            for f in check_engine_limits(derived, Analysis(compile_kb(derived)))
        ]
    except (EngineError, KBErrors) as exc:
        return [Finding("engine-limit", kb.series.file, None, "series", str(exc))]


def lint(kb: KB, today: dt.date | None = None, samples: int = 400) -> list[Finding]:
    """Every finding, in a stable order."""
    today = today or dt.date.today()
    graph = dependency_graph(kb)
    findings = check_cycles(kb, graph) + check_reachable(kb) + check_satisfiable(kb) + check_unread_facts(kb)
    findings += check_citations(kb)
    if not any(f.check == "cycle" for f in findings):
        try:
            ckb = compile_kb(kb)
        except KBErrors as exc:
            ckb = None
            # The satisfiability check has already said why a rule can never fire; anything else
            # the compiler refuses (a conjunction longer than the engine joins) is an engine limit.
            findings += [
                Finding("engine-limit", str(e.file), e.line, str(e.field), e.problem)
                for e in exc.errors
                if e.problem != NEVER_HOLDS
            ]
        if ckb is not None:
            findings += check_overlaps(kb, ckb.rules) + check_date_gaps(kb, ckb.rules)
            findings += check_engine_limits(kb, Analysis(ckb))
            findings += check_series_limits(kb)
            if not any(f.check in ("overlap", "unsatisfiable") for f in findings):
                findings += check_no_value(kb, Analysis(ckb), today, samples)
    return findings


__all__ = ["CHECKS", "Finding", "lint", "dependency_graph"]
_ = (All, AnyOf)
