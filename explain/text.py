"""Plain-text renderings: an assessment with its reasons, rules in plain English."""

from __future__ import annotations

import textwrap
from typing import Any

from kbcheck.engine.model import KB, All, AnyOf, Condition, Rule, Test
from kbcheck.engine.result import Assessment


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def value_words(value: Any) -> str:
    """A value as a reader says it: null is "not concluded", an empty list "none", true and false
    "yes" and "no", and a value of words has spaces for underscores ("not made out"). A value
    with a digit in it ("ca2003_s127_1", "outcome_1_charge_summons") names an offence or a record
    and is kept as the id, so it can be looked up."""
    if value is None:
        return "not concluded"
    if isinstance(value, list):
        return ", ".join(value_words(v) for v in value) if value else "none"
    if isinstance(value, bool) or value in ("true", "false"):
        return "yes" if value in (True, "true") else "no"
    text = str(value)
    return text if any(ch.isdigit() for ch in text) else text.replace("_", " ")


def answer_words(fact: Any, values: list[str], tried: list[str]) -> str:
    """The answers to a fact that lead to one result, in words: "yes", "letter or email", and for a
    number the range they stand for ("10 to 17", "26 or more"), not the values either side of a
    boundary that were tried. `tried` is every value tried, in order; a run of them that leads to
    the same result stands for every number from its first to the one before the next run."""
    if fact.type != "int":
        said = [value_words(v) for v in values]
        return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " or " + said[-1]
    numbers = [int(v) for v in tried]
    chosen = {int(v) for v in values}
    ranges = []
    for n, number in enumerate(numbers):
        if number not in chosen or (n and numbers[n - 1] in chosen):
            continue
        end = n
        while end + 1 < len(numbers) and numbers[end + 1] in chosen:
            end += 1
        if end + 1 == len(numbers):
            top = fact.maximum
            ranges.append(f"{number} or more" if top is None or top > number else str(number))
        else:
            last = numbers[end + 1] - 1
            ranges.append(str(number) if last == number else f"{number} to {last}")
    return ranges[0] if len(ranges) == 1 else ", ".join(ranges[:-1]) + " or " + ranges[-1]


def outcomes_words(fact: Any, outcomes: dict[str, Any], current: Any) -> str:
    """What each answer would make a conclusion: "if yes: not met; if no: met, as now" (answers
    with the same result together, those that change it first)."""
    groups: dict[str, list[str]] = {}
    for answer, result in outcomes.items():
        groups.setdefault(str(result), []).append(answer)
    parts = sorted(groups.items(), key=lambda item: item[0] == str(current))
    tried = list(outcomes)
    return "; ".join(
        f"if {answer_words(fact, answers, tried)}: {value_words(result)}"
        + (", as now" if result == str(current) else "")
        for result, answers in parts
    )


def qualifier_words(qualifier: str) -> str:
    """A qualifier as words ('relies on inference'); '' stays ''."""
    return qualifier.replace("_", " ")


def qualified(value: str, qualifier: str) -> str:
    """A value with how it is known, in brackets: 'made_out (relies on inference)'."""
    return f"{value} ({qualifier_words(qualifier)})" if qualifier else value


def shown_value(assessment: Assessment, name: str) -> str:
    """A conclusion's value as people read it, with how it is known where the KB qualifies it."""
    return qualified(value_text(assessment.value(name)), assessment.qualifier(name))


def _header(assessment: Assessment) -> list[str]:
    case = assessment.case
    lines = [f"{case.id}" + (f": {case.title}" if case.title else "")]
    assessed = case.assessment_date.isoformat() + ("" if case.assessment_date_given else " (today)")
    place = {
        "england_and_wales": "England and Wales",
        "scotland": "Scotland",
        "northern_ireland": "Northern Ireland",
    }.get(case.jurisdiction, case.jurisdiction)
    decided = ""
    if case.date_given("charge_date") or case.date_given("conviction_date"):
        decided = (
            f"charge decision {case.charge_date.isoformat()} (the Code and guidance then in force); "
            f"conviction {case.conviction_date.isoformat()}; "
        )
    if assessment.series is not None:
        from .series_view import series_header

        offence = series_header(assessment)
    else:
        offence = f"Offence date {case.offence_date.isoformat()} (the law then in force)"
    lines.append(f"{offence}; {decided}assessment date {assessed}; {place}; {assessment.engine} engine.")
    return lines


def _reasons(assessment: Assessment, conclusion: str) -> list[str]:
    kb = assessment.kb
    seen: set[str] = set()
    out = []
    for firing in assessment.justifications(conclusion):
        if firing.rule.id in seen:
            continue
        seen.add(firing.rule.id)
        prefix = ""
        if firing.conclusion != conclusion:  # a member of a list
            prefix = f"{kb.conclusions[firing.conclusion].member}: "
        out.append(f"{prefix}{firing.rule.title}  [{kb.citation(firing.rule)}]")
    return out


def assessment_text(assessment: Assessment, status: dict[str, str] | None = None, width: int = 100) -> str:
    """Each conclusion, by stage, with its value, whether it is settled, and the rules that
    concluded it."""
    kb = assessment.kb
    lines = _header(assessment)
    if status:
        lines.append(
            "settled: no fact left unknown could change it; provisional: a fact not given could "
            "(`kbcheck ask` lists them)."
        )
    if assessment.series is not None:
        from .series_view import series_lines

        lines.extend(series_lines(assessment, width))
    for _, title, names in kb.public_by_stage():
        lines.append("")
        lines.append(title.upper())
        for name in names:
            head = f"  {name} = {shown_value(assessment, name)}"
            if status:
                head = (
                    head.ljust(width - 12) + f" {status[name]}" if len(head) < width - 12 else f"{head}  {status[name]}"
                )
            lines.append(head)
            for reason in _reasons(assessment, name):
                wrapped = textwrap.wrap(reason, width - 8) or [""]
                lines.append("      " + wrapped[0])
                lines.extend("        " + part for part in wrapped[1:])
    return "\n".join(lines) + "\n"


# --- Rules in plain English --------------------------------------------------------------------


def condition_lines(cond: Condition, indent: int = 0) -> list[str]:
    pad = "  " * indent
    if isinstance(cond, Test):
        return [f"{pad}- {cond.describe()}"]
    if isinstance(cond, AnyOf):
        out = [f"{pad}- any of:"]
        for item in cond.items:
            out.extend(condition_lines(item, indent + 1))
        return out
    assert isinstance(cond, All)
    if indent == 0:
        return [line for item in cond.items for line in condition_lines(item, indent)]
    out = [f"{pad}- all of:"]
    for item in cond.items:
        out.extend(condition_lines(item, indent + 1))
    return out


def rule_text(kb: KB, rule: Rule) -> str:
    source = kb.sources[rule.source]
    lines = [f"{rule.id}", f"  {rule.title}", ""]
    lines.append(f"  Source:      {source.title}")
    lines.append(f"  Citation:    {kb.citation(rule)}")
    lines.append(f"  Link:        {kb.url_of(rule)}")
    lines.append(f"  In force:    {rule.dates_text()}")
    lines.append(f"  Confidence:  {rule.confidence}")
    lines.append(f"  Defined in:  {rule.file}:{rule.line}")
    for authority in rule.authorities:
        lines.append(f"  See also:    {kb.sources[authority.source].short}, {authority.cite}")
    if rule.text:
        lines.append("")
        lines.append("  The law says:")
        lines.extend("    " + part for part in textwrap.wrap(f"\u201c{rule.text}\u201d", 92))
    lines.append("")
    lines.append("  If:" if rule.when.items else "  If: always (on the dates in force)")
    lines.extend("    " + line for line in condition_lines(rule.when))
    lines.append(f"  Then:        {rule.conclusion} = {rule.value}")
    if rule.defeats:
        lines.append(f"  Defeats:     {', '.join(rule.defeats)}")
    for label, text in (("Notes", rule.notes), ("The practitioner's guide", rule.seed)):
        if text:
            lines.append("")
            lines.append(f"  {label}:")
            lines.extend("    " + part for part in textwrap.wrap(text, 92))
    return "\n".join(lines) + "\n"


def rule_json(kb: KB, rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "source": rule.source,
        "source_title": kb.sources[rule.source].title,
        "source_kind": kb.sources[rule.source].kind,
        "citation": kb.citation(rule),
        "url": kb.url_of(rule),
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
        "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
        "conditions": condition_lines(rule.when),
        "concludes": f"{rule.conclusion}={rule.value}",
        "defeats": list(rule.defeats),
        "confidence": rule.confidence,
        "authorities": [{"source": a.source, "cite": a.cite} for a in rule.authorities],
        "notes": rule.notes,
        "guide_differs": rule.seed,
        "file": rule.file,
        "line": rule.line,
    }


# --- Explanations ----------------------------------------------------------------------------------


def _because(title: str) -> str:
    """'The message is grossly offensive' -> 'because the message is grossly offensive'."""
    if len(title) > 1 and title[0].isupper() and (title[1].islower() or title[1] == " "):
        title = title[0].lower() + title[1:]
    return f"because {title}"


def _meaning(kb: KB, name: str) -> str:
    if name in kb.facts:
        return kb.facts[name].meaning.split("; ")[0]
    if name in kb.lists:
        return kb.lists[name].meaning
    return kb.conclusions[name].meaning


def why_text(kb: KB, node: Any, width: int = 110) -> str:
    """The justification of a conclusion as an indented tree, each step with its citation."""
    lines: list[str] = []

    def label(n: Any) -> str:
        if n.kind == "fact":
            return f"{n.name} = {n.value}  ({n.provenance}): {_meaning(kb, n.name)}"
        text = f"{n.name} = {qualified(str(n.value), n.qualifier)}"
        if n.repeated:
            return text + "  (shown above)"
        # The meaning says what the conclusion decides, whatever its value: "(asks: ...)" keeps
        # "not_made_out: all elements met" from reading as a contradiction.
        return f"{text}  (asks: {_meaning(kb, n.name)})"

    def walk(n: Any, prefix: str, last: bool, root: bool = False) -> None:
        branch = "" if root else ("└─ " if last else "├─ ")
        lines.append(prefix + branch + label(n))
        child_prefix = prefix if root else prefix + ("   " if last else "│  ")
        children: list[tuple[str, Any]] = []
        for member in n.members:
            children.append(("node", member))
        for because in n.because:
            children.append(("because", because))
        for i, (kind, child) in enumerate(children):
            is_last = i == len(children) - 1
            if kind == "node":
                walk(child, child_prefix, is_last)
                continue
            rule = child.firing.rule
            dates = "" if rule.dates_text() == "all dates" else f"; in force for {rule.dates_text()}"
            lines.append(
                child_prefix + ("└─ " if is_last else "├─ ") + f"{_because(rule.title)}  [{kb.citation(rule)}{dates}]"
            )
            sub_prefix = child_prefix + ("   " if is_last else "│  ")
            for j, premise in enumerate(child.premises):
                walk(premise, sub_prefix, j == len(child.premises) - 1)

    walk(node, "", True, root=True)
    return "\n".join(lines) + "\n"


def why_not_text(kb: KB, conclusion: str, value: str, actual: Any, attempts: list[Any]) -> str:
    lines = [f"{conclusion} = {value}?  It is {value_text(actual)}."]
    if not attempts:
        lines.append(f"No rule concludes {conclusion} = {value}.")
    for attempt in attempts:
        rule = attempt.rule
        verdict = "fired" if attempt.fired else "did not fire"
        lines.append("")
        lines.append(f"{attempt.name}  ({verdict})")
        lines.append(f"  {rule.title}  [{kb.citation(rule)}]")
        for check in attempt.checks:
            mark = {"held": "held   ", "failed": "FAILED ", "unknown": "UNKNOWN"}[check.status]
            lines.append(f"  {mark} {check.description}   (it is {check.actual})")
    return "\n".join(lines) + "\n"


def ask_text(kb: KB, questions: list[Any], targets: list[str], width: int = 100) -> str:
    """Each fact in the order given (most decisive first) with its question, then what each answer
    would make each conclusion, stage by stage and, within a stage, the contract's conclusions
    before members of lists and the weightier first; wrapped to `width` columns."""
    if not targets:
        return "Every conclusion is settled: no fact that is not given could change any of them.\n"
    if not questions:
        return (
            "\n".join(wrap("No single fact that is not given would change " + ", ".join(targets) + ".", width)) + "\n"
        )
    lines = [
        "Facts not given that could change "
        + (targets[0] if len(targets) == 1 else "what is still open")
        + ", most decisive first:"
    ]
    order = {sid: n for n, sid in enumerate(kb.stages)}

    def importance(effect: Any, weights: dict[str, int]) -> tuple[int, bool, int]:
        cdef = kb.conclusions[effect.conclusion]
        return (order.get(cdef.stage, len(order)), cdef.list_id is not None, -weights.get(effect.conclusion, 1))

    for n, question in enumerate(questions, start=1):
        fact = kb.facts[question.fact]
        lines.append("")
        lines += wrap(f"{n}. {question.fact}: {question.question}", width, "", "   ")
        for effect in sorted(question.effects, key=lambda e: importance(e, question.weights)):
            verb = "would settle" if effect.settles else "would change"
            said = outcomes_words(fact, effect.outcomes, effect.current)
            head = f"{verb} {effect.conclusion} (now {value_words(effect.current)}): {said}"
            lines += wrap(head, width, "     ", "       ")
            if effect.reason:
                lines += wrap(f"why it matters: {effect.reason[0]} [{effect.reason[1]}]", width, "       ", "         ")
    return "\n".join(lines) + "\n"


def wrap(text: str, width: int = 100, indent: str = "", more: str = "") -> list[str]:
    """A paragraph as lines of at most `width` columns, never broken inside a word or at a hyphen
    (an id such as ca2003.s127_1 stays whole)."""
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=more, break_on_hyphens=False, break_long_words=False
    ) or [indent]


def what_if_text(kb: KB, before: Any, after: Any, changes: list[Any], edits: list[str], same: list[str]) -> str:
    """`same`: the facts the case already gave with the value asked for (said, not hidden)."""
    lines = [f"What if {', '.join(edits)}?"]
    if same:
        lines.append(f"The case already gives {', '.join(same)}: that is no change.")
    if not changes:
        lines.append("Nothing in the conclusions changes.")
        return "\n".join(lines) + "\n"
    for change in changes:
        lines.append("")
        lines.append(f"{change.conclusion}: {value_text(change.old)} -> {value_text(change.new)}")
        ldef = kb.lists.get(change.conclusion)
        if ldef is not None:  # the reasons are those of the members that changed
            for member in ldef.members:
                mid = ldef.member_id(member)
                old, new = before.values[mid], after.values[mid]
                if old != new:
                    lines.append(f"  {member}: {old} -> {new}")
                    _reason_lines(kb, lines, after.justifications(mid), before.justifications(mid), "    ")
            continue
        _reason_lines(kb, lines, change.new_reasons, change.old_reasons, "  ")
    return "\n".join(lines) + "\n"


def _reason_lines(kb: KB, lines: list[str], new: list[Any], old: list[Any], pad: str) -> None:
    for firing in unique_rules(new):
        lines.append(f"{pad}now:    {firing.rule.title} [{kb.citation(firing.rule)}]")
    for firing in unique_rules(old):
        lines.append(f"{pad}before: {firing.rule.title} [{kb.citation(firing.rule)}]")


def unique_rules(firings: Any) -> list[Any]:
    """The firings with one per rule: a rule that fired through several alternatives of its
    conditions is one reason."""
    seen: set[str] = set()
    out = []
    for firing in firings:
        if firing.rule.id not in seen:
            seen.add(firing.rule.id)
            out.append(firing)
    return out


def trace_line(kb: KB, firing: Any) -> str:
    premises = ", ".join(f"{n}={v}" for n, v in firing.premises)
    return (
        f"{firing.step:3d}. {firing.rule.id}  [{kb.citation(firing.rule)}]\n"
        f"     {firing.rule.title}\n"
        f"     => {firing.concludes}   because {premises}"
    )
