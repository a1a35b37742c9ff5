"""The Python API: load the KB, read a case, assess it with the engine of your choice.

    from kbcheck.engine import load_kb, read_case, assess
    kb = load_kb()
    result = assess(read_case("case.yaml", kb), kb)
    result.conclusions()["offence.mca_s1"]      # 'made_out'
    for firing in result.firings: ...           # the trace

The KB is compiled once per process (durable_rules leaks memory on every compile), and each
engine is built once per KB.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

from .case import Case
from .compiler import CompiledKB, compile_kb
from .errors import KbcheckError
from .loader import load_kb as _load_kb
from .memory import plain_facts
from .model import KB
from .result import Assessment, Record

ENGINES = ("durable", "reference")

_kbs: dict[str, KB] = {}
_compiled: dict[str, CompiledKB] = {}
_engines: dict[tuple[str, str], Engine] = {}
_durable_problem: str | None = None
_announced = False


class Engine(Protocol):
    name: str

    def run(self, facts: list[dict[str, Any]]) -> list[Record]: ...


class EngineUnavailable(KbcheckError):
    exit_code = 2


def load_kb(root: Any = None) -> KB:
    """Load and validate the knowledge base: once per process and folder, and from the disk
    cache (engine/cache.py) while no KB file has changed."""
    key = str(root)
    if key not in _kbs:
        from pathlib import Path

        from . import cache
        from .loader import SPECIAL_FILES, default_kb_dir, rule_files

        folder = Path(root) if root is not None else default_kb_dir()
        stamp = None
        if folder.is_dir():
            try:
                stamp = cache.fingerprint([folder / name for name in SPECIAL_FILES] + rule_files(folder))
            except OSError:
                stamp = None
        kb = cache.read(stamp) if stamp else None
        if kb is not None:
            try:
                compiled(kb)
            except Exception:  # an entry that does not compile is not trusted: read the YAML again
                _compiled.pop(kb.fingerprint, None)
                kb = None
        if kb is None:
            kb = _load_kb(root)
            try:
                compiled(kb)
            except KbcheckError:
                stamp = None  # lint reports why; assessing it will raise the same error
            if stamp:
                cache.write(stamp, kb)
        _kbs[key] = kb
    return _kbs[key]


def compiled(kb: KB) -> CompiledKB:
    if kb.fingerprint not in _compiled:
        _compiled[kb.fingerprint] = compile_kb(kb)
    return _compiled[kb.fingerprint]


def durable_problem() -> str | None:
    """Why durable_rules cannot be used here, or None if it can."""
    global _durable_problem
    if _durable_problem is None:
        try:
            from .durable_adapter import _load_engine

            _load_engine()  # the C engine the adapter drives, built with kbcheck
            _durable_problem = ""
        except Exception as exc:  # ImportError: the extension was not built here (setup.py)
            _durable_problem = (
                f"durable_rules' engine (kbcheck.engine._durable) cannot be imported on Python "
                f"{sys.version_info.major}.{sys.version_info.minor} ({type(exc).__name__}: {exc})"
            )
    return _durable_problem or None


def get_engine(kb: KB, name: str = "durable", fallback: bool = True) -> Engine:
    """The engine of that name for this KB; durable falls back to reference, announced on stderr."""
    global _announced
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown engine '{name}' (expected one of: {', '.join(ENGINES)})")
    if name == "durable" and durable_problem():
        if not fallback:
            raise EngineUnavailable(durable_problem() or "")
        if not _announced:
            print(f"kbcheck: {durable_problem()}; using the reference engine instead", file=sys.stderr)
            _announced = True
        name = "reference"
    key = (kb.fingerprint, name)
    if key in _engines and getattr(_engines[key], "poisoned", None):
        del _engines[key]  # an engine that failed is replaced, never reused
    if key not in _engines:
        ckb = compiled(kb)
        if name == "durable":
            from .durable_adapter import DurableEngine

            _engines[key] = DurableEngine(ckb)
        else:
            from .reference import ReferenceEngine

            _engines[key] = ReferenceEngine(ckb)
    return _engines[key]


def assess(case: Case, kb: KB | None = None, engine: str = "durable") -> Assessment:
    """Assess one case: assert its facts, let the rules fire, return conclusions and trace."""
    kb = kb or load_kb()
    if case.communications:
        from .series import assess_series, base_of

        return assess_series(case, base_of(kb), engine, get_engine, compiled)
    runner = get_engine(kb, engine)
    ckb = compiled(kb)
    records = runner.run(plain_facts(kb, case, ckb.offsets))
    return Assessment.from_records(case, ckb, runner.name, records)
