"""A partition of cases, assessed where another scheduler put it: Dask, Spark, or any system that
hands each worker process a slice of the input (docs/distributed.md has the recipes).

`kbcheck batch` spreads cases over the processes of one machine. Past that, a scheduler that
already exists spreads partitions over machines, and this module assesses one partition so that
its lines are byte for byte the lines `kbcheck batch` writes for the same input:

- a line is read by batch's own reader (`batch.stream`): a blank line is skipped but counted, a
  line longer than the case limit or not UTF-8 is an error line of its own, a byte-order mark at
  the start of a file is dropped;
- each case goes through batch's own per-case function (`batch.assess_here`): the same result
  line, the same error line for a case that cannot be read or assessed (never an exception),
  the same replacement of an engine that failed;
- `source` names the file and line, `file:N`, when the lines come with their path (Dask's
  `read_text(..., include_path=True)`): the input must then be read whole files to a partition,
  since a partition that starts inside a file cannot know its line numbers;
- the KB and its engine are built once per worker process (engine/api.py keeps them), by the
  first partition that process is given, and reused by every later one.

What batch does and this cannot: a case that kills its process (a crash inside durable_rules'
C engine) takes the partition's task with it. The scheduler retries the task (Dask: on another
worker, up to `distributed.scheduler.allowed-failures` times) and then fails the run naming the
partition; `kbcheck batch` on that partition's file finds the case, blames it, and goes on.

Nothing here imports Dask or Spark: the function takes an iterable of lines and yields lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import BinaryIO, cast

from .errors import printable

Line = str | tuple[str, str]  # a line, or (line, path) as Dask's read_text(include_path=True) gives it


class _Encoded:
    """The lines of one file as the bytes they were read from, for batch's line reader. A byte that
    was not UTF-8 comes back as it was when the lines were decoded with errors="surrogateescape",
    so the reader sees what it would see in the file itself and says so."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)

    def read1(self, size: int = -1) -> bytes:
        """The next line, ended with a newline whether or not it came with one (Spark's lines do
        not); a file's last line without one reads the same either way."""
        for line in self._lines:
            if line:
                return line.encode("utf-8", "surrogateescape") + (b"" if line.endswith("\n") else b"\n")
        return b""

    read = read1


def _files(lines: Iterable[Line], label: str) -> Iterator[tuple[str, Iterator[str]]]:
    """Runs of lines from the same file, each with the name its lines are numbered under."""
    for path, run in itertools.groupby(lines, key=lambda line: line[1] if isinstance(line, tuple) else None):
        yield (
            (label if path is None else printable(path)),
            (line[0] if isinstance(line, tuple) else line for line in run),
        )


def assess_partition(
    lines: Iterable[Line],
    *,
    label: str = "-",
    trace: bool = True,
    status: bool = False,
    engine: str = "durable",
    kb_dir: str | None = None,
) -> Iterator[str]:
    """Assess the JSON Lines cases of one partition; yield one result line (no newline) a case, in
    order, each the line `kbcheck batch` writes for it.

    `lines` are the partition's lines, each with or without its newline (but none inside it), or
    (line, path) pairs, numbered from 1 in each file; plain lines are numbered from 1 under
    `label` (`kbcheck batch -` names them `-:N`). `trace=False` is `--no-trace`, `status=True` is `--status`; `engine` and
    `kb_dir` are kbcheck's `--engine` and `--kb`.

        import dask.bag as db
        from kbcheck.engine import assess_partition
        db.read_text("cases/*.jsonl", encoding="utf-8", errors="surrogateescape", linedelimiter="\\n",
                     include_path=True).map_partitions(assess_partition).to_textfiles(...)
    """
    from . import batch  # here, not at the top: `import kbcheck.engine` stays as quick to start as it was

    for name, run in _files(lines, label):
        items = batch.stream(cast(BinaryIO, _Encoded(run)), name)
        for _, result in batch.assess_here(items, kb_dir, engine, trace, status):
            yield batch.jsonl(result)


__all__ = ["Line", "assess_partition"]
