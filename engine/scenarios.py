"""Scenario files: a case plus an `expect:` block of the conclusions it must produce.

An expectation is a value (`met`), or `{in: [...]}` (one of these), or `{contains: [...]}` /
`{excludes: [...]}` for list conclusions (shared/cases/README.md); one member of a list
(`alternatives[osa2023.s179]`) can be expected `yes`, `no` or `unknown`, which is how a scenario
says an offence is left open rather than ruled out. A series (docs/case-format.md §1.5) may
also expect, under `communications:`, each communication's own conclusions by its id, and under
`series:` its lead communication and the counts the list gives. `kbcheck test` and pytest
both run scenarios through `run_file`, so they agree on what passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import assess
from .case import Case, case_from_data
from .errors import CaseError, EngineError, InputError, KbcheckError
from .loader import token
from .model import KB
from .result import Assessment, Firing
from .yamlio import MAX_CASE_BYTES, LDict, load_file

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Expectation:
    conclusion: str
    kind: str  # value | in | contains | excludes
    expected: Any
    communication: str | None = None  # a conclusion of this communication of a series

    @property
    def label(self) -> str:
        return f"{self.communication}: {self.conclusion}" if self.communication not in (None, "*") else self.conclusion

    def describe(self) -> str:
        if self.kind == "value":
            return _show(self.expected)
        return f"{self.kind} {_show(self.expected)}"

    def holds(self, actual: Any) -> bool:
        if self.kind == "value":
            if isinstance(self.expected, list):
                return isinstance(actual, list) and sorted(actual) == sorted(self.expected)
            return _same(actual, self.expected)
        if self.kind == "in":
            return any(_same(actual, e) for e in self.expected)
        if not isinstance(actual, list):
            return False
        if self.kind == "contains":
            return all(e in actual for e in self.expected)
        return not any(e in actual for e in self.expected)


def _same(actual: Any, expected: Any) -> bool:
    """Equal, without Python's True == 1."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return token(value)


@dataclass
class Failure:
    conclusion: str
    expected: str
    actual: Any
    firings: list[Firing]


@dataclass
class Outcome:
    path: str
    case: Case | None = None
    assessment: Assessment | None = None
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures


def scenario_files(paths: list[Path]) -> list[Path]:
    """Files named, and scenario files under folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def parse_expectations(kb: KB, expect: Any, label: str) -> list[Expectation]:
    if expect is None:
        raise CaseError(label, "a scenario needs an 'expect:' block of conclusions", field="expect")
    if not isinstance(expect, dict):
        raise CaseError(label, "'expect' must map conclusions to expected values", field="expect")
    lines = expect.line_of if isinstance(expect, LDict) else (lambda k: None)
    result = []
    for name, spec in expect.items():
        line = lines(name)
        if name in ("communications", "series"):
            result.extend(_series_expectations(kb, name, spec, label, line))
            continue
        if name not in kb.lists and name not in kb.conclusions:
            raise CaseError(label, "not a conclusion of the knowledge base", line=line, field=f"expect.{name}")
        kind, expected = "value", spec
        if isinstance(spec, dict):
            if len(spec) != 1 or next(iter(spec)) not in ("in", "contains", "excludes"):
                raise CaseError(
                    label,
                    "expected a value, or one of {in: [...]}, {contains: [...]}, {excludes: [...]}",
                    line=line,
                    field=f"expect.{name}",
                )
            kind, expected = next(iter(spec.items()))
            if not isinstance(expected, list):
                raise CaseError(label, f"'{kind}' needs a list", line=line, field=f"expect.{name}")
            if kind in ("contains", "excludes") and name not in kb.lists:
                raise CaseError(label, f"'{kind}' is for list conclusions", line=line, field=f"expect.{name}")
        _check_values(kb, name, kind, expected, label, line)
        result.append(Expectation(name, kind, list(expected) if isinstance(expected, list) else expected))
    return result


SERIES_KEYS = ("lead", "communications", "message_count", "occasions")


def _series_expectations(kb: KB, key: str, spec: Any, label: str, line: int | None) -> list[Expectation]:
    """`communications: {id: {conclusion: value}}` and `series: {lead: id, occasions: n}`."""
    if not isinstance(spec, dict):
        raise CaseError(label, "expected a mapping", line=line, field=f"expect.{key}")
    if key == "series":
        allowed = SERIES_KEYS + tuple(r.fact for r in (kb.series.rises if kb.series else ()))
        for name in spec:
            if name not in allowed:
                raise CaseError(
                    label, f"expected one of: {', '.join(allowed)}", line=line, field=f"expect.series.{name}"
                )
        return [Expectation(f"series.{name}", "value", value, "*") for name, value in spec.items()]
    result = []
    for cid, conclusions in spec.items():
        at = spec.line_of(cid) if isinstance(spec, LDict) else line
        if not isinstance(conclusions, dict):
            raise CaseError(label, "expected a mapping of conclusions", line=at, field=f"expect.communications.{cid}")
        for item in parse_expectations(kb, conclusions, label):
            result.append(Expectation(item.conclusion, item.kind, item.expected, str(cid)))
    return result


def _check_values(kb: KB, name: str, kind: str, expected: Any, label: str, line: int | None) -> None:
    ldef = kb.lists.get(name)
    values = expected if isinstance(expected, list) else [expected]
    if ldef is not None:
        flat = values if kind != "in" else [v for item in values for v in (item if isinstance(item, list) else [item])]
        allowed: tuple[str, ...] = ldef.members
        bad = [v for v in flat if v not in allowed]
    else:
        allowed = kb.conclusions[name].values
        bad = [v for v in values if token(v) not in allowed]
    if bad:
        raise CaseError(
            label,
            f"{_show(bad[0])} is not a value of '{name}' (expected one of: {', '.join(allowed)})",
            line=line,
            field=f"expect.{name}",
        )


def check(assessment: Assessment, expectations: list[Expectation]) -> list[Failure]:
    failures = []
    for exp in expectations:
        subject: Assessment = assessment
        if exp.communication == "*":
            actual = _series_value(assessment, exp.conclusion)
            if not exp.holds(actual):
                failures.append(Failure(exp.label, exp.describe(), actual, []))
            continue
        if exp.communication is not None:
            found = assessment.series.of(exp.communication) if assessment.series is not None else None
            if found is None:
                failures.append(Failure(exp.label, exp.describe(), "no such communication", []))
                continue
            subject = found
        actual = subject.value(exp.conclusion)
        if not exp.holds(actual):
            failures.append(Failure(exp.label, exp.describe(), actual, subject.justifications(exp.conclusion)))
    return failures


def _series_value(assessment: Assessment, name: str) -> Any:
    """What a series gives, as the JSON's `series` says it: its lead, the counts, the rises."""
    if assessment.series is None:
        return None
    return assessment.series_summary().get(name.split(".", 1)[1])


def run_file(path: Path, kb: KB, engine: str = "durable", today: dt.date | None = None) -> Outcome:
    """Read one scenario, assess it and check its expectations; errors are kept, not raised.
    `today` reads the case as at another day, for law that only a later date can reach."""
    label = str(path)
    outcome = Outcome(label)
    try:
        try:
            data = load_file(path, label, MAX_CASE_BYTES)
        except InputError as exc:
            raise CaseError(exc.file, exc.problem, line=exc.line, field=exc.field) from None
        outcome.case = case_from_data(kb, data, label, today)
        expectations = parse_expectations(kb, data.get("expect"), label)
        outcome.assessment = assess(outcome.case, kb, engine)
        outcome.failures = check(outcome.assessment, expectations)
    except (CaseError, EngineError, KbcheckError) as exc:
        outcome.error = exc.one_line()
    return outcome
