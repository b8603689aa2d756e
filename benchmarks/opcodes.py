"""Where the client's per-call overhead sits, counted exactly rather than timed.

Run ``python benchmarks/opcodes.py`` (a few seconds). It makes one call of each side of the
benchmark's (a) and (b), the client and its floor (``bench.call_sides``, so the very same calls),
after a few warm-up calls, under ``sys.settrace``, and counts the Python bytecode instructions
each function executes. It prints each side's total and the functions where the client executes
more (or fewer) instructions than the floor.

Timings on a shared machine move by several percent from run to run; these counts barely move
(a request id of fewer digits changes a few), so they show what a change to the request path
adds or saves. They count Python
bytecode only: what runs in C (sockets, gzip, pydantic's JSON parsing) is not counted, so the
ratio of the totals is not the ratio of times, and it is above it for (b), where C does most of
the work.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Callable, Counter, Dict, List, Optional, Sequence, Tuple

import urllib3

import openapi_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # the benchmark beside this file

__all__ = ["count_opcodes", "main", "report"]

Where = Tuple[str, str]
#: Calls of each side before the one counted: connections open, lazy imports done.
WARM_UP = 5


def count_opcodes(call: Callable[[], Any]) -> Counter[Where]:
    """The bytecode instructions one ``call()`` executes, by ``(file, function)``. It is called
    twice, each time under a fresh ``settrace``, and the second call counted: Python 3.12 reports
    no instruction of a function under the first ``settrace`` that sees it."""
    counts: Counter[Where] = collections.Counter()

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            counts[_where(frame.f_code)] += 1
        return trace

    previous = sys.gettrace()
    for _ in range(2):
        counts.clear()
        sys.settrace(trace)
        try:
            call()
        finally:
            sys.settrace(previous)
    return counts


@functools.cache
def _where(code: CodeType) -> Where:
    """The function's module path from its package's top (``urllib3/util/retry.py``) and name."""
    path = Path(code.co_filename)
    top = path.parent
    while top != top.parent and (top / "__init__.py").exists():
        top = top.parent
    return path.relative_to(top).as_posix(), getattr(code, "co_qualname", code.co_name)


def report(name: str, floor: Counter[Where], client: Counter[Where], top: int) -> List[str]:
    """The totals of both sides, then the ``top`` functions whose counts differ most."""
    floor_total, client_total = sum(floor.values()), sum(client.values())
    lines = [f"{name}: floor {floor_total} instructions, client {client_total} "
             f"({client_total / floor_total:.3f}x, {client_total - floor_total:+d})",
             f"  {'client - floor':>14}  {'client':>7}  function"]
    differences = ((where, client[where] - floor[where]) for where in set(floor) | set(client))
    ranked = sorted((-abs(difference), where, difference) for where, difference in differences if difference)
    for _, (path, function), difference in ranked[:top]:
        lines.append(f"  {difference:>+14d}  {client[(path, function)]:>7d}  {path}:{function}")
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", default="ab", help="workloads, from 'ab' (default: both)")
    parser.add_argument("--top", type=int, default=40, help="functions listed per workload")
    args = parser.parse_args(argv)
    with bench.server_process(bench.LARGEST_PAGE) as url:
        pool = urllib3.PoolManager()
        with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
            get, page = bench.call_sides(url, openapi_client.BackgroundTasksApi(api_client), pool, pool)
            workloads: Dict[str, Tuple[str, Dict[str, Callable[[], Any]]]] = {
                "a": ("(a) get one task", get),
                "b": (f"(b) list one {bench.LARGEST_PAGE}-task page", page),
            }
            for letter in args.only:
                name, sides = workloads[letter]
                counted = {}
                for side in ("floor", "client"):
                    for _ in range(WARM_UP):
                        sides[side]()
                    counted[side] = count_opcodes(sides[side])
                print("\n".join(report(name, counted["floor"], counted["client"], args.top)))
        pool.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
