"""kbcheck batch INPUT..."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from kbcheck.engine import batch as batch_engine

from .common import KbcheckClickError, file_or_stdout, is_tty, output_mode, settings, stderr


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON lines here; - for stdout (default: stdout). Written whole or not at all.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: assess in this process).",
)
@click.option("--no-trace", is_flag=True, help="Leave the trace out of each line (conclusions only).")
@click.option(
    "--trace",
    "trace_form",
    type=click.Choice(["full", "compact"]),
    default="full",
    show_default=True,
    help="compact: each firing as its rule id, the steps it used and what it concluded (docs/json.md).",
)
@click.option("--status", is_flag=True, help="Add each conclusion's settled/provisional status.")
def batch(
    inputs: tuple[str, ...], output: str | None, workers: int, no_trace: bool, trace_form: str, status: bool
) -> None:
    """Assess many cases: folders, case files, JSON Lines files of cases, or - for JSON Lines on stdin.

    Writes one JSON line per case, in input order, in the contract's format (a `source` field
    names the input). A case that cannot be read or assessed is an error line; the others go on.
    A summary goes to stderr, with a progress bar on a terminal. Exit status: 0 when every case
    was assessed, 1 when some were error lines, 2 when an INPUT does not exist (nothing written).

    With - the cases are read from standard input as they come, and each result line is written
    to standard output as soon as it and those before it are ready (with one worker, before the
    next line is read), so that kbcheck can sit in a pipeline; memory stays constant.

    \b
    Examples:
      kbcheck batch tests/scenarios -o results.jsonl
      kbcheck batch cases.jsonl --workers 2 --no-trace > results.jsonl
      kbcheck batch cases/ --trace compact -o results.jsonl
      producer | kbcheck batch - --no-trace | consumer
    """
    if no_trace and trace_form != "full":
        raise KbcheckClickError("give --no-trace or --trace compact, not both")
    cfg = settings()
    cfg.kb()  # a broken KB is one error, not one per case
    streaming = "-" in inputs
    if streaming and len(inputs) > 1:
        raise KbcheckClickError("-: read standard input alone, not with other inputs")
    for raw in inputs:
        if raw != "-" and not Path(raw).exists():
            raise KbcheckClickError(f"{raw}: no such file or folder")
    items: Any
    if streaming:
        try:
            source: Any = sys.stdin.fileno()
        except (OSError, ValueError, AttributeError):  # no descriptor: read the file object itself
            source = sys.stdin.buffer
        items = batch_engine.stream(source)
    else:
        items = batch_engine.collect(list(inputs))
        if not items:
            raise KbcheckClickError(f"no cases found in {', '.join(inputs)}")
    output = file_or_stdout(output)
    target = Path(output) if output else None
    if target is not None and target.is_dir():
        raise KbcheckClickError(f"{target}: is a directory; name a file to write")
    handle: Any
    if target is not None:
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise KbcheckClickError(f"{target}: the folder {folder} does not exist")
        mode = output_mode(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        handle = os.fdopen(fd, "w", encoding="utf-8")
    else:
        tmp, handle = None, sys.stdout
    started = time.perf_counter()
    bar = (
        click.progressbar(length=len(items), label="Assessing", file=sys.stderr) if is_tty() and not streaming else None
    )

    def emit(result: dict[str, Any]) -> None:
        handle.write(batch_engine.jsonl(result) + "\n")
        if streaming and tmp is None:
            handle.flush()  # a pipeline reads each line as it is ready

    try:
        if bar is not None:
            bar.__enter__()
        counts = batch_engine.run(
            items,
            emit,
            workers=workers,
            kb_dir=cfg.kb_dir,
            engine=cfg.engine,
            trace=False if no_trace else ("compact" if trace_form == "compact" else True),
            status=status,
            progress=bar.update if bar is not None else None,
            chunk=1 if streaming else batch_engine.CHUNK,
        )
        if bar is not None:
            bar.__exit__(None, None, None)
        if tmp is not None:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(tmp, mode)
            os.replace(tmp, target)  # type: ignore[arg-type]
        else:
            handle.flush()  # a full disk behind a redirection shows here, not at exit
    except BrokenPipeError:  # the reader went away (batch ... | head): stop, quietly
        _discard(tmp, handle)
        raise
    except OSError as exc:  # a full disk, a quota: stop, and leave any earlier -o file as it was
        _discard(tmp, handle)
        where = target if target is not None else "standard output"
        raise KbcheckClickError(
            f"{where}: cannot write the results ({exc.strerror or exc}); the run was stopped"
            + (" and the file left as it was" if target is not None else ""),
            2,
        ) from None
    except BaseException:
        _discard(tmp, handle)
        raise
    elapsed = time.perf_counter() - started
    rate = counts["cases"] / elapsed if elapsed > 0 else 0.0
    replaced = f", {counts['workers_replaced']} workers replaced" if counts["workers_replaced"] else ""
    stderr(f"{counts['cases']} cases, {counts['errors']} errors{replaced}, {elapsed:.1f} s, {rate:.0f} cases/s")
    if counts["errors"]:
        raise SystemExit(1)


def _discard(tmp: str | None, handle: Any) -> None:
    """Remove the temporary output file, even where closing it fails again (a full disk)."""
    if tmp is None:
        return
    with contextlib.suppress(OSError):
        handle.close()
    with contextlib.suppress(OSError):
        os.unlink(tmp)
