"""Choosing the next question of an interview: the fact whose answer can settle the most.

For each fact not yet answered, each of its values is tried in the possible-values
propagation (engine/analysis.py): a value that leaves a provisional conclusion with one
possible value settles it. The fact that can settle the most (the contract's conclusions
weighing more than single members of lists) is asked first; a fact that can change nothing is
never asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kbcheck.engine.case import Case
from kbcheck.engine.memory import fact_dict
from kbcheck.engine.model import UNKNOWN

from .explanation import Explanation


@dataclass
class Candidate:
    fact: str
    score: tuple[int, int]
    settles: dict[str, dict[str, str]] = field(default_factory=dict)  # value -> {conclusion: value settled}
    changes: set[str] = field(default_factory=set)  # conclusions whose possible values it narrows


def provisional(explanation: Explanation) -> list[str]:
    """Every conclusion (list members included) that a fact not given could still change."""
    kb = explanation.kb
    names = [c for c, d in kb.conclusions.items() if d.public or d.list_id is not None]
    return [n for n in names if len(explanation.possible.get(n, ())) > 1]


def candidates(explanation: Explanation, case: Case, skip: set[str]) -> list[Candidate]:
    analysis = explanation.analysis
    kb = explanation.kb
    targets = provisional(explanation)
    if not targets:
        return []
    base = analysis.candidates(case)
    before = {t: explanation.possible.get(t, set()) for t in targets}
    weights = {t: 1 if kb.conclusions[t].list_id else 3 for t in targets}
    found = []
    for name, fdef in kb.facts.items():
        if fdef.header or name in case.given or name in skip:
            continue
        settles: dict[str, dict[str, str]] = {}
        changes: set[str] = set()
        best = 0
        for value in analysis.values_of(name):
            if value == UNKNOWN:
                continue
            trial = dict(base)
            trial[name] = [fact_dict(kb, name, value, explanation.ckb.offsets.get(name, ()))]
            after = analysis.possible_values(trial)
            settled = {t: next(iter(after[t])) for t in targets if len(after.get(t, ())) == 1}
            changes |= {t for t in targets if after.get(t, set()) != before[t]}
            if settled:
                settles[_text(value)] = settled
            best = max(best, sum(weights[t] for t in settled))
        if changes:
            found.append(Candidate(name, (best, sum(weights[t] for t in changes)), settles, changes))
    found.sort(key=lambda c: (-c.score[0], -c.score[1], c.fact))
    return found


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def plain(kb: Any, conclusion: str) -> str:
    """A conclusion in words: its meaning (which names its source), or, for a list's member,
    the member and what the list is."""
    cdef = kb.conclusions[conclusion]
    if cdef.list_id is not None:
        return f"whether {cdef.member} is among {kb.lists[cdef.list_id].meaning}"
    return cdef.meaning


def why_text(kb: Any, candidate: Candidate, limit: int = 6) -> str:
    """Why the interview asks this: the conclusions the answer can still change, in words, stage
    by stage (the contract's conclusions before single members of lists), and what each answer
    would settle; each id follows in brackets, for `kbcheck why`."""
    order = {sid: n for n, sid in enumerate(kb.stages)}

    def key(c: str) -> tuple[int, bool, str]:
        cdef = kb.conclusions[c]
        return (order.get(cdef.stage, 99), cdef.list_id is not None, c)

    def said(value: str) -> str:
        return {"true": "yes", "false": "no"}.get(value, value.replace("_", " "))

    changed = sorted(candidate.changes, key=key)
    lines = ["Why ask this: the answer can still change"]
    for name in changed[:limit]:
        lines.append(f"  - {kb.stages[kb.conclusions[name].stage]}: {plain(kb, name)} [{name}]")
    if len(changed) > limit:
        lines.append(f"  - and {len(changed) - limit} more (kbcheck ask lists them)")
    for value, settled in candidate.settles.items():
        firsts = sorted(settled, key=key)[:3]
        shown = "; ".join(f"{plain(kb, c)}: {said(str(settled[c]))}" for c in firsts)
        more = f" (and {len(settled) - 3} more)" if len(settled) > 3 else ""
        lines.append(f"  Answering {said(value)} would settle {shown}{more}.")
    return "\n".join(lines)
