"""The hardened adapter over durable_rules 2.0.28 (engine notes §8.2).

durable_rules used the documented way gives wrong answers without an error and can crash the
process. The adapter drives durable_rules' C engine directly: kbcheck builds it from
third_party/durable_rules as the extension `kbcheck.engine._durable` (setup.py). The C
engine matches the facts, keeps the agenda and chooses every next action; this module asserts
the case's facts, records each firing and asserts its conclusion. What it does about each
finding of the notes:

- negation withdraws activations wrongly: no rule uses `none`; every fact of the vocabulary is
  asserted with an explicit value, `unknown` included, in one `assert_facts` call;
- the Python Host runs two background timer threads that steal actions: no Host is used, so
  there are no threads, no Closure or Promise objects, no 10-second action budget, and no
  exception inside an action is swallowed: it propagates, poisons the engine and is reported;
- `delete_state` freed an uninitialised pointer where no action ran: fixed in kbcheck's build
  (third_party/durable_rules/CHANGES.md), and the `__open__` sentinel rule, which fires once in
  every case so that an action has always run, is kept as a second guard;
- an unhandled fact makes `assert_facts` skip every action: the `__sink__` rule handles all;
- more than 1,024 live sessions crash it, and 32-bit sid hashes alias: one live session at a
  time, deleted in `finally`;
- fact ids and property names are compared by 32-bit FNV-1a hash only: the loader refuses a KB
  where any two of them collide (engine/loader.py), property names included;
- every compile leaks about 1.6 MB: the KB is compiled once per process (see engine/api.py);
- after a MemoryError or an engine error the ruleset is poisoned: the adapter refuses further
  cases, and a batch replaces its worker process.

For speed: each fact also carries its value under a property of its own (`p17`), and every
pattern begins with that property, so the C engine meets only a fact's own tests instead of
comparing every fact with every name; the JSON of true/false and enumerated facts is built once
per value; and each rule's conclusion is JSON built once.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from .compiler import CompiledKB, CompiledRule, Pattern
from .errors import EngineError
from .fnv import property_keys
from .model import Offset, Test
from .result import Record

DURABLE_RULES_VERSION = "2.0.28"  # the release third_party/durable_rules was taken from
SID = "case"
OPEN = {"id": "__open__", "t": "__open__", "sid": SID}
OBSERVED = 2  # durable_rules' code for a fact already in the session: a second justification

_names = itertools.count(1)


def _load_engine() -> Any:
    """durable_rules' C engine, built with kbcheck from third_party/durable_rules (setup.py)."""
    from . import _durable  # type: ignore[attr-defined]

    return _durable


def test_terms(test: Test, key: str, aliases: dict[str, str]) -> list[dict[str, Any]]:
    """durable_rules terms for one test on the value held under `key` (an alias's property for
    a comparison with another fact)."""
    op, operand = test.op, test.operand
    if op == "eq":
        return [{key: operand}]
    if op == "ne":
        return [{"$neq": {key: operand}}]
    if op == "in":
        return [{"$or": [{key: v} for v in operand]}]  # type: ignore[union-attr]
    if op == "not_in":
        return [{"$neq": {key: v}} for v in operand]  # type: ignore[union-attr]
    right: Any = {aliases[operand.fact]: operand.prop} if isinstance(operand, Offset) else operand
    return [{"k": 1}, {f"${op}": {"n": right}}]


def pattern_json(pattern: Pattern, key: str, aliases: dict[str, str]) -> dict[str, Any]:
    """A pattern that begins with the existence of its fact's own property, then tests its value.

    Beginning with the property's existence puts one test per name under the root of the alpha
    network (about 150), far below durable_rules' limit of 512 children under one node, above
    which compiling the ruleset never returns; beginning with `property == value` would put
    one test per name and value there (about 450). It also means no test, a not-equal one least
    of all, can match another fact."""
    terms: list[dict[str, Any]] = [{"$ex": {key: 1}}]
    for test in pattern.tests:
        terms.extend(test_terms(test, key, aliases))
    return terms[0] if len(terms) == 1 else {"$and": terms}


def root_tests(ckb: CompiledKB, keys: dict[str, str]) -> int:
    """How many distinct tests sit under the root of the alpha network (see pattern_json)."""
    return len({keys[p.name] for c in ckb.rules for p in c.patterns}) + 2  # + the sentinel and the sink


class DurableEngine:
    """Runs compiled rules as one durable_rules ruleset, one session per case."""

    name = "durable"

    def __init__(self, ckb: CompiledKB):
        self.ckb = ckb
        self._dre = _load_engine()
        used = {p.name for c in ckb.rules for p in c.patterns} | {c.conclusion for c in ckb.rules}
        self._keys = property_keys([*ckb.kb.facts, *ckb.kb.conclusions, *used])  # the loader checks these
        self._lock = threading.Lock()
        self._json: dict[tuple[str, str], str] = {}
        self.poisoned: str | None = None
        definition: dict[str, Any] = {
            "__open__": {"all": [{"m": {"t": "__open__"}}]},
            "__sink__": {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}]},
        }
        # For each engine rule: its index, the (name, alias) of each pattern for the trace, and
        # its conclusion as the JSON text asserted every time it fires.
        self._actions: dict[str, tuple[int, tuple[tuple[str, str], ...], str]] = {
            "__open__": (-1, (), ""),
            "__sink__": (-1, (), ""),
        }
        for crule in ckb.rules:
            aliases = {p.name: f"c{i}" for i, p in enumerate(crule.patterns)}
            definition[crule.name] = {
                "all": [{aliases[p.name]: pattern_json(p, self._keys[p.name], aliases)} for p in crule.patterns]
            }
            self._actions[crule.name] = (
                crule.index,
                tuple((p.name, aliases[p.name]) for p in crule.patterns),
                self._derived(crule),
            )
        self._ruleset = f"kbcheck_{ckb.kb.fingerprint}_{next(_names)}"
        self._handle = self._dre.create_ruleset(self._ruleset, json.dumps(definition))
        self._open = json.dumps(OPEN)

    def _derived(self, crule: CompiledRule) -> str:
        fact = {
            "id": crule.fact_id,
            "t": crule.conclusion,
            "v": crule.value,
            "sid": SID,
            self._keys[crule.conclusion]: crule.value,
        }
        return json.dumps(fact)

    def _fact_json(self, fact: dict[str, Any]) -> str:
        if "n" not in fact:  # true/false and enumerated facts take few values: build each once
            cached = self._json.get((fact["t"], fact["v"]))
            if cached is not None:
                return cached
        text = json.dumps(dict(fact, sid=SID, **{self._keys[fact["t"]]: fact["v"]}))
        if "n" not in fact:
            self._json[(fact["t"], fact["v"])] = text
        return text

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        if self.poisoned:
            raise EngineError(f"the engine is unusable after an earlier failure ({self.poisoned}); start a new process")
        if not self._lock.acquire(blocking=False):
            raise EngineError("the durable_rules engine runs one case at a time in a process")
        try:
            return self._run(facts)
        finally:
            self._lock.release()

    def _run(self, facts: list[dict[str, Any]]) -> list[Record]:
        dre, handle, actions = self._dre, self._handle, self._actions
        loads = json.loads
        records: list[Record] = []
        batch = "[" + ",".join([self._open, *map(self._fact_json, facts)]) + "]"
        try:
            code, state = dre.assert_facts(handle, batch)
            if code == OBSERVED:
                raise EngineError(
                    "durable_rules took two facts of this case for one (its 32-bit identity hash collided)"
                )
            if code != 0:
                raise EngineError(f"durable_rules refused the facts of this case (code {code})")
            result = dre.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                for name, matched in loads(message).items():
                    index, premises, derived = actions[name]
                    if index >= 0:
                        records.append((index, tuple([(n, matched[a]["v"]) for n, a in premises])))
                        code = dre.assert_fact(handle, derived)[0]
                        if code not in (0, OBSERVED):  # observed: a second justification, kept
                            raise EngineError(f"durable_rules refused the conclusion {derived} (code {code})")
                message = dre.complete_and_start_action(handle, state)
        except EngineError:
            self.poisoned = self.poisoned or "an engine error"
            raise
        except MemoryError as exc:
            self.poisoned = f"MemoryError {exc}"
            raise EngineError("durable_rules ran out of memory on this case") from None
        except Exception as exc:  # the engine's own error (_durable.error), or a fault in this loop
            self.poisoned = f"{type(exc).__name__}: {exc}"
            raise EngineError(f"durable_rules failed on this case: {type(exc).__name__}: {exc}") from None
        finally:
            try:
                dre.delete_state(handle, SID)
            except Exception as exc:
                self.poisoned = f"delete_state failed: {exc}"
        return records
