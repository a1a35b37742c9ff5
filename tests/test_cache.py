"""The compiled-KB disk cache: used while no KB file changes, rebuilt when one does, and never
trusted when it is broken or writable by others."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbcheck.engine import api, cache
from kbcheck.engine.loader import default_kb_dir


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("KBCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(api, "_kbs", {})
    root = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), root)
    return root


def calls(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    real = api._load_kb

    def counting(root):  # type: ignore[no-untyped-def]
        seen.append(root)
        return real(root)

    monkeypatch.setattr(api, "_load_kb", counting)
    return seen


def test_the_second_load_comes_from_the_cache(fresh, monkeypatch):
    seen = calls(monkeypatch)
    first = api.load_kb(fresh)
    monkeypatch.setattr(api, "_kbs", {})
    second = api.load_kb(fresh)
    assert len(seen) == 1
    assert second.fingerprint == first.fingerprint and len(second.rules) == len(first.rules)
    assert api.compiled(second).rules


def test_a_changed_kb_file_rebuilds_it(fresh, monkeypatch):
    seen = calls(monkeypatch)
    api.load_kb(fresh)
    notes = fresh / "statute" / "mca_1988" / "s1_offence.yaml"
    notes.write_text(notes.read_text().replace("no defence applies", "no defence at all applies", 1))
    monkeypatch.setattr(api, "_kbs", {})
    kb = api.load_kb(fresh)
    assert len(seen) == 2
    assert kb.rule("mca1988.s1_1.offence.made_out").title.endswith("no defence at all applies")


@pytest.mark.parametrize("damage", ["corrupt", "writable by others"])
def test_a_damaged_cache_is_ignored(fresh, monkeypatch, damage):
    seen = calls(monkeypatch)
    api.load_kb(fresh)
    (entry,) = (Path(os.environ["KBCHECK_CACHE_DIR"])).glob("kb-*.json")
    if damage == "corrupt":
        entry.write_bytes(b"not json {")
    else:
        entry.chmod(0o666)
    monkeypatch.setattr(api, "_kbs", {})
    api.load_kb(fresh)
    assert len(seen) == 2


def test_the_cache_can_be_turned_off(fresh, monkeypatch):
    monkeypatch.setenv("KBCHECK_CACHE", "off")
    assert cache.cache_dir() is None
    seen = calls(monkeypatch)
    api.load_kb(fresh)
    monkeypatch.setattr(api, "_kbs", {})
    api.load_kb(fresh)
    assert len(seen) == 2
