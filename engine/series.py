"""Assess a case given as a series of communications, each on its own date, on the engine.

Three kinds of run, each an ordinary run of compiled rules on the chosen engine:

1. **Each communication**: every rule of the KB, on the case's facts with that communication's
   facts over them and its date as the offence date. This is exactly today's run of a case of
   one communication, so each communication is judged under the law on its own date.
2. **Along the series** (the fold): one small run per communication, in date order, of rules
   generated from kb/series.yaml. It reads that communication's values (`this:X`) and the series
   so far (`before:X`, `none` at the first), and concludes the series so far (`series:X`): for a
   name with an order, the highest value any communication has; for the others, the lead
   communication's value, the lead being the communication whose `series.standing` ranks highest
   (a later one wins a tie). Each run holds a fixed number of facts, so the cost per
   communication does not grow with the series.
3. **The case**: the KB's rules about the case (those that conclude nothing of one
   communication), plus one bridge rule per value of each conclusion of one communication that
   gives the case the series' value (`X = v` from `series:X = v`). Its facts are the case's,
   with the series' values of the facts of one communication and the facts the list derives.

The generated rules carry kb/series.yaml's citations, so every step of the case's trace names
its authority like any other rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from . import fnv
from .case import Case
from .communications import disagreement
from .compiler import CompiledKB
from .errors import EngineError
from .loader import _identities, token
from .model import KB, UNKNOWN, Aggregate, All, ConclusionDef, FactDef, Rise, Rule, Test, _names
from .result import Assessment
from .series_def import tokens_of

NONE = "nothing_yet"  # the series so far, before its first communication (no value of the KB is called so)
STAGE = "series"
LEAD = "series.lead"
STEP_SUFFIX = "+series-step"
CASE_SUFFIX = "+series-case"


def this(name: str) -> str:
    return f"this:{name}"


def before(name: str) -> str:
    return f"before:{name}"


def so_far(name: str) -> str:
    return f"series:{name}"


@dataclass(frozen=True)
class SeriesPlan:
    """What kb/series.yaml makes of the KB: the names the fold carries, and the two derived KBs."""

    kb: KB
    names: tuple[str, ...]  # the names each communication gives the fold (`this:`): the lead's ranking first
    conclusions: frozenset[str]  # conclusions of one communication
    facts: tuple[str, ...]  # facts of one communication the case's rules read
    step: KB
    case: KB
    carried: tuple[str, ...] = ()  # every name the fold carries (`before:` and `series:`): names, and the rises'


_plans: dict[str, SeriesPlan] = {}


def plan(kb: KB) -> SeriesPlan:
    """The series plan for this KB, built once per process."""
    found = _plans.get(kb.fingerprint)
    if found is None:
        found = _plans[kb.fingerprint] = _build(kb)
    return found


def base_of(kb: KB) -> KB:
    """The KB a series' derived KB was made from (a variant of a series' case is assessed from
    it, never from the case's own rules), or the KB itself."""
    for the_plan in _plans.values():
        if kb.fingerprint in (the_plan.case.fingerprint, the_plan.step.fingerprint):
            return the_plan.kb
    return kb


def _rule(agg: Aggregate, rid: str, title: str, tests: list[Test], conclusion: str, value: str, file: str) -> Rule:
    return Rule(
        id=rid,
        title=title,
        source=agg.source,
        cite=agg.cite,
        when=All(tuple(tests)),
        conclusion=conclusion,
        value=value,
        file=file,
        line=agg.line,
        text=agg.meaning,
    )


def _build(kb: KB) -> SeriesPlan:
    series = kb.series
    if series is None:
        raise EngineError("this knowledge base does not say how to read a list of communications (kb/series.yaml)")
    comm_conclusions = frozenset(series.conclusions)
    case_rules = [r for r in kb.rules if r.conclusion not in comm_conclusions]
    read = {t for r in case_rules for t in _names(r.when)}
    comm_facts = tuple(f for f in series.facts if f in read)
    lead = series.lead
    names = (lead.name, *sorted((comm_conclusions - {lead.name}) | set(comm_facts)))
    file = series.file

    # The fold's KB.
    step_facts: dict[str, FactDef] = {}
    step_conclusions: dict[str, ConclusionDef] = {
        LEAD: ConclusionDef(
            LEAD, ("this", "earlier"), "whether this communication is the series' lead so far", STAGE, public=False
        )
    }
    rules: list[Rule] = []
    order = lead.order
    for i, standing in enumerate(order):
        rules.append(
            _rule(
                lead,
                f"series.lead.this.{standing}",
                f"This communication ({standing}) stands at least as high as the lead so far",
                [Test(this(lead.name), "eq", standing), Test(before(lead.name), "in", (*order[i:], NONE))],
                LEAD,
                "this",
                file,
            )
        )
        if i:
            rules.append(
                _rule(
                    lead,
                    f"series.lead.earlier.{standing}",
                    f"An earlier communication stands higher than this one ({standing})",
                    [Test(this(lead.name), "eq", standing), Test(before(lead.name), "in", order[:i])],
                    LEAD,
                    "earlier",
                    file,
                )
            )
    for name in names:
        values = tokens_of(name, kb.facts, kb.conclusions)
        step_facts[this(name)] = FactDef(
            this(name), "enum", f"{name} of this communication", STAGE, values=_plain(values)
        )
        step_facts[before(name)] = FactDef(
            before(name),
            "enum",
            f"{name} of the series before this communication",
            STAGE,
            values=(*_plain(values), NONE),
        )
        step_conclusions[so_far(name)] = ConclusionDef(
            so_far(name), values, f"{name} of the series up to this communication", STAGE, public=False
        )
        agg = series.reading(name)
        if not agg.order:  # the lead's value
            for value in values:
                rules.append(
                    _rule(
                        agg,
                        f"series.lead_value.{name}.{value}.this",
                        f"The lead communication's {name} is {value}",
                        [Test(LEAD, "eq", "this"), Test(this(name), "eq", value)],
                        so_far(name),
                        value,
                        file,
                    )
                )
                rules.append(
                    _rule(
                        agg,
                        f"series.lead_value.{name}.{value}.earlier",
                        f"The lead communication's {name} is {value}",
                        [Test(LEAD, "eq", "earlier"), Test(before(name), "eq", value)],
                        so_far(name),
                        value,
                        file,
                    )
                )
            continue
        for i, value in enumerate(agg.order):
            rules.append(
                _rule(
                    agg,
                    f"series.highest.{name}.{value}.this",
                    f"{name} is {value} for this communication, and no higher before it",
                    [Test(this(name), "eq", value), Test(before(name), "in", (*agg.order[i:], NONE))],
                    so_far(name),
                    value,
                    file,
                )
            )
            if i + 1 < len(agg.order):
                rules.append(
                    _rule(
                        agg,
                        f"series.highest.{name}.{value}.earlier",
                        f"{name} was {value} before this communication, and is no higher in it",
                        [Test(before(name), "eq", value), Test(this(name), "in", agg.order[i + 1 :])],
                        so_far(name),
                        value,
                        file,
                    )
                )
    carried = list(names)
    for rise in series.rises:
        _rise_rules(rise, step_facts, step_conclusions, rules, file)
        carried += [rise.fact, f"{rise.fact}.lowest", f"{rise.fact}.gap"]
    step = replace(
        kb,
        facts=step_facts,
        conclusions=step_conclusions,
        lists={},
        rules=tuple(rules),
        constraints=(),
        stages={STAGE: "Along the series"},
        fingerprint=kb.fingerprint + STEP_SUFFIX,
        interview_stages=(),
    )

    # The case's KB: its own rules, and bridges from the series' values.
    case_facts = dict(kb.facts)
    bridges: list[Rule] = []
    for name in sorted(comm_conclusions):
        values = kb.conclusions[name].values
        case_facts[so_far(name)] = FactDef(
            so_far(name), "enum", f"{name} as the series gives it", STAGE, values=_plain(values)
        )
        agg = series.reading(name)
        how = "the highest value any communication has" if agg.order else "the lead communication's value"
        for value in values:
            bridges.append(
                _rule(
                    agg,
                    f"series.case.{name}.{value}",
                    f"For the case, {name} is {value}: {how}",
                    [Test(so_far(name), "eq", value)],
                    name,
                    value,
                    file,
                )
            )
    case = replace(
        kb,
        facts=case_facts,
        rules=tuple(bridges + case_rules),
        fingerprint=kb.fingerprint + CASE_SUFFIX,
    )
    for derived in (step, case):  # what the loader checks of kb/, checked of the derived KBs
        for fdef in derived.facts.values():
            if len(set(fdef.tokens())) != len(fdef.tokens()):
                raise EngineError(f"the series' fact '{fdef.name}' lists a value twice")
        for cdef in derived.conclusions.values():
            if len(set(cdef.values)) != len(cdef.values):
                raise EngineError(f"the series' conclusion '{cdef.id}' lists a value twice")
    ids = [n for k in (step, case) for n in _identities(k.facts, k.conclusions, list(k.rules))]
    clashes = fnv.collisions(ids)
    if clashes:
        raise EngineError(f"the series' names '{clashes[0][0]}' and '{clashes[0][1]}' share a 32-bit identity hash")
    return SeriesPlan(kb, names, comm_conclusions, comm_facts, step, case, tuple(carried))


TRUTH = ("true", "false", "unknown")


def rise_step(order: tuple[str, ...], rose: str, lowest: str, gap: str, this_value: str) -> tuple[str, str, str]:
    """One step of a rise along the series (kb/series.yaml `rises`): from whether it has risen so
    far, the least serious known value so far and whether any value so far was unknown, and this
    communication's value, the same three after it. A rise is a value more serious (earlier in
    `order`) than an earlier one; where an unknown value could make one, it is unknown. `NONE`
    stands for the series before its first communication."""
    rank = {value: i for i, value in enumerate(order)}
    known = this_value in rank
    low_known = lowest in rank
    new_lowest = this_value if known and (not low_known or rank[this_value] > rank[lowest]) else lowest
    new_gap = "yes" if gap == "yes" or not known else "no"
    if rose == "true" or (known and low_known and rank[this_value] < rank[lowest]):
        return "true", new_lowest, new_gap
    could = (not known and ((low_known and rank[lowest] > 0) or gap == "yes")) or (
        known and gap == "yes" and rank[this_value] < len(order) - 1
    )
    return ("unknown" if could or rose == "unknown" else "false"), new_lowest, new_gap


def _rise_rules(
    rise: Rise,
    facts: dict[str, FactDef],
    conclusions: dict[str, ConclusionDef],
    rules: list[Rule],
    file: str,
) -> None:
    """The fold's rules for one rise, citing the rise's authority: whether any value so far was
    unknown, the least serious known value so far, and whether the series has risen, as
    `rise_step` defines them (tests/test_series.py folds both over generated series). Each
    state is tested by equality or by one `in` of its own, within durable_rules' limits."""
    fact, low, gap = rise.fact, f"{rise.fact}.lowest", f"{rise.fact}.gap"
    levels = (*rise.order, NONE)
    words = {
        "true": "the series had already escalated",
        "unknown": "whether the series has escalated turns on a seriousness not known",
    }
    for name, values in ((fact, TRUTH), (low, levels), (gap, ("yes", "no"))):
        # A fact's `unknown` is its own (FactDef.tokens adds it): never listed among its values.
        listed = _plain(values) if name == low else (*_plain(values), NONE)
        facts[before(name)] = FactDef(
            before(name), "enum", f"{name} of the series before this communication", STAGE, values=listed
        )
        conclusions[so_far(name)] = ConclusionDef(
            so_far(name), values, f"{name} of the series up to this communication", STAGE, public=False
        )
    agg = Aggregate(fact, (), rise.source, rise.cite, rise.meaning, rise.line)
    order, by = rise.order, this(rise.by)
    top, least = order[0], order[-1]
    not_true = (NONE, "false", UNKNOWN)

    def add(rid: str, title: str, tests: list[Test], name: str, result: str) -> None:
        rules.append(_rule(agg, f"series.rise.{name}.{rid}", title, tests, so_far(name), result, file))

    def at_or_above(level: str) -> tuple[str, ...]:
        return order[: order.index(level) + 1]

    # Whether any value so far was unknown, and the least serious known value so far.
    add("unknown_here", "a communication's seriousness is unknown", [Test(by, "eq", UNKNOWN)], gap, "yes")
    add(
        "unknown_before",
        "an earlier communication's seriousness is unknown",
        [Test(before(gap), "eq", "yes")],
        gap,
        "yes",
    )
    add(
        "known",
        "every seriousness so far is known",
        [Test(before(gap), "in", (NONE, "no")), Test(by, "in", order)],
        gap,
        "no",
    )
    add(
        "none_known", "no seriousness known so far", [Test(before(low), "eq", NONE), Test(by, "eq", UNKNOWN)], low, NONE
    )
    for level in order:
        above = at_or_above(level)
        add(
            f"{level}.here",
            f"the least serious so far is {level}, this one",
            [Test(by, "eq", level), Test(before(low), "in", (*above, NONE))],
            low,
            level,
        )
        more_or_unknown = (*order[: order.index(level)], UNKNOWN)
        add(
            f"{level}.before",
            f"the least serious so far is {level}, an earlier one",
            [Test(before(low), "eq", level), Test(by, "in", more_or_unknown)],
            low,
            level,
        )
    # Whether the series has risen: a value more serious than an earlier known one, certainly;
    # where an unknown value could make a rise, unknown.
    add("already", words["true"], [Test(before(fact), "eq", "true")], fact, "true")
    for level in order[:-1]:
        lower = order[order.index(level) + 1 :]
        add(
            f"rises_to.{level}",
            f"this communication ({level}) is more serious than an earlier one",
            [Test(by, "eq", level), Test(before(low), "in", lower)],
            fact,
            "true",
        )
    for level in order:
        add(
            f"still_unknown.{level}",
            words["unknown"],
            [
                Test(before(fact), "eq", UNKNOWN),
                Test(by, "eq", level),
                Test(before(low), "in", (*at_or_above(level), NONE)),
            ],
            fact,
            UNKNOWN,
        )
        gap_known = (Test(before(gap), "in", (NONE, "no")),)
        add(
            f"no_rise.{level}",
            f"this communication ({level}) is no more serious than any earlier one",
            [
                Test(before(fact), "in", (NONE, "false")),
                Test(by, "eq", level),
                Test(before(low), "in", (*at_or_above(level), NONE)),
                *gap_known,
            ],
            fact,
            "false",
        )
    add(
        "still_unknown.unknown",
        words["unknown"],
        [Test(before(fact), "eq", UNKNOWN), Test(by, "eq", UNKNOWN)],
        fact,
        UNKNOWN,
    )
    add(
        "could_rise_above",
        "this communication's seriousness is unknown, and could be above an earlier one's",
        [Test(before(fact), "in", not_true), Test(by, "eq", UNKNOWN), Test(before(low), "in", order[1:])],
        fact,
        UNKNOWN,
    )
    add(
        "could_rise_after_unknown",
        "two communications' seriousness is unknown, and one could be above the other",
        [Test(before(fact), "in", not_true), Test(by, "eq", UNKNOWN), Test(before(gap), "eq", "yes")],
        fact,
        UNKNOWN,
    )
    for level in order[:-1]:
        add(
            f"could_rise_from_unknown.{level}",
            f"an earlier communication's seriousness is unknown, and could be below this one's ({level})",
            [
                Test(before(fact), "in", not_true),
                Test(by, "eq", level),
                Test(before(gap), "eq", "yes"),
                Test(before(low), "in", (*at_or_above(level), NONE)),
            ],
            fact,
            UNKNOWN,
        )
    add(
        "no_rise.unknown",
        "this communication's seriousness is unknown, but nothing known before it is below the most serious",
        [
            Test(before(fact), "in", (NONE, "false")),
            Test(by, "eq", UNKNOWN),
            Test(before(low), "in", (NONE, top)),
            Test(before(gap), "in", (NONE, "no")),
        ],
        fact,
        "false",
    )
    add(
        f"no_rise.{least}.after_unknown",
        f"this communication ({least}) cannot be more serious than any earlier one",
        [Test(before(fact), "in", (NONE, "false")), Test(by, "eq", least), Test(before(gap), "eq", "yes")],
        fact,
        "false",
    )


def _plain(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in values if v != UNKNOWN)


@dataclass
class SeriesResult:
    """What a series' assessment holds beside the case's own: each communication's own
    conclusions, which communication the case rests on, and how to explain any one of them.

    Each communication is kept as an assessment holding only its own conclusions (kb/series.yaml
    `communication.conclusions`), without its trace, so that a series of 10,000 needs tens of
    megabytes, not gigabytes; `of(ID)` assesses that one communication again, in full, for an
    explanation (the same facts give the same firings). `steps` holds the fold's runs only when
    asked for (`keep=True`)."""

    plan: SeriesPlan
    view: Case  # the case as its own rules read it: the series' values given
    ids: tuple[str, ...]  # the communications' ids, in canonical order
    communications: tuple[Assessment, ...]  # each communication's own conclusions, in that order
    lead: str  # the id of the lead communication
    engine: str
    steps: tuple[Assessment, ...] = ()  # the fold's runs, with keep=True
    full: tuple[Assessment, ...] = ()  # each communication's whole assessment, with keep=True
    _again: dict[str, Assessment] = field(default_factory=dict, repr=False, compare=False)

    def of(self, cid: str) -> Assessment | None:
        """One communication's whole assessment (every conclusion, and its trace)."""
        if cid not in self.ids:
            return None
        index = self.ids.index(cid)
        if self.full:
            return self.full[index]
        if cid not in self._again:
            from .api import assess

            self._again[cid] = assess(self.communications[index].case, self.plan.kb, self.engine)
        return self._again[cid]


class _StepCase:
    """The facts of one run of the fold, as a Case-like object for plain_facts."""

    def __init__(self, values: dict[str, str]):
        self._values = values

    def value(self, name: str) -> Any:
        return self._values[name]


def assess_series(case: Case, kb: KB, engine: str, get_engine: Any, compiled: Any, keep: bool = False) -> Assessment:
    """Assess every communication, fold them in date order, then assess the case. With `keep`,
    every run's assessment is kept whole (the tests compare the engines firing for firing)."""
    from .memory import plain_facts

    the_plan = plan(kb)
    main = get_engine(kb, engine)
    main_ckb: CompiledKB = compiled(kb)
    step_engine = get_engine(the_plan.step, engine)
    step_ckb = compiled(the_plan.step)
    case_engine = get_engine(the_plan.case, engine)
    case_ckb = compiled(the_plan.case)
    own = the_plan.conclusions

    per_comm: list[Assessment] = []
    full: list[Assessment] = []
    steps: list[Assessment] = []
    carried: dict[str, str] = dict.fromkeys(the_plan.carried, NONE)
    lead = ""
    for comm in case.communications:
        comm_case = case.for_communication(comm)
        records = main.run(plain_facts(kb, comm_case, main_ckb.offsets))
        assessed = Assessment.from_records(comm_case, main_ckb, main.name, records)
        per_comm.append(replace(assessed, firings=(), values={n: v for n, v in assessed.values.items() if n in own}))
        step_values: dict[str, str] = {}
        for name in the_plan.names:
            step_values[this(name)] = assessed.values[name] if name in own else token(comm_case.value(name))
        for name in the_plan.carried:
            step_values[before(name)] = carried[name]
        records = step_engine.run(plain_facts(the_plan.step, _StepCase(step_values), step_ckb.offsets))
        step = Assessment.from_records(comm_case, step_ckb, step_engine.name, records)
        if keep:
            full.append(assessed)
            steps.append(step)
        carried = {name: step.values[so_far(name)] for name in the_plan.carried}
        if step.values[LEAD] == "this":
            lead = comm.id
    # The case: its facts, the facts of one communication as the series gives them, and the
    # series' value of each conclusion of one communication.
    given = dict(case.given)
    for name in the_plan.facts:
        value = carried[name]
        if value == UNKNOWN:
            given.pop(name, None)
        else:
            given[name] = _typed(kb, name, value)
    for name in own:
        given[so_far(name)] = carried[name]
    for rise in kb.series.rises if kb.series else ():
        _give_rise(case, given, rise.fact, carried[rise.fact])
    case_view = replace(case, given=given)
    records = case_engine.run(plain_facts(the_plan.case, case_view, case_ckb.offsets))
    result = Assessment.from_records(case, case_ckb, case_engine.name, records)
    ids = tuple(c.id for c in case.communications)
    series = SeriesResult(the_plan, case_view, ids, tuple(per_comm), lead, case_engine.name, tuple(steps), tuple(full))
    return replace(result, series=series)


def _give_rise(case: Case, given: dict[str, Any], fact: str, value: str) -> None:
    """The case reads a rise as the series gives it; where the case file gives it too, they must
    agree wherever the series settles it (a series that leaves it unknown keeps the file's)."""
    if value == UNKNOWN:
        return
    derived = value == "true"
    if fact in case.given and case.given[fact] != derived:
        raise disagreement(case.source, fact, derived, case.given[fact], case.lines.get(fact))
    given[fact] = derived


def case_candidates(assessment: Assessment) -> dict[str, list[dict[str, Any]]]:
    """What each fact of the case's run could be if the facts left unknown were given: for the
    case's own facts, as for any case; for the series' values, every value any communication
    could give: each communication's possible values (engine/analysis.py), carried along the
    series through the fold's own rules. Like any possible values, these sets can only be too
    large, never too small, so a conclusion they settle is settled."""
    from .analysis import Analysis
    from .api import compiled
    from .memory import fact_dict

    result: SeriesResult = assessment.series
    the_plan = result.plan
    kb = the_plan.kb
    main = Analysis(compiled(kb))
    case_analysis = Analysis(compiled(the_plan.case))
    candidates = case_analysis.candidates(
        result.view, [n for n in kb.facts if not kb.facts[n].header and n not in result.view.given]
    )
    step = Analysis(compiled(the_plan.step))
    carried: dict[str, set[str]] = {name: {NONE} for name in the_plan.carried}
    for assessed in result.communications:
        own = main.candidates(assessed.case)
        values = main.possible_values(own)
        step_candidates: dict[str, list[dict[str, Any]]] = {}
        for name in the_plan.names:
            mine = values.get(name, set()) if name in the_plan.conclusions else {f["v"] for f in own[name]}
            step_candidates[this(name)] = [fact_dict(the_plan.step, this(name), v) for v in sorted(mine)]
        for name in the_plan.carried:
            step_candidates[before(name)] = [fact_dict(the_plan.step, before(name), v) for v in sorted(carried[name])]
        folded = step.possible_values(step_candidates)
        carried = {name: folded.get(so_far(name), set()) for name in the_plan.carried}
    possible = carried
    for name in the_plan.conclusions:
        candidates[so_far(name)] = [fact_dict(the_plan.case, so_far(name), v) for v in sorted(possible[name])]
    for name in the_plan.facts:
        candidates[name] = [fact_dict(the_plan.case, name, v) for v in sorted(possible[name])]
    for rise in kb.series.rises if kb.series else ():
        risen = set(possible[rise.fact]) - {UNKNOWN}
        if UNKNOWN in possible[rise.fact]:  # the series may leave it to the case file, or to nobody
            given = assessment.case.given.get(rise.fact)
            risen |= {token(given)} if given is not None else {"true", "false", UNKNOWN}
        candidates[rise.fact] = [fact_dict(the_plan.case, rise.fact, v) for v in sorted(risen)]
    return candidates


def provenance(assessment: Assessment, name: str) -> str:
    """Where a fact of the case's run comes from, for a series: the communication(s) whose value
    the series gives, or the list itself; '' for a fact of the case."""
    result: SeriesResult = assessment.series
    the_plan = result.plan
    series = the_plan.kb.series
    assert series is not None
    derived = {d.fact: d for d in series.derived}
    if name in derived and name not in assessment.case.given:
        return f"counted from the communications listed ({derived[name].cite})"
    for rise in series.rises:
        if name == rise.fact and name not in assessment.case.given:
            shown = ", ".join(
                f"{cid} {a.values[rise.by]}" for cid, a in zip(result.ids, result.communications, strict=True)
            )
            return f"given by the communications' {rise.by}: {shown[:300]}"
    own = name[len("series:") :] if name.startswith("series:") else name
    if own not in the_plan.conclusions and own not in the_plan.facts:
        return ""
    if not series.reading(own).order:
        return f"the lead communication's, {result.lead}"
    value = result.view.value(name)
    wanted = value if isinstance(value, str) else token(value)
    ids = [
        cid
        for cid, assessed in zip(result.ids, result.communications, strict=True)
        if (assessed.values[own] if own in the_plan.conclusions else token(assessed.case.value(own))) == wanted
    ]
    shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    return f"the highest of the communications' values, from {shown}"


def open_facts(assessment: Assessment, names: set[str]) -> set[str]:
    """The facts a question about a series could ask, among the facts `names` its case rules
    depend on: the series' values stand for the facts of one communication behind them, and a
    fact of one communication is open while any communication leaves it unknown."""
    from .analysis import Analysis
    from .api import compiled

    result: SeriesResult = assessment.series
    the_plan = result.plan
    main = Analysis(compiled(the_plan.kb))
    wanted: set[str] = set()
    for name in names:
        if name.startswith("series:"):
            wanted |= main.dependencies(name[len("series:") :])
        else:
            wanted.add(name)
    comm_facts = set(the_plan.kb.series.facts) if the_plan.kb.series else set()
    case = assessment.case
    for rise in the_plan.kb.series.rises if the_plan.kb.series else ():
        if result.view.value(rise.fact) != UNKNOWN:
            wanted.discard(rise.fact)  # the list settles it: nothing to ask
    return {
        name
        for name in wanted
        if name not in case.given
        and name not in case.derived
        and (name not in comm_facts or any(name not in c.given for c in case.communications))
    }


def _typed(kb: KB, name: str, value: str) -> Any:
    """A fact's token back as the value a case holds (true/false as booleans)."""
    if kb.facts[name].type == "bool":
        return value == "true"
    return value
