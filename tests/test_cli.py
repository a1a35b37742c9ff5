"""The kbcheck command line: the contract's JSON, exit statuses, help with examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kbcheck.cli.main import COMMANDS, LazyGroup, cli

SHARED = Path(__file__).parent / "scenarios" / "shared"
EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp-director.yaml"

# spec/case-format.md §3: these ids and values are the contract.
CONTRACT = {
    "law.mca_s1_applies": {True, False},
    "element.sending": {"met", "not_met", "unknown"},
    "element.to_another_person": {"met", "not_met", "unknown"},
    "element.content": {"met", "not_met", "unknown"},
    "element.purpose": {"met", "not_met", "unknown"},
    "defence.s1_2": {"applies", "does_not_apply", "not_available"},
    "offence.mca_s1": {"made_out", "not_made_out", "undetermined"},
    "procedure.mode_of_trial": {"summary_only", "either_way", "not_applicable"},
    "procedure.time_barred": {True, False, "not_applicable"},
}
CONTRACT_LISTS = {"law.content_limbs_available": {"indecent_or_grossly_offensive", "threat", "false_information"}}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("path", sorted(SHARED.glob("*.yaml")), ids=lambda p: p.stem)
def test_assess_json_follows_the_contract(path):
    result = invoke("assess", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"case", "offence_date", "assessment_date", "conclusions", "trace"} <= set(data)
    conclusions = data["conclusions"]
    for name, values in CONTRACT.items():
        assert conclusions[name] in values, name
    for name, members in CONTRACT_LISTS.items():
        assert set(conclusions[name]) <= members and conclusions[name] == sorted(conclusions[name])
    assert isinstance(conclusions["penalty.max_custody_months_summary"], (int, type(None)))
    assert conclusions["penalty.max_custody_months_indictment"] in (24, None)
    for entry in data["trace"]:
        assert {"rule", "citation", "premises", "concludes"} <= set(entry)
        assert entry["citation"] and entry["url"].startswith("https://")


def test_assess_text_names_value_rule_and_citation():
    result = invoke("assess", str(EXAMPLE))
    assert result.exit_code == 0
    assert "offence.mca_s1" in result.output and "made_out" in result.output
    assert "[MCA 1988 s.1(1)]" in result.output


def test_both_engines_give_the_same_json():
    durable = json.loads(invoke("--engine", "durable", "assess", str(EXAMPLE), "--json").output)
    reference = json.loads(invoke("--engine", "reference", "assess", str(EXAMPLE), "--json").output)
    assert durable.pop("engine") == "durable" and reference.pop("engine") == "reference"
    assert durable == reference


def test_version_and_help():
    assert invoke("--version").output.startswith("kbcheck, version ")
    help_text = invoke("--help").output
    for name in COMMANDS:
        assert name in help_text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_summary_and_an_example(name):
    command = LazyGroup().get_command(click.Context(cli), name)
    assert command is not None and command.help
    summary, _, rest = command.help.partition("\n")
    assert summary.strip().endswith(".")
    assert "Example" in rest and "kbcheck " in rest


def test_unknown_rule_is_exit_2_with_a_suggestion():
    result = CliRunner().invoke(cli, ["rule", "mca1988.s1_1.offence.made_ot"])
    assert result.exit_code == 2
    assert "did you mean mca1988.s1_1.offence.made_out" in result.output


def test_rules_json_has_a_citation_link_and_dates_on_every_rule(kb):
    data = json.loads(invoke("rules", "--json").output)["rules"]
    assert len(data) == len(kb.rules)
    for rule in data:
        assert rule["citation"] and rule["url"].startswith("https://")
        assert "valid_from" in rule and "valid_until" in rule


def test_scenarios_pass_and_a_wrong_expectation_fails_with_the_trace(tmp_path):
    ok = CliRunner().invoke(cli, ["test", str(SHARED / "dated-threat-2023-vs-law.yaml")])
    assert ok.exit_code == 0, ok.output
    wrong = tmp_path / "wrong.yaml"
    text = (
        (SHARED / "dated-threat-2023-vs-law.yaml")
        .read_text()
        .replace("offence.mca_s1: made_out", "offence.mca_s1: not_made_out")
    )
    wrong.write_text(text)
    failed = CliRunner().invoke(cli, ["test", str(wrong)])
    assert failed.exit_code == 1
    assert "offence.mca_s1: expected not_made_out, got made_out" in failed.output
    assert "mca1988.s1_1.offence.made_out" in failed.output


def test_explain_writes_an_svg_atomically(tmp_path):
    target = tmp_path / "case.svg"
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "offence.mca_s1", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().lstrip().startswith(b"<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["case.svg"]


def test_console_script_runs_without_a_traceback_on_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case: x\nfacts: {medium: fax}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "kbcheck.cli.main", "assess", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"Error: {bad}:1: offence_date: missing; the date the (last) communication was sent chooses the law"
    )
    assert "Traceback" not in proc.stderr


def test_ask_top_lists_only_the_most_decisive_facts_and_counts_the_rest():
    every = json.loads(invoke("ask", str(EXAMPLE), "--json").output)["questions"]
    top = json.loads(invoke("ask", str(EXAMPLE), "--top", "2", "--json").output)["questions"]
    assert [q["fact"] for q in top] == [q["fact"] for q in every[:2]]
    shown = invoke("ask", str(EXAMPLE), "--top", "2").output
    assert shown.rstrip().endswith(
        f"and {len(every) - 2} more facts that could change something (without --top, all are listed)"
    )


def test_ask_speaks_answers_in_words_and_a_number_as_the_range_it_stands_for():
    # The ages tried are those either side of each boundary (17, 18, 25, 26...): what is shown is
    # the range each stands for, and yes or no for a question of yes or no.
    shown = " ".join(invoke("ask", str(EXAMPLE)).output.split())  # as read, across wrapped lines
    assert "if 10 to 17: strong; if 18 or more: none, as now" in shown
    assert "->" not in shown and " 17;" not in shown
    assert "if yes: unknown; if no: met, as now" in shown


def test_ask_lists_each_facts_effects_stage_by_stage(kb):
    shown = invoke("ask", str(EXAMPLE)).output
    order = {sid: n for n, sid in enumerate(kb.stages)}
    for block in shown.split("\n\n")[1:]:
        named = [line.split()[2] for line in block.splitlines() if line.startswith("     would ")]
        stages = [order[kb.conclusions[n].stage if n in kb.conclusions else kb.lists[n].stage] for n in named]
        assert stages == sorted(stages), block


def test_what_if_lists_changes_stage_by_stage_and_says_when_a_fact_already_had_that_value(kb):
    shown = invoke("what-if", str(EXAMPLE), "--set", "mutual_exchange=true").output
    changed = [line.split(":")[0] for line in shown.splitlines() if line and not line.startswith((" ", "What if"))]
    stage = {c: n for n, (_sid, _title, names) in enumerate(kb.public_by_stage()) for c in names}
    assert [stage[c] for c in changed] == sorted(stage[c] for c in changed)
    assert changed.index("offence.mca_s1") < changed.index("advice.recommendation")
    same = invoke("what-if", str(EXAMPLE), "--set", "medium=messaging_app").output
    assert "The case already gives medium=messaging_app: that is no change." in same


@pytest.mark.parametrize("path", sorted((EXAMPLE.parent).glob("*.yaml")), ids=lambda p: p.stem)
def test_ask_and_compare_fit_100_columns(path):
    # Every line of their text on the examples; the interview's own test drives its prompts.
    for args in (
        ["ask", str(path)],
        ["ask", str(path), "--top", "3"],
        ["ask", str(path), "element.purpose"],
        ["compare", str(path), "--dates", "2014-01-01,2016-01-01,2023-06-01,2024-06-01"],
        ["compare", str(path), "--dates", "2001-01-01,2014-01-01,2016-01-01,2022-06-01,2024-06-01", "--all"],
        ["compare", str(path), "--dates", "2024-01-30,2024-01-31", "--all"],
    ):
        result = invoke(*args)
        assert result.exit_code == 0, args
        wide = [line for line in result.output.splitlines() if len(line) > 100]
        assert not wide, (args, wide)
