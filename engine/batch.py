"""Many cases in one run: inputs, a pool of worker processes, results in input order.

Each worker process compiles the KB once and assesses the cases it is sent, a few at a time.
durable_rules can fail on a case in ways that leave it unusable (a MemoryError, an engine
error) or that kill the process; either way the case is reported, the worker is replaced, and
the cases it had not finished are sent again, so that no other case is lost. Results are
written in input order whatever the number of workers, so a batch is reproducible.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import select
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, BinaryIO

from .errors import EngineError, InputError, KbcheckError, printable
from .result import SCHEMA_VERSION, dumps
from .yamlio import MAX_CASE_BYTES

SUFFIXES = (".yaml", ".yml", ".json")
CHUNK = 8
PARENT_CHECK = 0.5  # seconds between a waiting worker's looks at whether its parent is alive
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


@dataclass(frozen=True)
class Item:
    index: int
    label: str
    path: str | None = None  # a case file
    text: str | None = None  # a line of a JSONL file
    problem: str | None = None  # an input that cannot even be read


def collect(paths: list[str]) -> list[Item]:
    """Case files named, case files under folders named (sorted), and the lines of JSONL files.

    A name that is not valid UTF-8 is shown with escapes but read by its real name; a case-named
    entry in a folder that is not a regular file (a dangling link, a FIFO, a device) becomes an
    error line rather than being skipped without a word."""
    items: list[Item] = []

    def add(**kw: Any) -> None:
        items.append(Item(index=len(items), **kw))

    for raw in paths:
        path = Path(raw)
        label = printable(raw)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES):
                shown = printable(str(found))
                if found.is_file():
                    add(label=shown, path=str(found))
                elif not found.is_dir():
                    add(label=shown, problem=f"{shown}: {_not_a_file(found)}; skipped")
        elif path.suffix == ".jsonl" and path.is_file():
            _json_lines(path, label, add)
        elif path.exists() or path.is_symlink():
            add(label=label, path=raw)
        else:
            add(label=label, problem=f"{label}: no such file or folder")
    return items


def _not_a_file(path: Path) -> str:
    if path.is_symlink() and not path.exists():
        return "a link to nothing"
    if path.is_fifo():
        return "a FIFO, not a file"
    if path.is_char_device() or path.is_block_device():
        return "a device, not a file"
    return "not a regular file"


def _json_lines(path: Path, label: str, add: Callable[..., None]) -> None:
    """One item per line of a JSON Lines file (see _lines)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        add(label=label, problem=f"{label}: cannot be read: {exc.strerror or exc}")
        return
    with handle:
        for item in _lines(handle, label):
            add(**item)


def _lines(handle: BinaryIO, label: str) -> Iterator[dict[str, str]]:
    """One item per line, each line read at most MAX_CASE_BYTES long: a longer line, or one that
    is not UTF-8, is an error line of its own and the others are kept. Read as it is consumed,
    so that a stream is never held whole."""
    number = 0
    while True:
        raw = handle.readline(MAX_CASE_BYTES + 1)
        if not raw:
            return
        number += 1
        where = f"{label}:{number}"
        if len(raw) > MAX_CASE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a piece at a time
                raw = handle.readline(MAX_CASE_BYTES + 1)
            yield {"label": where, "problem": f"{where}: the line is too long (more than {MAX_CASE_BYTES:,} bytes)"}
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield {"label": where, "problem": f"{where}: is not UTF-8 text"}
            continue
        if line.strip():
            yield {"label": where, "text": line.rstrip("\r\n")}


class LineReader:
    """Lines of a file descriptor (standard input), read in blocks into a buffer of its own, so
    that whether a whole line is waiting can be told without blocking (`ready`): a buffered
    file object may hold a line the descriptor no longer shows."""

    def __init__(self, source: int | BinaryIO) -> None:
        self.fd = source if isinstance(source, int) else None
        self.file = None if isinstance(source, int) else source
        self.buffer = b""
        self.eof = False

    def _fill(self) -> None:
        if self.file is not None:  # a file object with no descriptor (a test's captured input)
            read = getattr(self.file, "read1", self.file.read)
            block = read(1 << 16)
        else:
            block = os.read(self.fd, 1 << 16)  # type: ignore[arg-type]
        if block:
            self.buffer += block
        else:
            self.eof = True

    def readline(self, limit: int) -> bytes:
        while b"\n" not in self.buffer[:limit] and len(self.buffer) < limit and not self.eof:
            self._fill()
        end = self.buffer.find(b"\n", 0, limit)
        cut = end + 1 if end >= 0 else min(limit, len(self.buffer))
        line, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return line

    def ready(self) -> bool:
        """A line (or the end) can be read now without waiting for the writer."""
        while b"\n" not in self.buffer and not self.eof:
            if self.fd is not None and not select.select([self.fd], [], [], 0)[0]:
                return False
            self._fill()
        return True


class Stream:
    """The cases of a JSON Lines stream (`kbcheck batch -`), read only as they are assessed."""

    def __init__(self, reader: LineReader, label: str = "-") -> None:
        self.reader = reader
        self.items = (Item(index=n, **item) for n, item in enumerate(_lines(reader, label)))  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Item]:
        return self.items


def stream(source: int | BinaryIO, label: str = "-") -> Stream:
    """A stream of cases from a file descriptor (standard input) or a binary file object."""
    return Stream(LineReader(source), label)


class _Queue:
    """The items still to assess: those a dead worker handed back first (a stack, as the list it
    replaces was), then the input, read only as workers need it. For a stream, `ready` says
    whether the next case can be had without waiting for the writer."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._back: list[Item] = []
        self._rest = iter(items)
        self.reader = items.reader if isinstance(items, Stream) else None

    def ready(self) -> bool:
        return bool(self._back) or self.reader is None or self.reader.ready()

    def __bool__(self) -> bool:
        if not self._back:
            following = next(self._rest, None)
            if following is None:
                return False
            self._back.append(following)
        return True

    def pop(self) -> Item:
        return self._back.pop() if self._back else next(self._rest)

    def append(self, item: Item) -> None:
        self._back.append(item)

    def extend(self, items: Iterable[Item]) -> None:
        self._back.extend(items)


# --- Assessing one item (in a worker, or in this process) -----------------------------------------
class Runner:
    """What a worker holds: the KB, one engine, and the choices of the run."""

    def __init__(self, kb_dir: str | None, engine: str, trace: bool | str, status: bool):
        from .api import get_engine, load_kb

        self.kb = load_kb(kb_dir)
        self.engine_name = engine
        self.engine = get_engine(self.kb, engine)
        self.trace = trace  # True (full), False (none) or "compact"
        self.status = status

    @property
    def poisoned(self) -> bool:
        return bool(getattr(self.engine, "poisoned", None))

    def run(self, item: Item) -> dict[str, Any]:
        from .api import assess
        from .case import case_from_data, read_case
        from .errors import CaseError
        from .yamlio import parse_json

        if item.problem:
            return {"source": item.label, "error": item.problem, "exit": 2}
        try:
            if item.text is not None:
                try:
                    data = parse_json(item.text, item.label)
                except InputError as exc:
                    raise CaseError(exc.file, exc.problem, line=exc.line) from None
                case = case_from_data(self.kb, data, item.label)
            else:
                case = read_case(item.path or item.label, self.kb)
            result = assess(case, self.kb, self.engine_name)
        except KbcheckError as exc:
            return {"source": item.label, "error": exc.one_line(), "exit": exc.exit_code}
        out = result.to_json(trace_text=True, compact=self.trace == "compact")
        if not self.trace:
            out.pop("trace", None)
        if self.status:
            from kbcheck.explain.explanation import Explanation

            out["status"] = Explanation(result).status()
        return dict(out, source=item.label)


def assess_here(
    items: Iterable[Item],
    kb_dir: str | None = None,
    engine: str = "durable",
    trace: bool | str = True,
    status: bool = False,
    replaced: Callable[[], None] | None = None,
) -> Iterator[tuple[Item, dict[str, Any]]]:
    """Assess items one after another in this process, yielding each with its result as it is
    read. Used by `--workers 0` and by kbcheck.engine.partition, so that a case assessed under
    another scheduler gets the very line batch gives it. A case the engine fails on is an error
    line, not an exception; an engine that failed in a way that may leave it unusable (poisoned,
    or out of memory) is replaced before the next case, and `replaced` is told."""
    runner = Runner(kb_dir, engine, trace, status)
    for item in items:
        fresh = False
        try:
            result = runner.run(item)
        except (EngineError, MemoryError) as exc:
            message = exc.one_line() if isinstance(exc, EngineError) else "the engine ran out of memory on this case"
            result = {"source": item.label, "error": message, "exit": 1}
            fresh = runner.poisoned or isinstance(exc, MemoryError)
        yield item, result
        if fresh:
            runner = Runner(kb_dir, engine, trace, status)
            if replaced is not None:
                replaced()


def _worker(conn: Connection, kb_dir: str | None, engine: str, trace: bool | str, status: bool, parent: int) -> None:
    """A worker process: receive chunks, send one result per item, stop when told or poisoned,
    and stop when the parent is gone. A forked worker holds copies of its siblings' pipe ends,
    so a dead parent is not seen as the end of the pipe: the worker watches its parent id."""
    _die_with_parent(parent)
    runner = Runner(kb_dir, engine, trace, status)
    while True:
        while not conn.poll(PARENT_CHECK):
            if os.getppid() != parent:
                return
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for item in chunk:
            try:
                result = runner.run(item)
            except MemoryError:
                result = {"source": item.label, "error": "the engine ran out of memory on this case", "exit": 1}
                conn.send((item.index, result, True))
                return
            except EngineError as exc:
                result = {"source": item.label, "error": exc.one_line(), "exit": 1}
            poisoned = runner.poisoned
            conn.send((item.index, result, poisoned))
            if poisoned:
                return  # the parent sends the rest of the chunk to a fresh worker


def _die_with_parent(parent: int) -> None:
    """On Linux, ask the kernel to end this worker when its parent dies, even while it is blocked
    sending a result that no one will read (a sibling's copy of the pipe keeps it open). Elsewhere
    the wait loop's look at the parent id is the guard."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    pending: list[Item]


def _start(ctx: Any, args: tuple[Any, ...]) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_worker, args=(child, *args, os.getpid()), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent, [])


def run(
    items: Iterable[Item],
    emit: Callable[[dict[str, Any]], None],
    workers: int = 1,
    kb_dir: str | None = None,
    engine: str = "durable",
    trace: bool | str = True,
    status: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> dict[str, int]:
    """Assess every item and emit one result per item, in input order. workers=0 runs here.
    `items` may be a stream (an iterator): it is read only as workers need it, and each result is
    emitted as soon as it and those before it are ready; `chunk` cases go to a worker at a time
    (1 for a stream, so that no case waits for later input).

    Returns counts: cases, errors, workers_replaced."""
    counts = {"cases": 0, "errors": 0, "workers_replaced": 0}
    buffer: dict[int, dict[str, Any]] = {}
    next_out = 0

    def deliver(index: int, result: dict[str, Any]) -> None:
        nonlocal next_out
        counts["cases"] += 1
        if "error" in result:
            counts["errors"] += 1
        buffer[index] = result
        while next_out in buffer:
            emit(buffer.pop(next_out))
            next_out += 1
        if progress:
            progress(1)

    if workers == 0:

        def replaced() -> None:
            counts["workers_replaced"] += 1

        for item, result in assess_here(items, kb_dir, engine, trace, status, replaced):
            deliver(item.index, result)
        return counts

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    args = (kb_dir, engine, trace, status)
    queue = _Queue(items)
    if not queue:
        return counts
    size = min(workers, len(items)) if isinstance(items, list) else workers
    pool = [_start(ctx, args) for _ in range(size)]
    try:
        _drive(pool, queue, deliver, counts, ctx, args, chunk)
    except BaseException:  # an output error, a broken pipe, Ctrl-C: stop every worker now
        for worker in pool:
            worker.process.terminate()
        for worker in pool:
            worker.process.join(timeout=5)
        raise
    for worker in pool:  # all answered: the workers are idle and stop when told
        with contextlib.suppress(OSError):  # a worker that already stopped
            worker.conn.send(None)
    for worker in pool:
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join(timeout=5)
    return counts


def _drive(
    pool: list[_Worker],
    queue: _Queue,
    deliver: Callable[[int, dict[str, Any]], None],
    counts: dict[str, int],
    ctx: Any,
    args: tuple[Any, ...],
    size: int = CHUNK,
) -> None:
    """Feed the workers and collect their results until every item is answered. A worker that
    dies is replaced; the case it died on is tried once more on a fresh worker (it may have been
    killed from outside) and blamed only if it kills that one too."""
    retried: set[int] = set()

    def feed(worker: _Worker) -> None:
        """Give an idle worker its next cases; from a stream, only what can be read without
        waiting, unless no other worker has a case (then waiting for the writer is all there is)."""
        chunk: list[Item] = []
        waiting_is_all = not any(w.pending for w in pool if w is not worker)
        while len(chunk) < size and (waiting_is_all or queue.ready()) and queue:
            chunk.append(queue.pop())
            waiting_is_all = False
        worker.pending = chunk
        if chunk:
            worker.conn.send(chunk)

    reader = queue.reader
    for worker in pool:
        feed(worker)
    while True:
        busy = [w for w in pool if w.pending]
        if not busy:
            if not queue:  # the input is at its end
                return
            feed(pool[0])
            continue
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        if reader is not None and reader.fd is not None and not reader.eof and len(busy) < len(pool):
            waitables.append(reader.fd)  # an idle worker: wake for the next case too
        ready = wait(waitables)
        for worker in busy:
            replace = False
            received = []
            try:  # drain what it sent before looking at whether it died
                while worker.conn.poll():
                    received.append(worker.conn.recv())
            except (EOFError, OSError):  # the pipe broke: the worker is gone
                replace = True
            for index, result, poisoned in received:  # an error writing a result is not a worker's death
                worker.pending = [i for i in worker.pending if i.index != index]
                deliver(index, result)
                replace = replace or poisoned
            if not replace and worker.pending and (worker.process.sentinel in ready or not worker.process.is_alive()):
                replace = True
            if replace:
                worker.process.join(timeout=5)
                code = worker.process.exitcode
                culprit = None
                if worker.pending and code not in (0, None):
                    # The process died on the first case it had not answered: that case is the one.
                    culprit = worker.pending.pop(0)
                    if culprit.index in retried:
                        deliver(
                            culprit.index,
                            {
                                "source": culprit.label,
                                "exit": 1,
                                "error": f"the engine process died on this case, twice ({_death(code)})",
                            },
                        )
                        culprit = None
                    else:
                        retried.add(culprit.index)
                queue.extend(reversed(worker.pending))
                if culprit is not None:
                    queue.append(culprit)  # next out: tried again first, on the fresh worker
                counts["workers_replaced"] += 1
                fresh = _start(ctx, args)
                pool[pool.index(worker)] = fresh
                feed(fresh)
            elif not worker.pending:
                feed(worker)
        for worker in pool:  # cases that came in while every worker was busy, or woke us
            if not worker.pending:
                feed(worker)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def jsonl(result: dict[str, Any]) -> str:
    """One JSON line; an error line gets the contract's version too, first, as an assessed case has it."""
    if "schema_version" not in result:
        result = {"schema_version": SCHEMA_VERSION, **result}
    return dumps(result)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


__all__ = ["Item", "assess_here", "collect", "run", "jsonl", "cpu_count", "stream", "Iterator"]
