"""Load and validate the knowledge base in kb/.

The loader is strict, as OpenFisca's is: an unknown or duplicate key, a duplicate id, a fact
that is not in the vocabulary, a value outside a fact's type, a bad date or a conclusion that no
rule produces is refused, and every problem is reported as `file:line: rule-id: problem`, all
of them in one pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from . import fnv
from .dates import parse_date
from .errors import InputError, KBError, KBErrors
from .model import (
    CONFIDENCE,
    KB,
    ORDER_OPS,
    SOURCE_KINDS,
    UNKNOWN,
    All,
    AnyOf,
    Authority,
    ConclusionDef,
    Condition,
    Constraint,
    FactDef,
    ListDef,
    Offset,
    Rule,
    Source,
    Test,
)
from .yamlio import LDict, LList, load_file

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*\Z")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
CONCLUSION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\Z")
MEMBER_RE = re.compile(r"^[a-z0-9][a-z0-9_.]*\Z")

RULE_KEYS = {
    "id",
    "title",
    "source",
    "cite",
    "url",
    "text",
    "valid",
    "when",
    "then",
    "defeats",
    "confidence",
    "notes",
    "seed",
    "authorities",
}
RULE_REQUIRED = ("id", "title", "source", "cite", "when", "then")
FACT_KEYS = {"name", "type", "values", "meaning", "group", "min", "max", "header", "question"}
FACT_TYPES = ("bool", "enum", "int", "date")
CONCLUSION_KEYS = {"id", "values", "meaning", "stage", "type", "public", "qualified_by", "ask_weight"}
LIST_KEYS = {"id", "members", "meaning", "stage", "values"}
SOURCE_KEYS = {"id", "title", "kind", "url", "short"}
OP_ALIASES = {
    "is": "eq",
    "not": "ne",
    "in": "in",
    "not_in": "not_in",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
}
SPECIAL_FILES = ("sources.yaml", "vocab.yaml", "conclusions.yaml", "series.yaml")
MAX_CONDITIONS = 16  # durable_rules joins at most 16 facts in one rule (MAX_MESSAGE_FRAMES)


def default_kb_dir() -> Path:
    """kb/ beside engine/, in a source checkout and in an installed wheel alike."""
    override = os.environ.get("KBCHECK_KB")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "kb"


def token(value: Any) -> str:
    """The engine's text form of a value: true, false, 6, null, met."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _yes_no_hint(value: Any, allowed: tuple[str, ...]) -> str:
    if isinstance(value, bool) and ("yes" in allowed or "no" in allowed):
        return "; YAML reads yes and no as true and false: quote them"
    return ""


class _Collector:
    """Collects problems so the author sees them all at once."""

    def __init__(self, root: Path):
        self.root = root
        self.errors: list[KBError] = []
        self.broken_sources = False  # sources.yaml did not load: do not report every citation

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int | None, subject: str | None, problem: str) -> None:
        self.errors.append(KBError(self.label(path), problem, line=line, field=subject))


def _check_keys(
    c: _Collector, path: Path, node: LDict, allowed: set[str], subject: str | None, required: tuple[str, ...] = ()
) -> bool:
    ok = True
    for key in node:
        if key not in allowed:
            c.add(
                path, node.line_of(key), subject, f"unknown key '{key}' (expected one of: {', '.join(sorted(allowed))})"
            )
            ok = False
    for key in required:
        if key not in node:
            c.add(path, node.line, subject, f"missing key '{key}'")
            ok = False
    return ok


def _text(c: _Collector, path: Path, node: LDict, key: str, subject: str | None, required: bool = True) -> str:
    value = node.get(key)
    if value is None:
        if required:
            c.add(path, node.line_of(key), subject, f"'{key}' must be given")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        c.add(path, node.line_of(key), subject, f"'{key}' must be non-empty text")
        return ""
    return value.strip()


def _date(c: _Collector, path: Path, line: int | None, subject: str | None, what: str, value: Any) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        c.add(path, line, subject, f"{what}: {exc}")
        return None


def _load(c: _Collector, path: Path) -> Any:
    try:
        return load_file(path, c.label(path))
    except InputError as exc:
        c.errors.append(KBError(exc.file, exc.problem, line=exc.line))
        return None


def _load_sources(c: _Collector, path: Path) -> dict[str, Source]:
    data = _load(c, path)
    sources: dict[str, Source] = {}
    if data is None:
        return sources
    if not isinstance(data, LList):
        c.add(path, None, None, "expected a list of sources")
        return sources
    for node in data:
        if not isinstance(node, LDict):
            c.add(path, getattr(data, "line", None), None, "each source must be a mapping")
            continue
        sid = node.get("id") if isinstance(node.get("id"), str) else None
        _check_keys(c, path, node, SOURCE_KEYS, sid, ("id", "title", "kind", "url", "short"))
        if sid is None:
            continue
        if not ID_RE.match(sid):
            c.add(path, node.line_of("id"), sid, "a source id must be lower-case letters, digits, '_', '.', '-'")
        if sid in sources:
            c.add(path, node.line_of("id"), sid, "duplicate source id")
        kind = node.get("kind")
        if kind not in SOURCE_KINDS:
            c.add(path, node.line_of("kind"), sid, f"kind must be one of {', '.join(SOURCE_KINDS)}")
        url = _text(c, path, node, "url", sid)
        if url and not url.startswith("https://"):
            c.add(path, node.line_of("url"), sid, "url must start with https://")
        sources[sid] = Source(
            sid, _text(c, path, node, "title", sid), str(kind), url, _text(c, path, node, "short", sid)
        )
    return sources


def _load_vocab(c: _Collector, path: Path) -> tuple[dict[str, FactDef], dict[str, str], LList | None]:
    data = _load(c, path)
    facts: dict[str, FactDef] = {}
    groups: dict[str, str] = {}
    if data is None:
        return facts, groups, None
    if not isinstance(data, LDict):
        c.add(path, None, None, "expected a mapping with 'groups', 'facts' and 'constraints'")
        return facts, groups, None
    _check_keys(c, path, data, {"groups", "facts", "constraints"}, None, ("groups", "facts"))
    for node in data.get("groups") or []:
        if isinstance(node, LDict) and _check_keys(c, path, node, {"id", "title"}, None, ("id", "title")):
            groups[str(node["id"])] = str(node["title"])
    for node in data.get("facts") or []:
        if not isinstance(node, LDict):
            c.add(path, data.line_of("facts"), None, "each fact must be a mapping")
            continue
        name = node.get("name") if isinstance(node.get("name"), str) else None
        _check_keys(c, path, node, FACT_KEYS, name, ("name", "type", "meaning", "group"))
        if name is None:
            continue
        if not NAME_RE.match(name):
            c.add(path, node.line_of("name"), name, "a fact name must be lower-case letters, digits and '_'")
        if name in facts:
            c.add(path, node.line_of("name"), name, "duplicate fact")
        ftype = node.get("type")
        if ftype not in FACT_TYPES:
            c.add(path, node.line_of("type"), name, f"type must be one of {', '.join(FACT_TYPES)}")
            continue
        values: tuple[str, ...] = ()
        if ftype == "enum":
            raw = node.get("values")
            if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
                c.add(path, node.line_of("values"), name, "an enum needs a list of text values")
            else:
                values = tuple(raw)
                if len(set(values)) != len(values) or UNKNOWN in values:
                    c.add(path, node.line_of("values"), name, "enum values must be distinct and not 'unknown'")
        elif "values" in node:
            c.add(path, node.line_of("values"), name, "only an enum has values")
        group = str(node.get("group"))
        if group not in groups:
            c.add(path, node.line_of("group"), name, f"unknown group '{group}'")
        minimum, maximum = node.get("min"), node.get("max")
        for key, bound in (("min", minimum), ("max", maximum)):
            if bound is not None and (ftype != "int" or not isinstance(bound, int) or isinstance(bound, bool)):
                c.add(path, node.line_of(key), name, f"'{key}' is a whole number, for int facts only")
        facts[name] = FactDef(
            name=name,
            type=ftype,
            meaning=_text(c, path, node, "meaning", name),
            group=group,
            values=values,
            minimum=minimum if isinstance(minimum, int) else None,
            maximum=maximum if isinstance(maximum, int) else None,
            header=node.get("header") is True,
            question=_text(c, path, node, "question", name, False),
        )
    constraints = data.get("constraints")
    return facts, groups, constraints if isinstance(constraints, LList) else None


def _load_conclusions(
    c: _Collector, path: Path
) -> tuple[dict[str, ConclusionDef], dict[str, ListDef], dict[str, str], dict[str, int], list[str]]:
    data = _load(c, path)
    conclusions: dict[str, ConclusionDef] = {}
    lists: dict[str, ListDef] = {}
    stages: dict[str, str] = {}
    lines: dict[str, int] = {}
    interview: list[str] = []  # the stages whose conclusions an interview asks about
    if data is None:
        return conclusions, lists, stages, lines, interview
    if not isinstance(data, LDict):
        c.add(path, None, None, "expected a mapping with 'stages', 'conclusions' and 'lists'")
        return conclusions, lists, stages, lines, interview
    _check_keys(c, path, data, {"stages", "conclusions", "lists"}, None, ("stages", "conclusions"))
    for node in data.get("stages") or []:
        if isinstance(node, LDict) and _check_keys(c, path, node, {"id", "title", "interview"}, None, ("id", "title")):
            stages[str(node["id"])] = str(node["title"])
            if node.get("interview", False) not in (True, False):
                c.add(path, node.line_of("interview"), str(node["id"]), "interview must be true or false")
            elif node.get("interview"):
                interview.append(str(node["id"]))

    def stage_of(node: LDict, cid: str) -> str:
        stage = str(node.get("stage"))
        if stage not in stages:
            c.add(path, node.line_of("stage"), cid, f"unknown stage '{stage}'")
        return stage

    for node in data.get("conclusions") or []:
        if not isinstance(node, LDict):
            c.add(path, data.line_of("conclusions"), None, "each conclusion must be a mapping")
            continue
        cid = node.get("id") if isinstance(node.get("id"), str) else None
        _check_keys(c, path, node, CONCLUSION_KEYS, cid, ("id", "values", "meaning", "stage"))
        if cid is None:
            continue
        if not CONCLUSION_RE.match(cid):
            c.add(path, node.line_of("id"), cid, "a conclusion id is dotted lower-case words, e.g. element.content")
        if cid in conclusions:
            c.add(path, node.line_of("id"), cid, "duplicate conclusion")
        ctype = node.get("type", "enum")
        if ctype not in ("enum", "bool", "number"):
            c.add(path, node.line_of("type"), cid, "type must be enum, bool or number")
        raw = node.get("values")
        if not isinstance(raw, list) or not raw:
            c.add(path, node.line_of("values"), cid, "values must be a non-empty list")
            raw = []
        values = tuple(token(v) for v in raw)
        if len(set(values)) != len(values):
            c.add(path, node.line_of("values"), cid, "values must be distinct")
        weight = node.get("ask_weight")
        if weight is not None and (isinstance(weight, bool) or weight not in (1, 2, 3)):
            c.add(path, node.line_of("ask_weight"), cid, "ask_weight must be 1, 2 or 3")
            weight = None
        conclusions[cid] = ConclusionDef(
            id=cid,
            values=values,
            meaning=_text(c, path, node, "meaning", cid),
            stage=stage_of(node, cid),
            type=str(ctype),
            public=node.get("public", True) is not False,
            qualified_by=str(node["qualified_by"]) if node.get("qualified_by") else None,
            ask_weight=weight,
        )
        lines[cid] = node.line or 0
    for cid, cdef in conclusions.items():
        if cdef.qualified_by is not None and cdef.qualified_by not in conclusions:
            c.add(path, lines.get(cid), cid, f"qualified_by names '{cdef.qualified_by}', which is not a conclusion")
    for node in data.get("lists") or []:
        if not isinstance(node, LDict):
            c.add(path, data.line_of("lists"), None, "each list must be a mapping")
            continue
        lid = node.get("id") if isinstance(node.get("id"), str) else None
        _check_keys(c, path, node, LIST_KEYS, lid, ("id", "members", "meaning", "stage"))
        if lid is None:
            continue
        if lid in conclusions or lid in lists:
            c.add(path, node.line_of("id"), lid, "duplicate conclusion")
        members = node.get("members")
        if not isinstance(members, list) or not all(isinstance(m, str) and MEMBER_RE.match(m) for m in members):
            c.add(path, node.line_of("members"), lid, "members must be a list of lower-case ids")
            members = []
        if len(set(members)) != len(members):
            c.add(path, node.line_of("members"), lid, "members must be distinct")
        stage = stage_of(node, lid)
        meaning = _text(c, path, node, "meaning", lid)
        member_values: tuple[str, ...] = ("yes", "no", UNKNOWN)
        if "values" in node:
            raw_values = node["values"]
            if not isinstance(raw_values, list) or "yes" not in raw_values or not set(raw_values) <= set(member_values):
                c.add(path, node.line_of("values"), lid, "a list's member values are yes, no and (optionally) unknown")
            else:
                member_values = tuple(v for v in member_values if v in raw_values)
        ldef = ListDef(lid, tuple(members), meaning, stage)
        lists[lid] = ldef
        lines[lid] = node.line or 0
        for member in members:
            mid = ldef.member_id(member)
            conclusions[mid] = ConclusionDef(
                id=mid,
                values=member_values,
                meaning=f"{member} is among {lid}",
                stage=stage,
                type="member",
                public=False,
                list_id=lid,
                member=member,
            )
            lines[mid] = node.line_of("members") or 0
    return conclusions, lists, stages, lines, interview


class _ConditionParser:
    """Turns the YAML of `when:` into Test / All / AnyOf, checking every name and value."""

    def __init__(self, c: _Collector, facts: dict[str, FactDef], conclusions: dict[str, ConclusionDef]):
        self.c = c
        self.facts = facts
        self.conclusions = conclusions
        self.referenced: dict[str, tuple[Path, int | None, str]] = {}

    def parse_all(self, path: Path, node: Any, subject: str, line: int | None) -> All:
        if not isinstance(node, list):
            self.c.add(path, line, subject, "'when' must be a list of conditions (all must hold)")
            return All(())
        items = []
        for i, item in enumerate(node):
            item_line = node.line_of(i) if isinstance(node, LList) else line
            parsed = self.parse_item(path, item, subject, item_line)
            if parsed is not None:
                items.append(parsed)
        return All(tuple(items))

    def parse_item(self, path: Path, item: Any, subject: str, line: int | None) -> Condition | None:
        if not isinstance(item, LDict) or len(item) != 1:
            self.c.add(
                path, line, subject, "each condition is a mapping with one key: a fact, a conclusion, 'any' or 'all'"
            )
            return None
        ((key, spec),) = item.items()
        line = item.line_of(key)
        if key in ("any", "all"):
            if not isinstance(spec, list) or len(spec) < 1:
                self.c.add(path, line, subject, f"'{key}' needs a list of conditions")
                return None
            parsed = [
                self.parse_item(path, sub, subject, spec.line_of(i) if isinstance(spec, LList) else line)
                for i, sub in enumerate(spec)
            ]
            items = tuple(p for p in parsed if p is not None)
            return AnyOf(items) if key == "any" else All(items)
        return self.parse_test(path, key, spec, subject, line)

    def parse_test(self, path: Path, name: str, spec: Any, subject: str, line: int | None) -> Test | None:
        fact = self.facts.get(name)
        concl = self.conclusions.get(name)
        if fact is None and concl is None:
            self.c.add(path, line, subject, f"'{name}' is neither a fact of kb/vocab.yaml nor a declared conclusion")
            return None
        if concl is not None:
            self.referenced.setdefault(name, (path, line, subject))
        if isinstance(spec, LDict):
            if len(spec) != 1:
                self.c.add(path, line, subject, f"the test of '{name}' must have exactly one operator")
                return None
            ((op_word, operand),) = spec.items()
            op = OP_ALIASES.get(op_word)
            if op is None:
                self.c.add(
                    path, line, subject, f"unknown operator '{op_word}' (expected one of: {', '.join(OP_ALIASES)})"
                )
                return None
        else:
            op, operand = "eq", spec
        if op in ORDER_OPS:
            return self._order_test(path, name, fact, op, operand, subject, line)
        allowed = fact.tokens() if fact is not None else concl.values  # type: ignore[union-attr]
        if fact is not None and fact.type in ("int", "date"):
            allowed = ()
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                self.c.add(path, line, subject, f"'{op}' needs a list of values for '{name}'")
                return None
            tokens = tuple(self._value(path, name, fact, allowed, v, subject, line) for v in operand)
            return Test(name, op, tokens, line)
        return Test(name, op, self._value(path, name, fact, allowed, operand, subject, line), line)

    def _value(
        self,
        path: Path,
        name: str,
        fact: FactDef | None,
        allowed: tuple[str, ...],
        value: Any,
        subject: str,
        line: int | None,
    ) -> str:
        tok = token(value)
        if fact is not None and fact.type == "int":
            if tok != UNKNOWN and not (isinstance(value, int) and not isinstance(value, bool)):
                self.c.add(path, line, subject, f"'{name}' is a whole number; {value!r} is not")
            return tok
        if fact is not None and fact.type == "date":
            self.c.add(path, line, subject, f"'{name}' is a date: compare it with gt, gte, lt or lte")
            return tok
        if tok not in allowed:
            self.c.add(
                path,
                line,
                subject,
                f"{value!r} is not a value of '{name}' (expected one of: {', '.join(allowed)})"
                + _yes_no_hint(value, allowed),
            )
        return tok

    def _order_test(
        self, path: Path, name: str, fact: FactDef | None, op: str, operand: Any, subject: str, line: int | None
    ) -> Test | None:
        if fact is None or fact.type not in ("int", "date"):
            self.c.add(path, line, subject, f"'{op}' compares numbers and dates; '{name}' is neither")
            return None
        if fact.type == "int":
            if not isinstance(operand, int) or isinstance(operand, bool):
                self.c.add(path, line, subject, f"'{name}' {op} needs a whole number, not {operand!r}")
                return None
            return Test(name, op, operand, line)
        if isinstance(operand, LDict):
            return self._offset_test(path, name, op, operand, subject, line)
        day = _date(self.c, path, line, subject, f"'{name}' {op}", operand)
        return Test(name, op, day.toordinal(), line) if day else None

    def _offset_test(
        self, path: Path, name: str, op: str, operand: LDict, subject: str, line: int | None
    ) -> Test | None:
        if not _check_keys(self.c, path, operand, {"fact", "months", "days"}, subject, ("fact",)):
            return None
        ref = operand.get("fact")
        ref_def = self.facts.get(ref) if isinstance(ref, str) else None
        if ref_def is None or ref_def.type != "date" or ref == name:
            self.c.add(path, line, subject, f"'fact' must name another date fact, not {ref!r}")
            return None
        months, days = operand.get("months", 0), operand.get("days", 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (months, days)):
            self.c.add(path, line, subject, "'months' and 'days' must be whole numbers")
            return None
        return Test(name, op, Offset(str(ref), months, days), line)


def _parse_rule(
    c: _Collector,
    parser: _ConditionParser,
    sources: dict[str, Source],
    conclusions: dict[str, ConclusionDef],
    path: Path,
    node: Any,
) -> Rule | None:
    if not isinstance(node, LDict):
        c.add(path, getattr(node, "line", None), None, "each rule must be a mapping")
        return None
    rid = node.get("id") if isinstance(node.get("id"), str) else None
    subject = rid or "(rule without id)"
    before = len(c.errors)
    _check_keys(c, path, node, RULE_KEYS, subject, RULE_REQUIRED)
    if rid is not None and not ID_RE.match(rid):
        c.add(path, node.line_of("id"), rid, "a rule id must be lower-case letters, digits, '_', '.', '-'")
    title = _text(c, path, node, "title", subject)
    source = _text(c, path, node, "source", subject)
    if source and source not in sources and not c.broken_sources:
        c.add(path, node.line_of("source"), subject, f"unknown source '{source}' (not in kb/sources.yaml)")
    cite = _text(c, path, node, "cite", subject)
    url = node.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
        c.add(path, node.line_of("url"), subject, "url must start with https://")
    valid_from = valid_until = None
    valid_on = "offence_date"
    valid = node.get("valid")
    if valid is not None:
        if (
            not isinstance(valid, LDict)
            or not (set(valid) & {"from", "until"})
            or not _check_keys(c, path, valid, {"from", "until", "date"}, subject)
        ):
            c.add(
                path,
                node.line_of("valid"),
                subject,
                "'valid' is a mapping with 'from' and/or 'until' dates, and optionally 'date', the date fact they are dates of",
            )
        else:
            if "date" in valid:
                on = valid["date"]
                fdef = parser.facts.get(on) if isinstance(on, str) else None
                if fdef is None or fdef.type != "date" or not fdef.header:
                    dates = ", ".join(n for n, f in parser.facts.items() if f.type == "date" and f.header)
                    c.add(
                        path, valid.line_of("date"), subject, f"valid.date must be a header date ({dates}); got {on!r}"
                    )
                else:
                    valid_on = on
            if "from" in valid:
                valid_from = _date(c, path, valid.line_of("from"), subject, "valid.from", valid["from"])
            if "until" in valid:
                valid_until = _date(c, path, valid.line_of("until"), subject, "valid.until", valid["until"])
            if valid_from and valid_until and valid_from > valid_until:
                c.add(path, node.line_of("valid"), subject, "valid.from is after valid.until")
    when = parser.parse_all(path, node.get("when"), subject, node.line_of("when"))
    conclusion, value = "", ""
    then = node.get("then")
    if not isinstance(then, LDict) or len(then) != 1:
        c.add(path, node.line_of("then"), subject, "'then' is a mapping with one conclusion and its value")
    else:
        ((conclusion, raw),) = then.items()
        value = token(raw)
        cdef = conclusions.get(conclusion)
        if cdef is None:
            c.add(
                path,
                then.line_of(conclusion),
                subject,
                f"'{conclusion}' is not a declared conclusion (kb/conclusions.yaml)",
            )
        elif value not in cdef.values:
            c.add(
                path,
                then.line_of(conclusion),
                subject,
                f"{raw!r} is not a value of '{conclusion}' (expected one of: {', '.join(cdef.values)})"
                + _yes_no_hint(raw, cdef.values),
            )
    defeats: list[str] = []
    for i, item in enumerate(node.get("defeats") or []):
        name = str(item).split("=", 1)[0]
        if name not in conclusions:
            line = node["defeats"].line_of(i) if isinstance(node["defeats"], LList) else node.line
            c.add(path, line, subject, f"defeats '{item}': not a declared conclusion")
        defeats.append(str(item))
    confidence = node.get("confidence", "high")
    if confidence not in CONFIDENCE:
        c.add(path, node.line_of("confidence"), subject, f"confidence must be one of {', '.join(CONFIDENCE)}")
    authorities: list[Authority] = []
    for item in node.get("authorities") or []:
        if not isinstance(item, LDict) or not _check_keys(
            c, path, item, {"source", "cite"}, subject, ("source", "cite")
        ):
            continue
        if item["source"] not in sources and not c.broken_sources:
            c.add(path, item.line_of("source"), subject, f"unknown source '{item['source']}' (not in kb/sources.yaml)")
        authorities.append(Authority(str(item["source"]), str(item["cite"])))
    if len(c.errors) > before or rid is None:
        return None
    return Rule(
        id=rid,
        title=title,
        source=source,
        cite=cite,
        when=when,
        conclusion=conclusion,
        value=value,
        file=c.label(path),
        line=node.line or 0,
        valid_from=valid_from,
        valid_until=valid_until,
        valid_on=valid_on,
        url=url,
        text=_text(c, path, node, "text", subject, False),
        notes=_text(c, path, node, "notes", subject, False),
        confidence=str(confidence),
        seed=_text(c, path, node, "seed", subject, False),
        defeats=tuple(defeats),
        authorities=tuple(authorities),
    )


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.relative_to(root).as_posix() not in SPECIAL_FILES)


def load_kb(root: Path | str | None = None) -> KB:
    """Load kb/ (or another KB folder), or raise KBErrors listing every problem."""
    root = Path(root) if root is not None else default_kb_dir()
    c = _Collector(root)
    if not root.is_dir():
        raise KBErrors([KBError(str(root), "the knowledge base folder does not exist")])
    before = len(c.errors)
    sources = _load_sources(c, root / "sources.yaml")
    c.broken_sources = len(c.errors) > before
    facts, groups, raw_constraints = _load_vocab(c, root / "vocab.yaml")
    conclusions, lists, stages, concl_lines, interview = _load_conclusions(c, root / "conclusions.yaml")
    for name in set(facts) & set(conclusions):
        c.add(root / "conclusions.yaml", concl_lines.get(name), name, "a conclusion cannot share its name with a fact")
    parser = _ConditionParser(c, facts, conclusions)
    constraints: list[Constraint] = []
    for node in raw_constraints or []:
        if not isinstance(node, LDict):
            continue
        cid = str(node.get("id", "(constraint)"))
        if _check_keys(c, root / "vocab.yaml", node, {"id", "when", "message"}, cid, ("id", "when", "message")):
            when = parser.parse_all(root / "vocab.yaml", node["when"], cid, node.line_of("when"))
            constraints.append(Constraint(cid, when, str(node["message"])))
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    files = rule_files(root)
    for path in files:
        data = _load(c, path)
        if data is None:
            continue
        if not isinstance(data, LList):
            c.add(path, getattr(data, "line", None), None, "a rule file is a list of rules")
            continue
        for node in data:
            rule = _parse_rule(c, parser, sources, conclusions, path, node)
            if rule is None:
                continue
            if rule.id in seen:
                c.add(path, rule.line, rule.id, f"duplicate rule id (first in {seen[rule.id]})")
                continue
            seen[rule.id] = f"{rule.file}:{rule.line}"
            rules.append(rule)
    produced = {rule.conclusion for rule in rules}
    if not c.errors:
        for cid in conclusions:
            if cid not in produced:
                c.add(root / "conclusions.yaml", concl_lines.get(cid), cid, "no rule concludes it")
        for cid, (path, line, subject) in parser.referenced.items():
            if cid not in produced and cid in conclusions:
                c.add(path, line, subject, f"'{cid}' is used here but no rule concludes it")
    from .series_def import load_series  # it reads with this module's helpers

    series = load_series(c, root / "series.yaml", facts, conclusions, sources)
    collisions = fnv.collisions(_identities(facts, conclusions, rules))
    for first, second in collisions:
        c.add(
            root / "vocab.yaml",
            None,
            None,
            f"'{first}' and '{second}' share the 32-bit FNV-1a hash that durable_rules uses as identity",
        )
    if c.errors:
        raise KBErrors(c.errors)
    every = [root / name for name in SPECIAL_FILES] + files
    return KB(
        root=str(root),
        sources=sources,
        facts=facts,
        conclusions=conclusions,
        lists=lists,
        rules=tuple(rules),
        constraints=tuple(constraints),
        groups=groups,
        stages=stages,
        fingerprint=_fingerprint(every),
        interview_stages=tuple(interview),
        series=series,
    )


def _identities(facts: dict[str, FactDef], conclusions: dict[str, ConclusionDef], rules: list[Rule]) -> list[str]:
    """Every fact id and property name that durable_rules will hash (see engine/durable_adapter.py)."""
    ids = list(facts)
    for cid, cdef in conclusions.items():
        ids.extend(f"{cid}={value}" for value in cdef.values)
    props = {"id", "t", "v", "k", "n", "sid", "__open__"}
    props |= set(fnv.property_keys(list(facts) + list(conclusions)).values())

    def walk(cond: Any) -> None:
        if isinstance(cond, Test) and isinstance(cond.operand, Offset):
            props.add(cond.operand.prop)
        elif isinstance(cond, (All, AnyOf)):
            for item in cond.items:
                walk(item)

    for rule in rules:
        walk(rule.when)
    return ids + sorted(props)
