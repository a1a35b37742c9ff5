"""What an assessment produces: the firings (the trace) and the conclusions they justify."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .case import Case
from .compiler import CompiledKB
from .errors import EngineError
from .model import KB, Rule

# The version of the JSON that `assess --json` and the other commands print (docs/case-format.md):
# 1 was the first contract, without the key; 2.0 adds the decision dates, the new facts, conclusions
# and values of the charging decision, and this key; 2.3 a case given as a list of communications.
SCHEMA_VERSION = "2.3"

# One firing as an engine records it, inside the action: the engine rule's index and the
# (name, value) of each fact or conclusion it matched, in the order of its patterns.
Record = tuple[int, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Firing:
    step: int
    rule: Rule
    name: str  # the engine rule: the rule id, or id#k for the k-th alternative of its conditions
    premises: tuple[tuple[str, str], ...]
    conclusion: str
    value: str

    @property
    def concludes(self) -> str:
        return f"{self.conclusion}={self.value}"

    def premise_ids(self) -> list[str]:
        return [f"{name}={value}" for name, value in self.premises]


def typed(kb: KB, conclusion: str, value: str) -> Any:
    """A value token as JSON shows it: booleans, numbers and null as such, the rest as text."""
    cdef = kb.conclusions.get(conclusion)
    if value == "null":
        return None
    if cdef is not None and cdef.type == "bool" and value in ("true", "false"):
        return value == "true"
    if cdef is not None and cdef.type == "number" and value.lstrip("-").isdigit():
        return int(value)
    return value


@dataclass(frozen=True)
class Assessment:
    case: Case
    kb: KB
    engine: str
    firings: tuple[Firing, ...]
    values: dict[str, str]  # every conclusion, members of lists included, as value tokens
    series: Any = None  # for a case of several communications: engine.series.SeriesResult

    @classmethod
    def from_records(cls, case: Case, ckb: CompiledKB, engine: str, records: list[Record]) -> Assessment:
        """The trace as Firings, and each conclusion's one value; two values, or none, is an error."""
        rules = ckb.rules
        values: dict[str, str] = {}
        firings: list[Firing] = []
        append = firings.append
        for step, (index, premises) in enumerate(records, start=1):
            crule = rules[index]
            conclusion, value = crule.conclusion, crule.value
            append(Firing(step, crule.rule, crule.name, premises, conclusion, value))
            previous = values.setdefault(conclusion, value)
            if previous != value:
                first = next(f.rule.id for f in firings if f.conclusion == conclusion)
                raise EngineError(
                    f"{case.source}: the knowledge base gives '{conclusion}' two values: "
                    f"{previous} (rule {first}) and {value} (rule {crule.rule.id})"
                )
        if len(values) != len(ckb.kb.conclusions):
            missing = [c for c in ckb.kb.conclusions if c not in values]
            raise EngineError(f"{case.source}: the knowledge base gives no value to: {', '.join(missing)}")
        return cls(case, ckb.kb, engine, tuple(firings), values)

    def value(self, conclusion: str) -> Any:
        """A conclusion's value as JSON shows it; a list conclusion as its sorted members."""
        ldef = self.kb.lists.get(conclusion)
        if ldef is not None:
            return sorted(m for m in ldef.members if self.values[ldef.member_id(m)] == "yes")
        return typed(self.kb, conclusion, self.values[conclusion])

    def conclusions(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.kb.public_conclusions()}

    def justifications(self, conclusion: str) -> list[Firing]:
        """The firings that concluded this conclusion (for a list: those of its members)."""
        ldef = self.kb.lists.get(conclusion)
        if ldef is not None:
            members = {ldef.member_id(m) for m in ldef.members}
            return [f for f in self.firings if f.conclusion in members and f.value == "yes"]
        return [f for f in self.firings if f.conclusion == conclusion]

    def qualifier(self, name: str) -> str:
        """How a conclusion is known, where the KB says another conclusion tells it (for example
        'relies_on_inference' for an offence made out on an inferred purpose); '' otherwise."""
        cdef = self.kb.conclusions.get(name)
        if cdef is None or cdef.qualified_by is None:
            return ""
        value = self.values.get(cdef.qualified_by, "")
        return "" if value in ("", "not_applicable") else value

    def trace_json(self) -> list[dict[str, Any]]:
        return [
            {
                "step": f.step,
                "rule": f.rule.id,
                "title": f.rule.title,
                "citation": self.kb.citation(f.rule),
                "url": self.kb.url_of(f.rule),
                "premises": f.premise_ids(),
                "concludes": f.concludes,
            }
            for f in self.firings
        ]

    def trace_text(self) -> RawJSON:
        """The trace as JSON text, exactly `json.dumps(self.trace_json(), ensure_ascii=False,
        separators=(",", ":"))`, but put together from pieces encoded once per KB (each rule's
        id, title, citation and url; each fact or conclusion with its value), not from a dict a
        firing: a case has a few hundred firings, and in `kbcheck batch` building and encoding
        them cost as much again as the engine run."""
        pieces = _pieces(self.kb)
        around, token = pieces.around, pieces.tokens.__getitem__
        parts: list[str] = []
        append = parts.append
        for f in self.firings:
            head, tail = around[f]
            append(f'{{"step":{f.step},{head}[{",".join(map(token, f.premises))}{tail}')
        return RawJSON("[" + ",".join(parts) + "]")

    def compact_trace_text(self) -> RawJSON:
        """The compact trace (docs/json.md, `kbcheck batch --trace compact`) as JSON text: the
        n-th item is step n, `{"rule": id, "premises": [...], "concludes": "name=value"}`, each
        premise the step that concluded it (a number) or, for a fact of the case, "name=value".
        A rule's title, citation and url are left to `kbcheck rules --json`, once, rather than
        repeated in every firing of every case: the line is about a third of the full one."""
        pieces = _pieces(self.kb)
        tokens, ids = pieces.tokens, pieces.ids
        by_conclusion: dict[tuple[str, str], str] = {}  # name=value -> the step that first concluded it
        parts = []
        for f in self.firings:
            premises = ",".join([by_conclusion.get(p) or tokens[p] for p in f.premises])
            concluded = (f.conclusion, f.value)
            by_conclusion.setdefault(concluded, str(f.step))
            parts.append(f'{{"rule":{ids[f.rule.id]},"premises":[{premises}],"concludes":{tokens[concluded]}}}')
        return RawJSON("[" + ",".join(parts) + "]")

    def to_json(self, trace_text: bool = False, compact: bool = False) -> dict[str, Any]:
        """The contract's JSON (docs/case-format.md §3), with kbcheck's additions after it. With
        `trace_text`, the trace is already JSON text (RawJSON) for `dumps` to write as it is;
        `compact` gives the compact trace instead (as text), after `"trace_format": "compact"`."""
        kb, values = self.kb, self.values
        derived = {c: typed(kb, c, values[c]) for c in _pieces(kb).derived if c in values}
        return {
            "schema_version": SCHEMA_VERSION,
            "case": self.case.id,
            "offence_date": self.case.offence_date.isoformat(),
            "assessment_date": self.case.assessment_date.isoformat(),
            "charge_date": self.case.charge_date.isoformat(),
            "conviction_date": self.case.conviction_date.isoformat(),
            "jurisdiction": self.case.jurisdiction,
            "conclusions": self.conclusions(),
            "derived": derived,
            **(self.series_json() if self.series is not None else {}),
            **({"trace_format": "compact"} if compact else {}),
            "trace": self.compact_trace_text() if compact else self.trace_text() if trace_text else self.trace_json(),
            "engine": self.engine,
            "kb": self.series.plan.kb.fingerprint if self.series is not None else self.kb.fingerprint,
        }

    def communication_json(self) -> dict[str, Any]:
        """One communication's own conclusions (kb/series.yaml `communication.conclusions`), for
        an assessment of one communication of a series: public ones under `conclusions` (a list
        holds its members of one communication), the others under `derived`."""
        kb, values, series = self.kb, self.values, self.kb.series
        assert series is not None
        mine = set(series.conclusions)
        public: dict[str, Any] = {}
        hidden: dict[str, Any] = {}
        for name in series.conclusions:
            cdef = kb.conclusions[name]
            if cdef.list_id is None:
                (public if cdef.public else hidden)[name] = typed(kb, name, values[name])
        for lid, ldef in kb.lists.items():
            members = [m for m in ldef.members if ldef.member_id(m) in mine]
            if members:
                public[lid] = sorted(m for m in members if values[ldef.member_id(m)] == "yes")
        return {"conclusions": dict(sorted(public.items())), "derived": dict(sorted(hidden.items()))}

    def series_json(self) -> dict[str, Any]:
        """For a case of several communications: each communication with its own conclusions,
        and the series (docs/case-format.md §3.4)."""
        series, case = self.series, self.case
        items = []
        for comm, assessed in zip(case.communications, series.communications, strict=True):
            item: dict[str, Any] = {"id": comm.id, "date": comm.date.isoformat()}
            if comm.time:
                item["time"] = comm.time
            item["lead"] = comm.id == series.lead
            item.update(assessed.communication_json())
            items.append(item)
        return {"communications": items, "series": self.series_summary()}

    def series_summary(self) -> dict[str, Any]:
        """The series as the JSON's `series` gives it: how many communications, the counts and
        rises the list gives, its first and last dates, and the lead communication."""
        series, case = self.series, self.case
        return {
            "communications": len(case.communications),
            **{d.fact: case.derived[d.fact] for d in series.plan.kb.series.derived if d.fact in case.derived},
            "first": case.communications[0].date.isoformat(),
            "last": case.communications[-1].date.isoformat(),
            "lead": series.lead,
            **{r.fact: typed_fact(series.view.value(r.fact)) for r in series.plan.kb.series.rises},
        }


def typed_fact(value: Any) -> Any:
    """A fact's value as JSON shows it: true or false, or the word `unknown`."""
    return value if isinstance(value, bool) else str(value)


class RawJSON(str):
    """Text that is already JSON, written as it is by `dumps` (not as a JSON string)."""


def dumps(data: dict[str, Any]) -> str:
    """`json.dumps(data, ensure_ascii=False, separators=(",", ":"))`, with each top-level value
    that is RawJSON written as it is: the same text, without encoding a long trace again."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if not any(isinstance(value, RawJSON) for value in data.values()):
        return encode(data)
    return (
        "{"
        + ",".join(
            f"{encode(key)}:{value if isinstance(value, RawJSON) else encode(value)}" for key, value in data.items()
        )
        + "}"
    )


class _Encoded(dict):  # type: ignore[type-arg]
    """A dict that encodes what it is asked for the first time, with `encode(key)`, and keeps it."""

    def __init__(self, encode: Callable[[Any], str]) -> None:
        super().__init__()
        self.encode = encode

    def __missing__(self, key: Any) -> str:
        text = self[key] = self.encode(key)
        return text


class _ByName(dict):  # type: ignore[type-arg]
    """Pieces kept by a firing's engine rule name, made from the first firing of that rule."""

    def __init__(self, make: Callable[[Firing], tuple[str, str]]) -> None:
        super().__init__()
        self.make = make

    def __getitem__(self, firing: Firing) -> tuple[str, str]:
        found = self.get(firing.name)
        if found is None:
            found = self[firing.name] = self.make(firing)
        return found  # type: ignore[no-any-return]


class _Pieces:
    """The JSON text of what firings repeat, encoded once per KB and kept (see trace_text):
    `rules[rule id]` is '"rule":...,"title":...,"citation":...,"url":...,"premises":' of a rule's
    firings, `ids[rule id]` the id, `tokens[(name, value)]` the string "name=value"."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        encode = json.JSONEncoder(ensure_ascii=False).encode
        self.ids = _Encoded(encode)
        self.tokens = _Encoded(lambda pair: encode(f"{pair[0]}={pair[1]}"))
        # The conclusions `derived` shows (not public), sorted: every assessment gives each a value.
        self.derived = sorted(c for c, cdef in kb.conclusions.items() if not cdef.public)
        by_id = {rule.id: rule for rule in kb.rules}
        # By engine rule (a firing's name): the text before its premises and the text after them.
        self.around = _ByName(
            lambda f: (self.rules[f.rule.id], f'],"concludes":{self.tokens[(f.conclusion, f.value)]}}}')
        )
        self.rules = _Encoded(
            lambda rule_id: (
                f'"rule":{encode(rule_id)},"title":{encode(by_id[rule_id].title)},'
                f'"citation":{encode(kb.citation(by_id[rule_id]))},"url":{encode(kb.url_of(by_id[rule_id]))},'
                '"premises":'
            )
        )


_pieces_by_kb: dict[str, _Pieces] = {}


def _pieces(kb: KB) -> _Pieces:
    pieces = _pieces_by_kb.get(kb.fingerprint)
    if pieces is None or pieces.kb is not kb:
        pieces = _pieces_by_kb[kb.fingerprint] = _Pieces(kb)
    return pieces
