"""A case report for people who write reports: one HTML file that needs nothing else to be read,
or Markdown with the diagram beside it.

The report is gathered once from an assessment (`gather`) into plain data, and each renderer only
formats that data, so the HTML and the Markdown say the same things. Everything that comes from a
case file (its title, its id, any value) is escaped where it is written: a case cannot add markup,
scripts or links to a report. The HTML loads nothing: its style is inline, the diagram is inline
SVG, and a Content-Security-Policy forbids scripts and outside resources as a second line of
defence. Its only references outside are hyperlinks to the legal sources.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field, replace
from typing import Any

from kbcheck.engine.model import KB, Rule, Source
from kbcheck.engine.result import Assessment, Firing

from .explanation import UNSETTLED, Explanation
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
class Open:
    """A fact not given that would settle or change an open conclusion."""

    fact: str
    question: str
    settles: tuple[str, ...]
    changes: tuple[str, ...]


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
    opens = []
    for q in questions[:MAX_QUESTIONS]:
        settles = tuple(dict.fromkeys(e.conclusion for e in q.effects if e.settles))
        changes = tuple(dict.fromkeys(e.conclusion for e in q.effects if not e.settles))
        opens.append(Open(q.fact, q.question, settles, changes))

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
        kb_fingerprint=kb.fingerprint,
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
    )


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


def _by_kind(sources: list[Source]) -> list[tuple[str, list[Source]]]:
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


def inline_svg(svg: bytes) -> str:
    """An SVG file as an element to put inside HTML: no XML prolog, doctype or comments before it,
    and sized by the page's CSS rather than in points."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document")
    text = text[start:]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    return re.sub(
        r"<svg\b([^>]*)>",
        lambda m: "<svg" + m.group(1) + ' role="img" aria-labelledby="diagram-caption">',
        text,
        count=1,
    )


# --- HTML -----------------------------------------------------------------------------------------------
def e(text: Any) -> str:
    """Escape text for HTML content and attribute values alike."""
    return html.escape(" ".join(str(text).split()), quote=True)


def _href(link: Link) -> str:
    """A citation as a link, or as plain text if its address is not a web address."""
    if link.url.startswith(("https://", "http://")):
        return f'<a href="{e(link.url)}" rel="noopener noreferrer">{e(link.text)}</a>'
    return e(link.text)


def _value_html(finding: Finding) -> str:
    if isinstance(finding.value, list):
        if not finding.value:
            return '<span class="value none">none</span>'
        return " ".join(f'<span class="value">{e(v)}</span>' for v in finding.value)
    cls = "value open" if finding.open else "value"
    qualifier = f' <span class="qualifier">({e(finding.qualifier)})</span>' if finding.qualifier else ""
    return f'<span class="{cls}">{e(finding.text)}</span>{qualifier}'


def _status_html(status: str) -> str:
    return f'<span class="status {e(status)}">{e(status)}</span>'


def _reason_html(r: Reason, show_member: bool = True) -> str:
    member = f'<span class="member">{e(r.member)}</span> ' if show_member and r.member else ""
    extra = []
    if r.dates:
        extra.append(f"applies to {e(r.dates)}")
    if r.confidence:
        extra.append(f'<span class="confidence">confidence: {e(r.confidence)}</span>')
    extra.extend(f"see also {_href(link)}" for link in r.see_also)
    tail = f'<span class="meta">; {"; ".join(extra)}</span>' if extra else ""
    return f'<li>{member}{e(r.title)} <span class="cite">[{_href(r.cite)}]</span>{tail}</li>'


def _reasons_html(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    if not reasons:
        return '<p class="muted">None on the facts given.</p>'
    return '<ul class="reasons">' + "".join(_reason_html(r) for r in reasons) + "</ul>"


def _finding_row(f: Finding) -> str:
    return (
        f'<tr id="c-{e(f.id)}"><td class="conclusion"><span class="cid">{e(f.id)}</span>'
        f'<span class="meaning">{e(f.meaning)}</span></td>'
        f"<td>{_value_html(f)}</td><td>{_status_html(f.status)}</td>"
        f"<td>{_reasons_html(f.reasons)}</td></tr>"
    )


CSS = """
:root { --ink:#1d2330; --muted:#5b6473; --rule:#d8dce3; --accent:#1f4e79; --soft:#f4f6f9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.55 "Segoe UI", "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 2.2rem 2rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 1.7rem; line-height: 1.25; margin: .2rem 0 .8rem; }
h2 { font-size: 1.3rem; margin: 2.4rem 0 .7rem; padding-bottom: .3rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; color: var(--accent); }
p { margin: .5rem 0; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem; color: var(--muted); margin: 0; }
.muted { color: var(--muted); }
.meta-grid { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: .6rem 0 1rem; }
.meta-grid dt { color: var(--muted); }
.meta-grid dd { margin: 0; }
.notice { border-left: 4px solid #b3261e; background: #fbf1f0; padding: .6rem .9rem; margin: 1rem 0; }
.notice strong { color: #8c1d18; }
table { width: 100%; border-collapse: collapse; margin: .5rem 0 1rem; font-size: .93rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--rule); }
th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--rule); }
thead { display: table-header-group; }
td.conclusion { width: 27%; }
.cid, .fid, .member, .value, code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86em; }
.cid { display: block; font-weight: 600; }
.cid.small { font-weight: 400; font-size: .78em; color: var(--muted); }
.meaning { display: block; color: var(--muted); font-size: .9em; }
.value { display: inline-block; background: #eef2f7; border: 1px solid #cfd8e3; border-radius: 3px;
  padding: 0 .35em; margin: 0 .2em .2em 0; font-weight: 600; white-space: nowrap; }
.value.open { background: #fff4d6; border-color: #e0c060; }
.qualifier { font-style: italic; color: #444; }
.value.none { background: none; border-color: transparent; color: var(--muted); font-weight: 400; }
.status { display: inline-block; border-radius: 3px; padding: 0 .45em; font-size: .82em; font-weight: 600; }
.status.settled { background: #e3f1e6; color: #1e5b2d; }
.status.provisional { background: #fdf0d9; color: #7a4b00; }
ul.reasons { margin: 0; padding-left: 1.1rem; }
ul.reasons li { margin: 0 0 .25rem; }
.member { font-weight: 600; }
.cite { white-space: normal; }
.meta { color: var(--muted); font-size: .92em; }
.confidence { color: #a83232; }
.key td:first-child { width: 40%; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
.panel { border: 1px solid var(--rule); border-radius: 6px; padding: .7rem 1rem; background: #fcfcfd; }
.panel h3 { margin-top: .2rem; }
.panel.for h3 { color: #1e5b2d; }
.panel.against h3 { color: #8c1d18; }
ol.steps { padding-left: 1.3rem; }
ol.steps > li { margin-bottom: .8rem; }
ol.steps ul { margin: .3rem 0 0; padding-left: 1.1rem; }
figure.diagram { margin: 1rem 0; position: relative; left: 50%; transform: translateX(-50%);
  width: min(calc(100vw - 3rem), 120rem); border: 1px solid var(--rule); border-radius: 6px; padding: .8rem; }
figure.diagram svg { display: block; width: 100%; max-width: 100%; height: auto; }
figure.diagram figcaption { font-size: .9rem; color: var(--muted); margin: .6rem auto 0; max-width: 60rem; }
figcaption p { margin: 0 0 .4rem; }
ul.legend { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .2rem 1.4rem; }
ul.legend li { white-space: nowrap; }
.swatch { display: inline-block; width: 1.6em; height: .95em; border: 1px solid; vertical-align: -.1em; }
.arrow.defeats { color: #c62828; font-weight: 700; }
ul.sources { padding-left: 1.1rem; }
ul.sources li { margin-bottom: .3rem; }
.url { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .8em; color: var(--muted);
  word-break: break-all; }
footer { margin-top: 2.5rem; padding-top: .8rem; border-top: 1px solid var(--rule); font-size: .85rem; color: var(--muted); }
@page { size: A4; margin: 16mm 14mm; }
@page wide { size: A4 landscape; margin: 10mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  tr, li, .panel, .notice { break-inside: avoid; }
  section.figure { page: wide; break-before: page; }
  figure.diagram { position: static; transform: none; width: auto; border: none; padding: 0; break-inside: avoid; }
  figure.diagram svg { max-height: 150mm; }
  .swatch, .status, .value { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .value { white-space: normal; overflow-wrap: anywhere; }
  .columns { display: block; }
  .panel { margin-bottom: .8rem; }
}
@media (max-width: 48rem) { .columns { display: block; } .panel { margin-bottom: 1rem; } }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


OPEN_POINTS = "What would settle the open points"


def to_html(report: Report, drawing: Diagram) -> str:
    """The report as one HTML document: inline style, inline SVG, nothing loaded from anywhere."""
    sections = [
        ("diagram", f"Why {report.diagram_conclusion} is {report.diagram_value}", _html_diagram(report, drawing)),
        ("facts", "The facts of the case", _html_facts(report)),
        ("law", "The law as at the dates used", _html_law(report)),
        ("conclusions", "The conclusions, stage by stage", _html_conclusions(report)),
        ("points", "Points for and against", _html_points(report)),
        ("next-steps", "Next steps", _html_next_steps(report)),
        ("open", OPEN_POINTS, _html_open(report)),
        ("sources", "Sources cited", _html_sources(report)),
    ]
    out = [_html_head(report), _html_header(report), _html_summary(report)]
    for n, (sid, title, body) in enumerate(sections, start=1):
        cls = ' class="figure"' if sid == "diagram" else ""
        out.append(f'<section id="{sid}"{cls}>\n<h2>{n}. {e(title)}</h2>\n{body}\n</section>')
    out.append(
        "<footer>\n"
        f"<p><strong>Not legal advice.</strong> {e(NOT_ADVICE)}</p>\n"
        f"<p>Case <code>{e(report.case_id)}</code>; offence date {e(report.offence_date)}; assessment date "
        f"{e(report.assessment_date)}; kbcheck knowledge base <code>{e(report.kb_fingerprint)}</code>.</p>\n"
        "</footer>\n</main>\n</body>\n</html>\n"
    )
    return "\n".join(out)


def _html_head(report: Report) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(report.case_id)}: case assessment report</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>"
    )


def _html_header(report: Report) -> str:
    assessed = report.assessment_date + ("" if report.assessment_date_given else " (today, by default)")
    place = report.jurisdiction + ("" if report.jurisdiction_given else " (by default)")
    return (
        "<header>\n"
        '<p class="kicker">Malicious communications: case assessment report</p>\n'
        f"<h1>{e(report.title or report.case_id)}</h1>\n"
        '<dl class="meta-grid">\n'
        f"<dt>Case</dt><dd><code>{e(report.case_id)}</code></dd>\n"
        f"<dt>Offence date</dt><dd>{e(report.offence_date)} (the law then in force is applied)</dd>\n"
        f"<dt>Assessment date</dt><dd>{e(assessed)} (presumed date of charge and conviction)</dd>\n"
        f"<dt>Jurisdiction</dt><dd>{e(place)}</dd>\n"
        f"<dt>Assessed by</dt><dd>kbcheck, {e(report.engine)} engine; knowledge base "
        f"<code>{e(report.kb_fingerprint)}</code></dd>\n"
        "</dl>\n"
        f'<p class="notice"><strong>Not legal advice.</strong> {e(NOT_ADVICE)}</p>\n'
        "</header>"
    )


def _table(head: list[tuple[str, str]], rows: list[str], cls: str = "") -> str:
    """A table whose header cells have (title, width); the rows are already rendered."""
    ths = "".join(f'<th style="width:{w}">{t}</th>' if w else f"<th>{t}</th>" for t, w in head)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{ths}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _html_summary(report: Report) -> str:
    rows = []
    for f in report.key:
        main = f"{e(f.reasons[0].title)} [{_href(f.reasons[0].cite)}]" if f.reasons else ""
        rows.append(
            f'<tr><td>{e(KEY_CONCLUSIONS[f.id])}<a href="#c-{e(f.id)}" class="cid small">{e(f.id)}</a></td>'
            f"<td>{_value_html(f)}</td><td>{_status_html(f.status)}</td><td>{main}</td></tr>"
        )
    head = [("Question", "27%"), ("Conclusion", "17%"), ("Status", "10%"), ("Main reason", "")]
    return f'<section id="summary">\n<h2>Summary</h2>\n{_table(head, rows, "key")}\n{_status_key_html()}\n</section>'


def _html_facts(report: Report) -> str:
    out = []
    for gtitle, rows in report.facts:
        out.append(f"<h3>{e(gtitle)}</h3>")
        out.append(
            _table(
                [("Fact", ""), ("Given as", "24%")],
                [
                    f'<tr><td>{e(r.meaning)} <span class="fid muted">({e(r.name)})</span></td>'
                    f'<td><span class="value">{e(r.value)}</span></td></tr>'
                    for r in rows
                ],
            )
        )
    if not report.facts:
        out.append('<p class="muted">The case gives no facts beyond its dates.</p>')
    out.append(
        '<p class="muted">A fact the case does not give is treated as unknown, never as false; the conclusions '
        "that depend on it say so.</p>"
    )
    return "\n".join(out)


def _html_diagram(report: Report, drawing: Diagram) -> str:
    conclusion = f"<code>{e(report.diagram_conclusion)} = {e(report.diagram_value)}</code>"
    return (
        '<figure class="diagram">\n'
        f'<div class="drawing">{inline_svg(drawing.svg)}</div>\n'
        '<figcaption id="diagram-caption"><p>Read from left to right: the facts of the case, the rules that used '
        "them (each with its citation and, where it depends on the date, the conduct it applies to) and the "
        f"conclusions they reached, ending in {conclusion}. Each rule box links to its source. The drawing is a "
        f"vector image: zoom in to read it at any size.</p>{_legend_html(drawing)}</figcaption>\n"
        "</figure>"
    )


def _html_law(report: Report) -> str:
    assessed = "" if report.assessment_date_given else " (today, as the case gives none)"
    out = [
        f"<p>The law is applied as it stood on the <strong>offence date, {e(report.offence_date)}</strong>: each rule "
        "says what conduct it applies to, by date, and only the rules that apply on that date are used. The "
        f"<strong>assessment date</strong> is {e(report.assessment_date)}{assessed}. The <strong>charge date, "
        f"{e(report.charge_date)}</strong>, chooses the Code for Crown Prosecutors, the CPS guidance, the charging "
        "rules and the out-of-court disposals in force, and ends the time for laying an information; the "
        f"<strong>conviction date, {e(report.conviction_date)}</strong>, chooses the magistrates' sentencing powers, "
        "the sentencing guidelines and the statutory aggravation in force. Each defaults to the assessment date "
        "where the case gives none.</p>"
    ]
    if report.limbs:
        rows = []
        for limb in report.limbs:
            badge = "settled" if limb.in_force else "provisional"
            label = "in force" if limb.in_force else "not in force"
            rows.append(
                f'<tr><td><span class="cid">{e(limb.name)}</span></td>'
                f'<td><span class="status {badge}">{label}</span></td><td>{_reasons_html(limb.reasons)}</td></tr>'
            )
        out.append("<h3>The content limbs of s.1(1) on the offence date</h3>")
        out.append(_table([("Limb", "30%"), ("On the offence date", "16%"), ("Why", "")], rows))
    if report.dated_rules:
        out.append("<h3>Rules used that depend on the date</h3>")
        out.append(
            '<p class="muted">Each applies only to conduct (or, for sentencing powers, convictions) in a range of '
            "dates, earliest first.</p>"
        )
        rows = [
            f"<tr><td>{e(r.title)}</td><td>{_href(r.cite)}</td><td>{e(r.dates)}</td></tr>" for r in report.dated_rules
        ]
        out.append(_table([("Rule", ""), ("Citation", "26%"), ("The rule applies to", "26%")], rows))
    return "\n".join(out)


def _html_conclusions(report: Report) -> str:
    out = [_status_key_html()]
    head = [("Conclusion", "27%"), ("Value", "15%"), ("Status", "10%"), ("Reason and source", "")]
    for title, findings in report.stages:
        out.append(f"<h3>{e(title)}</h3>")
        out.append(_table(head, [_finding_row(f) for f in findings]))
    return "\n".join(out)


def _html_points(report: Report) -> str:
    out = ['<div class="columns">']
    for cls, heading, items, empty in (
        ("for", "For the complainant", report.complainant, "None of the guide's points is shown on the facts given."),
        ("against", "For the defence", report.defence, "None of the guide's defence points is raised by the facts."),
    ):
        out.append(f'<div class="panel {cls}"><h3>{heading}</h3>')
        if items:
            out.append('<ul class="reasons">' + "".join(_reason_html(r, show_member=False) for r in items) + "</ul>")
        else:
            out.append(f'<p class="muted">{empty}</p>')
        out.append("</div>")
    out.append("</div>")
    out.append(
        "<p class=\"muted\">After the practitioner's guide's 'A complaint is usually stronger if' and "
        "'Common defence points', applied to the facts given.</p>"
    )
    return "\n".join(out)


def _html_next_steps(report: Report) -> str:
    out = []
    rec = report.recommendation
    if rec is not None:
        why = "; ".join(f"{e(r.title)} [{_href(r.cite)}]" for r in rec.reasons)
        out.append(f"<p>Recommendation: {_value_html(rec)} {_status_html(rec.status)} \u2014 {why}</p>")
    out.append('<ol class="steps">')
    for step in report.steps:
        notes = "".join(f"<li>{e(n)}</li>" for n in step.notes)
        out.append(
            f"<li><strong>{e(step.heading)}.</strong> {e(step.guide)}"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</li>"
        )
    out.append("</ol>")
    if report.guide is not None:
        out.append(
            f'<p class="muted">The steps follow the "Next steps" of the {_href(report.guide)}, in kbcheck\'s words; '
            "the notes under them come from this case's conclusions.</p>"
        )
    return "\n".join(out)


def _html_open(report: Report) -> str:
    if not report.questions:
        return "<p>Nothing is open: no fact the case leaves unknown would settle a conclusion.</p>"
    rows = []
    for q in report.questions:
        names = [f"<code>{e(n)}</code>" for n in q.settles] or [f"<code>{e(n)}</code> (changes)" for n in q.changes]
        rows.append(
            f'<tr><td>{e(q.question)}</td><td><span class="fid">{e(q.fact)}</span></td><td>{", ".join(names)}</td></tr>'
        )
    out = [
        "<p>Facts the case does not give that would settle (or change) a conclusion that is still unknown or "
        "undetermined, most decisive first.</p>",
        _table([("Question", ""), ("Fact", "22%"), ("Would settle", "36%")], rows),
    ]
    if report.more_questions:
        out.append(
            f'<p class="muted">{report.more_questions} more: <code>kbcheck ask</code> on the case file lists them all.</p>'
        )
    return "\n".join(out)


def _html_sources(report: Report) -> str:
    out = []
    for kind, sources in _by_kind(report.sources):
        out.append(f"<h3>{e(kind)}</h3>")
        items = "".join(
            f'<li>{_href(Link(s.title, s.url))}<br><span class="url">{e(s.url)}</span></li>' for s in sources
        )
        out.append(f'<ul class="sources">{items}</ul>')
    return "\n".join(out)


def _legend_html(drawing: Diagram) -> str:
    """The diagram's key as text on the page, with swatches in the diagram's own colours."""
    from . import style

    def swatch(fill: str, border: str, extra: str = "") -> str:
        return f'<span class="swatch" style="background:{fill};border-color:{border};{extra}"></span>'

    items = [(swatch(style.FACT_GIVEN["fillcolor"], style.FACT_GIVEN["color"]), "a fact the case gives")]
    if drawing.unknown_facts:
        items.append(
            (swatch("#ffffff", style.FACT_UNKNOWN["color"], "border-style:dashed"), "a fact not given: unknown")
        )
    for kind in drawing.source_kinds:
        label, fill, border = style.SOURCE_KINDS[kind]
        items.append((swatch(fill, border, "border-radius:4px"), f"a rule from: {label}"))
    items.append(
        (swatch("#ffffff", "#222222", "border-radius:4px;border-style:double;border-width:3px"), "a conclusion")
    )
    if drawing.open_conclusions:
        unsettled = style.CONCLUSION_UNSETTLED
        items.append(
            (
                swatch(unsettled["fillcolor"], unsettled["color"], "border-style:dashed"),
                "a conclusion that is unknown or undetermined",
            )
        )
    if drawing.defeats:
        items.append(('<span class="arrow defeats">&#8867;</span>', "a consideration that defeats a conclusion"))
    body = "".join(f"<li>{mark} {e(text)}</li>" for mark, text in items)
    return f'<ul class="legend">{body}</ul>'


def _status_key_html() -> str:
    return (
        f'<p class="muted">{_status_html("settled")} no fact the case leaves unknown could change it. '
        f"{_status_html('provisional')} a fact not given could; \u201c{OPEN_POINTS}\u201d lists the facts that "
        "would settle what is still open.</p>"
    )


def html_report(assessment: Assessment, conclusion: str = DEFAULT_DIAGRAM) -> str:
    """The HTML report of an assessment, with the justification diagram of `conclusion`."""
    return to_html(gather(assessment, conclusion), diagram(assessment, conclusion, embedded=True))


# --- Markdown --------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def m(text: Any) -> str:
    """Escape text for Markdown: no markup, no raw HTML, no table breaks, one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _md_code(text: Any) -> str:
    """Text inside a code span: no backtick or line break can end it, no pipe can split a table."""
    return " ".join(str(text).split()).replace("`", "'").replace("|", "\\|")


def _md_link(link: Link) -> str:
    if link.url.startswith(("https://", "http://")):
        url = link.url
        for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
            url = url.replace(char, code)
        return f"[{m(link.text)}]({url})"
    return m(link.text)


def _md_value(f: Finding) -> str:
    if isinstance(f.value, list):
        return ", ".join(f"`{_md_code(v)}`" for v in f.value) or "none"
    return f"`{_md_code(f.text)}`" + (f" ({m(f.qualifier)})" if f.qualifier else "")


def _md_reason(r: Reason, show_member: bool = True) -> str:
    member = f"`{_md_code(r.member)}`: " if show_member and r.member else ""
    extra = []
    if r.dates:
        extra.append(f"applies to {m(r.dates)}")
    if r.confidence:
        extra.append(f"confidence: {m(r.confidence)}")
    extra.extend(f"see also {_md_link(link)}" for link in r.see_also)
    tail = f"; {'; '.join(extra)}" if extra else ""
    return f"{member}{m(r.title)} \\[{_md_link(r.cite)}\\]{tail}"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


_MD_STATUS_KEY = (
    "*settled*: no fact the case leaves unknown could change it; *provisional*: a fact not given could "
    f"(\u201c{OPEN_POINTS}\u201d lists the facts that would settle what is still open)."
)


def to_markdown(report: Report, diagram_file: str) -> str:
    """The report as Markdown (GitHub tables); the diagram is the SVG file `diagram_file`, beside it."""
    value = f"`{_md_code(report.diagram_value)}`"
    sections = [
        (f"Why `{report.diagram_conclusion}` is {value}", _md_diagram(report, diagram_file)),
        ("The facts of the case", _md_facts(report)),
        ("The law as at the dates used", _md_law(report)),
        ("The conclusions, stage by stage", _md_conclusions(report)),
        ("Points for and against", _md_points(report)),
        ("Next steps", _md_next_steps(report)),
        (OPEN_POINTS, _md_open(report)),
        ("Sources cited", _md_sources(report)),
    ]
    assessed = report.assessment_date + ("" if report.assessment_date_given else " (today, by default)")
    place = report.jurisdiction + ("" if report.jurisdiction_given else " (by default)")
    out = [
        f"# {m(report.title or report.case_id)}",
        "",
        "*Malicious communications: case assessment report*",
        "",
        f"- **Case:** `{_md_code(report.case_id)}`",
        f"- **Offence date:** {m(report.offence_date)} (the law then in force is applied)",
        f"- **Assessment date:** {m(assessed)} (presumed date of charge and conviction)",
        f"- **Jurisdiction:** {m(place)}",
        f"- **Assessed by:** kbcheck, {m(report.engine)} engine; knowledge base `{_md_code(report.kb_fingerprint)}`",
        "",
        f"> **Not legal advice.** {m(NOT_ADVICE)}",
        "",
        "## Summary",
        "",
    ]
    rows = []
    for f in report.key:
        main = f"{m(f.reasons[0].title)} \\[{_md_link(f.reasons[0].cite)}\\]" if f.reasons else ""
        rows.append([f"{m(KEY_CONCLUSIONS[f.id])} (`{f.id}`)", _md_value(f), f.status, main])
    out += _md_table(["Question", "Conclusion", "Status", "Main reason"], rows)
    out += [_MD_STATUS_KEY, ""]
    for n, (title, body) in enumerate(sections, start=1):
        out += [f"## {n}. {title}", "", *body]
    out += ["---", "", f"**Not legal advice.** {m(NOT_ADVICE)}", ""]
    return "\n".join(out)


def _md_facts(report: Report) -> list[str]:
    out: list[str] = []
    for gtitle, rows in report.facts:
        out += [f"### {m(gtitle)}", ""]
        out += _md_table(
            ["Fact", "Given as"], [[f"{m(r.meaning)} (`{r.name}`)", f"`{_md_code(r.value)}`"] for r in rows]
        )
    if not report.facts:
        out += ["The case gives no facts beyond its dates.", ""]
    out += ["A fact the case does not give is treated as unknown, never as false.", ""]
    return out


def _md_diagram(report: Report, diagram_file: str) -> list[str]:
    return [
        f"![The justification of {report.diagram_conclusion}]({diagram_file.replace(' ', '%20')})",
        "",
        "Read from left to right: the facts of the case, the rules that used them (each with its citation) and the "
        "conclusions they reached. Opened on its own, the diagram's rule boxes link to their sources.",
        "",
    ]


def _md_law(report: Report) -> list[str]:
    assessed = "" if report.assessment_date_given else " (today, as the case gives none)"
    out = [
        f"The law is applied as it stood on the **offence date, {m(report.offence_date)}**: each rule says what "
        "conduct it applies to, by date, and only the rules that apply on that date are used. The **assessment "
        f"date** is {m(report.assessment_date)}{assessed}. The **charge date, {m(report.charge_date)}**, chooses the "
        "Code for Crown Prosecutors, the CPS guidance, the charging rules and the out-of-court disposals in force, "
        f"and ends the time for laying an information; the **conviction date, {m(report.conviction_date)}**, "
        "chooses the magistrates' sentencing powers, the sentencing guidelines and the statutory aggravation in "
        "force. Each defaults to the assessment date where the case gives none.",
        "",
    ]
    if report.limbs:
        out += ["### The content limbs of s.1(1) on the offence date", ""]
        rows = [
            [
                f"`{limb.name}`",
                "in force" if limb.in_force else "not in force",
                "<br>".join(_md_reason(r) for r in limb.reasons),
            ]
            for limb in report.limbs
        ]
        out += _md_table(["Limb", "On the offence date", "Why"], rows)
    if report.dated_rules:
        out += ["### Rules used that depend on the date", ""]
        rows = [[m(r.title), _md_link(r.cite), m(r.dates)] for r in report.dated_rules]
        out += _md_table(["Rule", "Citation", "The rule applies to"], rows)
    return out


def _md_conclusions(report: Report) -> list[str]:
    out = [_MD_STATUS_KEY, ""]
    for title, findings in report.stages:
        out += [f"### {m(title)}", ""]
        rows = [
            [
                f"`{f.id}`: {m(f.meaning)}",
                _md_value(f),
                f.status,
                "<br>".join(_md_reason(r) for r in f.reasons) or "none on the facts given",
            ]
            for f in findings
        ]
        out += _md_table(["Conclusion", "Value", "Status", "Reason and source"], rows)
    return out


def _md_points(report: Report) -> list[str]:
    out = ["### For the complainant", ""]
    out += [f"- {_md_reason(r, False)}" for r in report.complainant] or [
        "None of the guide's points is shown on the facts given."
    ]
    out += ["", "### For the defence", ""]
    out += [f"- {_md_reason(r, False)}" for r in report.defence] or [
        "None of the guide's defence points is raised by the facts."
    ]
    out += [
        "",
        "After the practitioner's guide's 'A complaint is usually stronger if' and 'Common defence points', applied "
        "to the facts given.",
        "",
    ]
    return out


def _md_next_steps(report: Report) -> list[str]:
    out = []
    rec = report.recommendation
    if rec is not None:
        why = "; ".join(f"{m(r.title)} \\[{_md_link(r.cite)}\\]" for r in rec.reasons)
        out += [f"Recommendation: {_md_value(rec)} ({rec.status}) \u2014 {why}", ""]
    for n, step in enumerate(report.steps, start=1):
        out.append(f"{n}. **{m(step.heading)}.** {m(step.guide)}")
        out += [f"   - {m(note)}" for note in step.notes]
    out.append("")
    if report.guide is not None:
        out += [
            f'The steps follow the "Next steps" of the {_md_link(report.guide)}, in kbcheck\'s words; the notes '
            "under them come from this case's conclusions.",
            "",
        ]
    return out


def _md_open(report: Report) -> list[str]:
    if not report.questions:
        return ["Nothing is open: no fact the case leaves unknown would settle a conclusion.", ""]
    out = [
        "Facts the case does not give that would settle (or change) a conclusion that is still unknown or "
        "undetermined, most decisive first.",
        "",
    ]
    rows = []
    for q in report.questions:
        names = [f"`{n}`" for n in q.settles] or [f"`{n}` (changes)" for n in q.changes]
        rows.append([m(q.question), f"`{q.fact}`", ", ".join(names)])
    out += _md_table(["Question", "Fact", "Would settle"], rows)
    if report.more_questions:
        out += [f"{report.more_questions} more: `kbcheck ask` on the case file lists them all.", ""]
    return out


def _md_sources(report: Report) -> list[str]:
    out: list[str] = []
    for kind, sources in _by_kind(report.sources):
        out += [f"### {m(kind)}", ""]
        out += [f"- {_md_link(Link(s.title, s.url))}" for s in sources]
        out.append("")
    return out


def markdown_report(assessment: Assessment, diagram_file: str, conclusion: str = DEFAULT_DIAGRAM) -> tuple[str, bytes]:
    """The Markdown report and the SVG it refers to as `diagram_file` (a path relative to it)."""
    return to_markdown(gather(assessment, conclusion), diagram_file), diagram_svg(assessment, conclusion)
