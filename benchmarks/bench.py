"""What ``openapi_client`` costs on top of the floor: urllib3 plus pydantic doing the same exchange.

Run ``python benchmarks/bench.py`` (about two minutes) or ``python benchmarks/bench.py --quick``
(a few iterations; the test suite runs it so that it never rots). The MockServer runs in a
separate process (``python -m openapi_client.testing``), so every CPU figure is this process's
own (``time.process_time()``): what the client spends, not what the server does. Floor and
client are measured in alternating batches in the same run, and each figure is shown as a ratio
to its floor, because absolute times on a shared machine mean little. Before measuring, each
workload checks that both sides return equal models, so neither skips work.

The floor does the exchange the client does. The client sends ``Accept: application/json``,
``Accept-Encoding`` (what urllib3 can decode: gzip and deflate), its ``User-Agent`` and a random
``svix-req-id`` per call, and the server compresses answers over 1 KiB when asked, so a floor
sending no headers would get an uncompressed page and skip the header work: a different
exchange. The target floor of (a), (b) and (c) is therefore ``PoolManager.request("GET", url,
headers=...)`` with the same four headers (a fresh ``svix-req-id`` per call), then
``Model.model_validate_json(resp.data)`` (urllib3 decodes the gzip).

Workloads:

(a) get one task, thousands of calls, against that floor; for context, against the bare floor
    (no headers, so an uncompressed answer and no header work) and against urllib3 configured
    like the client (the same headers, its timeouts and retries).
(b) list a 250-task page, hundreds of calls; the same floors with
    ``ListResponseBackgroundTaskOut``.
(c) ``list_all`` over 100,000 tasks in pages of 250: CPU per task against the same paging loop
    written with urllib3 and pydantic alone (the same headers), and peak traced memory
    (tracemalloc) against what two pages take once fetched and decoded.
(d) a fresh program to its first answer (import, then get one task) against the same program
    written with urllib3 and the same models (median of several runs, timed inside the child);
    for context, ``from openapi_client import ApiClient, BackgroundTasksApi, Configuration``
    against ``import urllib3, pydantic``.
(e) ``list_all`` over 10,000 tasks through a slow link (40 ms round trip, 20 Mbit/s each way,
    simulated by ``benchmarks/link.py``, a relay in its own process): wall time against the
    link's physical limit (pages x round trip + bytes / bandwidth, with the largest page, 250,
    and the compressed bytes the server sent for the client's walk, counted at the link), and
    against the same walk written with urllib3 and pydantic with the service's defaults (no
    ``limit``, so 50 a page; no ``Accept-Encoding`` but urllib3's ``identity``). Medians of
    alternating walks, each with a fresh client.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import itertools
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Type

import urllib3
from pydantic import BaseModel

import openapi_client
from openapi_client.configuration import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from openapi_client.models import BackgroundTaskOut, ListResponseBackgroundTaskOut
from openapi_client.testing import SAMPLE_TASK_ID

__all__ = [
    "FULL", "QUICK", "Row", "Settings", "call_sides", "client_headers", "format_table",
    "link_process", "main", "run", "slow_link_sides", "walk_sides",
]

LIST_PATH = "/api/v1/background-task/"
#: The largest page the service gives (``limit``'s maximum).
LARGEST_PAGE = 250
#: The slow link of (e): round-trip time in seconds, bandwidth in bits a second each way.
LINK_RTT = 0.040
LINK_BANDWIDTH = 20e6
LINK_SCRIPT = Path(__file__).resolve().with_name("link.py")

#: What the client sends on every call besides Host and its random svix-req-id.
USER_AGENT = f"openapi-client-python/{openapi_client.__version__}"
ACCEPT_ENCODING = "gzip,deflate"

Call = Callable[[], Any]
Walk = Callable[[], Iterator[BackgroundTaskOut]]


def client_headers() -> Dict[str, str]:
    """The headers the client sends on a call, with a fresh ``svix-req-id``: the floor sends
    them too, so that both sides get the same (compressed) answer and build the same request."""
    return {
        "Accept": "application/json",
        "Accept-Encoding": ACCEPT_ENCODING,
        "User-Agent": USER_AGENT,
        "svix-req-id": str(random.getrandbits(64)),
    }


@dataclass(frozen=True)
class Settings:
    """How much work each workload does."""

    #: Calls per measured batch of (a) and of (b); each side runs ``rounds`` batches.
    get_batch: int
    list_batch: int
    rounds: int
    #: Tasks the server holds for (c), walked ``paging_rounds`` times per side.
    total_tasks: int
    paging_rounds: int
    #: Fresh interpreters per import statement in (d).
    import_runs: int
    #: Tasks the server holds for (e), walked ``link_rounds`` times per side.
    link_tasks: int
    link_rounds: int


FULL = Settings(
    get_batch=100, list_batch=10, rounds=40, total_tasks=100_000, paging_rounds=3, import_runs=15,
    link_tasks=10_000, link_rounds=3,
)
QUICK = Settings(
    get_batch=20, list_batch=2, rounds=2, total_tasks=600, paging_rounds=1, import_runs=2,
    link_tasks=1_000, link_rounds=1,
)


@dataclass(frozen=True)
class Row:
    """One line of the table: samples of the client and of its floor, and the target ratio.

    The figure compared is the best (lowest) sample of each side for CPU, whose noise only ever
    adds time; for import times, wall times and memory it is the median, or the single
    measurement.
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


# -- the server and the link, in their own processes -----------------------------------------


@contextmanager
def _child(args: Sequence[str]) -> Iterator[Tuple[subprocess.Popen[str], str]]:
    """A child process that prints the URL it serves before anything else; it and that URL."""
    child = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None
        url = next((word for word in child.stdout.readline().split() if word.startswith("http://")), "")
        if not url:
            error = child.stderr.read() if child.stderr else ""
            raise RuntimeError(f"{' '.join(args)} did not start: {error.strip()}")
        yield child, url.rstrip("/")
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()


@contextmanager
def server_process(extra_tasks: int, *, samples: bool = True) -> Iterator[str]:
    """A MockServer in a child process with ``extra_tasks`` tasks besides the samples (or
    without them); its URL."""
    args = ["-m", "openapi_client.testing", "--port", "0", "--tasks", str(extra_tasks)]
    with _child(args if samples else [*args, "--no-samples"]) as (_, url):
        yield url


class Link:
    """A running ``link.py``: its URL and the bytes it has forwarded."""

    def __init__(self, url: str, control: IO[str], replies: IO[str]) -> None:
        self.url = url
        self._control = control
        self._replies = replies

    def forwarded(self) -> Tuple[int, int]:
        """Bytes forwarded so far: client to server, server to client."""
        self._control.write("count\n")
        self._control.flush()
        up, down = self._replies.readline().split()
        return int(up), int(down)


@contextmanager
def link_process(
    upstream_url: str, rtt: float = LINK_RTT, bandwidth: float = LINK_BANDWIDTH
) -> Iterator[Link]:
    """A slow link to ``upstream_url`` (``benchmarks/link.py``) in a child process."""
    upstream = upstream_url.split("//", 1)[1]
    args = [str(LINK_SCRIPT), "--upstream", upstream, "--rtt", str(rtt), "--bandwidth", str(bandwidth)]
    with _child(args) as (child, url):
        assert child.stdin is not None and child.stdout is not None
        yield Link(url, child.stdin, child.stdout)


# -- measuring -------------------------------------------------------------------------------


def cpu_per_call(call: Call, calls: int) -> float:
    """This process's CPU seconds per call of ``call``, over ``calls`` calls."""
    gc.collect()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls


def interleaved(calls: Sequence[Call], batch: int, rounds: int) -> List[Tuple[float, ...]]:
    """CPU per call of each of ``calls``: ``rounds`` batches of ``batch`` calls each, taking
    turns batch by batch so that load from elsewhere on the machine falls on all alike."""
    for call in calls:
        cpu_per_call(call, batch)  # warm up: connections, lazily built validators, caches
    samples: List[List[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, seconds in zip(calls, samples):
            seconds.append(cpu_per_call(call, batch))
    return [tuple(seconds) for seconds in samples]


def peak_traced_memory(run: Call) -> int:
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
    source in every child while urllib3 and pydantic load their installed caches.
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


def same_result(sides: Mapping[str, Call]) -> Any:
    """What every side returns, checked equal, so that no side skips work the others do."""
    results = {name: call() for name, call in sides.items()}
    first, *others = results
    for name in others:
        if results[name] != results[first]:
            raise RuntimeError(f"the benchmark is broken: {name!r} and {first!r} return different models")
    return results[first]


def same_walk(walks: Mapping[str, Walk]) -> int:
    """How many tasks every walk yields, checked equal task by task, holding no more than a
    page of each."""
    count = 0
    for tasks in itertools.zip_longest(*(walk() for walk in walks.values())):
        if any(task != tasks[0] for task in tasks):
            names = ", ".join(walks)
            raise RuntimeError(f"the benchmark is broken: the walks {names} differ at task {count}")
        count += 1
    return count


# -- the floors: urllib3 and pydantic alone ---------------------------------------------------


def _floor_calls(
    url: str, model: Type[BaseModel], pool: urllib3.PoolManager, configured: urllib3.PoolManager
) -> Dict[str, Call]:
    """One request for ``url`` decoded as ``model``, three ways: the target floor (the client's
    headers), bare (no headers), and with the client's headers, timeouts and retries."""
    return {
        "floor": lambda: model.model_validate_json(pool.request("GET", url, headers=client_headers()).data),
        "bare": lambda: model.model_validate_json(pool.request("GET", url).data),
        "configured": lambda: model.model_validate_json(
            configured.request("GET", url, headers=client_headers()).data
        ),
    }


def _floor_walk(
    pool: urllib3.PoolManager, url: str, limit: Optional[int], headers: Callable[[], Optional[Dict[str, str]]]
) -> Iterator[BackgroundTaskOut]:
    """Every task, page after page, the way one would write it with urllib3 and pydantic only:
    ``limit`` a page (the service's default if None), with ``headers()`` on each request."""
    first = LIST_PATH + ("" if limit is None else f"?limit={limit}")
    target = first
    while True:
        page = ListResponseBackgroundTaskOut.model_validate_json(
            pool.request("GET", url + target, headers=headers()).data
        )
        yield from page.data
        if page.done:
            return
        target = first + ("&" if limit is not None else "?") + f"iterator={page.iterator}"


def _no_headers() -> None:
    return None


def _two_pages(pool: urllib3.PoolManager, url: str, page_size: int) -> int:
    """Bytes that two full pages hold once fetched and decoded: their JSON and their models."""
    held: List[Any] = []
    gc.collect()
    tracemalloc.start()
    try:
        target = f"{LIST_PATH}?limit={page_size}"
        for _ in range(2):
            body = pool.request("GET", url + target, headers=client_headers()).data
            page = ListResponseBackgroundTaskOut.model_validate_json(body)
            held.append((body, page))
            target = f"{LIST_PATH}?limit={page_size}&iterator={page.iterator}"
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


# -- the sides of each workload ---------------------------------------------------------------


def call_sides(
    url: str, api: openapi_client.BackgroundTasksApi, pool: urllib3.PoolManager,
    configured: urllib3.PoolManager,
) -> Tuple[Dict[str, Call], Dict[str, Call]]:
    """The calls of (a) and of (b), each returning the model it decoded: ``client``, and the
    floors ``floor``, ``bare`` and ``configured``."""
    task_url = f"{url}{LIST_PATH}{SAMPLE_TASK_ID}/"
    page_url = f"{url}{LIST_PATH}?limit={LARGEST_PAGE}"
    get = {"client": lambda: api.get(SAMPLE_TASK_ID),
           **_floor_calls(task_url, BackgroundTaskOut, pool, configured)}
    page = {"client": lambda: api.list(limit=LARGEST_PAGE),
            **_floor_calls(page_url, ListResponseBackgroundTaskOut, pool, configured)}
    return get, page


def walk_sides(
    url: str, api: openapi_client.BackgroundTasksApi, pool: urllib3.PoolManager
) -> Dict[str, Walk]:
    """The walks of (c), in pages of 250: ``client`` (``list_all``) and ``floor``."""
    return {
        "client": lambda: api.list_all(limit=LARGEST_PAGE),
        "floor": lambda: _floor_walk(pool, url, LARGEST_PAGE, client_headers),
    }


def _fresh_client_walk(url: str) -> Iterator[BackgroundTaskOut]:
    with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
        yield from openapi_client.BackgroundTasksApi(api_client).list_all()


def _default_walk(url: str) -> Iterator[BackgroundTaskOut]:
    with urllib3.PoolManager() as pool:
        yield from _floor_walk(pool, url, None, _no_headers)


def slow_link_sides(url: str) -> Dict[str, Walk]:
    """The walks of (e), each with a fresh client: ``client`` (``list_all()`` as it comes) and
    ``default`` (urllib3 and pydantic with the service's defaults)."""
    return {"client": lambda: _fresh_client_walk(url), "default": lambda: _default_walk(url)}


# -- the workloads ---------------------------------------------------------------------------


def bench_calls(url: str, settings: Settings) -> List[Row]:
    """(a) and (b): client CPU per call of one GET and of one full page."""
    pool = urllib3.PoolManager()
    configured = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=DEFAULT_TIMEOUT[0], read=DEFAULT_TIMEOUT[1]),
        retries=urllib3.Retry(DEFAULT_RETRIES),
    )
    with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
        get, page = call_sides(url, openapi_client.BackgroundTasksApi(api_client), pool, configured)
        same_result(get)
        if len(same_result(page).data) != LARGEST_PAGE:
            raise RuntimeError(f"the server holds fewer than {LARGEST_PAGE} tasks")
        order = ("floor", "bare", "configured", "client")
        get_floor, get_bare, get_configured, get_client = interleaved(
            [get[name] for name in order], settings.get_batch, settings.rounds
        )
        list_floor, list_bare, list_configured, list_client = interleaved(
            [page[name] for name in order], settings.list_batch, settings.rounds
        )
    pool.clear()
    configured.clear()
    floor = "PoolManager.request with the client's headers + model_validate_json"
    bare = "the bare floor: no headers (an uncompressed answer, no header work)"
    configured_label = "the floor with the client's timeouts and retries too"
    name = f"(b) list one {LARGEST_PAGE}-task page"
    return [
        Row("(a) get one task", get_floor, get_client, "us/call", 1.10, floor),
        Row("    the same", get_bare, get_client, "us/call", None, bare),
        Row("    the same", get_configured, get_client, "us/call", None, configured_label),
        Row(name, list_floor, list_client, "us/call", 1.10, floor),
        Row("    the same", list_bare, list_client, "us/call", None, bare),
        Row("    the same", list_configured, list_client, "us/call", None, configured_label),
    ]


def bench_list_all(url: str, settings: Settings) -> List[Row]:
    """(c): ``list_all`` over every task: CPU per task, and peak memory against two pages."""
    pool = urllib3.PoolManager()
    with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as api_client:
        walks = walk_sides(url, openapi_client.BackgroundTasksApi(api_client), pool)
        total = same_walk(walks)

        def client_walk() -> int:
            return _count(walks["client"]())

        def floor_walk() -> int:
            return _count(walks["floor"]())

        floors, clients = interleaved((floor_walk, client_walk), 1, settings.paging_rounds)
        two_pages = _two_pages(pool, url, LARGEST_PAGE)
        client_peak = peak_traced_memory(client_walk)
        floor_peak = peak_traced_memory(floor_walk)
    pool.clear()
    per_task = (tuple(s / total for s in floors), tuple(s / total for s in clients))
    label = f"(c) list_all, {total:,} tasks"
    two = f"two {LARGEST_PAGE}-task pages, fetched and decoded"
    return [
        Row(f"{label}: CPU", *per_task, "us/task", 1.10,
            "the same walk with urllib3 + pydantic, the client's headers"),
        Row(f"{label}: peak memory", (two_pages,), (client_peak,), "KiB", 1.0, two),
        Row("    the urllib3 + pydantic walk's peak", (two_pages,), (floor_peak,), "KiB", None, two),
    ]


def bench_import(url: str, settings: Settings) -> List[Row]:
    """(d): import time in a fresh interpreter, and the time to a first answer."""
    runs = settings.import_runs
    task_url = f"{url}{LIST_PATH}{SAMPLE_TASK_ID}/"
    with tempfile.TemporaryDirectory() as cache:
        floor, floor_model, package, first_floor, first_client = import_seconds(
            (
                "import urllib3, pydantic",
                "import urllib3\nfrom pydantic import BaseModel",
                "from openapi_client import ApiClient, BackgroundTasksApi, Configuration",
                # A whole program to its first answer: the same models and headers on both sides.
                "import random, urllib3\nfrom openapi_client.models import BackgroundTaskOut\n"
                f"headers = {{'Accept': 'application/json', 'Accept-Encoding': {ACCEPT_ENCODING!r}, "
                f"'User-Agent': {USER_AGENT!r}, 'svix-req-id': str(random.getrandbits(64))}}\n"
                f"answer = urllib3.PoolManager().request('GET', {task_url!r}, headers=headers)\n"
                "BackgroundTaskOut.model_validate_json(answer.data)",
                "from openapi_client import ApiClient, BackgroundTasksApi, Configuration\n"
                f"BackgroundTasksApi(ApiClient(Configuration(host={url!r}))).get({SAMPLE_TASK_ID!r})",
            ),
            runs,
            cache,
        )
    return [
        # The target is what a user waits for: a fresh program's first answer. The package imports
        # everything it needs at once, so importing it alone costs more than urllib3 and pydantic.
        Row("(d) a fresh program to its first answer", first_floor, first_client, "ms", 1.10,
            "the same program with urllib3 and the same models", use_median=True),
        Row("    import, ready to call", floor, package, "ms", None,
            "from openapi_client import ApiClient, BackgroundTasksApi, Configuration"
            " vs import urllib3, pydantic", use_median=True),
        Row("    the same", floor_model, package, "ms", None,
            "vs import urllib3; from pydantic import BaseModel", use_median=True),
    ]


def _timed_walks(link: Link, walks: Mapping[str, Walk], rounds: int) -> Dict[str, List[Tuple[float, int]]]:
    """Wall seconds and bytes the server sent, of each walk, ``rounds`` times, taking turns."""
    samples: Dict[str, List[Tuple[float, int]]] = {name: [] for name in walks}
    for _ in range(rounds):
        for name, walk in walks.items():
            _, down_before = link.forwarded()
            started = time.perf_counter()
            _count(walk())
            seconds = time.perf_counter() - started
            samples[name].append((seconds, link.forwarded()[1] - down_before))
    return samples


def bench_slow_link(url: str, settings: Settings) -> List[Row]:
    """(e): ``list_all`` through a slow link, in wall time, against the link's limit and
    against the walk with the service's defaults."""
    with link_process(url) as link:
        walks = slow_link_sides(link.url)
        total = same_walk(walks)  # also warms up: the models' validators, the server's pages
        samples = _timed_walks(link, walks, settings.link_rounds)
    pages = math.ceil(total / LARGEST_PAGE)
    client_seconds = tuple(seconds for seconds, _ in samples["client"])
    client_bytes = tuple(float(sent) for _, sent in samples["client"])
    limits = tuple(pages * LINK_RTT + sent * 8 / LINK_BANDWIDTH for sent in client_bytes)
    default_seconds = tuple(seconds for seconds, _ in samples["default"])
    default_bytes = tuple(float(sent) for _, sent in samples["default"])
    link_name = f"{LINK_RTT * 1000:g} ms, {LINK_BANDWIDTH / 1e6:g} Mbit/s"
    limit_label = (
        f"the link's limit: {pages} pages x {LINK_RTT * 1000:g} ms"
        f" + {statistics.median(client_bytes) / 1024:,.0f} KiB at {LINK_BANDWIDTH / 1e6:g} Mbit/s"
    )
    return [
        Row(f"(e) list_all, {total:,} tasks, {link_name}", limits, client_seconds, "s", 1.15,
            limit_label, use_median=True),
        Row("(e) the same against the default walk", default_seconds, client_seconds, "s", 0.25,
            "urllib3 + pydantic, the service's defaults: 50 a page, uncompressed", use_median=True),
        Row("    bytes the server sent", default_bytes, client_bytes, "KiB", None,
            "the default walk's vs list_all's", use_median=True),
    ]


# -- the table -------------------------------------------------------------------------------

#: Each unit's scale from the samples (seconds, bytes) and its decimals.
_UNITS = {"us/call": (1e6, 1), "us/task": (1e6, 1), "ms": (1e3, 1), "s": (1.0, 2), "KiB": (1 / 1024, 1)}


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table."""
    header = ("workload", "floor", "client", "ratio", "median", "target", "", "floor is")
    lines = [header]
    for row in rows:
        scale, decimals = _UNITS[row.unit]
        lines.append((
            row.workload,
            f"{row.floor_figure * scale:,.{decimals}f} {row.unit}",
            f"{row.client_figure * scale:,.{decimals}f} {row.unit}",
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


WORKLOADS = "abcde"


def run(settings: Settings, *, workloads: str = WORKLOADS) -> List[Row]:
    """Run the chosen workloads (letters of ``"abcde"``) and return their rows."""
    rows: List[Row] = []
    # (b) lists full pages and (c) walks them all; (d) needs only the sample tasks.
    with server_process(settings.total_tasks if set(workloads) & set("abc") else 0) as url:
        if set(workloads) & set("ab"):
            rows += bench_calls(url, settings)
        if "c" in workloads:
            rows += bench_list_all(url, settings)
        if "d" in workloads:
            rows += bench_import(url, settings)
    if "e" in workloads:
        with server_process(settings.link_tasks, samples=False) as url:
            rows += bench_slow_link(url, settings)
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations only")
    parser.add_argument("--only", default=WORKLOADS, metavar="LETTERS",
                        help=f"the workloads to run, e.g. 'ab' (default: {WORKLOADS})")
    args = parser.parse_args(argv)
    if not args.only or set(args.only) - set(WORKLOADS):
        parser.error(f"--only takes letters from {WORKLOADS!r}")
    settings = QUICK if args.quick else FULL
    print(f"Python {sys.version.split()[0]}, urllib3 {importlib.metadata.version('urllib3')}, "
          f"pydantic {importlib.metadata.version('pydantic')}, openapi_client {openapi_client.__version__};"
          f" {'quick' if args.quick else 'full'} run")
    print(format_table(run(settings, workloads=args.only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
