"""The knowledge base as validated, immutable data.

`engine/` knows nothing of malicious communications: everything legal is in `kb/`. These
classes describe what a KB may say: facts (the contract's vocabulary), conclusions with their
values, sources, and rules with a citation, dates in force, conditions and one conclusion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

UNKNOWN = "unknown"

# The operators of a condition. Value tests compare the value token; order tests compare numbers
# and dates and never hold for an unknown value.
VALUE_OPS = ("eq", "ne", "in", "not_in")
ORDER_OPS = ("gt", "gte", "lt", "lte")
OPS = VALUE_OPS + ORDER_OPS

# What a rule's dates in force are dates of, by the date fact they are read against.
DATED_BY = {
    "offence_date": "conduct",
    "charge_date": "decisions",
    "conviction_date": "convictions",
    "assessment_date": "assessments",
}

CONFIDENCE = ("high", "medium-high", "medium", "low-medium", "low")
SOURCE_KINDS = ("statute", "case_law", "cps", "sentencing", "police", "practice")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str
    url: str
    short: str


@dataclass(frozen=True)
class FactDef:
    """A fact of the vocabulary: its type, allowed values and meaning."""

    name: str
    type: str  # bool | enum | int | date
    meaning: str
    group: str
    values: tuple[str, ...] = ()  # for enums
    minimum: int | None = None
    maximum: int | None = None
    header: bool = False  # offence_date, assessment_date, jurisdiction: in the case header
    question: str = ""

    def tokens(self) -> tuple[str, ...]:
        """Every value token this fact can take (numbers and dates excepted)."""
        if self.type == "bool":
            return ("true", "false", UNKNOWN)
        if self.type == "enum":
            return self.values + (UNKNOWN,)
        return ()


@dataclass(frozen=True)
class ConclusionDef:
    """A conclusion the KB derives, with the values its rules may give it."""

    id: str
    values: tuple[str, ...]
    meaning: str
    stage: str
    type: str = "enum"  # enum | bool | number | member
    public: bool = True
    qualified_by: str | None = None  # a conclusion that says how this one is known (direct or inferred)
    list_id: str | None = None  # for a member of a list conclusion: the list's id
    member: str | None = None
    ask_weight: int | None = None  # how much it counts when `ask` ranks questions (default 3)


@dataclass(frozen=True)
class ListDef:
    """A list conclusion of the contract: the members whose own conclusion is `yes`."""

    id: str
    members: tuple[str, ...]
    meaning: str
    stage: str

    def member_id(self, member: str) -> str:
        return f"{self.id}[{member}]"


@dataclass(frozen=True)
class Offset:
    """A date fact shifted by calendar months and days: `{fact: offence_date, months: 6}`."""

    fact: str
    months: int = 0
    days: int = 0

    @property
    def prop(self) -> str:
        return f"o{self.months}m{self.days}d".replace("-", "n")

    def describe(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} months")
        if self.days:
            parts.append(f"{self.days} days")
        return f"{self.fact} + {' and '.join(parts) or '0 days'}"


Operand = str | int | tuple[str, ...] | Offset


@dataclass(frozen=True)
class Test:
    """One test of one fact or conclusion: `medium in [letter, email]`, `occasions >= 2`."""

    name: str
    op: str
    operand: Operand
    line: int | None = field(default=None, compare=False)

    def describe(self) -> str:
        symbol = {
            "eq": "is",
            "ne": "is not",
            "in": "is one of",
            "not_in": "is none of",
            "gt": ">",
            "gte": ">=",
            "lt": "<",
            "lte": "<=",
        }[self.op]
        operand = self.operand
        if isinstance(operand, tuple):
            shown = ", ".join(operand)
        elif isinstance(operand, Offset):
            shown = operand.describe()
        elif self.op in ORDER_OPS and isinstance(operand, int) and self.name.endswith("_date"):
            shown = dt.date.fromordinal(operand).isoformat()
        else:
            shown = str(operand)
        return f"{self.name} {symbol} {shown}"


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Test | All | AnyOf


@dataclass(frozen=True)
class Authority:
    source: str
    cite: str


@dataclass(frozen=True)
class Rule:
    """One rule of the KB, as written in a YAML file under kb/."""

    id: str
    title: str
    source: str
    cite: str
    when: All
    conclusion: str
    value: str
    file: str
    line: int
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    valid_on: str = "offence_date"  # the date fact its dates in force are read against
    url: str | None = None
    text: str = ""
    notes: str = ""
    confidence: str = "high"
    seed: str = ""
    defeats: tuple[str, ...] = ()
    authorities: tuple[Authority, ...] = ()

    def dates_only_select_it(self) -> bool:
        """True when the rule reads its date (the offence date, or the decision date it is dated
        by) only for its dates in force, so that an explanation can print the dates on the rule
        instead of drawing the date as a premise."""
        return bool(self.valid_from or self.valid_until) and self.valid_on not in _names(self.when)

    def in_force_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def dates_text(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else "always"
        end = self.valid_until.isoformat() if self.valid_until else "today"
        what = DATED_BY.get(self.valid_on, self.valid_on)
        if not self.valid_from and not self.valid_until:
            return "all dates"
        if not self.valid_from:
            return f"{what} up to {end}"
        if not self.valid_until:
            return f"{what} from {start}"
        return f"{what} from {start} to {end}"


def _names(cond: Condition) -> set[str]:
    if isinstance(cond, Test):
        return {cond.name}
    return set().union(*(_names(item) for item in cond.items)) if cond.items else set()


@dataclass(frozen=True)
class Constraint:
    """Facts that cannot be true together in one case (checked when a case is read)."""

    id: str
    when: All
    message: str


@dataclass(frozen=True)
class Aggregate:
    """How a case of several communications reads one fact or conclusion of each: the value
    highest in `order` that any communication has, or, with no order, the lead communication's."""

    name: str
    order: tuple[str, ...]
    source: str
    cite: str
    meaning: str
    line: int = 0


@dataclass(frozen=True)
class Derivation:
    """A fact of the case that a list of communications gives (the number of messages, of
    occasions), with the authority for reading it so."""

    fact: str
    method: str  # messages | occasions
    source: str
    cite: str
    meaning: str
    line: int = 0


@dataclass(frozen=True)
class Rise:
    """A fact of the case that a series gives by whether it rises: true where a communication
    stands higher in `order` (most serious first) than an earlier one, by the conclusion `by`."""

    fact: str
    by: str
    order: tuple[str, ...]
    source: str
    cite: str
    meaning: str
    line: int = 0


@dataclass(frozen=True)
class SeriesDef:
    """kb/series.yaml: which facts and conclusions belong to one communication, how the case's
    lead communication is chosen, how the case reads the others, and what the list derives."""

    facts: tuple[str, ...]
    conclusions: tuple[str, ...]
    lead: Aggregate  # name: the conclusion that ranks communications; order: best first
    aggregates: tuple[Aggregate, ...]
    derived: tuple[Derivation, ...]
    file: str = "series.yaml"
    rises: tuple[Rise, ...] = ()

    def aggregate(self, name: str) -> Aggregate | None:
        for agg in self.aggregates:
            if agg.name == name:
                return agg
        return None

    def reading(self, name: str) -> Aggregate:
        """How the case reads a name of one communication: its aggregate, or (with no order) the
        lead communication's value, under the lead's authority."""
        return self.aggregate(name) or replace(self.lead, name=name, order=())


@dataclass(frozen=True)
class KB:
    root: str
    sources: dict[str, Source]
    facts: dict[str, FactDef]
    conclusions: dict[str, ConclusionDef]
    lists: dict[str, ListDef]
    rules: tuple[Rule, ...]
    constraints: tuple[Constraint, ...]
    groups: dict[str, str]
    stages: dict[str, str]
    fingerprint: str
    # The stages whose conclusions `kbcheck interview` asks about until nothing left to ask could
    # change them, most important first (their order in kb/conclusions.yaml).
    interview_stages: tuple[str, ...] = ()
    # How a case given as a list of communications is read (kb/series.yaml); None without it.
    series: SeriesDef | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def source_of(self, rule: Rule) -> Source:
        return self.sources[rule.source]

    def url_of(self, rule: Rule) -> str:
        return rule.url or self.sources[rule.source].url

    def citation(self, rule: Rule) -> str:
        """The short citation a lawyer would write: 'MCA 1988 s.1(1)(a)(ii)'."""
        return f"{self.sources[rule.source].short} {rule.cite}".strip()

    def is_input(self, name: str) -> bool:
        return name in self.facts

    def public_conclusions(self) -> list[str]:
        """The conclusions of `assess` output: plain ones and lists, in KB order."""
        names = [c.id for c in self.conclusions.values() if c.public and c.list_id is None]
        return sorted(names + list(self.lists))

    def public_by_stage(self) -> list[tuple[str, str, list[str]]]:
        """(stage id, stage title, its public conclusions), stages in KB order and only those with
        any: plain conclusions in KB order, then lists."""
        by_stage: dict[str, list[str]] = {}
        for cid, cdef in self.conclusions.items():
            if cdef.public and cdef.list_id is None:
                by_stage.setdefault(cdef.stage, []).append(cid)
        for lid, ldef in self.lists.items():
            by_stage.setdefault(ldef.stage, []).append(lid)
        return [(sid, title, by_stage[sid]) for sid, title in self.stages.items() if by_stage.get(sid)]
