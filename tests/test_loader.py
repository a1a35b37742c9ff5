"""The KB loader is strict: each planted fault gives one exact `file:line: rule-id: problem`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbcheck.engine import KBErrors
from kbcheck.engine.compiler import compile_kb
from kbcheck.engine.loader import default_kb_dir, load_kb

FIXTURES = Path(__file__).parent / "fixtures" / "kb_bad"


def copy_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), root)
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(KBErrors) as info:
        compile_kb(load_kb(root))
    return [e.one_line() for e in info.value.errors]


def test_the_shipped_kb_loads_and_compiles():
    kb = load_kb()
    compiled = compile_kb(kb)
    assert len(kb.rules) > 50
    assert len(compiled.rules) >= len(kb.rules)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.yaml")))
def test_planted_fault_gives_exact_error(tmp_path, fixture):
    text = (FIXTURES / fixture).read_text()
    expected = text.splitlines()[0].removeprefix("# expect: ")
    root = copy_kb(tmp_path)
    (root / "zz_fixture.yaml").write_text(text)
    assert expected in errors_of(root)


def test_a_conclusion_no_rule_produces_is_refused(tmp_path):
    root = copy_kb(tmp_path)
    path = root / "conclusions.yaml"
    text = path.read_text().replace(
        "conclusions:\n",
        "conclusions:\n  - id: element.orphan\n    values: [met]\n    stage: offence\n"
        "    meaning: nothing concludes this\n",
        1,
    )
    path.write_text(text)
    line = text.splitlines().index("  - id: element.orphan") + 1
    assert f"kb/conclusions.yaml:{line}: element.orphan: no rule concludes it" in errors_of(root)


def test_an_ask_weight_outside_one_to_three_is_refused(tmp_path):
    root = copy_kb(tmp_path)
    path = root / "conclusions.yaml"
    text = path.read_text().replace(
        'stage: sentence, ask_weight: 1, meaning: "the practical band if convicted of MCA',
        'stage: sentence, ask_weight: 7, meaning: "the practical band if convicted of MCA',
        1,
    )
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "ask_weight: 7" in row)
    assert f"kb/conclusions.yaml:{line}: band.mca_s1: ask_weight must be 1, 2 or 3" in errors_of(root)


def test_a_duplicate_fact_in_the_vocabulary_is_refused(tmp_path):
    root = copy_kb(tmp_path)
    path = root / "vocab.yaml"
    text = path.read_text().replace(
        "facts:\n", "facts:\n  - name: medium\n    type: bool\n    group: communication\n    meaning: twice\n", 1
    )
    path.write_text(text)
    assert any(e.endswith("medium: duplicate fact") for e in errors_of(root))


def test_every_problem_is_reported_in_one_pass(tmp_path):
    root = copy_kb(tmp_path)
    for fixture in ("unknown_fact.yaml", "bad_value.yaml", "unknown_source.yaml"):
        (root / f"zz_{fixture}").write_text((FIXTURES / fixture).read_text())
    assert len(errors_of(root)) == 3
