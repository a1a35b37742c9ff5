"""Hostile and broken input gets one line naming the file and the problem, exit status 2, no
traceback, and no output file left behind; generated garbage never gets anything else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcheck.cli.main import cli
from kbcheck.engine import CaseError, load_kb, read_case
from kbcheck.engine.case import Case

from .conftest import record, scale

KB = load_kb()
TRIED = {"inputs": 0, "refused": 0, "accepted": 0}

# Text that looks like a case file, mutated: real keys and values, and junk among them.
KEYS = ["case", "title", "offence_date", "assessment_date", "jurisdiction", "facts", "expect", "case ", "fact"]
FACT_NAMES = list(KB.facts)[:20] + ["mediums", "content", "", "!!python/object", "<<"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(
        ["2025-01-01", "2025-02-30", "2999-01-01", "unknown", "email", "yes", "~", "&a", "*a", "!!binary AA=="]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FACT_NAMES), inner, max_size=4)
    ),
    max_leaves=12,
)
DOCS = st.dictionaries(
    st.sampled_from(KEYS), st.one_of(VALUES, st.dictionaries(st.sampled_from(FACT_NAMES), VALUES)), max_size=7
)
# Nearly valid: the right header and real facts with values of any type, so that some are read.
NEAR_VALID = st.fixed_dictionaries(
    {
        "case": st.sampled_from(["x", "case-1", "a b", 7]),
        "offence_date": st.sampled_from(["2025-01-01", "2019-06-30", "2025-02-29", "1988-09-28"]),
        "facts": st.dictionaries(
            st.sampled_from(list(KB.facts)),
            st.one_of(SCALARS, st.sampled_from([True, False, "unknown", 1, 2, "email", "public", "death", "none"])),
            max_size=8,
        ),
    }
)
RAW = st.one_of(
    NEAR_VALID.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    NEAR_VALID.map(lambda d: json.dumps(d)),
    st.binary(max_size=300),
    st.text(max_size=300),
    DOCS.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    DOCS.map(lambda d: json.dumps(d, default=str)),
    DOCS.map(lambda d: yaml.safe_dump(d)).flatmap(
        lambda text: st.integers(0, max(0, len(text) - 1)).map(lambda i: text[:i] + "\t: [&x *x\n" + text[i:])
    ),
)


def check(path: Path) -> None:
    TRIED["inputs"] += 1
    try:
        case = read_case(path, KB)
    except CaseError as exc:
        TRIED["refused"] += 1
        message = exc.one_line()
        assert message.startswith(str(path)), message
        assert "\n" not in message and "Traceback" not in message
        return
    TRIED["accepted"] += 1
    assert isinstance(case, Case)


@settings(max_examples=scale(400, 5000), deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=RAW, suffix=st.sampled_from([".yaml", ".json"]))
def test_garbage_is_refused_in_one_line_or_read_as_a_valid_case(tmp_path_factory, raw, suffix):
    path = tmp_path_factory.mktemp("garbage") / f"case{suffix}"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
    check(path)
    record("hostile inputs tried on the case reader", dict(TRIED))


HOSTILE = {
    "billion-laughs.yaml": "case: x\noffence_date: 2025-01-01\na: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    "object-tag.yaml": "case: x\noffence_date: 2025-01-01\ntitle: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "huge-string.yaml": "case: x\noffence_date: 2025-01-01\ntitle: " + "A" * 600 + "\n",
    "absurd-count.yaml": "case: x\noffence_date: 2025-01-01\nfacts:\n  message_count: 99999999999999999999\n",
    "nan.json": '{"case": "x", "offence_date": "2025-01-01", "facts": {"occasions": NaN}}',
    "deep.json": "[" * 100000 + "]" * 100000,
    "future.yaml": "case: x\noffence_date: 2099-01-01\n",
    "order.yaml": "case: x\noffence_date: 2025-02-01\nassessment_date: 2025-01-01\n",
    "list.yaml": "- 1\n- 2\n",
    "bom-and-crlf.yaml": "\ufeffcase: x\r\noffence_date: 2025-13-01\r\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_exit_2_with_one_line_and_write_nothing(tmp_path, name):
    path = tmp_path / name
    path.write_text(HOSTILE[name])
    out = tmp_path / "out.svg"
    for args in (["assess", str(path)], ["explain", str(path), "-o", str(out)], ["why", str(path), "offence.mca_s1"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}"), result.output
        assert not out.exists()
    assert not Path("/tmp/pwned").exists()


def test_the_console_script_prints_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "kbcheck.cli.main", "assess", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "setting,message",
    [
        ("medium=fax", "expected one of letter"),
        ("message_count=-3", "expected a whole number >= 1"),
        ("message_count=1e9", "expected a whole number"),
        ("suspect_age=500", "<= 120"),
        ("content_threat=maybe", "expected true, false or unknown"),
        ("offence_date=2025-01-01", "a date of the case: use --offence-date"),
        ("jurisdiction=mars", "expected one of"),
        ("x" * 5000 + "=1", "not a fact of the vocabulary"),
        ("=true", "not a fact of the vocabulary"),
        ("no-equals-sign", "expected FACT=VALUE"),
    ],
)
def test_every_set_is_checked(setting, message):
    case = Path(__file__).parent.parent / "scenarios" / "shared" / "seed-fake-profile.yaml"
    result = CliRunner().invoke(cli, ["what-if", str(case), "--set", setting])
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_batch_input_that_is_hostile_is_an_error_line_not_a_crash(tmp_path):
    source = tmp_path / "cases.jsonl"
    source.write_text(
        '{"case": "x", "offence_date": "2025-01-01"}\n'
        + "[" * 5000
        + "\n"
        + '{"case": {"$gt": 1}}\n'
        + "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        + "\n"
    )
    result = CliRunner().invoke(cli, ["batch", str(source), "--no-trace"])
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(rows) == 4 and "conclusions" in rows[0]
    assert all("error" in r and r["exit"] == 2 for r in rows[1:])
