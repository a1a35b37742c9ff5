"""What a case report says, gathered once from an assessment into plain data, before any format.

`gather` computes everything the report shows (the facts given, each conclusion with its value,
status and the rules behind it, the law as at the dates used, the points for and against, the
guide's next steps, the facts that would settle what is open, the sources) as dataclasses of plain
text, and `diagram` draws the justification diagram. The renderers (report_render.py and the
templates in templates/) only format this data, so the HTML, the Markdown, the PDF and a report
writer's own template say the same things, and none of them holds law: every reason here is the
title of a rule that fired, and every headline is a conclusion of kb/.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from kbcheck.engine.model import KB, Rule, Source
from kbcheck.engine.result import Assessment, Firing

from .explanation import UNSETTLED, Explanation, Question
from .series_view import Row
from .text import qualifier_words, unique_rules, value_text

DEFAULT_DIAGRAM = "offence.mca_s1"

# The conclusions a reader looks for first, in the order a lawyer would ask about them.
KEY_CONCLUSIONS = {
    "offence.mca_s1": "Is the s.1 offence made out?",
    "evidence.strength": "How strong is the evidence?",
    "public_interest.balance": "Where does the public interest lie?",
    "outcome.likely": "The likely police or CPS outcome",
    "sentencing.band": "The sentencing risk on conviction",
    "advice.recommendation": "The practitioner's guide's recommendation",
}
PLACES = {"england_and_wales": "England and Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}
MAX_QUESTIONS = 12
OPEN_POINTS = "What would settle the open points"
NOT_ADVICE = (
    "This report is not legal advice. It applies a knowledge base of the law of England and Wales to the "
    "facts given, on the stated dates; a conclusion is only as good as those facts. Take advice from a "
    "qualified lawyer before acting on it."
)


# --- What the report says, independent of its format ---------------------------------------------
@dataclass(frozen=True)
class Link:
    """A citation: what a lawyer would write, and where it can be read."""

    text: str
    url: str


@dataclass(frozen=True)
class Reason:
    """One rule behind a conclusion (or behind one member of a list)."""

    title: str
    cite: Link
    rule: str
    member: str | None = None
    dates: str = ""  # empty when the rule holds on all dates
    confidence: str = ""  # empty when the research's confidence is high
    see_also: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One conclusion as the report shows it."""

    id: str
    meaning: str
    value: Any
    text: str  # the value as text
    qualifier: str  # how it is known, where the KB qualifies it ("relies on inference"); else ""
    status: str  # settled | provisional
    reasons: tuple[Reason, ...]

    @property
    def open(self) -> bool:
        return not isinstance(self.value, list) and self.text in UNSETTLED


@dataclass(frozen=True)
class FactRow:
    name: str
    meaning: str
    value: str


@dataclass(frozen=True)
class Limb:
    name: str
    in_force: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Step:
    """One of the practitioner's guide's next steps, with what the facts add to it."""

    heading: str
    guide: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Consequence:
    """What an open fact would make of one headline conclusion (one of KEY_CONCLUSIONS): the
    values of the fact that would change it, each with the value it would then take, and the
    rule that would then decide it. The reader of a report asks first whether a fact could turn
    the offence, the evidence or the outcome; the other conclusions it touches come after."""

    conclusion: str
    question: str  # the headline's question, as the summary asks it
    current: str
    outcomes: tuple[tuple[tuple[str, ...], str], ...]  # (the fact's values, the conclusion's value then)
    reason: str  # the title of the rule that would then decide; "" where the trace names none
    cite: str


@dataclass(frozen=True)
class Open:
    """A fact not given that would settle or change an open conclusion: its effect on the
    headline conclusions first (`headline`), then the other conclusions it would settle and
    those it would change."""

    fact: str
    question: str
    settles: tuple[str, ...]
    changes: tuple[str, ...]
    headline: tuple[Consequence, ...] = ()


@dataclass
class Report:
    case_id: str
    title: str
    offence_date: str
    assessment_date: str
    assessment_date_given: bool
    charge_date: str
    conviction_date: str
    jurisdiction: str
    jurisdiction_given: bool
    engine: str
    kb_fingerprint: str
    key: list[Finding]
    facts: list[tuple[str, list[FactRow]]]
    stages: list[tuple[str, list[Finding]]]
    limbs: list[Limb]
    dated_rules: list[Reason]
    complainant: list[Reason]
    defence: list[Reason]
    recommendation: Finding | None
    steps: list[Step]
    guide: Link | None
    questions: list[Open]
    more_questions: int
    diagram_conclusion: str
    diagram_value: str
    sources: list[Source] = field(default_factory=list)
    # A series (docs/case-format.md §1.5): the headline in words, and each communication with how
    # its s.1 count stands, the law it was judged under and its own facts.
    series: list[str] = field(default_factory=list)
    communications: list[Row] = field(default_factory=list)

    @property
    def sources_by_kind(self) -> list[tuple[str, list[Source]]]:
        """The sources under the headings a table of authorities uses, legislation first."""
        return by_kind(self.sources)


def gather(assessment: Assessment, diagram: str = DEFAULT_DIAGRAM) -> Report:
    """Everything the report shows, computed once from the assessment and its explanation."""
    kb = assessment.kb
    case = assessment.case
    explanation = Explanation(assessment)
    status = explanation.status()
    cited: dict[str, Source] = {}

    def reason(firing: Firing, member: str | None = None) -> Reason:
        rule = firing.rule
        cited.setdefault(rule.source, kb.sources[rule.source])
        for authority in rule.authorities:
            cited.setdefault(authority.source, kb.sources[authority.source])
        return _reason(kb, rule, member)

    def reasons_of(name: str) -> tuple[Reason, ...]:
        seen: set[tuple[str, str | None]] = set()
        out = []
        for firing in assessment.justifications(name):
            member = kb.conclusions[firing.conclusion].member if firing.conclusion != name else None
            if (firing.rule.id, member) not in seen:
                seen.add((firing.rule.id, member))
                out.append(reason(firing, member))
        return tuple(out)

    def finding(name: str) -> Finding:
        meaning = kb.lists[name].meaning if name in kb.lists else kb.conclusions[name].meaning
        value = assessment.value(name)
        qualifier = qualifier_words(assessment.qualifier(name))
        return Finding(name, meaning, value, value_text(value), qualifier, status[name], reasons_of(name))

    findings = {name: finding(name) for name in kb.public_conclusions()}
    stages = [(title, [findings[n] for n in names]) for _, title, names in kb.public_by_stage()]

    facts: list[tuple[str, list[FactRow]]] = []
    for gid, gtitle in kb.groups.items():
        rows = [
            FactRow(name, _sentence(fdef.meaning.split("; ")[0]), value_text(_plain(case.given[name])))
            for name, fdef in kb.facts.items()
            if fdef.group == gid and not fdef.header and name in case.given
        ]
        if rows:
            facts.append((gtitle, rows))

    limbs = []
    if "law.content_limbs_available" in kb.lists:
        ldef = kb.lists["law.content_limbs_available"]
        for member in ldef.members:
            mid = ldef.member_id(member)
            fired = unique_rules(f for f in assessment.firings if f.conclusion == mid)
            # the rule's title gives its dates; printing them again beside a repeal would read as "in force"
            shown = tuple(replace(reason(f), dates="") for f in fired)
            limbs.append(Limb(member, assessment.values[mid] == "yes", shown))

    dated_firings = [f for f in unique_rules(assessment.firings) if f.rule.valid_from or f.rule.valid_until]
    dated_firings.sort(key=lambda f: (f.rule.valid_from or dt.date.min, kb.citation(f.rule), f.rule.title))
    dated = [reason(f) for f in dated_firings]

    def points(name: str, prefix: str = "") -> list[Reason]:
        if name not in kb.lists:
            return []
        out = []
        for r in reasons_of(name):
            title = r.title[len(prefix) :] if prefix and r.title.startswith(prefix) else r.title
            out.append(replace(r, title=_sentence(title)))
        return out

    questions = explanation.missing()
    opens = [_open(q) for q in questions[:MAX_QUESTIONS]]

    guide_source = kb.sources.get("guide")
    if guide_source is not None:
        cited.setdefault("guide", guide_source)
    recommendation = findings.get("advice.recommendation")
    return Report(
        case_id=case.id,
        title=case.title,
        offence_date=long_date(case.offence_date.isoformat()),
        assessment_date=long_date(case.assessment_date.isoformat()),
        assessment_date_given=case.assessment_date_given,
        charge_date=long_date(case.charge_date.isoformat()),
        conviction_date=long_date(case.conviction_date.isoformat()),
        jurisdiction=PLACES.get(case.jurisdiction, case.jurisdiction),
        jurisdiction_given=case.jurisdiction_given,
        engine=assessment.engine,
        kb_fingerprint=assessment.series.plan.kb.fingerprint if assessment.series else kb.fingerprint,
        key=[findings[n] for n in KEY_CONCLUSIONS if n in findings],
        facts=facts,
        stages=stages,
        limbs=limbs,
        dated_rules=dated,
        complainant=points("points.complainant"),
        defence=points("points.defence", "Defence point: "),
        recommendation=recommendation,
        steps=_next_steps(kb, reasons_of),
        guide=Link(guide_source.short, guide_source.url) if guide_source else None,
        questions=opens,
        more_questions=max(0, len(questions) - MAX_QUESTIONS),
        diagram_conclusion=diagram,
        diagram_value=value_text(assessment.value(diagram)),
        sources=sorted(cited.values(), key=lambda s: s.title),
        **_series(assessment),
    )


def _series(assessment: Assessment) -> dict[str, Any]:
    """The series' part of the report: its headline and its communications, or nothing."""
    if assessment.series is None:
        return {}
    from .series_view import rows, summary

    listed = [replace(row, date=long_date(row.date)) for row in rows(assessment)]
    lines = [line for line in summary(assessment) if line]
    lines.append(
        f"The diagram of section 1 is the chain of {assessment.series.lead}, the communication the case rests "
        "on, on its own date; `kbcheck explain CASE --timeline` draws every communication's."
    )
    return {"series": lines, "communications": listed}


def _open(question: Question) -> Open:
    """A question of `kbcheck ask` as the report lists it. Its effects on the headline conclusions
    come first and in words, whether they settle an open value or overturn a provisional one:
    a fact that would take the offence from made out to not made out matters more to a reader than
    the unknown alternatives it would also settle, and listing only what it settles hid that."""
    by_conclusion = {e.conclusion: e for e in question.effects}
    headline = []
    for name, words in KEY_CONCLUSIONS.items():
        effect = by_conclusion.get(name)
        if effect is None:
            continue
        grouped: dict[str, list[str]] = {}
        for fact_value, new in effect.outcomes.items():
            if new != effect.current:
                grouped.setdefault(new, []).append(fact_value)
        outcomes = tuple((tuple(values), new) for new, values in grouped.items())
        title, cite = effect.reason or ("", "")
        headline.append(Consequence(name, words, effect.current, outcomes, title, cite))
    rest = [e for e in question.effects if e.conclusion not in KEY_CONCLUSIONS]
    settles = tuple(dict.fromkeys(e.conclusion for e in rest if e.settles))
    changes = tuple(dict.fromkeys(e.conclusion for e in rest if not e.settles))
    return Open(question.fact, question.question, settles, changes, tuple(headline))


def _reason(kb: KB, rule: Rule, member: str | None) -> Reason:
    dates = rule.dates_text()
    return Reason(
        title=rule.title,
        cite=Link(kb.citation(rule), kb.url_of(rule)),
        rule=rule.id,
        member=member,
        dates="" if dates == "all dates" else long_dates(dates),
        confidence="" if rule.confidence == "high" else rule.confidence,
        see_also=tuple(
            Link(f"{kb.sources[a.source].short}, {a.cite}", kb.sources[a.source].url) for a in rule.authorities
        ),
    )


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(iso: str) -> str:
    """2025-03-14 -> 14 March 2025, as a lawyer writes a date."""
    year, month, day = iso.split("-")
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def long_dates(text: str) -> str:
    return re.sub(r"\b(\d{4}-\d{2}-\d{2})\b", lambda mm: long_date(mm.group(1)), text)


def by_kind(sources: list[Source]) -> list[tuple[str, list[Source]]]:
    """The sources under the headings a table of authorities uses, legislation first."""
    from .style import SOURCE_KINDS

    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(source.kind, []).append(source)
    order = [k for k in SOURCE_KINDS if k in groups] + sorted(k for k in groups if k not in SOURCE_KINDS)
    headings = {"statute": "Legislation", "case_law": "Cases", "practice": "The practitioner's guide"}
    return [(headings.get(k) or SOURCE_KINDS.get(k, (k,))[0], sorted(groups[k], key=lambda s: s.title)) for k in order]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(value: Any) -> Any:
    """A given fact as the case file writes it (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


NEXT_STEPS = ("advice.preserve", "advice.position", "advice.action")  # the guide's three next steps


def _next_steps(kb: KB, reasons_of: Any) -> list[Step]:
    """The practitioner's guide's three next steps, each with what the rules concluded of this case:
    the step's heading and the guide's words are the list's meaning in kb/conclusions.yaml, and each
    note is the title of a rule that fired, so the report says nothing the trace does not."""
    steps = []
    for lid in NEXT_STEPS:
        ldef = kb.lists.get(lid)
        if ldef is None:
            continue
        heading, _, guide = ldef.meaning.partition(": ")
        order = {m: i for i, m in enumerate(ldef.members)}
        ranked = sorted(reasons_of(lid), key=lambda r: order.get(r.member, len(order)))
        notes = tuple(_full_stop(_sentence(r.title)) for r in ranked)
        steps.append(Step(heading, _full_stop(_sentence(guide)), notes))
    return steps


def _full_stop(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


# --- The diagram ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagram:
    """The justification diagram, and what its key must explain."""

    svg: bytes
    source_kinds: tuple[str, ...]  # the kinds of source of the rules drawn, for the key
    unknown_facts: bool
    open_conclusions: bool
    defeats: bool


def diagram(assessment: Assessment, conclusion: str = DEFAULT_DIAGRAM, embedded: bool = False) -> Diagram:
    """The justification diagram of one conclusion. Standalone, it carries its own title and legend;
    embedded in the HTML report, the page gives both as text (readable at any size), and the
    drawing is packed tighter so that it loses less when scaled to the page."""
    from . import dot, graph

    series = assessment.series
    if series is not None and conclusion in series.plan.conclusions:
        assessment = series.of(series.lead) or assessment  # a series: its lead communication's own chain
    sub = graph.justification(graph.build(assessment), conclusion)
    if embedded:
        digraph = dot.to_dot(sub, title="", legend=False)
        digraph.attr(ranksep="0.35", nodesep="0.18", label="")
        svg = digraph.pipe(format="svg")
    else:
        svg = dot.render(sub, "svg", title=f"Why {conclusion} = {value_text(assessment.value(conclusion))}")
    nodes = [d for _, d in sub.nodes(data=True)]
    return Diagram(
        svg=svg,
        source_kinds=tuple(sorted({d["source_kind"] for d in nodes if d["kind"] == "rule"})),
        unknown_facts=any(d["kind"] == "fact" and d["unknown"] and not d["given"] for d in nodes),
        open_conclusions=any(
            d["kind"] == "conclusion" and not isinstance(d["value"], list) and str(d["value"]) in UNSETTLED
            for d in nodes
        ),
        defeats=any(d.get("kind") == "defeats" for _, _, d in sub.edges(data=True)),
    )


def diagram_svg(assessment: Assessment, conclusion: str = DEFAULT_DIAGRAM) -> bytes:
    """The justification diagram of one conclusion as a standalone SVG file, with title and legend."""
    return diagram(assessment, conclusion).svg
