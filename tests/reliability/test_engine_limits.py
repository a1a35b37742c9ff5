"""The engine's limits: memory stays flat over many cases in one process, and the KB's ids are
checked for the 32-bit hash collisions durable_rules would silently merge."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from kbcheck.engine import KBErrors
from kbcheck.engine.fnv import fnv1a32
from kbcheck.engine.loader import default_kb_dir, load_kb

from .conftest import record, scale

PROBE = textwrap.dedent("""
    import json, sys
    from kbcheck.engine import load_kb, compiled
    from kbcheck.engine.analysis import Analysis
    from kbcheck.engine.batch import Runner
    sys.path.insert(0, sys.argv[3])
    from generate import cases

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1])

    kb = load_kb()
    pool = cases(kb, Analysis(compiled(kb)), 1000, seed=5)
    runner = Runner(None, "durable", trace=True, status=False)
    from kbcheck.engine import assess
    marks, total = {}, int(sys.argv[2])
    for n in range(1, total + 1):
        assess(pool[n % len(pool)], kb, "durable").to_json()
        if n == int(sys.argv[1]) or n == total:
            marks[n] = {"rss_kb": status("VmRSS:"), "peak_kb": status("VmHWM:")}
    print(json.dumps(marks))
""")


def test_memory_stays_flat_over_many_cases_in_one_process(tmp_path):
    first, total = 1000, scale(3000, 100_000)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    here = str(probe.parent.parent)
    out = subprocess.run(
        [sys.executable, str(probe), str(first), str(total), str(__import__("pathlib").Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
        cwd=here,
    ).stdout
    marks = {int(k): v for k, v in json.loads(out).items()}
    early, late = marks[first], marks[total]
    record(
        "peak RSS (durable, one process)",
        f"{early['peak_kb'] / 1024:.1f} MB after {first:,} cases; {late['peak_kb'] / 1024:.1f} MB after {total:,}",
    )
    assert late["peak_kb"] <= early["peak_kb"] * 1.10
    assert late["rss_kb"] <= early["rss_kb"] * 1.10


def _collision() -> tuple[str, str]:
    seen: dict[int, str] = {}
    n = 0
    while True:
        name = f"fact_{n}"
        h = fnv1a32(name)
        if h in seen:
            return seen[h], name
        seen[h] = name
        n += 1


def test_a_32_bit_identity_collision_in_the_kb_is_refused_at_load(tmp_path):
    first, second = _collision()
    assert first != second and fnv1a32(first) == fnv1a32(second)
    root = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), root)
    vocab = root / "vocab.yaml"
    extra = "".join(
        f"  - {{name: {n}, type: bool, group: communication, meaning: colliding}}\n" for n in (first, second)
    )
    vocab.write_text(vocab.read_text().replace("facts:\n", "facts:\n" + extra, 1))
    with pytest.raises(KBErrors) as info:
        load_kb(root)
    assert f"'{first}' and '{second}' share the 32-bit FNV-1a hash that durable_rules uses as identity" in str(
        info.value
    )
