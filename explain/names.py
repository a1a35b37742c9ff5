"""Conclusion names and CONCLUSION=VALUE targets as people type them, checked against the KB.

The CLI and the web API both take them from users; one place says what is accepted and how a
mistake is reported (with the nearest name the KB knows).
"""

from __future__ import annotations

import difflib

from kbcheck.engine.errors import KbcheckError
from kbcheck.engine.model import KB


class UnknownName(KbcheckError):
    """A conclusion or value the KB does not have."""


def conclusion_name(kb: KB, name: str) -> str:
    """A conclusion of the KB (a list conclusion included), or an error naming the closest."""
    if name in kb.lists or name in kb.conclusions:
        return name
    names = list(kb.lists) + list(kb.conclusions)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else "; `kbcheck rules` and docs/case-format.md list them"
    raise UnknownName(f"{name}: not a conclusion of the knowledge base{hint}")


def target(kb: KB, name: str, value: str) -> tuple[str, str]:
    """The conclusion and value a why-not asks about; a list member is asked as list=member and
    answered as the member's own conclusion having the value yes."""
    name = conclusion_name(kb, name)
    if name in kb.lists:
        ldef = kb.lists[name]
        if value not in ldef.members:
            raise UnknownName(f"{value}: not a member of {name} (expected one of: {', '.join(ldef.members)})")
        return ldef.member_id(value), "yes"
    allowed = kb.conclusions[name].values
    if value not in allowed:
        raise UnknownName(f"{value}: not a value of {name} (expected one of: {', '.join(allowed)})")
    return name, value
