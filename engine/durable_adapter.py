"""The hardened adapter over durable_rules 2.0.28 (engine notes §8.2).

durable_rules used the documented way gives wrong answers without an error and can crash the
process. What this adapter does about each finding:

- negation withdraws activations wrongly: no rule uses `none`; every fact of the vocabulary is
  asserted with an explicit value, `unknown` included, in one `assert_facts` call;
- the default Host runs two background timer threads that steal actions: `SyncHost` has none;
- `delete_state` frees an uninitialised pointer where no action ran: the `__open__` sentinel rule
  fires once in every case, so deleting the session is always safe;
- an unhandled fact makes `assert_facts` skip every action: the `__sink__` rule handles all;
- exceptions inside actions are swallowed: the session's `exception` is read after every case
  and raised as an EngineError;
- a two-parameter action is silently async: actions are one-parameter closures;
- `register_rulesets` deletes `run` from the dicts it is given: a fresh definition is built;
- more than 1,024 live sessions crash it, and 32-bit sid hashes alias: one live session at a
  time, deleted in `finally`;
- every compile leaks about 1.6 MB: the KB is compiled once per process (see engine/api.py);
- after a MemoryError or an engine error the ruleset is poisoned: the adapter refuses further
  cases, and a batch replaces its worker process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .compiler import CompiledKB, CompiledRule, Pattern
from .errors import EngineError
from .model import Offset, Test
from .result import Record

SID = "case"
OPEN = {"id": "__open__", "t": "__open__", "sid": SID}

_host: Any = None
_registered: set[str] = set()


def _load_durable() -> Any:
    from durable import engine as dengine

    return dengine


def host() -> Any:
    """The process's one engine host, without durable_rules' background threads."""
    global _host
    if _host is None:
        dengine = _load_durable()

        class SyncHost(dengine.Host):  # type: ignore[misc,name-defined]
            def _run(self) -> None:  # no dispatch_ruleset / dispatch_timers Timer loops
                pass

        _host = SyncHost()
    return _host


def _test_json(test: Test, aliases: dict[str, str]) -> list[dict[str, Any]]:
    op, operand = test.op, test.operand
    if op == "eq":
        return [{"v": operand}]
    if op == "ne":
        return [{"$neq": {"v": operand}}]
    if op == "in":
        return [{"$or": [{"v": v} for v in operand]}]  # type: ignore[union-attr]
    if op == "not_in":
        return [{"$neq": {"v": v}} for v in operand]  # type: ignore[union-attr]
    if isinstance(operand, Offset):
        right: Any = {aliases[operand.fact]: operand.prop}
    else:
        right = operand
    return [{"k": 1}, {f"${op}": {"n": right}}]


def pattern_json(pattern: Pattern, aliases: dict[str, str]) -> dict[str, Any]:
    terms: list[dict[str, Any]] = [{"t": pattern.name}]
    for test in pattern.tests:
        terms.extend(_test_json(test, aliases))
    return terms[0] if len(terms) == 1 else {"$and": terms}


class DurableEngine:
    """Runs compiled rules as one durable_rules ruleset, one session per case."""

    name = "durable"

    def __init__(self, ckb: CompiledKB):
        self.ckb = ckb
        self._dengine = _load_durable()
        self._host = host()
        self._records: list[Record] = []
        self._lock = threading.Lock()
        self.poisoned: str | None = None
        definition = self._definition()
        # Ruleset names are unique per host and cannot be unregistered: a second engine for the
        # same KB (in tests) gets a name of its own.
        base = getattr(self, "_ruleset", None) or f"kbcheck_{ckb.kb.fingerprint}"
        name, n = base, 1
        while name in _registered:
            n += 1
            name = f"{base}_{n}"
        self._ruleset = name
        self._host.register_rulesets({name: definition})
        _registered.add(name)

    def _definition(self) -> dict[str, Any]:
        """A fresh ruleset definition: register_rulesets deletes `run` from what it is given."""
        definition: dict[str, Any] = {
            "__open__": {"all": [{"m": {"t": "__open__"}}], "run": _noop},
            "__sink__": {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}], "run": _noop},
        }
        for crule in self.ckb.rules:
            aliases = {p.name: f"c{i}" for i, p in enumerate(crule.patterns)}
            definition[crule.name] = {
                "all": [{aliases[p.name]: pattern_json(p, aliases)} for p in crule.patterns],
                "run": self._action(crule, tuple(aliases[p.name] for p in crule.patterns)),
            }
        return definition

    def _action(self, crule: CompiledRule, aliases: tuple[str, ...]) -> Callable[[Any], None]:
        records = self._records
        index = crule.index
        derived = {"id": crule.fact_id, "t": crule.conclusion, "v": crule.value}
        observed = self._dengine.MessageObservedException

        def action(c: Any) -> None:  # exactly one parameter: two would make it async
            matched = c._m
            records.append((index, tuple((matched[a]["t"], matched[a]["v"]) for a in aliases)))
            try:  # noqa: SIM105 (contextlib.suppress costs more on this hot path)
                c.assert_fact(dict(derived))
            except observed:
                pass  # already concluded by another rule: this firing is a second justification

        return action

    def run(self, facts: list[dict[str, Any]]) -> list[Record]:
        if self.poisoned:
            raise EngineError(f"the engine is unusable after an earlier failure ({self.poisoned}); start a new process")
        if not self._lock.acquire(blocking=False):
            raise EngineError("the durable_rules engine runs one case at a time in a process")
        try:
            self._records.clear()
            batch = [dict(OPEN)] + [dict(fact, sid=SID) for fact in facts]
            try:
                self._host.assert_facts(self._ruleset, batch)
                state = self._host.get_state(self._ruleset, SID)
            except MemoryError as exc:
                self.poisoned = f"MemoryError {exc}"
                raise EngineError("durable_rules ran out of memory on this case") from None
            except self._dengine.MessageObservedException:
                raise EngineError(
                    "durable_rules took two facts of this case for one (its 32-bit identity hash collided)"
                ) from None
            except Exception as exc:  # durable_rules_engine.error and the like
                self.poisoned = f"{type(exc).__name__}: {exc}"
                raise EngineError(f"durable_rules failed on this case: {type(exc).__name__}: {exc}") from None
            finally:
                try:
                    self._host.delete_state(self._ruleset, SID)
                except Exception as exc:
                    self.poisoned = f"delete_state failed: {exc}"
            if state.get("exception"):
                raise EngineError(f"a rule action failed inside durable_rules: {state['exception']}")
            return list(self._records)
        finally:
            self._lock.release()


def _noop(c: Any) -> None:
    pass
