"""Read a case file (docs/case-format.md §1) into a Case, or refuse it clearly.

Every refusal names the file, the line where the YAML allows it, the field and what was
expected. A fact that is absent or given as `unknown` is unknown: it is kept out of
`Case.given`, never turned into false.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .communications import Communication, derive, disagreement, parse_communications
from .compiler import holds
from .dates import parse_date
from .errors import BIDI_CONTROLS, CaseError, InputError, unsafe_character
from .loader import token
from .model import KB, UNKNOWN, All, AnyOf, Condition, FactDef, Test
from .yamlio import MAX_CASE_BYTES, LDict, load_file, parse_json, parse_yaml

CASE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,100}", re.ASCII)  # used with fullmatch: "abc\n" is no id
HEADER_KEYS = (
    "case",
    "title",
    "jurisdiction",
    "offence_date",
    "assessment_date",
    "charge_date",
    "conviction_date",
    "facts",
    "communications",
)
DECISION_DATES = ("charge_date", "conviction_date")  # optional; each defaults from assessment_date
SCENARIO_KEYS = ("expect", "source")  # a scenario file is a case plus what it must conclude (and, for a
# reported decision, the source it is drawn from)
MAX_TITLE = 500
EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Case:
    """One case: its header and the facts given (unknown ones left out)."""

    id: str
    offence_date: dt.date
    assessment_date: dt.date
    jurisdiction: str = "england_and_wales"
    title: str = ""
    given: Mapping[str, Any] = field(default_factory=dict)
    source: str = "<case>"
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    assessment_date_given: bool = True
    jurisdiction_given: bool = True
    charge_date_given: dt.date | None = None
    conviction_date_given: dt.date | None = None
    # A series (docs/case-format.md §1.5): its communications in canonical order, and the facts
    # the list gives (kb/series.yaml `derived`). Empty for a case of one communication.
    communications: tuple[Communication, ...] = ()
    derived: Mapping[str, Any] = field(default_factory=dict)
    offence_date_given: bool = True

    @property
    def charge_date(self) -> dt.date:
        """The date of the charging decision (or of the decision not to charge). Not given, it is
        the assessment date, or the conviction date where that is given and earlier."""
        if self.charge_date_given is not None:
            return self.charge_date_given
        if self.conviction_date_given is not None and self.conviction_date_given < self.assessment_date:
            return self.conviction_date_given
        return self.assessment_date

    @property
    def conviction_date(self) -> dt.date:
        """The date of conviction (and sentence). Not given, it is the assessment date, or the
        charge date where that is given and later."""
        if self.conviction_date_given is not None:
            return self.conviction_date_given
        return max(self.assessment_date, self.charge_date)

    def value(self, name: str) -> Any:
        """The value of any fact of the vocabulary, header facts included; 'unknown' if not given."""
        if name == "offence_date":
            return self.offence_date
        if name == "assessment_date":
            return self.assessment_date
        if name == "charge_date":
            return self.charge_date
        if name == "conviction_date":
            return self.conviction_date
        if name == "jurisdiction":
            return self.jurisdiction
        if name in self.given:
            return self.given[name]
        return self.derived.get(name, UNKNOWN)

    def for_communication(self, comm: Communication) -> Case:
        """The case as it stands for one of its communications: that communication's date as the
        offence date, the case's facts, and that communication's own facts over them."""
        return replace(
            self,
            offence_date=comm.date,
            given={**self.given, **comm.given},
            communications=(),
            source=f"{self.source} (communication {comm.id})",
            lines={**self.lines, **comm.lines},
        )

    def date_given(self, name: str) -> bool:
        """Whether a header date was written in the case file rather than defaulted."""
        if name == "assessment_date":
            return self.assessment_date_given
        if name == "charge_date":
            return self.charge_date_given is not None
        if name == "conviction_date":
            return self.conviction_date_given is not None
        return True

    def with_facts(self, changes: Mapping[str, Any]) -> Case:
        """A copy with some facts changed (`unknown` removes a fact): for what-if. The jurisdiction,
        a header field, may be changed too; the dates are changed by rereading the case."""
        given = dict(self.given)
        header: dict[str, Any] = {}
        if self.communications:  # a fact changed for the case is changed for every communication
            header["communications"] = tuple(
                replace(c, given={k: v for k, v in c.given.items() if k not in changes}) for c in self.communications
            )
        for name, value in changes.items():
            if name == "jurisdiction":
                header.update(jurisdiction=value, jurisdiction_given=True)
            elif value == UNKNOWN:
                given.pop(name, None)
            else:
                given[name] = value
        return replace(self, given=dict(sorted(given.items())), **header)

    def to_data(self) -> dict[str, Any]:
        """The case as a case file would hold it."""
        data: dict[str, Any] = {"case": self.id}
        if self.title:
            data["title"] = self.title
        if self.jurisdiction_given:
            data["jurisdiction"] = self.jurisdiction
        if self.offence_date_given:
            data["offence_date"] = self.offence_date.isoformat()
        data["assessment_date"] = self.assessment_date.isoformat()
        if self.charge_date_given is not None:
            data["charge_date"] = self.charge_date_given.isoformat()
        if self.conviction_date_given is not None:
            data["conviction_date"] = self.conviction_date_given.isoformat()
        data["facts"] = dict(self.given)
        if self.communications:
            data["communications"] = [c.to_data() for c in self.communications]
        return data


def type_name(value: Any) -> str:
    """How a YAML or JSON value's type is called in an error message."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe_expected(fact: FactDef) -> str:
    if fact.type == "bool":
        return "true, false or unknown"
    if fact.type == "enum":
        return "one of " + ", ".join(fact.values) + " (or unknown)"
    if fact.type == "int":
        bounds = []
        if fact.minimum is not None:
            bounds.append(f">= {fact.minimum}")
        if fact.maximum is not None:
            bounds.append(f"<= {fact.maximum}")
        return "a whole number" + (f" {' and '.join(bounds)}" if bounds else "") + " (or unknown)"
    return "a date YYYY-MM-DD"


def check_value(fact: FactDef, value: Any) -> Any:
    """The value if it fits the fact's type, else raise ValueError saying what was expected."""
    if isinstance(value, str) and value == UNKNOWN:
        return UNKNOWN
    expected = describe_expected(fact)
    if fact.type == "bool" and isinstance(value, bool):
        return value
    if fact.type == "enum" and isinstance(value, str) and value in fact.values:
        return value
    if fact.type == "int" and isinstance(value, int) and not isinstance(value, bool):
        too_low = fact.minimum is not None and value < fact.minimum
        too_high = fact.maximum is not None and value > fact.maximum
        if too_low or too_high:
            raise ValueError(f"expected {expected}; got {value}")
        return value
    shown = repr(value) if not isinstance(value, str) or len(value) < 60 else repr(value[:57] + "...")
    kind = type_name(value)
    if value is None:
        raise ValueError(f"expected {expected}; no value is given (write unknown, or leave the fact out)")
    raise ValueError(f"expected {expected}; got {kind} {shown}")


def parse_fact_text(fact: FactDef, text: str) -> Any:
    """A value typed on the command line (`--set medium=email`) for a fact of the vocabulary."""
    text = text.strip()
    if fact.type == "bool":
        lowered = text.lower()
        if lowered in ("true", "yes", "y"):
            return True
        if lowered in ("false", "no", "n"):
            return False
    if fact.type == "int":
        try:
            return check_value(fact, int(text))
        except ValueError as exc:
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"expected {describe_expected(fact)}; got '{text}'") from None
            raise exc
    return check_value(fact, text)


def _date_field(label: str, data: LDict, key: str) -> dt.date:
    try:
        day = parse_date(data[key])
    except ValueError as exc:
        raise CaseError(label, str(exc), line=data.line_of(key), field=key) from None
    if day < EARLIEST:
        raise CaseError(label, f"{day.isoformat()} is before {EARLIEST.year}", line=data.line_of(key), field=key)
    return day


def _decision_date(label: str, data: LDict, key: str, offence: dt.date, today: dt.date) -> dt.date:
    """A charge or conviction date: on or after the offence date, and not in the future."""
    day = _date_field(label, data, key)
    if day < offence:
        raise CaseError(
            label,
            f"{day.isoformat()} is before the offence date {offence.isoformat()}",
            line=data.line_of(key),
            field=key,
        )
    if day > today:
        raise CaseError(
            label,
            f"{day.isoformat()} lies in the future (today is {today.isoformat()}); kbcheck knows the law only up to today",
            line=data.line_of(key),
            field=key,
        )
    return day


def _refuse_unsafe_text(label: str, data: Any, path: str, line: int | None = None) -> None:
    """Refuse a control character, a lone surrogate or a bidirectional control anywhere in a
    case, keys included: an escape sequence in a title would reach the terminal, a newline in a
    key would break the one-line error, a lone surrogate cannot be written as UTF-8."""
    if isinstance(data, dict):
        for key, value in data.items():
            at = data.line_of(key) if isinstance(data, LDict) else line
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (ch := unsafe_character(key)) is not None:
                raise CaseError(
                    label, f"a key holds {_named(ch)}, which a case file may not contain", line=at, field=where
                )
            _refuse_unsafe_text(label, value, where, at)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _refuse_unsafe_text(label, value, f"{path}[{i}]", line)
    elif isinstance(data, str) and (ch := unsafe_character(data)) is not None:
        raise CaseError(label, f"holds {_named(ch)}, which a case file may not contain", line=line, field=path)


def _named(ch: str) -> str:
    """A character as a reader can name it: 'a control character (U+001B)'."""
    kind = (
        "a bidirectional control"
        if ch in BIDI_CONTROLS
        else ("a lone surrogate" if 0xD800 <= ord(ch) <= 0xDFFF else "a control character")
    )
    return f"{kind} (U+{ord(ch):04X})"


def cond_holds(cond: Condition, facts: dict[str, dict]) -> bool:
    if isinstance(cond, Test):
        fact = facts.get(cond.name)
        return fact is not None and holds(cond, fact, facts)
    if isinstance(cond, AnyOf):
        return any(cond_holds(item, facts) for item in cond.items)
    assert isinstance(cond, All)
    return all(cond_holds(item, facts) for item in cond.items)


def check_constraints(kb: KB, case: Case, label: str) -> None:
    """Refuse facts that cannot be true together (kb/vocab.yaml `constraints`)."""
    from .memory import fact_dict

    facts = {name: fact_dict(kb, name, case.value(name)) for name in _constraint_facts(kb)}
    for constraint in kb.constraints:
        if cond_holds(constraint.when, facts):
            names = _names(constraint.when)
            line = max((case.lines.get(n, 0) for n in names), default=0) or None
            raise CaseError(label, constraint.message, line=line, field=", ".join(names))


_constraint_facts_by_kb: dict[str, list[str]] = {}


def _constraint_facts(kb: KB) -> list[str]:
    """The facts the constraints read (those they test and those a test compares with): only
    these are put into working-memory form to check a case, not the whole vocabulary."""
    names = _constraint_facts_by_kb.get(kb.fingerprint)
    if names is None:
        wanted: set[str] = set()

        def walk(cond: Condition) -> None:
            if isinstance(cond, Test):
                wanted.add(cond.name)
                operand_fact = getattr(cond.operand, "fact", None)
                if isinstance(operand_fact, str):
                    wanted.add(operand_fact)
            else:
                for item in cond.items:
                    walk(item)

        for constraint in kb.constraints:
            walk(constraint.when)
        names = _constraint_facts_by_kb[kb.fingerprint] = sorted(n for n in wanted if n in kb.facts)
    return names


def _names(cond: Condition) -> list[str]:
    if isinstance(cond, Test):
        return [cond.name]
    return [n for item in cond.items for n in _names(item)]


def case_from_data(kb: KB, data: Any, label: str, today: dt.date | None = None) -> Case:
    """Validate already-parsed case data (YAML or JSON) against the contract."""
    today = today or dt.date.today()
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type_name(data)}"
        raise CaseError(
            label, f"a case file must be a mapping with 'case', 'offence_date' and 'facts'; this one is {what}"
        )
    if not isinstance(data, LDict):
        ldata = LDict(data)
        ldata.line = None
        ldata.key_lines = {}
        data = ldata
    _refuse_unsafe_text(label, data, "")
    for key in data:
        if key not in HEADER_KEYS + SCENARIO_KEYS:
            raise CaseError(
                label,
                f"unknown key{suggest(key, list(HEADER_KEYS))}; expected one of: {', '.join(HEADER_KEYS)}",
                line=data.line_of(key),
                field=key,
            )
    if "case" not in data:
        raise CaseError(
            label, "missing; every case needs an id of letters, digits, '-' and '_'", line=data.line, field="case"
        )
    case_id = data["case"]
    if not isinstance(case_id, str) or not CASE_ID_RE.fullmatch(case_id):
        shown = repr(case_id)[:60]
        raise CaseError(
            label,
            f"expected 1 to 100 letters, digits, '-' or '_' (quote it if it looks like a number); got {shown}",
            line=data.line_of("case"),
            field="case",
        )
    title = data.get("title", "")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise CaseError(label, f"expected text; got {type_name(title)}", line=data.line_of("title"), field="title")
    if len(title) > MAX_TITLE:
        raise CaseError(
            label,
            f"expected at most {MAX_TITLE} characters; got {len(title):,}",
            line=data.line_of("title"),
            field="title",
        )
    jurisdiction_def = kb.facts["jurisdiction"]
    jurisdiction = data.get("jurisdiction", "england_and_wales")
    if not isinstance(jurisdiction, str) or jurisdiction not in jurisdiction_def.values:
        raise CaseError(
            label,
            f"expected one of {', '.join(jurisdiction_def.values)}; got {jurisdiction!r}",
            line=data.line_of("jurisdiction"),
            field="jurisdiction",
        )
    raw_comms = data.get("communications")
    series = "communications" in data
    if "offence_date" not in data and not series:
        raise CaseError(
            label,
            "missing; the date the (last) communication was sent chooses the law",
            line=data.line,
            field="offence_date",
        )
    communications: tuple[Communication, ...] = ()
    if series:  # each item is checked against the assessment date (or today), whichever is earlier
        early = _date_field(label, data, "assessment_date") if "assessment_date" in data else today
        communications = parse_communications(
            kb, raw_comms, label, data.line_of("communications"), min(early, today), today
        )
    offence = communications[-1].date if "offence_date" not in data else _date_field(label, data, "offence_date")
    if offence > today:
        raise CaseError(
            label,
            f"{offence.isoformat()} lies in the future (today is {today.isoformat()})",
            line=data.line_of("offence_date"),
            field="offence_date",
        )
    assessment_given = "assessment_date" in data
    assessment = _date_field(label, data, "assessment_date") if assessment_given else today
    if assessment < offence:
        raise CaseError(
            label,
            f"{assessment.isoformat()} is before the offence date {offence.isoformat()}",
            line=data.line_of("assessment_date") if assessment_given else data.line,
            field="assessment_date",
        )
    if assessment > today:
        raise CaseError(
            label,
            f"{assessment.isoformat()} lies in the future (today is {today.isoformat()}); "
            "kbcheck knows the law only up to today",
            line=data.line_of("assessment_date"),
            field="assessment_date",
        )
    decided = {name: _decision_date(label, data, name, offence, today) for name in DECISION_DATES if name in data}
    charge, conviction = decided.get("charge_date"), decided.get("conviction_date")
    if charge is not None and conviction is not None and conviction < charge:
        raise CaseError(
            label,
            f"{conviction.isoformat()} is before the charge date {charge.isoformat()}",
            line=data.line_of("conviction_date"),
            field="conviction_date",
        )
    raw_facts = data.get("facts", {})
    if raw_facts is None:
        raw_facts = {}
    if not isinstance(raw_facts, dict):
        raise CaseError(label, "expected a mapping of fact names to values", line=data.line_of("facts"), field="facts")
    given: dict[str, Any] = {}
    lines: dict[str, int] = {}
    fact_lines = raw_facts.line_of if isinstance(raw_facts, LDict) else (lambda key: None)
    for name, value in raw_facts.items():
        line = fact_lines(name)
        fact = kb.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            candidates = [n for n, f in kb.facts.items() if not f.header]
            raise CaseError(
                label,
                f"not a fact of the vocabulary{suggest(str(name), candidates)}; `kbcheck facts` lists them",
                line=line,
                field=f"facts.{name}",
            )
        if fact.header:
            raise CaseError(
                label, f"'{name}' belongs in the case header, not under facts", line=line, field=f"facts.{name}"
            )
        try:
            checked = check_value(fact, value)
        except ValueError as exc:
            raise CaseError(label, str(exc), line=line, field=f"facts.{name}") from None
        if checked != UNKNOWN:
            given[name] = checked
        if line:
            lines[name] = line
    derived: dict[str, Any] = {}
    if series:
        latest = communications[-1].date
        if latest != offence:
            raise CaseError(
                label,
                f"{offence.isoformat()} is not the date of the last communication ({latest.isoformat()}); "
                "leave offence_date out, or give that date",
                line=data.line_of("offence_date"),
                field="offence_date",
            )
        derived = derive(kb, communications)
        for name, value in derived.items():
            if name in given and given[name] != value:
                raise disagreement(label, name, value, given[name], lines.get(name))
    case = Case(
        id=case_id,
        offence_date=offence,
        assessment_date=assessment,
        jurisdiction=jurisdiction,
        title=title,
        given=dict(sorted(given.items())),
        source=label,
        lines=lines,
        assessment_date_given=assessment_given,
        jurisdiction_given="jurisdiction" in data,
        charge_date_given=charge,
        conviction_date_given=conviction,
        communications=communications,
        derived=derived,
        offence_date_given="offence_date" in data,
    )
    if communications:
        for comm in communications:
            try:
                check_constraints(kb, case.for_communication(comm), label)
            except CaseError as exc:
                raise CaseError(
                    label, exc.problem, line=exc.line, field=f"communications[{comm.index}] ({comm.id}): {exc.field}"
                ) from None
    else:
        check_constraints(kb, case, label)
    return case


def read_case(path: Path | str, kb: KB, today: dt.date | None = None) -> Case:
    """Read and validate one case file (YAML, or JSON by its .json suffix)."""
    path = Path(path)
    label = str(path)
    try:
        data = load_file(path, label, MAX_CASE_BYTES)
    except InputError as exc:
        raise CaseError(exc.file, exc.problem, line=exc.line, field=exc.field) from None
    return case_from_data(kb, data, label, today)


def read_case_text(
    text: str, kb: KB, label: str = "<stdin>", today: dt.date | None = None, json_text: bool = False
) -> Case:
    try:
        data = parse_json(text, label) if json_text else parse_yaml(text, label)
    except InputError as exc:
        raise CaseError(exc.file, exc.problem, line=exc.line, field=exc.field) from None
    return case_from_data(kb, data, label, today)


def scenario_expectations(path: Path | str) -> Any:
    """The `expect:` block of a scenario file (None if it has none)."""
    data = load_file(Path(path))
    return data.get("expect") if isinstance(data, dict) else None


__all__ = [
    "Case",
    "read_case",
    "read_case_text",
    "case_from_data",
    "check_value",
    "parse_fact_text",
    "describe_expected",
    "scenario_expectations",
    "token",
]
