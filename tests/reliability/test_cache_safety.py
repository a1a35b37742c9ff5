"""The KB cache holds plain data, is keyed on content, and is never read from a place that
someone else could have written (issue: reliability and security, points 1 and 2)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kbcheck.engine import api, cache, model
from kbcheck.engine.loader import default_kb_dir


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KBCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(api, "_kbs", {})
    root = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), root)
    return root


def loads(monkeypatch) -> list[Path]:
    """Count the loads that read the YAML (a cache miss)."""
    seen: list[Path] = []
    real = api._load_kb

    def counting(root):  # type: ignore[no-untyped-def]
        seen.append(root)
        return real(root)

    monkeypatch.setattr(api, "_load_kb", counting)
    return seen


def again(monkeypatch, root: Path) -> model.KB:
    monkeypatch.setattr(api, "_kbs", {})
    return api.load_kb(root)


def entry() -> Path:
    (path,) = Path(os.environ["KBCHECK_CACHE_DIR"]).glob("kb-*.json")
    return path


def test_an_entry_is_plain_json_that_decodes_to_the_same_kb(fresh, monkeypatch):
    first = api.load_kb(fresh)
    data = json.loads(entry().read_text(encoding="utf-8"))
    assert data["format"] == cache.FORMAT
    second = cache.decode(data["kb"], model.KB)
    assert second == first


def test_no_pickle_is_ever_loaded(fresh, monkeypatch):
    """Even a pickle planted beside the entry, under the old name, is never opened."""
    import pickle

    seen = loads(monkeypatch)
    api.load_kb(fresh)
    folder = Path(os.environ["KBCHECK_CACHE_DIR"])
    marker = folder.parent / "pwned"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (marker,))

    key = entry().name[len(cache.PREFIX) : -len(cache.SUFFIX)]
    (folder / f"kb-{key}.pickle").write_bytes(pickle.dumps(Payload()))
    (folder / f"kb-{key[:24]}.pickle").write_bytes(pickle.dumps(Payload()))
    again(monkeypatch, fresh)
    assert not marker.exists()
    assert len(seen) == 1


@pytest.mark.parametrize(
    "damage",
    [
        "missing field",
        "extra field",
        "wrong type",
        "unknown class",
        "not a mapping",
        "deep nesting",
        "wrong key",
    ],
)
def test_an_entry_of_the_wrong_shape_is_a_miss_not_an_error(fresh, monkeypatch, damage):
    seen = loads(monkeypatch)
    first = api.load_kb(fresh)
    path = entry()
    data = json.loads(path.read_text(encoding="utf-8"))
    rule = data["kb"]["rules"][0]
    if damage == "missing field":
        del rule["title"]
    elif damage == "extra field":
        rule["run"] = "os.system('true')"
    elif damage == "wrong type":
        rule["line"] = "twelve"
    elif damage == "unknown class":
        rule["when"]["__t"] = "Popen"
    elif damage == "not a mapping":
        data["kb"] = [1, 2, 3]
    elif damage == "deep nesting":
        data["kb"]["rules"][0]["when"]["items"] = "@deep@"
    else:
        data["key"] = "0" * 32
    path.write_text(json.dumps(data).replace('"@deep@"', "[" * 5000 + "]" * 5000), encoding="utf-8")
    kb = again(monkeypatch, fresh)
    assert len(seen) == 2, "the damaged entry was used"
    assert kb == first


def test_an_entry_that_is_a_symlink_is_not_followed(fresh, monkeypatch):
    seen = loads(monkeypatch)
    api.load_kb(fresh)
    path = entry()
    elsewhere = path.parent.parent / "elsewhere.json"
    shutil.move(path, elsewhere)
    path.symlink_to(elsewhere)
    again(monkeypatch, fresh)
    assert len(seen) == 2


def test_a_folder_that_is_a_symlink_or_writable_by_others_is_not_used(fresh, monkeypatch, tmp_path):
    seen = loads(monkeypatch)
    api.load_kb(fresh)
    folder = Path(os.environ["KBCHECK_CACHE_DIR"])
    folder.chmod(0o777)
    again(monkeypatch, fresh)
    assert len(seen) == 2
    folder.chmod(0o700)
    link = tmp_path / "link"
    link.symlink_to(folder)
    monkeypatch.setenv("KBCHECK_CACHE_DIR", str(link))
    again(monkeypatch, fresh)
    assert len(seen) == 3


def test_a_fifo_in_place_of_an_entry_does_not_hang(fresh, monkeypatch):
    seen = loads(monkeypatch)
    api.load_kb(fresh)
    path = entry()
    path.unlink()
    os.mkfifo(path)
    again(monkeypatch, fresh)
    assert len(seen) == 2


def test_an_edit_that_keeps_size_and_mtime_is_noticed(fresh, monkeypatch):
    """git checkout, rsync -t and cp -p can restore a file's size and modification time."""
    seen = loads(monkeypatch)
    api.load_kb(fresh)
    path = fresh / "statute" / "mca_1988" / "s1_offence.yaml"
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("no defence applies", "no defence APPLIES", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    kb = again(monkeypatch, fresh)
    assert len(seen) == 2
    assert kb.rule("mca1988.s1_1.offence.made_out").title.endswith("no defence APPLIES")
