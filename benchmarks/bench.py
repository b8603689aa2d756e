"""What ``openapi_client`` costs on top of the floor: raw urllib3 plus pydantic on the same bytes.

Run ``python benchmarks/bench.py`` (about a minute) or ``python benchmarks/bench.py --quick`` (a
few iterations; the test suite runs it so that it never rots). The MockServer runs in a separate
process (``python -m openapi_client.testing``), so every CPU figure is this process's own
(``time.process_time()``): what the client spends, not what the server does. Floor and client
are measured in alternating batches in the same run, and each figure is shown as a ratio to its
floor, because absolute times on a shared machine mean little.

Workloads:

(a) get one task, thousands of calls; floor: ``PoolManager.request("GET", url)`` then
    ``BackgroundTaskOut.model_validate_json(resp.data)``.
(b) list a 250-task page, hundreds of calls; floor: the same with
    ``ListResponseBackgroundTaskOut``.
(c) ``list_all`` over 100,000 tasks in pages of 250: CPU per task against the same paging loop
    written with urllib3 and pydantic alone, and peak traced memory (tracemalloc) against what
    two pages take once fetched and decoded.
(d) ``from openapi_client import ApiClient, BackgroundTasksApi, Configuration`` (what a program
    needs before its first call) in a fresh interpreter against ``import urllib3, pydantic``
    (median of several runs, timed inside the child around the import statement); and, for
    context, a whole program to its first answer against the same written with urllib3.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

import urllib3

import openapi_client
from openapi_client.configuration import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from openapi_client.models import BackgroundTaskOut, ListResponseBackgroundTaskOut
from openapi_client.testing import SAMPLE_TASK_ID

__all__ = ["FULL", "QUICK", "Row", "Settings", "format_table", "main", "run"]

LIST_PATH = "/api/v1/background-task/"


@dataclass(frozen=True)
class Settings:
    """How much work each workload does."""

    #: Calls per measured batch of (a) and of (b); each side runs ``rounds`` batches.
    get_batch: int
    list_batch: int
    rounds: int
    #: Tasks the server holds for (c), walked ``paging_rounds`` times per side.
    total_tasks: int
    page_size: int
    paging_rounds: int
    #: Fresh interpreters per import statement in (d).
    import_runs: int


FULL = Settings(
    get_batch=100, list_batch=10, rounds=40, total_tasks=100_000, page_size=250,
    paging_rounds=3, import_runs=15,
)
QUICK = Settings(
    get_batch=20, list_batch=2, rounds=2, total_tasks=600, page_size=250,
    paging_rounds=1, import_runs=2,
)


@dataclass(frozen=True)
class Row:
    """One line of the table: samples of the client and of its floor, and the target ratio.

    The figure compared is the best (lowest) sample of each side for CPU, whose noise only ever
    adds time; for import times and memory it is the median, or the single measurement.
    """

    workload: str
    floor: Tuple[float, ...]
    client: Tuple[float, ...]
    unit: str
    target: Optional[float]
    floor_label: str
    use_median: bool = False

    def _figure(self, samples: Tuple[float, ...]) -> float:
        return statistics.median(samples) if self.use_median else min(samples)

    @property
    def floor_figure(self) -> float:
        return self._figure(self.floor)

    @property
    def client_figure(self) -> float:
        return self._figure(self.client)

    @property
    def ratio(self) -> float:
        return self.client_figure / self.floor_figure

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.client) / statistics.median(self.floor)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "context"
        return "ok" if self.ratio <= self.target else "MISSED"


# -- the server, in its own process ----------------------------------------------------------


@contextmanager
def server_process(extra_tasks: int) -> Iterator[str]:
    """A MockServer in a child process with ``extra_tasks`` tasks besides the samples; its URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "openapi_client.testing", "--port", "0", "--tasks", str(extra_tasks)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = ""
        for line in child.stdout:
            url = next((word for word in line.split() if word.startswith("http://")), "")
            if url:
                break
        if not url:
            error = child.stderr.read() if child.stderr else ""
            raise RuntimeError(f"the MockServer process did not start: {error.strip()}")
        yield url.rstrip("/")
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


# -- measuring -------------------------------------------------------------------------------


def cpu_per_call(call: Callable[[], Any], calls: int) -> float:
    """This process's CPU seconds per call of ``call``, over ``calls`` calls."""
    gc.collect()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls


def interleaved(calls: Sequence[Callable[[], Any]], batch: int, rounds: int) -> List[Tuple[float, ...]]:
    """CPU per call of each of ``calls``: ``rounds`` batches of ``batch`` calls each, taking
    turns batch by batch so that load from elsewhere on the machine falls on all alike."""
    for call in calls:
        cpu_per_call(call, batch)  # warm up: connections, lazily built validators, caches
    samples: List[List[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, seconds in zip(calls, samples):
            seconds.append(cpu_per_call(call, batch))
    return [tuple(seconds) for seconds in samples]


def peak_traced_memory(run: Callable[[], Any]) -> int:
    """The most memory tracemalloc saw in use at once, in bytes, while ``run`` ran."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def import_seconds(statements: Sequence[str], runs: int, cache: str) -> List[Tuple[float, ...]]:
    """Seconds each of ``statements`` takes in each of ``runs`` fresh interpreters, timed in the
    child. The statements take turns, run by run, so load from elsewhere falls on all alike.

    Every module loads from cached bytecode in ``cache``, as an installed package does (pip
    compiles it): with PYTHONDONTWRITEBYTECODE set, this package alone would be compiled from
    source in every child (about 16 ms) while urllib3 and pydantic load their installed caches.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache

    def run(statement: str) -> float:
        code = (
            f"import time\nstarted = time.perf_counter()\n{statement}\n"
            "print(time.perf_counter() - started)\n"
        )
        return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True, env=env).stdout)

    for statement in statements:
        run(statement)  # fills the cache; not counted
    samples: List[List[float]] = [[] for _ in statements]
    for _ in range(runs):
        for statement, seconds in zip(statements, samples):
            seconds.append(run(statement))
    return [tuple(seconds) for seconds in samples]


# -- the floors: urllib3 and pydantic alone ---------------------------------------------------


def _floor_walk(pool: urllib3.PoolManager, url: str, page_size: int) -> Iterator[BackgroundTaskOut]:
    """Every task, page after page, the way one would write it with urllib3 and pydantic only."""
    iterator: Optional[str] = None
    while True:
        query = f"?limit={page_size}" + (f"&iterator={iterator}" if iterator else "")
        page = ListResponseBackgroundTaskOut.model_validate_json(
            pool.request("GET", url + LIST_PATH + query).data
        )
        yield from page.data
        if page.done:
            return
        iterator = page.iterator


def _two_pages(pool: urllib3.PoolManager, url: str, page_size: int) -> int:
    """Bytes that two full pages hold once fetched and decoded: their JSON and their models."""
    held: List[Any] = []
    gc.collect()
    tracemalloc.start()
    try:
        iterator: Optional[str] = None
        for _ in range(2):
            query = f"?limit={page_size}" + (f"&iterator={iterator}" if iterator else "")
            body = pool.request("GET", url + LIST_PATH + query).data
            page = ListResponseBackgroundTaskOut.model_validate_json(body)
            held.append((body, page))
            iterator = page.iterator
        del body, page
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        held.clear()


def _count(items: Iterator[Any]) -> int:
    count = 0
    for _ in items:
        count += 1
    return count


# -- the workloads ---------------------------------------------------------------------------


def bench_calls(url: str, settings: Settings) -> List[Row]:
    """(a) and (b): client CPU per call of one GET and of one full page."""
    pool = urllib3.PoolManager()
    task_url = f"{url}{LIST_PATH}{SAMPLE_TASK_ID}/"
    page_url = f"{url}{LIST_PATH}?limit={settings.page_size}"

    # urllib3 set up the way the client sets it up by default: timeouts and retries.
    configured = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=DEFAULT_TIMEOUT[0], read=DEFAULT_TIMEOUT[1]),
        retries=urllib3.Retry(DEFAULT_RETRIES),
    )
    with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
        api = openapi_client.BackgroundTasksApi(api_client)
        # What the client puts on the wire besides what urllib3 adds (Host, Accept-Encoding).
        same_headers = {"Accept": "application/json", "User-Agent": api_client.user_agent}

        def floor_get() -> BackgroundTaskOut:
            return BackgroundTaskOut.model_validate_json(pool.request("GET", task_url).data)

        def floor_get_same_headers() -> BackgroundTaskOut:
            answer = configured.request("GET", task_url, headers=same_headers)
            return BackgroundTaskOut.model_validate_json(answer.data)

        def client_get() -> BackgroundTaskOut:
            return api.get(SAMPLE_TASK_ID)

        def floor_list() -> ListResponseBackgroundTaskOut:
            return ListResponseBackgroundTaskOut.model_validate_json(pool.request("GET", page_url).data)

        def floor_list_same_headers() -> ListResponseBackgroundTaskOut:
            answer = configured.request("GET", page_url, headers=same_headers)
            return ListResponseBackgroundTaskOut.model_validate_json(answer.data)

        def client_list() -> ListResponseBackgroundTaskOut:
            return api.list(limit=settings.page_size)

        # Every side does the same work: the same answer, fully decoded.
        assert client_get() == floor_get() == floor_get_same_headers()
        assert client_list() == floor_list() == floor_list_same_headers()
        assert len(client_list().data) == settings.page_size

        get_floor, get_headers, get_client = interleaved(
            (floor_get, floor_get_same_headers, client_get), settings.get_batch, settings.rounds
        )
        list_floor, list_headers, list_client = interleaved(
            (floor_list, floor_list_same_headers, client_list), settings.list_batch, settings.rounds
        )
    pool.clear()
    configured.clear()
    floor_label = "PoolManager.request + model_validate_json"
    headers_label = "the same, with the client's headers, timeouts and retries"
    page = f"(b) list one {settings.page_size}-task page"
    return [
        Row("(a) get one task", get_floor, get_client, "us/call", 1.10, floor_label),
        Row("    the same", get_headers, get_client, "us/call", None, headers_label),
        Row(page, list_floor, list_client, "us/call", 1.10, floor_label),
        Row("    the same", list_headers, list_client, "us/call", None, headers_label),
    ]


def bench_list_all(url: str, settings: Settings) -> List[Row]:
    """(c): ``list_all`` over every task: CPU per task, and peak memory against two pages."""
    pool = urllib3.PoolManager()
    size = settings.page_size
    with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
        api = openapi_client.BackgroundTasksApi(api_client)

        def floor_walk() -> int:
            return _count(_floor_walk(pool, url, size))

        def client_walk() -> int:
            return _count(api.list_all(limit=size))

        total = floor_walk()
        assert client_walk() == total
        assert [task.id for task in api.list_all(limit=size)][:size] == [
            task.id for task in _floor_walk(pool, url, size)
        ][:size]
        floors, clients = interleaved((floor_walk, client_walk), 1, settings.paging_rounds)

        two_pages = _two_pages(pool, url, size)
        client_peak = peak_traced_memory(client_walk)
        floor_peak = peak_traced_memory(floor_walk)
    pool.clear()
    per_task = (tuple(s / total for s in floors), tuple(s / total for s in clients))
    label = f"(c) list_all, {total:,} tasks"
    two = f"two {size}-task pages, fetched and decoded"
    return [
        Row(f"{label}: CPU", *per_task, "us/task", 1.10, "the same walk with urllib3 + pydantic"),
        Row(f"{label}: peak memory", (two_pages,), (client_peak,), "KiB", 1.0, two),
        Row("    the urllib3 + pydantic walk's peak", (two_pages,), (floor_peak,), "KiB", None, two),
    ]


def bench_import(url: str, settings: Settings) -> List[Row]:
    """(d): import time in a fresh interpreter, and the time to a first answer."""
    runs = settings.import_runs
    task_url = f"{url}{LIST_PATH}{SAMPLE_TASK_ID}/"
    with tempfile.TemporaryDirectory() as cache:
        floor, floor_model, package, ready, floor_first, client_first = import_seconds(
            (
                "import urllib3, pydantic",
                "import urllib3\nfrom pydantic import BaseModel",
                "import openapi_client",
                "from openapi_client import ApiClient, BackgroundTasksApi, Configuration",
                # A whole program to its first answer: the models are the same on both sides.
                "import urllib3\nfrom openapi_client.models import BackgroundTaskOut\n"
                f"answer = urllib3.PoolManager().request('GET', {task_url!r})\n"
                "BackgroundTaskOut.model_validate_json(answer.data)",
                "from openapi_client import ApiClient, BackgroundTasksApi, Configuration\n"
                f"BackgroundTasksApi(ApiClient(Configuration(host={url!r}))).get({SAMPLE_TASK_ID!r})",
            ),
            runs,
            cache,
        )
    return [
        # What a program needs before its first call: the figure the target applies to.
        Row("(d) import openapi_client, ready to call", floor, ready, "ms", 1.4,
            "from openapi_client import ApiClient, BackgroundTasksApi, Configuration"
            " vs import urllib3, pydantic", use_median=True),
        Row("    the same", floor_model, ready, "ms", None,
            "vs import urllib3; from pydantic import BaseModel", use_median=True),
        Row("    bare import openapi_client", floor, package, "ms", None,
            "vs import urllib3, pydantic (names load on first use)", use_median=True),
        Row("    import and get one task", floor_first, client_first, "ms", None,
            "a fresh program to its first answer vs the same with urllib3 and the same models",
            use_median=True),
    ]


# -- the table -------------------------------------------------------------------------------

_SCALE = {"us/call": 1e6, "us/task": 1e6, "ms": 1e3, "KiB": 1 / 1024}


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table."""
    header = ("workload", "floor", "client", "ratio", "median", "target", "", "floor is")
    lines = [header]
    for row in rows:
        scale = _SCALE[row.unit]
        lines.append((
            row.workload,
            f"{row.floor_figure * scale:,.1f} {row.unit}",
            f"{row.client_figure * scale:,.1f} {row.unit}",
            f"{row.ratio:.2f}",
            f"{row.median_ratio:.2f}",
            f"<= {row.target:.2f}" if row.target is not None else "",
            row.verdict,
            row.floor_label,
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {1, 2, 3, 4}
    out = [
        "  ".join(cell.rjust(width) if i in numeric else cell.ljust(width)
                  for i, (cell, width) in enumerate(zip(line, widths))).rstrip()
        for line in lines
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)


def run(settings: Settings, *, workloads: str = "abcd") -> List[Row]:
    """Run the chosen workloads (letters of ``"abcd"``) and return their rows."""
    rows: List[Row] = []
    # (b) lists full pages and (c) walks them all; (d) needs only the sample tasks.
    with server_process(settings.total_tasks if set(workloads) & set("abc") else 0) as url:
        if set(workloads) & set("ab"):
            rows += bench_calls(url, settings)
        if "c" in workloads:
            rows += bench_list_all(url, settings)
        if "d" in workloads:
            rows += bench_import(url, settings)
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations only")
    parser.add_argument("--only", default="abcd", metavar="LETTERS",
                        help="the workloads to run, e.g. 'ab' (default: abcd)")
    args = parser.parse_args(argv)
    if not args.only or set(args.only) - set("abcd"):
        parser.error("--only takes letters from 'abcd'")
    settings = QUICK if args.quick else FULL
    print(f"Python {sys.version.split()[0]}, urllib3 {importlib.metadata.version('urllib3')}, "
          f"openapi_client {openapi_client.__version__}; {'quick' if args.quick else 'full'} run")
    print(format_table(run(settings, workloads=args.only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
