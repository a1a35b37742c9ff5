"""The errors kbcheck reports to its users.

Each error carries where it happened (file, line) and what was wrong, so that the CLI can print
one line a lawyer or a developer can act on, without a traceback.
"""

from __future__ import annotations


class KbcheckError(Exception):
    """Base class: an error that the CLI reports in one line."""

    exit_code = 2

    def one_line(self) -> str:
        return str(self)


class InputError(KbcheckError):
    """Bad input from a file: names the file, the line where known, the field and the problem."""

    def __init__(self, file: str, problem: str, line: int | None = None, field: str | None = None):
        self.file = file
        self.line = line
        self.field = field
        self.problem = " ".join(problem.split())  # always one line, whatever a parser said
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"


class CaseError(InputError):
    """A case file that does not follow the contract (docs/case-format.md)."""


class KBError(InputError):
    """A knowledge-base file that the strict loader refuses: `file:line: rule-id: problem`."""


class KBErrors(KbcheckError):
    """Every problem the loader found in one pass, so a KB author can fix them together."""

    def __init__(self, errors: list[KBError]):
        self.errors = errors
        super().__init__("\n".join(e.one_line() for e in errors))

    def one_line(self) -> str:
        return "\n".join(e.one_line() for e in self.errors)


class EngineError(KbcheckError):
    """The engine failed on one case: an action raised, the engine ran out of room, or the KB
    produced two values (or none) for a conclusion. Never a silent wrong answer."""

    exit_code = 1
