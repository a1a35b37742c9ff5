"""The errors kbcheck reports to its users.

Each error carries where it happened (file, line) and what was wrong, so that the CLI can print
one line a lawyer or a developer can act on, without a traceback.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embeddings, overrides and isolates: invisible, and able to make text read in an
# order other than the one it is stored in.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# The same characters as one pattern: Unicode's categories Cc (U+0000-U+001F, U+007F-U+009F) and
# Cs (U+D800-U+DFFF) are fixed ranges, and a regular expression finds the first of them in C
# rather than one character at a time in Python (a case is checked string by string).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")


def unsafe_character(text: str) -> str | None:
    """The first character that must never reach a terminal, a file or a page raw: a control
    character (newline and tab included), a lone surrogate, or a bidirectional control."""
    found = _UNSAFE.search(text)
    return found.group() if found else None


def printable(text: str) -> str:
    """Text made safe for one line of output: each unsafe character written as an escape."""
    if unsafe_character(text) is None:
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in text
    )


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
        """Always one line: a newline or an escape sequence in a key or a value the message quotes
        is written as an escape, so input can neither break the line nor forge another."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"
        return printable(text)


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
