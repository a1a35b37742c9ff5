"""One explanation object per assessment: why, why not, what is still missing, what if.

Everything here is computed from the assessment's trace and from re-running the engine on
changed facts; nothing is reconstructed by guessing. The renderers (text.py, dot.py, the JSON
helpers) only format what these objects hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kbcheck.engine import assess
from kbcheck.engine.analysis import Analysis
from kbcheck.engine.api import compiled
from kbcheck.engine.case import Case, case_from_data
from kbcheck.engine.compiler import Pattern, holds
from kbcheck.engine.errors import CaseError
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.model import UNKNOWN, ConclusionDef, Rule
from kbcheck.engine.result import Assessment, Firing

if TYPE_CHECKING:
    import networkx as nx

UNSETTLED = ("unknown", "undetermined")


# --- Why ------------------------------------------------------------------------------------------
@dataclass
class Because:
    """One rule that concluded a node, and the premises it matched."""

    firing: Firing
    premises: list[WhyNode]


@dataclass
class WhyNode:
    name: str
    value: str
    kind: str  # fact | conclusion | list
    provenance: str = ""  # for facts: you said so / not given / today by default
    because: list[Because] = field(default_factory=list)
    members: list[WhyNode] = field(default_factory=list)  # for a list: the members that are in it
    repeated: bool = False  # already shown above: not expanded again
    qualifier: str = ""  # how the conclusion is known, where the KB says (direct_evidence, inference...)


# --- Why not -----------------------------------------------------------------------------------
@dataclass
class Check:
    description: str
    status: str  # held | failed | unknown
    actual: str


@dataclass
class Attempt:
    rule: Rule
    name: str  # the engine rule (id, or id#k for one alternative of its conditions)
    checks: list[Check]

    @property
    def fired(self) -> bool:
        return all(c.status == "held" for c in self.checks)


# --- Ask ----------------------------------------------------------------------------------------
@dataclass
class Effect:
    conclusion: str
    current: str
    outcomes: dict[str, str]  # fact value -> the conclusion's value if that value were given
    settles: bool  # some value takes it out of unknown / undetermined
    reason: tuple[str, str] | None = None  # (rule title, citation) behind a settling value


@dataclass
class Question:
    fact: str
    question: str
    effects: list[Effect]
    weights: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def settles(self) -> int:
        return sum(1 for e in self.effects if e.settles)

    def rank(self) -> tuple[int, int, int]:
        """Most decisive first: a conclusion it would settle counts twice, one it would change
        once, and the contract's own conclusions three times a single member of a list. So a fact
        that could overturn the offence, the evidence and the outcome comes before one that only
        settles whether a sentencing factor applies."""
        settled = sum(self.weights.get(e.conclusion, 1) for e in self.effects if e.settles)
        return (-self.score(), -settled, len(self.fact))

    def score(self, among: Collection[str] | None = None) -> int:
        """The weight of what the answer could change (`among` these conclusions, or any): a
        conclusion it would settle counts twice, one it would only change once. The interview
        ranks by this, stage by stage, so that it ranks as `ask` does."""
        effects = [e for e in self.effects if among is None or e.conclusion in among]
        settled = sum(self.weights.get(e.conclusion, 1) for e in effects if e.settles)
        return settled + sum(self.weights.get(e.conclusion, 1) for e in effects)


def _ask_weight(cdef: ConclusionDef) -> int:
    """A conclusion's weight in ranking questions: its `ask_weight` in kb/conclusions.yaml, else 1
    for a member of a list and 3 for the rest. The band per offence says 1: it reaches the answer
    only through the likely charge, so each new offence must not outweigh the offence itself."""
    if cdef.ask_weight is not None:
        return cdef.ask_weight
    return 1 if cdef.list_id else 3


# --- What if -------------------------------------------------------------------------------------
@dataclass
class Change:
    conclusion: str
    old: Any
    new: Any
    old_reasons: list[Firing]
    new_reasons: list[Firing]


class Explanation:
    """Explanations of one assessment."""

    def __init__(self, assessment: Assessment, engine: str | None = None):
        self.assessment = assessment
        self.kb = assessment.kb
        self.case = assessment.case
        self.engine = engine or assessment.engine
        self.ckb = compiled(self.kb)
        # A series is assessed with rules derived from the KB (engine/series.py); a variant of it
        # is assessed again from the KB itself, and its case rules read the series' values.
        self.series = assessment.series
        self.base_kb = self.series.plan.kb if self.series is not None else self.kb
        self.view = self.series.view if self.series is not None else self.case

    @cached_property
    def graph(self) -> nx.DiGraph:
        from . import graph as graph_module  # networkx is imported only when a graph is drawn

        return graph_module.build(self.assessment, explanation=self)

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis(self.ckb)

    # --- Settled or provisional -------------------------------------------------------------
    @cached_property
    def possible(self) -> dict[str, set[str]]:
        if self.assessment.series is not None:
            from kbcheck.engine.series import case_candidates

            return self.analysis.possible_values(case_candidates(self.assessment))
        return self.analysis.possible_values(self.analysis.candidates(self.case))

    def settled(self, conclusion: str) -> bool:
        """No value the unknown facts could take would change this conclusion."""
        return all(len(self.possible.get(name, ())) <= 1 for name in self.analysis.expand(conclusion))

    def status(self) -> dict[str, str]:
        return {c: ("settled" if self.settled(c) else "provisional") for c in self.kb.public_conclusions()}

    # --- Why ------------------------------------------------------------------------------------
    def fact_provenance(self, name: str) -> str:
        fdef = self.kb.facts[name]
        if self.series is not None:
            from kbcheck.engine.series import provenance

            found = provenance(self.assessment, name)
            if found:
                return found
        if name == "assessment_date" and not self.case.assessment_date_given:
            return "today, by default"
        if name == "jurisdiction" and not self.case.jurisdiction_given:
            return "England and Wales, by default"
        if fdef.header or name in self.case.given:
            return "you said so"
        return "not given: unknown"

    def why(self, conclusion: str) -> WhyNode:
        seen: set[str] = set()
        ldef = self.kb.lists.get(conclusion)
        if ldef is not None:
            root = WhyNode(conclusion, ", ".join(self.assessment.value(conclusion)) or "(none)", "list")
            # The members in the list justify it; an empty list is justified by every member's
            # own conclusion that it is not in (each given by a positive rule, never by silence).
            empty = not self.assessment.value(conclusion)
            for member in ldef.members:
                mid = ldef.member_id(member)
                value = self.assessment.values.get(mid)
                if value == "yes" or (empty and value is not None):
                    root.members.append(self._why(mid, value, seen))
            return root
        return self._why(conclusion, self.assessment.values[conclusion], seen)

    def _why(self, name: str, value: str, seen: set[str]) -> WhyNode:
        if name in self.kb.facts:
            return WhyNode(name, value, "fact", provenance=self.fact_provenance(name))
        key = f"{name}={value}"
        node = WhyNode(name, value, "conclusion", qualifier=self.assessment.qualifier(name))
        if key in seen:
            node.repeated = True
            return node
        seen.add(key)
        # One reason per rule: a rule that fired through several alternatives of its `any:`
        # conditions is one reason, with every premise that met one of them.
        by_rule: dict[str, list[Firing]] = {}
        for firing in self.assessment.firings:
            if firing.conclusion == name and firing.value == value:
                by_rule.setdefault(firing.rule.id, []).append(firing)
        for firings in by_rule.values():
            premises = dict.fromkeys(p for f in firings for p in f.premises if not self._validity_only(f, p[0]))
            node.because.append(Because(firings[0], [self._why(p, v, seen) for p, v in premises]))
        return node

    @staticmethod
    def _validity_only(firing: Firing, premise: str) -> bool:
        """The date a rule is dated by (the offence date, or a decision date) is shown as the rule's
        dates in force, not as a premise, where that is all the rule tests it for."""
        return premise == firing.rule.valid_on and firing.rule.dates_only_select_it()

    # --- Why not ----------------------------------------------------------------------------------
    def why_not(self, conclusion: str, value: str) -> list[Attempt]:
        """Each engine rule that could have concluded conclusion=value, condition by condition."""
        memory = {f["t"]: f for f in plain_facts(self.kb, self.view, self.ckb.offsets)}
        for name, token in self.assessment.values.items():
            memory[name] = {"t": name, "v": token}
        attempts = []
        for crule in self.ckb.rules:
            if crule.conclusion == conclusion and crule.value == value:
                attempts.append(Attempt(crule.rule, crule.name, [self._check(p, memory) for p in crule.patterns]))
        return attempts

    def _check(self, pattern: Pattern, memory: dict[str, dict[str, Any]]) -> Check:
        fact = memory[pattern.name]
        actual = fact["v"]
        description = " and ".join(t.describe() for t in pattern.tests) or f"{pattern.name} has a value"
        if all(holds(t, fact, memory) for t in pattern.tests):
            return Check(description, "held", actual)
        return Check(description, "unknown" if actual in UNSETTLED else "failed", actual)

    # --- What is still missing ------------------------------------------------------------------
    def targets(self, conclusion: str | None = None) -> list[str]:
        """What `ask` looks at: the named conclusion, or every conclusion of the contract that is
        not settled: unknown or undetermined, or provisional (a fact not given could change it,
        as a finding that the offence is made out can turn on a purpose not yet shown)."""
        if conclusion is not None:
            return self.analysis.expand(conclusion)
        names = []
        for cid, cdef in self.kb.conclusions.items():
            public = cdef.public or cdef.list_id is not None
            open_ = self.assessment.values[cid] in UNSETTLED or len(self.possible.get(cid, ())) > 1
            if public and open_:
                names.append(cid)
        return names

    def missing(
        self,
        conclusion: str | None = None,
        targets: list[str] | None = None,
        among: Collection[str] | None = None,
    ) -> list[Question]:
        """The unknown facts that could change the targets (`targets`, or those of `conclusion`),
        most decisive first; only facts `among` these, where given (the interview's facts not yet
        asked)."""
        targets = self.targets(conclusion) if targets is None else targets
        if not targets:
            return []
        deps: set[str] = set()
        for target in targets:
            deps |= self.analysis.dependencies(target)
        if self.series is not None:
            from kbcheck.engine.series import open_facts

            deps = open_facts(self.assessment, deps)
        if among is not None:
            deps &= set(among)
        unknown = sorted(f for f in deps if not self.kb.facts[f].header and f not in self.case.given)
        questions = []
        for fact in unknown:
            outcomes: dict[str, dict[str, str]] = {t: {} for t in targets}
            reasons: dict[str, tuple[str, str]] = {}
            for value in self.analysis.values_of(fact):
                if value == UNKNOWN:
                    continue
                other = self._reassess({fact: value})
                if other is None:
                    continue
                for target in targets:
                    new = other.values[target]
                    outcomes[target][_text(value)] = new
                    current = self.assessment.values[target]
                    if new not in UNSETTLED and new != current and target not in reasons:
                        firing = next((f for f in other.firings if f.conclusion == target), None)
                        if firing is not None:
                            reasons[target] = (firing.rule.title, self.kb.citation(firing.rule))
            effects = []
            for target in targets:
                current = self.assessment.values[target]
                changed = {v: n for v, n in outcomes[target].items() if n != current}
                if changed:
                    settles = current in UNSETTLED and any(n not in UNSETTLED for n in changed.values())
                    effects.append(Effect(target, current, outcomes[target], settles, reasons.get(target)))
            if effects:
                weights = {t: _ask_weight(self.kb.conclusions[t]) for t in targets}
                questions.append(
                    Question(fact, self.kb.facts[fact].question or self.kb.facts[fact].meaning, effects, weights)
                )
        questions.sort(key=lambda q: (q.rank(), q.fact))
        return questions

    def variant(
        self,
        changes: dict[str, Any],
        offence_date: dt.date | None = None,
        assessment_date: dt.date | None = None,
        today: dt.date | None = None,
        moves: dict[str, dt.date] | None = None,
        removals: tuple[str, ...] = (),
    ) -> Case:
        """The case with some facts or dates changed, validated exactly as a case file is. For a
        series: a new offence date moves the whole series (each communication keeps its distance
        from the last); `moves` gives one communication a new date; `removals` leaves some out."""
        data = self.case.with_facts(changes).to_data()
        if self.case.communications:
            data["communications"] = _edited_items(
                self.case, data["communications"], offence_date, moves or {}, removals
            )
            data.pop("offence_date", None)  # the last communication's, wherever it now is
        elif moves or removals:
            raise CaseError(self.case.source, "the case lists no communications to move or remove")
        elif offence_date is not None:
            data["offence_date"] = offence_date.isoformat()
        if assessment_date is not None:
            data["assessment_date"] = assessment_date.isoformat()
        if offence_date is not None and offence_date != self.case.offence_date:
            # A charge or conviction date written in the case keeps its distance from the offence,
            # so that moving the offence date does not leave the decisions before it.
            shift = offence_date - self.case.offence_date
            latest = assessment_date or self.case.assessment_date
            for name in ("charge_date", "conviction_date"):
                if name in data:
                    moved = dt.date.fromisoformat(data[name]) + shift
                    data[name] = min(moved, max(latest, offence_date)).isoformat()
        return case_from_data(self.base_kb, data, self.case.source, today)

    def _reassess(self, changes: dict[str, Any]) -> Assessment | None:
        try:
            case = self.variant(changes, today=max(dt.date.today(), self.case.assessment_date))
            return assess(case, self.base_kb, self.engine)
        except CaseError:
            return None  # facts that cannot be true together (or with what a series' list gives)

    # --- What if --------------------------------------------------------------------------------
    def what_if(
        self,
        changes: dict[str, Any],
        offence_date: dt.date | None = None,
        assessment_date: dt.date | None = None,
        today: dt.date | None = None,
        moves: dict[str, dt.date] | None = None,
        removals: tuple[str, ...] = (),
    ) -> tuple[Assessment, list[Change]]:
        """Re-assess with changed facts or dates; the conclusions that changed, with reasons, in
        the order of the stages (the law, the offence, ... the advice), as `assess` shows them."""
        other = assess(
            self.variant(changes, offence_date, assessment_date, today, moves, removals), self.base_kb, self.engine
        )
        return other, changes_between(self.assessment, other)


def changes_between(before: Assessment, after: Assessment) -> list[Change]:
    """The public conclusions whose values differ between two assessments of the same KB, with
    the firings behind each value, in the order of the stages as `assess` shows them."""
    out = []
    for _stage, _title, names in before.kb.public_by_stage():
        for name in names:
            old, new = before.value(name), after.value(name)
            if old != new:
                out.append(Change(name, old, new, before.justifications(name), after.justifications(name)))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _edited_items(
    case: Case,
    items: list[dict[str, Any]],
    offence_date: dt.date | None,
    moves: dict[str, dt.date],
    removals: tuple[str, ...],
) -> list[dict[str, Any]]:
    """A series' items with communications moved or left out (what-if, compare)."""
    ids = [item["id"] for item in items]
    for cid in [*moves, *removals]:
        if cid not in ids:
            raise CaseError(case.source, f"no communication '{cid}' (the case has {', '.join(ids[:10])})")
    kept = [dict(item) for item in items if item["id"] not in removals]
    if not kept:
        raise CaseError(case.source, "that would leave no communication")
    shift = offence_date - case.offence_date if offence_date is not None else dt.timedelta(0)
    for item in kept:
        day = moves.get(item["id"], dt.date.fromisoformat(item["date"]) + shift)
        item["date"] = day.isoformat()
    return kept
