"""durable_rules used the documented way: the baseline the issue's targets are ratios to.

durable_rules' own Python layer (its 2.0.28 `durable.engine`, kept in third_party/durable_rules)
runs on kbcheck's build of its C engine (bench/peers/upstream.py), as it ran on PyPI's.
"Raw" means the minimal hardened use of the engine notes (../shared/engine-notes/durable_rules.md
§1.2 and §8.2): a Host without its timer threads, one `register_rulesets` of a JSON ruleset,
one-parameter action closures that record the matched facts from `c._m` and assert the
conclusion with `c.assert_fact`, one `assert_facts` per case, `get_state` for swallowed
exceptions and `delete_state` in `finally`. Nothing kbcheck-specific is tuned.

Two workloads:
- `RawDurableEngine(ckb)`: kbcheck's compiled KB, so that the ratio to kbcheck's adapter is for
  the same rules, cases and number of firings;
- `SyntheticKB`: the notes' synthetic 100-rule KB (synth.py, seeds 1 and 2: 40 integer inputs,
  chains of depth 4 to 6, 16 rules with a negation), on which the issue's "about 800 cases/s,
  25-33 µs a firing" was measured, reproduced here in the same run.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from typing import Any

from bench.peers import upstream
from kbcheck.engine.compiler import CompiledKB, Pattern
from kbcheck.engine.durable_adapter import test_terms
from kbcheck.engine.result import Record

_names = itertools.count()


def sync_host() -> Any:
    upstream.use()
    from durable import engine

    class SyncHost(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:  # no background dispatch / timer threads (notes §3.8)
            pass

    return SyncHost()


_host: Any = None


def host() -> Any:
    global _host
    if _host is None:
        _host = sync_host()
    return _host


def documented_pattern(pattern: Pattern, aliases: dict[str, str]) -> dict[str, Any]:
    """A pattern as the documentation writes one: the fact's name, then the tests on its value
    (kbcheck's adapter begins with a property of the fact's own instead, see pattern_json)."""
    terms: list[dict[str, Any]] = [{"t": pattern.name}]
    for test in pattern.tests:
        terms.extend(test_terms(test, "v", aliases))
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _sentinels() -> dict[str, Any]:
    return {
        "__open__": {"all": [{"m": {"t": "__open__"}}], "run": lambda c: None},
        "__sink__": {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}], "run": lambda c: None},
    }


class RawDurableEngine:
    """kbcheck's compiled rules on durable_rules, driven as the notes' minimal example drives it."""

    name = "raw-durable"

    def __init__(self, ckb: CompiledKB):
        upstream.use()
        from durable.engine import MessageObservedException

        self.ckb = ckb
        self._host = host()
        self._records: list[Record] = []
        self._observed = MessageObservedException
        definition = _sentinels()
        for crule in ckb.rules:
            aliases = {p.name: f"c{i}" for i, p in enumerate(crule.patterns)}
            definition[crule.name] = {
                "all": [{aliases[p.name]: documented_pattern(p, aliases)} for p in crule.patterns],
                "run": self._action(crule.index, crule.conclusion, crule.value, crule.fact_id),
            }
        self._ruleset = f"raw{next(_names)}"
        self._host.register_rulesets({self._ruleset: definition})

    def _action(self, index: int, conclusion: str, value: str, fact_id: str) -> Any:
        records, observed = self._records, self._observed

        def action(c: Any) -> None:
            records.append((index, tuple((f["t"], f["v"]) for f in c._m.values())))
            with contextlib.suppress(observed):
                c.assert_fact({"id": fact_id, "t": conclusion, "v": value})

        return action

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        self._records.clear()
        batch = [{"id": "__open__", "t": "__open__", "sid": "case"}] + [dict(f, sid="case") for f in facts]
        try:
            self._host.assert_facts(self._ruleset, batch)
            state = self._host.get_state(self._ruleset, "case")
            if state.get("exception"):
                raise RuntimeError(state["exception"])
        finally:
            self._host.delete_state(self._ruleset, "case")
        return list(self._records)


# --- The notes' synthetic KB -----------------------------------------------------------------
N_INPUTS = 40
LEVELS = (30, 20, 15, 15, 10, 10)


class SyntheticKB:
    """The notes' synthetic 100-rule KB (synth.py gen_kb / gen_cases, same seeds, same draws)."""

    def __init__(self, seed: int = 1):
        self.rules = self._generate(seed)

    @staticmethod
    def _generate(seed: int) -> list[dict[str, Any]]:
        rnd = random.Random(seed)
        rules: list[dict[str, Any]] = []
        by_level: list[list[dict[str, Any]]] = []
        rid = 0
        for lvl, n in enumerate(LEVELS, start=1):
            current = []
            for _ in range(n):
                rid += 1
                rule: dict[str, Any] = {"id": f"R{rid:03d}", "when": [], "unless": []}
                if lvl == 1:
                    for name in rnd.sample(range(N_INPUTS), rnd.choice([2, 3])):
                        rule["when"].append({"type": "input", "name": f"i{name}", "value": rnd.randint(1, 2)})
                else:
                    previous = by_level[-1]
                    k = rnd.choice([1, 2]) if len(previous) > 1 else 1
                    for p in rnd.sample(previous, k):
                        rule["when"].append({"type": "derived", "name": p["then"]["name"]})
                    if rnd.random() < 0.5:
                        rule["when"].append(
                            {"type": "input", "name": f"i{rnd.randrange(N_INPUTS)}", "value": rnd.randint(1, 2)}
                        )
                if rnd.random() < 0.15:
                    rule["unless"].append({"type": "input", "name": f"i{rnd.randrange(N_INPUTS)}", "value": 9})
                if lvl == len(LEVELS):
                    rule["then"] = {"type": "conclusion", "name": f"C{rnd.randrange(3)}"}
                else:
                    rule["then"] = {"type": "derived", "name": "D_" + rule["id"]}
                current.append(rule)
                rules.append(rule)
            by_level.append(current)
        return rules

    @staticmethod
    def cases(n: int, seed: int = 2) -> list[list[dict[str, Any]]]:
        rnd = random.Random(seed)
        return [
            [{"type": "input", "name": f"i{i}", "value": rnd.randint(0, 9)} for i in range(N_INPUTS)] for _ in range(n)
        ]


def _synthetic_pattern(cond: dict[str, Any]) -> dict[str, Any]:
    terms: list[dict[str, Any]] = [{"type": cond["type"]}, {"name": cond["name"]}]
    if "value" in cond:
        terms.append({"$gte": {"value": cond["value"]}})
    return {"$and": terms}


class RawSyntheticEngine:
    """The synthetic KB on durable_rules, as the notes measured it (negatable facts first)."""

    def __init__(self, kb: SyntheticKB):
        upstream.use()
        from durable.engine import MessageObservedException

        self._host = host()
        self._trace: list[tuple[str, dict[str, str]]] = []
        self._negatable = {(u["type"], u["name"]) for r in kb.rules for u in r["unless"]}
        definition: dict[str, Any] = {
            "__open__": {"all": [{"m": {"type": "__open__"}}], "run": lambda c: None},
            "__sink__": {"all": [{"x": {"$ex": {"type": 1}}}, {"y": {"type": "__never__"}}], "run": lambda c: None},
        }
        trace, observed = self._trace, MessageObservedException
        for rule in kb.rules:
            conditions: list[dict[str, Any]] = [{f"a{i}": _synthetic_pattern(w)} for i, w in enumerate(rule["when"])]
            conditions += [{f"n{i}$not": _synthetic_pattern(u)} for i, u in enumerate(rule["unless"])]

            def action(c: Any, rule_id: str = rule["id"], then: dict[str, Any] = rule["then"]) -> None:
                derived = dict(then, id=f"{then['type']}:{then['name']}")
                trace.append((rule_id, {a: f["id"] for a, f in c._m.items()}))
                with contextlib.suppress(observed):
                    c.assert_fact(derived)

            definition[rule["id"]] = {"all": conditions, "run": _one_parameter(action)}
        self._ruleset = f"synthetic{next(_names)}"
        self._host.register_rulesets({self._ruleset: definition})

    def run(self, case: list[dict[str, Any]]) -> int:
        """Assess one case; the number of firings."""
        self._trace.clear()
        facts = [dict(f, id=f"{f['type']}:{f['name']}", sid="case") for f in case]
        facts.sort(key=lambda f: (f["type"], f["name"]) not in self._negatable)
        facts.insert(0, {"type": "__open__", "id": "__open__", "sid": "case"})
        try:
            self._host.assert_facts(self._ruleset, facts)
            state = self._host.get_state(self._ruleset, "case")
            if state.get("exception"):
                raise RuntimeError(state["exception"])
        finally:
            self._host.delete_state(self._ruleset, "case")
        return len(self._trace)


def _one_parameter(func: Any) -> Any:
    """durable_rules treats a two-parameter function as asynchronous (notes §1.3): bind the defaults."""
    defaults = func.__defaults__

    def action(c: Any) -> None:
        func(c, *defaults)

    return action
