"""The interview reads what a person types: names as well as numbers, refuses a typo and asks
again (a typo was once saved as England and Wales), and takes an answer back on `back`."""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner

from kbcheck.cli.main import cli

HEADER = ["demo", "2025-03-14", "2025-06-01"]


def interview(tmp_path, answers: list[str]):
    out = tmp_path / "case.yaml"
    result = CliRunner().invoke(cli, ["interview", "-o", str(out)], input="\n".join(answers) + "\n")
    return result, (yaml.safe_load(out.read_text()) if out.exists() else None)


def test_a_jurisdiction_typed_by_name_is_read_and_a_typo_is_asked_again(tmp_path):
    result, case = interview(tmp_path, [*HEADER, "scotlnd", "Scotland", "done"])
    assert result.exit_code == 0, result.output
    assert "'scotlnd' is not one of the options" in result.output
    assert case["jurisdiction"] == "scotland"


def test_each_way_of_naming_a_jurisdiction(tmp_path):
    for typed, expected in (
        ("2", "scotland"),
        ("northern ireland", "northern_ireland"),
        ("England and Wales", "england_and_wales"),
        ("wales", "england_and_wales"),
        ("NI", "northern_ireland"),
        ("", "england_and_wales"),
    ):
        result, case = interview(tmp_path, [*HEADER, typed, "done"])
        assert result.exit_code == 0, (typed, result.output)
        assert case.get("jurisdiction", "england_and_wales") == expected, typed


def test_an_option_by_name_a_refused_answer_and_back(tmp_path):
    # The first question is the one that can change the most; answer it by the option's name
    # where it is a list of options, else yes; then take it back, answer again, and stop.
    first, _ = interview(tmp_path, [*HEADER, "1", "done"])
    line = next(line for line in first.output.splitlines() if line.startswith("Question 1 of at most "))
    prompt = first.output.split(line, 1)[1].split(" > ", 1)[0]
    assert "back: undo the last answer" in prompt and "done: save and stop" in prompt
    if "1)" in prompt:
        shown = prompt.split("1) ", 1)[1].split("  ")[0]  # an option is shown in words
        name = shown.replace(" ", "_")
        typed, wrong = shown.upper(), "no such option"
    else:
        name, typed, wrong = True, "yes", "maybe"
    result, case = interview(tmp_path, [*HEADER, "1", wrong, typed, "back", typed, "done"])
    assert result.exit_code == 0, result.output
    assert "answer taken back" in result.output
    assert result.output.count(line) == 3  # asked, asked again after the refused answer, and after `back`
    facts = case["facts"]
    assert list(facts.values()).count(name) >= 1


def test_back_with_nothing_to_undo_says_so(tmp_path):
    result, _ = interview(tmp_path, [*HEADER, "1", "back", "done"])
    assert "nothing to go back to" in result.output


def questions(output: str) -> list[tuple[int, int, str]]:
    """(number, at most, the question's first line) for each question asked, in order."""
    found = []
    for line in output.splitlines():
        match = re.match(r"Question (\d+) of at most (\d+): (.*)", line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3]))
    return found


def test_the_medium_and_the_content_come_in_the_first_few_questions(tmp_path, kb):
    # How the message was sent and whether it was grossly offensive decide the offence's
    # elements: they are asked before facts that change only the outcome.
    result, _ = interview(tmp_path, [*HEADER, "1", "", "", "", "", "", "done"])
    assert result.exit_code == 0, result.output
    first = [text for _, _, text in questions(result.output)][:5]
    for fact in ("medium", "content_grossly_offensive"):
        assert any(kb.facts[fact].question.startswith(text) for text in first), (fact, first)


def test_it_stops_when_nothing_still_to_ask_could_change_the_conclusions_and_counts_down(tmp_path):
    # In Scotland s.1 does not apply: every question answered "don't know", the interview ends
    # by itself, saying why, and never asks more than it said it might.
    result, case = interview(tmp_path, [*HEADER, "scotland", *[""] * 80])
    assert result.exit_code == 0, result.output
    assert "Nothing still to ask could change the conclusions on the offence" in result.output
    asked = questions(result.output)
    assert asked and case is not None
    assert [n for n, _, _ in asked] == list(range(1, len(asked) + 1))
    bounds = [most for _, most, _ in asked]
    assert bounds == sorted(bounds, reverse=True)  # the bound only falls
    assert all(n <= most for n, most, _ in asked)
    assert len(asked) <= bounds[0]
    assert f"{len(asked)} questions asked" in result.output


def test_every_line_of_the_interview_fits_100_columns(tmp_path):
    result, _ = interview(tmp_path, [*HEADER, "1", "?", "", "?", "", "", "done"])
    assert result.exit_code == 0, result.output
    # The line naming the file written is as long as the path the user gave.
    wide = [line for line in result.output.splitlines() if len(line) > 100 and str(tmp_path) not in line]
    assert not wide, wide
