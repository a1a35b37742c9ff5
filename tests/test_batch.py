"""kbcheck batch, compare and interview."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import EngineError, batch, load_kb, read_case

SCENARIOS = Path(__file__).parent / "scenarios"
SHARED = SCENARIOS / "shared"
BAD = Path(__file__).parent / "fixtures" / "cases_bad" / "unknown_fact.yaml"


def lines_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_batch_writes_one_line_per_case_in_input_order_and_reports_bad_cases(tmp_path):
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(SHARED), str(BAD), "-o", str(out)])
    assert result.exit_code == 1  # one case is an error line; the others go on
    rows = lines_of(out.read_text())
    files = sorted(str(p) for p in SHARED.glob("*.yaml")) + [str(BAD)]
    assert [r["source"] for r in rows] == files
    assert all("conclusions" in r and "trace" in r for r in rows[:-1])
    assert (
        rows[-1]["error"].endswith(
            "facts.mediums: not a fact of the vocabulary (did you mean 'medium'?); `kbcheck facts` lists them"
        )
        and rows[-1]["exit"] == 2
    )
    assert "9 cases, 1 errors" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]


def test_a_missing_input_is_bad_input_and_nothing_is_written(tmp_path):
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(SHARED), str(tmp_path / "nosuchdir"), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'nosuchdir'}: no such file or folder"
    assert not out.exists()


def test_batch_output_is_the_same_whatever_the_workers():
    outputs = {}
    for workers in ("0", "1", "2"):
        result = CliRunner().invoke(cli, ["batch", str(SCENARIOS), "--workers", workers, "--no-trace"])
        assert result.exit_code == 0, result.output
        outputs[workers] = [line for line in result.output.splitlines() if line.startswith("{")]
    assert outputs["0"] == outputs["1"] == outputs["2"]
    assert len(outputs["0"]) == len(list(SCENARIOS.rglob("*.yaml")))


def test_batch_reads_json_lines(tmp_path):
    kb = load_kb()
    cases = [read_case(p, kb).to_data() for p in sorted(SHARED.glob("*.yaml"))]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(json.dumps(c) for c in cases) + '\n{"case": "broken"}\nnot json\n')
    result = CliRunner().invoke(cli, ["batch", str(source), "--no-trace"])
    rows = lines_of("\n".join(line for line in result.output.splitlines() if line.startswith("{")))
    assert [r["source"] for r in rows] == [f"{source}:{n}" for n in range(1, len(cases) + 3)]
    assert rows[-2]["error"].endswith(
        "offence_date: missing; the date the (last) communication was sent chooses the law"
    )
    assert "malformed JSON" in rows[-1]["error"]


def _faulty(original, fault):  # type: ignore[no-untyped-def]
    def run(self, item):  # type: ignore[no-untyped-def]
        if item.label.endswith("seed-fake-profile.yaml"):
            if fault == "segfault":
                faulthandler.disable()  # the crash is deliberate: no "Fatal Python error" in a passing run
                os.kill(os.getpid(), signal.SIGSEGV)
            if fault == "memory":
                raise MemoryError
            self.engine.poisoned = "injected"
            raise EngineError("durable_rules took two facts of this case for one (its 32-bit identity hash collided)")
        return original(self, item)

    return run


# A crash (segfault) can only be survived with workers, which is why they exist; in one process
# only the failures Python can catch are tried.
@pytest.mark.parametrize(
    ("fault", "workers"),
    [("poison", 0), ("memory", 0), ("poison", 2), ("memory", 2), ("segfault", 2)],
)
def test_an_engine_failure_loses_only_its_own_case(monkeypatch, fault, workers):
    items = batch.collect([str(SHARED)])
    clean: list[dict] = []
    batch.run(items, clean.append, workers=0, trace=False)
    monkeypatch.setattr(batch.Runner, "run", _faulty(batch.Runner.run, fault))
    got: list[dict] = []
    counts = batch.run(items, got.append, workers=workers, trace=False)
    assert [r["source"] for r in got] == [r["source"] for r in clean]
    for before, after in zip(clean, got, strict=True):
        if after["source"].endswith("seed-fake-profile.yaml"):
            assert "error" in after and after["exit"] == 1
        else:
            assert after == before
    assert counts["errors"] == 1 and counts["workers_replaced"] >= 1


def test_compare_shows_the_threat_limb_repealed():
    threat = SHARED / "dated-threat-2023-vs-law.yaml"
    result = CliRunner().invoke(cli, ["compare", str(threat), "--dates", "2024-01-30,2024-01-31", "--json"])
    data = json.loads(result.output)
    assert data["conclusions"]["offence.mca_s1"] == ["made_out", "not_made_out"]
    assert data["conclusions"]["defence.s1_2"] == ["does_not_apply", "not_available"]
    text = CliRunner().invoke(cli, ["compare", str(threat), "--dates", "2014-01-01,2016-01-01"]).output
    assert "procedure.mode_of_trial" in text and "summary only" in text and "either way" in text


def test_compare_wraps_a_long_list_rather_than_cutting_it():
    """The threat limb is the point of this comparison: it must not be cut off the end of the list."""
    threat = SHARED / "dated-threat-2023-vs-law.yaml"
    text = CliRunner().invoke(cli, ["compare", str(threat), "--dates", "2024-01-30,2024-01-31"]).output
    assert "…" not in text
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("law.content_limbs_available"))
    assert "false information," in lines[at] and "threat" in lines[at + 2]
    assert lines[at + 1].startswith(" " * len("law.content_limbs_available"))  # continuation lines
    assert lines[at + 2].startswith(" " * len("law.content_limbs_available"))
    assert max(len(line) for line in lines) <= 100


def test_compare_speaks_values_in_words_and_counts_what_it_leaves_out():
    example = Path(__file__).parent.parent / "examples" / "whatsapp-director.yaml"
    args = ["compare", str(example), "--dates", "2014-01-01,2016-01-01"]
    text = CliRunner().invoke(cli, args).output
    assert "null" not in text and "not concluded" in text  # the maximum sentence before 2015
    changed = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)["conclusions"]
    assert changed["penalty.max_custody_months_indictment"] == [None, 24]  # --json keeps null and ids
    total = len(load_kb().public_conclusions())
    assert f"{total - len(changed)} conclusions not shown are the same on both dates (--all shows them)." in text
    assert "not shown" not in CliRunner().invoke(cli, [*args, "--all"]).output


def test_interview_asks_few_questions_and_writes_a_case_assess_accepts(tmp_path):
    out = tmp_path / "case.yaml"
    answers = (
        "\n".join(["demo", "2025-03-14", "2025-06-01", "1", "?", "yes", "yes", "yes", "1", "yes", "yes", "2", "done"])
        + "\n"
    )
    result = CliRunner().invoke(cli, ["interview", "-o", str(out)], input=answers)
    assert result.exit_code == 0, result.output
    assert "Why ask this: the answer can still change" in result.output
    assert "The offence: purpose of causing distress or anxiety [element.purpose]" in result.output
    assert "settled: element.purpose = met" in result.output
    facts = yaml.safe_load(out.read_text())["facts"]
    assert facts["purpose_distress_anxiety"] is True
    vocabulary = sum(1 for f in load_kb().facts.values() if not f.header)
    asked = int(result.output.split(" questions asked")[0].rsplit("\n", 1)[-1])
    assert asked < vocabulary
    assessed = CliRunner().invoke(cli, ["assess", str(out), "--json"])
    assert assessed.exit_code == 0
    assert json.loads(assessed.output)["conclusions"]["element.purpose"] == "met"


def test_interview_saves_what_was_answered_at_the_end_of_input(tmp_path):
    out = tmp_path / "partial.yaml"
    result = CliRunner().invoke(
        cli, ["interview", "-o", str(out), "--id", "partial", "--offence-date", "2025-01-10"], input="\n1\nyes\n"
    )
    assert result.exit_code == 0, result.output
    assert f"Saved {out}" in result.output
    data = yaml.safe_load(out.read_text())
    assert data["case"] == "partial" and data["facts"] == {"purpose_distress_anxiety": True}


def test_interview_offers_to_save_when_interrupted(tmp_path, monkeypatch):
    from kbcheck.cli import interview_cmd

    out = tmp_path / "interrupted.yaml"
    replies = iter(["", "1", "no"])

    def fake_ask(prompt):  # type: ignore[no-untyped-def]
        try:
            return next(replies)
        except StopIteration:
            if "Save the answers" in prompt:
                return "y"
            raise KeyboardInterrupt from None

    monkeypatch.setattr(interview_cmd, "ask", fake_ask)
    result = CliRunner().invoke(cli, ["interview", "-o", str(out), "--id", "cut", "--offence-date", "2025-01-10"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["facts"] == {"purpose_distress_anxiety": False}
