"""kbcheck's engine: load the KB, read cases, compile the rules, run them, keep the trace.

It knows nothing of malicious communications: all the law is in kb/.
"""

from .api import ENGINES, assess, compiled, durable_problem, get_engine, load_kb
from .case import Case, read_case
from .errors import CaseError, EngineError, InputError, KbcheckError, KBError, KBErrors
from .partition import assess_partition
from .result import Assessment, Firing

__all__ = [
    "ENGINES",
    "Assessment",
    "Case",
    "CaseError",
    "EngineError",
    "Firing",
    "InputError",
    "KBError",
    "KBErrors",
    "KbcheckError",
    "assess",
    "assess_partition",
    "compiled",
    "durable_problem",
    "get_engine",
    "load_kb",
    "read_case",
]
