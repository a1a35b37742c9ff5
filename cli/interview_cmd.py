"""kbcheck interview"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from typing import Any

import click
import yaml

from kbcheck.engine import KbcheckError, assess
from kbcheck.engine.case import CASE_ID_RE, case_from_data, parse_fact_text
from kbcheck.engine.dates import parse_date
from kbcheck.engine.model import KB, FactDef
from kbcheck.explain.explanation import Explanation
from kbcheck.explain.interview import plan, stop_text, why_text
from kbcheck.explain.text import value_text

from .common import KbcheckClickError, settings, write_atomic

YES = {"y", "yes", "true", "t"}
NO = {"n", "no", "false", "f"}
DONT_KNOW = {"", "d", "dk", "don't know", "dont know", "unknown", "u", "skip"}
STOP = {"done", "q", "quit", "stop", "save"}
BACK = {"back", "b", "undo"}
JURISDICTION_NAMES = {
    "england": "england_and_wales",
    "wales": "england_and_wales",
    "e&w": "england_and_wales",
    "ew": "england_and_wales",
    "ni": "northern_ireland",
}


class EndOfInput(Exception):
    pass


def ask(prompt: str) -> str:
    click.echo(prompt, nl=False)
    line = sys.stdin.readline()
    if line == "":
        click.echo()
        raise EndOfInput
    if not sys.stdin.isatty():  # a piped answer is not echoed: show it, so a transcript reads well
        click.echo(line.strip())
    return line.strip()


def fact_answer(fact: FactDef, text: str) -> Any:
    """yes / no / an option's number or name / a number; ValueError says what was expected."""
    lowered = text.lower()
    if fact.type == "bool":
        if lowered in YES:
            return True
        if lowered in NO:
            return False
        raise ValueError("answer yes, no, or don't know (Enter)")
    if fact.type == "enum":
        return choice(fact.values, lowered, {})
    return parse_fact_text(fact, text)


def choice(values: tuple[str, ...], text: str, aliases: dict[str, str]) -> str:
    """An option typed by its number, by its name, in any case, with spaces or underscores, or
    by a name's unambiguous beginning ("scot" for scotland); ValueError names the options
    otherwise, so that a typo is asked again rather than saved as something else."""
    if text.isdigit() and 1 <= int(text) <= len(values):
        return values[int(text) - 1]
    key = " ".join(text.lower().replace("_", " ").split())
    if key.replace(" ", "_") in values:
        return key.replace(" ", "_")
    if key in aliases:
        return aliases[key]
    starts = [v for v in values if v.replace("_", " ").startswith(key)] if key else []
    if len(starts) == 1:
        return starts[0]
    numbered = ", ".join(f"{n} {v}" for n, v in enumerate(values, start=1))
    raise ValueError(f"'{text}' is not one of the options: answer a number or a name ({numbered})")


KEYS = "(Enter: don't know, ?: why, back: undo the last answer, done: save and stop)"


def options_text(fact: FactDef) -> list[str]:
    """The answers a question takes, as pieces that are never broken across lines."""
    if fact.type == "bool":
        return ["yes / no", KEYS]
    if fact.type == "enum":
        return [f"{n}) {v.replace('_', ' ')}" for n, v in enumerate(fact.values, start=1)] + [KEYS]
    return ["a whole number", KEYS]


def prompt_text(number: int, at_most: int, fact: FactDef, width: int = 100) -> str:
    """The question, how many remain at most, and the answers it takes, wrapped so that no line is
    wider than `width` (a terminal of 100 columns shows it as written)."""
    head = f"Question {number} of at most {at_most}: {fact.question or fact.meaning}"
    lines = textwrap.wrap(head, width, subsequent_indent="   ", break_on_hyphens=False)
    pieces = options_text(fact)
    pieces[0], pieces[-1] = "[" + pieces[0], pieces[-1] + "] > "
    row = "  "
    for piece in pieces:
        if len(row) > 3 and len(row) + 2 + len(piece.rstrip()) > width:
            lines.append(row.rstrip())
            row = "  "
        row = f"{row} {piece}" if row == "  " else f"{row}  {piece}"
    lines.append(row)
    return "\n" + "\n".join(lines)


def case_data(
    case_id: str, title: str, jurisdiction: str, offence: dt.date, assessment: dt.date, answers: dict[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {"case": case_id}
    if title:
        data["title"] = title
    data["jurisdiction"] = jurisdiction
    data["offence_date"] = offence
    data["assessment_date"] = assessment
    data["facts"] = dict(answers)
    return data


def save(kb: KB, data: dict[str, Any], target: str, unknown: list[str]) -> None:
    case_from_data(kb, data, target)  # the file written is a case kbcheck accepts
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    header = "# Written by kbcheck interview. Facts not given are unknown"
    if unknown:
        header += f"; asked and not known: {', '.join(unknown)}"
    write_atomic(target, (header + ".\n" + text).encode("utf-8"))
    click.echo(f"Saved {target}: kbcheck assess {target}")


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Case file to write (default: <case id>.yaml).",
)
@click.option("--offence-date", default=None, help="The offence date (asked if not given).")
@click.option("--id", "case_id", default=None, help="The case id (asked if not given).")
def interview(output: str | None, offence_date: str | None, case_id: str | None) -> None:
    """Build a case by answering only the questions that can still change a conclusion.

    It opens with the case: its id (unless --id), the offence date (unless --offence-date), the
    date to assess it at (Enter for today) and where it happened. Then the facts: first the one
    that can change the most about the offence, then the evidential stage, then the outcome
    (ranked as `kbcheck ask` ranks, again after each answer), each question saying at most how
    many remain; it stops when nothing still to ask could change those conclusions. Answer yes,
    no, an option's number or name, a number, or Enter for don't know; ? says why it is asking;
    back takes the last answer back; done stops. An answer that cannot be read is refused, and
    the question asked again. Settled conclusions are shown as they settle.
    Ctrl-C or the end of input offers to save what has been answered. Exit status 1 when nothing
    is saved.

    \b
    Examples:
      kbcheck interview -o case.yaml
      kbcheck interview --offence-date 2025-03-14 --id neighbour-dispute
    """
    cfg = settings()
    kb = cfg.kb()
    today = dt.date.today()
    answers: dict[str, Any] = {}
    unknown: list[str] = []
    state: dict[str, Any] = {
        "id": case_id,
        "title": "",
        "jurisdiction": "england_and_wales",
        "offence": None,
        "assessment": today,
    }
    if case_id and not CASE_ID_RE.fullmatch(case_id):
        raise KbcheckClickError(f"--id {case_id}: expected 1 to 100 letters, digits, '-' or '_'")
    if output == "-":
        raise KbcheckClickError("-o -: the interview asks its questions on stdout; name a case file to write")
    if offence_date:
        try:
            state["offence"] = parse_date(offence_date)
        except ValueError as exc:
            raise KbcheckClickError(f"--offence-date {offence_date}: {exc}") from None
    asked = 0
    history: list[str] = []  # the facts answered or left unknown, in order, for `back`
    try:
        _header(state, today, kb.facts["jurisdiction"].values)
        settled_shown: set[str] = set()
        while True:
            data = case_data(
                state["id"], state["title"], state["jurisdiction"], state["offence"], state["assessment"], answers
            )
            case = case_from_data(kb, data, "interview", today)
            explanation = Explanation(assess(case, kb, cfg.engine))
            for name, status in explanation.status().items():
                if status == "settled" and name not in settled_shown:
                    settled_shown.add(name)
                    click.echo(f"  settled: {name} = {value_text(explanation.assessment.value(name))}")
            next_up = plan(explanation, case, set(unknown))
            if not next_up.candidates:
                click.echo(stop_text(kb, next_up))
                break
            chosen = next_up.candidates[0]
            fact = kb.facts[chosen.fact]
            asked += 1
            at_most = asked - 1 + next_up.remaining
            while True:
                answer = ask(prompt_text(asked, at_most, fact))
                if answer == "?":
                    click.echo(why_text(kb, chosen))
                    continue
                if answer.lower() in STOP:
                    raise StopIteration
                if answer.lower() in BACK:
                    if not history:
                        click.echo("   nothing to go back to")
                        continue
                    last = history.pop()
                    answers.pop(last, None)
                    if last in unknown:
                        unknown.remove(last)
                    asked -= 2
                    click.echo(f"   {last}: answer taken back")
                    break
                if answer.lower() in DONT_KNOW:
                    unknown.append(chosen.fact)
                    history.append(chosen.fact)
                    break
                try:
                    value = fact_answer(fact, answer)
                    trial = dict(answers, **{chosen.fact: value})
                    case_from_data(
                        kb,
                        case_data(
                            state["id"],
                            state["title"],
                            state["jurisdiction"],
                            state["offence"],
                            state["assessment"],
                            trial,
                        ),
                        "interview",
                        today,
                    )
                except (ValueError, KbcheckError) as exc:
                    message = exc.one_line().split(": ", 1)[-1] if isinstance(exc, KbcheckError) else str(exc)
                    click.echo(f"   {message}")
                    continue
                answers[chosen.fact] = value
                history.append(chosen.fact)
                break
    except StopIteration:
        pass
    except (KeyboardInterrupt, EndOfInput) as stop:
        if state["offence"] is None:
            click.echo("Stopped before the offence date was given: nothing to save.")
            raise SystemExit(1) from None
        if isinstance(stop, KeyboardInterrupt):
            try:
                reply = ask("\nInterrupted. Save the answers so far? [Y/n] ")
            except (EndOfInput, KeyboardInterrupt):
                reply = "y"
            if reply.lower() in NO:
                click.echo("Not saved.")
                raise SystemExit(1) from None
    target = output or f"{state['id']}.yaml"
    save(
        kb,
        case_data(state["id"], state["title"], state["jurisdiction"], state["offence"], state["assessment"], answers),
        target,
        unknown,
    )
    click.echo(
        f"{asked} questions asked, {len(answers)} facts given, of {sum(1 for f in kb.facts.values() if not f.header)} "
        "in the vocabulary."
    )


def _header(state: dict[str, Any], today: dt.date, jurisdictions: tuple[str, ...]) -> None:
    """The case id, offence date, assessment date and jurisdiction, where not given as options."""
    while state["id"] is None:
        default = f"interview-{today.strftime('%Y%m%d')}"
        text = ask(f"Case id [{default}] > ") or default
        if CASE_ID_RE.fullmatch(text):
            state["id"] = text
        else:
            click.echo("   letters, digits, '-' and '_' only")
    while state["offence"] is None:
        text = ask("When was the (last) message sent? YYYY-MM-DD > ")
        try:
            day = parse_date(text)
        except ValueError as exc:
            click.echo(f"   {exc}")
            continue
        if day > today:
            click.echo(f"   {day.isoformat()} lies in the future")
            continue
        state["offence"] = day
    while True:
        text = ask(f"Assess as at (charge and conviction) [{today.isoformat()}] > ")
        if not text:
            break
        try:
            day = parse_date(text)
        except ValueError as exc:
            click.echo(f"   {exc}")
            continue
        if day < state["offence"] or day > today:
            click.echo(f"   between {state['offence'].isoformat()} and today")
            continue
        state["assessment"] = day
        break
    while True:
        text = ask("Where: 1) England and Wales  2) Scotland  3) Northern Ireland [1] > ")
        try:
            state["jurisdiction"] = choice(jurisdictions, text, JURISDICTION_NAMES) if text else jurisdictions[0]
            return
        except ValueError as exc:
            click.echo(f"   {exc}")
