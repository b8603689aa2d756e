"""The benchmark measures what it says: both sides of each workload do the same exchange and
decode equal models, every workload reports real samples against its target, and the slow link
forwards every byte and counts it.

No timing or ratio is asserted here (a loaded CI machine would make that a coin toss). The full
run and its table are in docs/performance.md.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import socket
import subprocess
import sys
from collections.abc import Iterator as AnyIterator
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Mapping, Tuple

import pytest
import urllib3

from openapi_client import BackgroundTasksApi
from openapi_client.testing import MockServer, RecordedRequest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"

#: The targets, workload by workload: (a) and (b) CPU per call, (c) CPU per task and peak
#: memory, (d) import time, (e) wall time against the link's limit and against the default walk.
TARGETS = {"a": [1.10], "b": [1.10], "c": [1.10, 1.0], "d": [1.10], "e": [1.15, 0.25]}


def _load(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` run as module ``name`` (left in ``sys.modules``)."""
    spec = importlib.util.spec_from_file_location(name, BENCH.with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    try:
        yield _load("bench")
    finally:
        del sys.modules["bench"]


def _run_each(
    sides: Mapping[str, Callable[[], Any]], server: MockServer
) -> Tuple[Dict[str, Any], Dict[str, List[RecordedRequest]]]:
    """What each side returns, and the requests the server saw from it."""
    results: Dict[str, Any] = {}
    requests: Dict[str, List[RecordedRequest]] = {}
    for name, side in sides.items():
        before = len(server.requests)
        result = side()
        results[name] = result if not isinstance(result, AnyIterator) else list(result)
        requests[name] = server.requests[before:]
    return results, requests


def _headers(request: RecordedRequest) -> Dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def test_quick_run_reports_every_workload_with_finite_samples_and_its_targets(bench: ModuleType) -> None:
    rows = bench.run(bench.QUICK)

    targets: Dict[str, List[float]] = {}
    for row in rows:
        samples = (*row.floor, *row.client)
        assert samples and all(math.isfinite(s) and s > 0 for s in samples), row.workload
        # A row with a target names its workload; the context rows under it are indented.
        assert (row.target is None) == row.workload.startswith("    "), row.workload
        if row.target is not None:
            targets.setdefault(row.workload[1], []).append(row.target)
    assert targets == TARGETS
    a, e = rows[0], next(row for row in rows if row.workload.startswith("(e)"))
    assert len(a.floor) == len(a.client) == bench.QUICK.rounds
    assert len(e.floor) == len(e.client) == bench.QUICK.link_rounds
    assert "1,000 tasks" in e.workload

    table = bench.format_table(rows).splitlines()
    assert len(table) == 2 + len(rows)
    for line, row in zip(table[2:], rows):
        assert line.startswith(row.workload)
        assert f" {row.ratio:.2f} " in line and f" {row.median_ratio:.2f} " in line
        if row.target is None:
            assert " context " in line
        else:
            assert f"<= {row.target:.2f}" in line and (" ok " in line or " MISSED " in line)


@pytest.fixture
def pool() -> Iterator[urllib3.PoolManager]:
    with urllib3.PoolManager() as manager:
        yield manager


def test_the_floors_of_a_call_decode_the_clients_models_and_the_target_floor_sends_its_headers(
    bench: ModuleType, mock_server: MockServer, background_tasks_api: BackgroundTasksApi,
    pool: urllib3.PoolManager,
) -> None:
    mock_server.add_tasks(250)
    get, page = bench.call_sides(mock_server.url, background_tasks_api, pool, pool)
    for sides in (get, page):
        results, requests = _run_each(sides, mock_server)
        assert all(result == results["client"] for result in results.values())
        assert all(len(sent) == 1 for sent in requests.values())
        client = _headers(requests["client"][0])
        for name in ("floor", "configured"):
            floor = _headers(requests[name][0])
            assert floor["svix-req-id"] != client["svix-req-id"]
            assert {**floor, "svix-req-id": client["svix-req-id"]} == client
        assert _headers(requests["bare"][0])["accept-encoding"] == "identity"
    assert len(results["client"].data) == 250
    assert "gzip" in client["accept-encoding"] and client["svix-req-id"].isdigit()


def test_the_floor_sends_a_new_request_id_on_every_call(bench: ModuleType) -> None:
    ids = {bench.client_headers()["svix-req-id"] for _ in range(20)}
    assert len(ids) == 20


def test_the_walks_yield_the_same_tasks_each_asking_as_it_says(
    bench: ModuleType, mock_server: MockServer, background_tasks_api: BackgroundTasksApi,
    pool: urllib3.PoolManager,
) -> None:
    mock_server.add_tasks(600)
    walks, walked = _run_each(bench.walk_sides(mock_server.url, background_tasks_api, pool), mock_server)
    assert walks["floor"] == walks["client"] and len(walks["client"]) == 605
    for requests in walked.values():
        assert [request.query["limit"] for request in requests] == ["250"] * 3
        assert all("gzip" in _headers(request)["accept-encoding"] for request in requests)

    slow, sent = _run_each(bench.slow_link_sides(mock_server.url), mock_server)
    assert slow["default"] == slow["client"] == walks["client"]
    assert [request.query.get("limit") for request in sent["client"]] == ["250"] * 3
    # The service's defaults: 50 a page, and only urllib3's own "identity" encoding.
    assert [request.query.get("limit") for request in sent["default"]] == [None] * 13
    assert {_headers(request)["accept-encoding"] for request in sent["default"]} == {"identity"}


def test_the_link_forwards_every_byte_both_ways_and_counts_them(
    bench: ModuleType, mock_server: MockServer
) -> None:
    mock_server.add_tasks(300)
    request = b"GET /api/v1/background-task/?limit=250 HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"

    def fetch(url: str) -> bytes:
        host, port = url.split("//")[1].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(request)
            return connection.makefile("rb").read()  # until the server closes the connection

    with bench.link_process(mock_server.url, rtt=0.002, bandwidth=1e9) as link:
        assert link.forwarded() == (0, 0)
        through_link = fetch(link.url)
        assert link.forwarded() == (len(request), len(through_link))
    direct = fetch(mock_server.url)
    assert through_link.partition(b"\r\n\r\n")[2] == direct.partition(b"\r\n\r\n")[2]
    assert len(direct.partition(b"\r\n\r\n")[2]) > 30_000  # a whole page, not just its headers


def test_the_command_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--only", "d"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Python ") and lines[0].endswith("quick run")
    assert lines[1].split()[:6] == ["workload", "floor", "client", "ratio", "median", "target"]
    assert lines[3].startswith("(d) a fresh program to its first answer") and "<= 1.10" in lines[3]


def test_the_command_refuses_an_unknown_workload() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--only", "x"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "--only takes letters from 'abcde'" in done.stderr


# -- the bytecode count (benchmarks/opcodes.py) -------------------------------------------------


@pytest.fixture(scope="module")
def opcodes() -> Iterator[ModuleType]:
    path, had_bench = list(sys.path), "bench" in sys.modules
    try:
        yield _load("opcodes")  # it imports the benchmark beside it
    finally:
        sys.path[:] = path
        sys.modules.pop("opcodes", None)
        if not had_bench:
            sys.modules.pop("bench", None)


def _loop(times: int) -> int:
    total = 0
    for number in range(times):
        total += number
    return total


def test_the_bytecode_count_grows_with_the_work_a_function_does(opcodes: ModuleType) -> None:
    where = ("test_benchmark.py", "_loop")
    once, ten_times = (opcodes.count_opcodes(functools.partial(_loop, n))[where] for n in (1, 10))
    assert 0 < once < ten_times


def test_the_bytecode_report_sets_the_client_against_the_floor_by_function(
    opcodes: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert opcodes.main(["--only", "a", "--top", "1000"]) == 0
    first, _, *rows = capsys.readouterr().out.splitlines()
    floor, client = (int(word) for word in first.replace(",", "").split() if word.isdigit())
    assert first.startswith("(a) get one task") and 0 < floor < client
    functions = {row.split()[-1] for row in rows}
    # The client's own request path shows up, and urllib3's request, which only the floor calls
    # (functions are named with their class from Python 3.11 on).
    qualified = sys.version_info >= (3, 11)
    assert f"openapi_client/rest.py:{'RESTClientObject.' * qualified}request" in functions
    assert f"urllib3/_request_methods.py:{'RequestMethods.' * qualified}request" in functions
    assert sum(int(row.split()[0]) for row in rows) == client - floor
