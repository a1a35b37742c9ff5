"""What the page shows, as plain data for its templates: the facts by group, the conclusions by
stage with what changed and why, the questions that would settle what is open, the law that
moves with the offence date. Every value, reason and question here comes from the KB and the
engine's trace; this module only arranges them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kbcheck.engine.model import KB, UNKNOWN
from kbcheck.engine.result import Assessment, Firing
from kbcheck.explain.explanation import Change, Question
from kbcheck.explain.text import value_text

from .forms import PREFIX


def words(value: Any) -> str:
    """A value as people read it: made_out -> made out, a list as its members, none when empty."""
    text = value_text(value)
    return "none" if text == "(none)" else text.replace("_", " ")


@dataclass
class Field:
    name: str
    key: str  # the form field's name
    type: str
    question: str
    meaning: str
    options: list[str]  # the values offered, unknown first (empty for numbers)
    value: str
    minimum: int | None = None
    maximum: int | None = None


@dataclass
class Group:
    id: str
    title: str
    fields: list[Field]
    given: int


def fact_groups(kb: KB, values: dict[str, str]) -> list[Group]:
    """Every fact of the vocabulary, grouped as `kbcheck facts` groups them, with its value here."""
    groups = []
    for gid, title in kb.groups.items():
        fields = []
        for fact in kb.facts.values():
            if fact.group != gid or fact.header:
                continue
            options = [UNKNOWN, "true", "false"] if fact.type == "bool" else [UNKNOWN, *fact.values]
            key = PREFIX + fact.name
            fields.append(
                Field(
                    name=fact.name,
                    key=key,
                    type=fact.type,
                    question=fact.question or fact.meaning,
                    meaning=fact.meaning,
                    options=options if fact.type in ("bool", "enum") else [],
                    value=values.get(key, "" if fact.type == "int" else UNKNOWN),
                    minimum=fact.minimum,
                    maximum=fact.maximum,
                )
            )
        if fields:
            given = sum(1 for f in fields if f.value not in ("", UNKNOWN))
            groups.append(Group(gid, title, fields, given))
    return groups


@dataclass
class Reason:
    title: str
    citation: str
    url: str
    dates: str


def reason(kb: KB, firing: Firing) -> Reason:
    rule = firing.rule
    dates = rule.dates_text()
    return Reason(rule.title, kb.citation(rule), kb.url_of(rule), "" if dates == "all dates" else dates)


def reasons(kb: KB, firings: list[Firing]) -> list[Reason]:
    seen: set[str] = set()
    out = []
    for firing in firings:
        if firing.rule.id not in seen:
            seen.add(firing.rule.id)
            out.append(reason(kb, firing))
    return out


@dataclass
class Row:
    name: str
    meaning: str
    value: str
    token: str
    qualifier: str
    status: str  # settled | provisional
    reasons: list[Reason]
    changed: bool = False
    old: str = ""
    old_reasons: list[Reason] = field(default_factory=list)


@dataclass
class Stage:
    id: str
    title: str
    rows: list[Row]


def conclusion_stages(assessment: Assessment, status: dict[str, str], changes: list[Change]) -> list[Stage]:
    """The public conclusions by stage, each with its value in words, whether it is settled, the
    rules that concluded it, and, where the last edit changed it, what it was and why."""
    kb = assessment.kb
    changed = {c.conclusion: c for c in changes}
    stages = []
    for sid, title, names in kb.public_by_stage():
        rows = []
        for name in names:
            value = assessment.value(name)
            row = Row(
                name=name,
                meaning=kb.lists[name].meaning if name in kb.lists else kb.conclusions[name].meaning,
                value=words(value),
                token=value_text(value),
                qualifier=assessment.qualifier(name).replace("_", " "),
                status=status.get(name, ""),
                reasons=reasons(kb, assessment.justifications(name)),
            )
            change = changed.get(name)
            if change is not None:
                row.changed = True
                row.old = words(change.old)
                row.old_reasons = reasons(kb, change.old_reasons)
            rows.append(row)
        stages.append(Stage(sid, title, rows))
    return stages


@dataclass
class Outcome:
    value: str  # the fact's value, as a form field holds it
    becomes: str  # what the conclusion would be


@dataclass
class EffectView:
    conclusion: str
    now: str
    settles: bool
    outcomes: list[Outcome]
    why: str


@dataclass
class QuestionView:
    fact: str
    key: str
    question: str
    effects: list[EffectView]
    options: list[str]


def question_views(kb: KB, questions: list[Question]) -> list[QuestionView]:
    """The facts not given that would settle or change what is open, most decisive first (the
    order `kbcheck ask` gives), each with the values that can be answered from the page."""
    out = []
    for q in questions:
        fact = kb.facts[q.fact]
        effects = [
            EffectView(
                conclusion=e.conclusion,
                now=words(e.current),
                settles=e.settles,
                outcomes=[Outcome(v, words(c)) for v, c in e.outcomes.items()],
                why=f"{e.reason[0]} [{e.reason[1]}]" if e.reason else "",
            )
            for e in q.effects
        ]
        options = ["true", "false"] if fact.type == "bool" else list(fact.values) if fact.type == "enum" else []
        out.append(QuestionView(q.fact, PREFIX + q.fact, q.question, effects, options))
    return out


@dataclass
class LawMove:
    """Rules read against the offence date that are in force on one date and not the other."""

    before: dt.date
    after: dt.date
    coming: list[Reason]
    going: list[Reason]


def law_move(kb: KB, before: dt.date, after: dt.date) -> LawMove | None:
    """What comes into and goes out of force when the offence date moves from `before` to `after`."""
    if before == after:
        return None
    coming: list[Reason] = []
    going: list[Reason] = []
    for rule in kb.rules:
        if rule.valid_on != "offence_date":
            continue
        was, now = rule.in_force_on(before), rule.in_force_on(after)
        if was != now:
            view = Reason(rule.title, kb.citation(rule), kb.url_of(rule), rule.dates_text())
            (coming if now else going).append(view)
    return LawMove(before, after, coming, going)


@dataclass
class LawDate:
    day: dt.date
    label: str


def law_dates(kb: KB) -> list[LawDate]:
    """The days on which a rule read against the offence date comes into or goes out of force,
    each labelled with the title of the first rule that changes then: the offence dates either
    side of which the law differs."""
    labels: dict[dt.date, str] = {}
    for rule in kb.rules:
        if rule.valid_on != "offence_date":
            continue
        if rule.valid_from:
            labels.setdefault(rule.valid_from, f"from: {rule.title} [{kb.citation(rule)}]")
        if rule.valid_until:
            labels.setdefault(rule.valid_until + dt.timedelta(days=1), f"ends: {rule.title} [{kb.citation(rule)}]")
    return [LawDate(day, labels[day]) for day in sorted(labels)]


@dataclass
class Headline:
    question: str
    row: Row


def headline(stages: list[Stage], questions: dict[str, str]) -> list[Headline]:
    """The conclusions a reader looks at first (the report's summary), picked out of the stages."""
    rows = {row.name: row for stage in stages for row in stage.rows}
    return [Headline(question, rows[name]) for name, question in questions.items() if name in rows]
