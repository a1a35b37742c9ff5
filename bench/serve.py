"""kbcheck serve's JSON API against the same work done in process.

The issue's promise is that the server answers each request in a few milliseconds beyond the
engine's own time. So the same cases are assessed twice, taking turns: by POST /api/assess to a
running `kbcheck serve` (one keep-alive connection, as a page or a client holds it), and in this
process by exactly what the endpoint does (read the case, assess it, work out what is settled,
build the JSON, serialise it). The difference of the medians is what the server adds: HTTP,
FastAPI's parsing and validation, the response.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import subprocess
import time
from typing import Any

from bench.coldstart import kbcheck_command
from kbcheck.engine.case import Case

TARGET_MS = 5.0  # "a few milliseconds beyond the engine's own time"


def _in_process(body: bytes) -> bytes:
    from kbcheck.engine import assess, load_kb
    from kbcheck.engine.case import case_from_data
    from kbcheck.explain.explanation import Explanation
    from kbcheck.explain.serialize import versioned

    kb = load_kb()
    result = assess(case_from_data(kb, json.loads(body)["case"], "<request>"), kb, "durable")
    return json.dumps(versioned(dict(result.to_json(), status=Explanation(result).status()))).encode()


def measure(cases: list[Case], repeats: int = 3) -> dict[str, Any]:
    bodies = [json.dumps({"case": c.to_data()}, default=str).encode() for c in cases]
    server = subprocess.Popen(
        [*kbcheck_command(), "serve", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
        if not found:
            return {"error": "kbcheck serve printed no address"}
        connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=60)
        headers = {"content-type": "application/json"}
        for body in bodies[:5]:  # warm both: the server's KB and engine, and this process's
            connection.request("POST", "/api/assess", body, headers)
            connection.getresponse().read()
            _in_process(body)
        served: list[float] = []
        local: list[float] = []
        failed = 0
        for _ in range(repeats):
            for body in bodies:
                start = time.perf_counter()
                connection.request("POST", "/api/assess", body, headers)
                response = connection.getresponse()
                response.read()
                served.append(time.perf_counter() - start)
                failed += response.status != 200
                start = time.perf_counter()
                _in_process(body)
                local.append(time.perf_counter() - start)
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    served_ms, local_ms = statistics.median(served) * 1000, statistics.median(local) * 1000
    return {
        "requests": len(served),
        "failed": failed,
        "served_ms": round(served_ms, 2),
        "in_process_ms": round(local_ms, 2),
        "overhead_ms": round(served_ms - local_ms, 2),
        "target_ms": TARGET_MS,
    }


def lines(results: dict[str, Any]) -> list[str]:
    """The table's section for the serve run."""
    got = results.get("serve")
    if not got:
        return []
    if got.get("error"):
        return ["", f"### kbcheck serve: {got['error']}"]
    return [
        "",
        "### kbcheck serve: POST /api/assess against the same work in process (medians)",
        "",
        "| requests | served (ms) | in process (ms) | added by the server (ms) | target |",
        "|---|---|---|---|---|",
        f"| {got['requests']} | {got['served_ms']:.2f} | {got['in_process_ms']:.2f} | "
        f"{got['overhead_ms']:.2f} | <= {got['target_ms']:.0f} ms |",
    ]
