"""The interview reads what a person types: names as well as numbers, refuses a typo and asks
again (a typo was once saved as England and Wales), and takes an answer back on `back`."""

from __future__ import annotations

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
    line = next(line for line in first.output.splitlines() if line.startswith("1. "))
    prompt = first.output.split(line, 1)[1].splitlines()[1]
    assert "back: undo the last answer" in prompt and "done: save and stop" in prompt
    if "1)" in prompt:
        name = prompt.split("1) ", 1)[1].split()[0]
        typed, wrong = name.upper().replace("_", " "), "no such option"
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
