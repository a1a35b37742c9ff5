"""What the commands share: settings, loading the KB and cases, errors, safe output files."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from kbcheck.engine import KbcheckError, load_kb, read_case
from kbcheck.engine.case import Case
from kbcheck.engine.errors import printable
from kbcheck.engine.model import KB

F = TypeVar("F", bound=Callable[..., Any])


class KbcheckClickError(click.ClickException):
    """A KbcheckError on its way out: one line on stderr, the right exit status."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__("\n".join(printable(line) for line in message.split("\n")))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it after "Error: <message>"


@dataclass
class Settings:
    engine: str = "durable"
    kb_dir: str | None = None

    def kb(self) -> KB:
        try:
            return load_kb(self.kb_dir)
        except KbcheckError as exc:
            raise KbcheckClickError(exc.one_line(), exc.exit_code) from None


def settings() -> Settings:
    ctx = click.get_current_context()
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def fail(exc: KbcheckError) -> KbcheckClickError:
    return KbcheckClickError(exc.one_line(), exc.exit_code)


def read(path: str, kb: KB) -> Case:
    try:
        return read_case(path, kb)
    except KbcheckError as exc:
        raise fail(exc) from None


def assessed(case_file: str, communication: str | None = None) -> Any:
    """Read and assess a case with the chosen engine: the start of every explaining command.
    With `communication`, the assessment of that one communication of a series."""
    from kbcheck.engine import assess

    cfg = settings()
    kb = cfg.kb()
    assessment = assess(read(case_file, kb), kb, cfg.engine)
    if communication is None:
        return assessment
    if assessment.series is None:
        raise KbcheckClickError(
            f"{case_file}: --communication: the case lists no communications "
            "(a case of one communication is explained without it)"
        )
    found = assessment.series.of(communication)
    if found is None:
        ids = ", ".join(assessment.series.ids[:10]) + (" ..." if len(assessment.series.ids) > 10 else "")
        raise KbcheckClickError(f"{case_file}: --communication: no communication '{communication}' (it has {ids})")
    return found


def communication_option(function: Any) -> Any:
    """--communication ID: explain one communication of a series, judged on its own date."""
    return click.option(
        "--communication",
        "communication",
        metavar="ID",
        default=None,
        help="Explain one communication of a series (its own conclusions, on its own date).",
    )(function)


def conclusion_arg(kb: KB, name: str) -> str:
    """A conclusion named on the command line, or a clear error."""
    from kbcheck.explain.names import conclusion_name

    try:
        return conclusion_name(kb, name)
    except KbcheckError as exc:
        raise fail(exc) from None


def echo_json(data: dict[str, Any]) -> None:
    """Print a command's JSON with the contract's version first (docs/json.md); each command's
    shape is in explain/schemas/ (`kbcheck schema NAME`)."""
    from kbcheck.explain.serialize import versioned

    click.echo(json.dumps(versioned(data), indent=2, ensure_ascii=False, sort_keys=False))


def file_or_stdout(output: str | None) -> str | None:
    """`-o -` means standard output, as for most Unix tools; without it a file named "-" would
    be written in the current folder. A name that begins with '-' is an option given by
    mistake (`-o --help`), not a file to create: ./-name writes one if that is meant."""
    if output is not None and output.startswith("-") and output != "-":
        raise KbcheckClickError(f"-o {output}: looks like an option, not a file; write ./{output} to name such a file")
    return None if output == "-" else output


def write_atomic(target: str | Path, data: bytes) -> Path:
    """Write a file whole or not at all: a temporary file beside it, then a rename. A symlink
    at the target is replaced, never written through."""
    path = Path(target)
    if path.is_dir():
        raise KbcheckClickError(f"{path}: is a directory; name a file to write")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise KbcheckClickError(f"{path}: the folder {parent} does not exist")
    mode = output_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def output_mode(path: Path) -> int:
    """The mode a file written at `path` gets: an existing file keeps its own (a 0600 report stays
    0600), a new one gets the usual 0666 less the umask (mkstemp would leave 0600). A file the
    user cannot write is not replaced behind their back."""
    if path.exists() and not path.is_symlink():
        mode = stat.S_IMODE(path.stat().st_mode)
        if not os.access(path, os.W_OK) or not mode & stat.S_IWUSR:  # root may write anything: ask the mode too
            raise KbcheckClickError(f"{path}: is read-only; kbcheck will not replace it")
        return mode
    return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stderr(message: str) -> None:
    click.echo(message, err=True)


def is_tty(stream: Any = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())
