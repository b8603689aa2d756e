"""The benchmark keeps working: its quick mode runs end to end and reports every workload.

No timing is asserted here (a loaded CI machine would make that a coin toss); the figures are
only checked to be measurements at all. The full run and its table are in docs/performance.md.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"

#: The table's rows: each workload the issue asks for against its floor, and context under it.
ROWS = (
    "(a) get one task",
    "    the same",
    "(b) list one 250-task page",
    "    the same",
    "(c) list_all, 605 tasks: CPU",
    "(c) list_all, 605 tasks: peak memory",
    "    the urllib3 + pydantic walk's peak",
    "(d) import openapi_client, ready to call",
    "    the same",
    "    bare import openapi_client",
    "    import and get one task",
)


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["bench"]
    return module


def test_quick_run_measures_every_workload_against_its_floor() -> None:
    bench = _load_bench()
    rows = bench.run(bench.QUICK)

    assert tuple(row.workload for row in rows) == ROWS
    for row in rows:
        samples = (*row.floor, *row.client)
        assert samples and all(math.isfinite(s) and s > 0 for s in samples), row.workload
        assert 0.001 < row.ratio < 1000, row.workload
        assert (row.target is None) == row.workload.startswith("    ")
    (a, _, b, _, c_cpu, c_memory, _, d, *_) = rows
    assert a.target == b.target == c_cpu.target == 1.10
    assert c_memory.target == 1.0 and d.target == 1.4
    assert len(a.floor) == len(a.client) == bench.QUICK.rounds

    table = bench.format_table(rows).splitlines()
    assert len(table) == 2 + len(rows)
    for line, row in zip(table[2:], rows):
        assert line.startswith(row.workload)
        assert f"{row.ratio:.2f}" in line
        assert line.split()[-1] and (row.verdict in line)


def test_the_command_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--only", "d"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Python ") and lines[0].endswith("quick run")
    assert lines[1].split()[:5] == ["workload", "floor", "client", "ratio", "median"]
    assert lines[3].startswith("(d) import openapi_client")


def test_the_command_refuses_an_unknown_workload() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--only", "x"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "--only takes letters from 'abcd'" in done.stderr
