"""Choosing the next question of an interview, and knowing when to stop.

The interview aims at the conclusions of the stages kb/conclusions.yaml marks `interview: true`
(the offence, the evidential stage, the outcome), the most important stage first. After each
answer it recomputes:

- which of them are still open: more than one possible value when only the facts not yet asked
  are left open (engine/analysis.py's propagation; a fact answered "don't know" stays unknown);
- the facts that could still change them (`Analysis.relevant`): never too few, so their number
  bounds the questions still to come ("question 3 of at most 12"), and when there are none the
  interview stops and says so;
- the order: the ranking `kbcheck ask` uses (a conclusion an answer would settle counts twice, one
  it would change once, each by its weight), compared stage by stage, so a fact that can change
  the offence comes before one that can change only the outcome; then, for facts that change
  nothing on their own, how many of the open conclusions' possible values one answer narrows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from kbcheck.engine.case import Case
from kbcheck.engine.memory import fact_dict
from kbcheck.engine.model import UNKNOWN

from .explanation import UNSETTLED, Explanation


@dataclass
class Candidate:
    fact: str
    score: tuple[int, ...]
    settles: dict[str, dict[str, str]] = field(default_factory=dict)  # value -> {conclusion: value settled}
    changes: set[str] = field(default_factory=set)  # conclusions its answer could change or narrow


@dataclass
class Plan:
    """What to ask next: the candidates, best first; the interview's conclusions still open; and
    at most how many questions remain (this one included)."""

    candidates: list[Candidate]
    open: list[str]
    remaining: int


def interview_targets(kb: Any) -> list[str]:
    """The conclusions an interview asks about: the contract's plain conclusions of the stages
    marked `interview`, in the order of those stages."""
    order = {sid: n for n, sid in enumerate(kb.interview_stages)}
    names = [c for c, d in kb.conclusions.items() if d.stage in order and d.public and d.list_id is None]
    return sorted(names, key=lambda c: order[kb.conclusions[c].stage])


def plan(explanation: Explanation, case: Case, skip: set[str]) -> Plan:
    """The next question: only facts not given and not answered "don't know" (`skip`) are open."""
    kb, analysis = explanation.kb, explanation.analysis
    unasked = {n for n, f in kb.facts.items() if not f.header and f.type != "date" and n not in case.given}
    unasked -= skip
    base = analysis.candidates(case, unasked)
    before = analysis.possible_values(base)
    targets = [t for t in interview_targets(kb) if len(before.get(t, ())) > 1]
    facts = analysis.relevant(base, targets, unasked) if targets else set()
    if not facts:
        return Plan([], targets, 0)
    stages = [{t for t in targets if kb.conclusions[t].stage == s} for s in kb.interview_stages]
    asked = {q.fact: q for q in explanation.missing(targets=targets, among=facts)}
    found = []
    for name in sorted(facts):
        question = asked.get(name)
        settles: dict[str, dict[str, str]] = {}
        changes: set[str] = set()
        if question is not None:
            changes = {e.conclusion for e in question.effects}
            for effect in question.effects:
                for value, new in effect.outcomes.items():
                    if effect.settles and new not in UNSETTLED and new != effect.current:
                        settles.setdefault(value, {})[effect.conclusion] = new
        narrowed = _narrowed(explanation, base, name, targets, before)
        changes |= narrowed
        ranks = [-question.score(stage) if question else 0 for stage in stages]
        ranks += [-len(narrowed & stage) for stage in stages]
        found.append(Candidate(name, tuple(ranks), settles, changes))
    found.sort(key=lambda c: (c.score, c.fact))
    return Plan(found, targets, len(found))


def _narrowed(
    explanation: Explanation, base: dict[str, Any], name: str, targets: list[str], before: dict[str, set[str]]
) -> set[str]:
    """The targets whose possible values some one answer to this fact narrows."""
    kb, analysis = explanation.kb, explanation.analysis
    narrowed: set[str] = set()
    for value in analysis.values_of(name):
        if value == UNKNOWN:
            continue
        trial = dict(base)
        trial[name] = [fact_dict(kb, name, value, explanation.ckb.offsets.get(name, ()))]
        after = analysis.possible_values(trial, before, name)
        narrowed |= {t for t in targets if after.get(t, set()) != before[t]}
    return narrowed


def plain(kb: Any, conclusion: str) -> str:
    """A conclusion in words: its meaning (which names its source), or, for a list's member,
    the member and what the list is."""
    cdef = kb.conclusions[conclusion]
    if cdef.list_id is not None:
        return f"whether {cdef.member} is among {kb.lists[cdef.list_id].meaning}"
    return cdef.meaning


def why_text(kb: Any, candidate: Candidate, limit: int = 6, width: int = 100) -> str:
    """Why the interview asks this: the conclusions the answer can still change, in words, stage
    by stage (the contract's conclusions before single members of lists), and what each answer
    would settle; each id follows in brackets, for `kbcheck why`. Wrapped to `width` columns."""
    order = {sid: n for n, sid in enumerate(kb.stages)}

    def key(c: str) -> tuple[int, bool, str]:
        cdef = kb.conclusions[c]
        return (order.get(cdef.stage, 99), cdef.list_id is not None, c)

    def said(value: str) -> str:
        return {"true": "yes", "false": "no"}.get(value, value.replace("_", " "))

    def wrapped(text: str, indent: str, more: str) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more, break_on_hyphens=False)

    changed = sorted(candidate.changes, key=key)
    lines = ["Why ask this: the answer can still change"]
    for name in changed[:limit]:
        lines += wrapped(f"{kb.stages[kb.conclusions[name].stage]}: {plain(kb, name)} [{name}]", "  - ", "    ")
    if len(changed) > limit:
        lines.append(f"  - and {len(changed) - limit} more (kbcheck ask lists them)")
    for value, settled in candidate.settles.items():
        firsts = sorted(settled, key=key)[:3]
        shown = "; ".join(f"{plain(kb, c)}: {said(str(settled[c]))}" for c in firsts)
        more = f" (and {len(settled) - 3} more)" if len(settled) > 3 else ""
        lines += wrapped(f"Answering {said(value)} would settle {shown}{more}.", "  ", "    ")
    return "\n".join(lines)


def stop_text(kb: Any, plan: Plan) -> str:
    """Why the interview stops: nothing still to ask could change the conclusions it aims at (the
    stages named in words, from kb/conclusions.yaml)."""
    titles = [kb.stages[s][0].lower() + kb.stages[s][1:] for s in kb.interview_stages]
    named = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]
    text = f"Nothing still to ask could change the conclusions on {named}: the interview stops here."
    return "\n" + "\n".join(textwrap.wrap(text, 100))
