"""durable_rules' C engine as kbcheck builds it (third_party/durable_rules, setup.py): it is
importable on every supported Python, kbcheck assesses with it rather than falling back, the
binding's calls into Python work on the current C API, and the defects fixed at the source
stay fixed. Where the engine cannot be imported, the reference engine is used and announced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbcheck.engine import api, assess, durable_problem, load_kb, read_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "whatsapp-director.yaml"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_the_engine_is_built_for_this_python_and_importable():
    from kbcheck.engine import _durable  # type: ignore[attr-defined]

    assert _durable.__name__ == "kbcheck.engine._durable"
    assert issubclass(_durable.error, Exception)
    assert _durable.__file__ and Path(_durable.__file__).name.startswith("_durable.")


def test_kbcheck_assesses_with_durable_rules_not_the_fallback():
    assert durable_problem() is None, durable_problem()
    kb = load_kb()
    assert assess(read_case(EXAMPLE, kb), kb).engine == "durable"


def test_the_cli_reports_the_durable_engine_and_announces_nothing():
    run = subprocess.run(
        [sys.executable, "-m", "kbcheck.cli.main", "assess", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["engine"] == "durable"
    assert "reference engine" not in run.stderr


def test_where_the_engine_cannot_be_imported_the_reference_engine_is_used_and_announced(monkeypatch, capsys):
    """A platform where the build failed: the import error is reported once, on stderr, and the
    assessment still comes out, from the reference engine."""
    from kbcheck.engine import durable_adapter

    def missing() -> None:
        raise ImportError("No module named 'kbcheck.engine._durable'")

    monkeypatch.setattr(durable_adapter, "_load_engine", missing)
    monkeypatch.setattr(api, "_durable_problem", None)
    monkeypatch.setattr(api, "_announced", False)
    kb = load_kb()
    case = read_case(EXAMPLE, kb)
    assert assess(case, kb).engine == "reference"
    assert assess(case, kb).engine == "reference"
    err = capsys.readouterr().err
    assert err.count("using the reference engine instead") == 1
    assert f"cannot be imported on Python {PYTHON} (ImportError: No module named 'kbcheck.engine._durable')" in err
    with pytest.raises(api.EngineUnavailable, match="cannot be imported"):
        api.get_engine(kb, "durable", fallback=False)


def test_the_binding_calls_back_into_python():
    """The binding's callbacks used PyEval_CallObject, which Python 3.13 removed (the import
    failed with an undefined symbol); they call through PyObject_CallObject now."""
    from kbcheck.engine import _durable  # type: ignore[attr-defined]

    handle = _durable.create_ruleset("callback_probe", json.dumps({"r": {"all": [{"m": {"t": "a"}}]}}))
    calls: list[tuple[str, ...]] = []

    def idle(ruleset: str) -> int:
        calls.append((ruleset,))
        return 0

    _durable.set_get_idle_state_callback(handle, idle)
    assert _durable.start_action(handle) is None
    assert calls == [("callback_probe",)]


# delete_state where no action ever ran in the session: the C engine freed the session's action
# context, which it never initialised (engine notes §2.4: SIGSEGV or abort at the first delete).
# Run in a process of its own, so that a crash fails this test rather than the whole run.
DELETE_WITHOUT_ACTION = """
import json
from kbcheck.engine import _durable as engine

rules = {"r": {"all": [{"m": {"t": "a"}}, {"n": {"t": "b"}}]}}
handle = engine.create_ruleset("no_action", json.dumps(rules))
for _ in range(2000):
    engine.assert_fact(handle, json.dumps({"sid": "s", "id": "f", "t": "a"}))  # handled; no rule completes
    engine.delete_state(handle, "s")
unmatched = engine.create_ruleset("unmatched", json.dumps(rules))
for _ in range(2000):
    engine.assert_fact(unmatched, json.dumps({"sid": "s", "id": "f", "t": "z"}))  # matched by no rule
    engine.delete_state(unmatched, "s")
print("deleted")
"""


def test_deleting_a_session_where_no_action_ran_does_not_crash():
    run = subprocess.run(
        [sys.executable, "-c", DELETE_WITHOUT_ACTION], capture_output=True, text=True, timeout=120, check=False
    )
    assert (run.returncode, run.stdout.strip()) == (0, "deleted"), run.stderr[-500:]
