"""The embedded mock of the background-task API: a real HTTP/1.1 server on 127.0.0.1."""

from __future__ import annotations

import collections
import functools
import ssl
import threading
from typing import Any, Deque, Dict, List, Mapping, Optional, Union

from openapi_client._checks import check_int, check_seconds, check_str
from openapi_client.exceptions import ApiValueError
from openapi_client.testing._http import MALFORMED, Fault, FaultKind, MockHTTPServer, RecordedRequest, failure
from openapi_client.testing._store import KINDS, SAMPLES, STATUSES, TaskStore, utc_now

#: How often the background serve loop looks for stop(), so the most stop() waits (once per test).
POLL_INTERVAL = 0.01


class MockServer:
    """A real HTTP/1.1 keep-alive server that speaks the background-task API (docs/testing.md).

    Use it as a context manager; ``url`` is its base URL for ``Configuration(host=...)``.

    :param sample_tasks: How many of the five sample tasks to start with (0 for none).
    :param token: When set, every request must carry ``Authorization: Bearer <token>`` (else 401).
    :param ssl_context: Serve HTTPS with this server-side context.
    :param port: The port to listen on (0: any free port).
    :param host: The address to listen on.
    """

    def __init__(
        self, sample_tasks: int = len(SAMPLES), *, token: Optional[str] = None,
        ssl_context: Optional[ssl.SSLContext] = None, port: int = 0, host: str = "127.0.0.1",
    ) -> None:
        check_int("sample_tasks", sample_tasks, 0, len(SAMPLES))
        check_str("token", token, optional=True)
        check_int("port", port, 0, 65535)
        check_str("host", host)
        self._sample_tasks = sample_tasks
        self.token = token
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: List[RecordedRequest] = []
        self._faults: Deque[Fault] = collections.deque()
        self._store = TaskStore(sample_tasks)
        self._httpd = MockHTTPServer((host, port), self, ssl_context)
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        scheme = "https" if isinstance(self._httpd.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{self._httpd.server_address[0]!s}:{self.port}"

    @property
    def connections(self) -> int:
        """How many TCP connections the server has accepted."""
        return self._httpd.connections

    def start(self) -> MockServer:
        """Start serving in a background thread (the context manager does this)."""
        if self._thread is None:
            serve = functools.partial(self._httpd.serve_forever, POLL_INTERVAL)
            self._thread = threading.Thread(target=serve, name=f"MockServer:{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (what ``python -m openapi_client.testing`` does)."""
        try:
            self._httpd.serve_forever()  # Ctrl-C interrupts the loop at once
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and cut every open connection."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.cut_connections()
        self._httpd.server_close()

    close = stop

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r}, tasks={len(self.task_ids)})"

    def add_task(self, **fields: Any) -> Dict[str, Any]:
        """Add one task and return it as the API sends it.

        Fields are wire names or snake_case (``id``, ``status``, ``task``, ``data``,
        ``updated_at``); anything else is sent as an extra field, as a newer server would.
        Defaults: a new id, ``finished``, ``endpoint.replay``, ``{}``, the current time.
        """
        with self._lock:
            task: Dict[str, Any] = {"id": self._store.new_id(), "status": "finished",
                                    "task": "endpoint.replay", "data": {}, "updatedAt": utc_now()}
            task.update((_camel(name), getattr(value, "value", value)) for name, value in fields.items())
            if not isinstance(task["id"], str) or not task["id"]:
                raise ApiValueError(f"a task id must be a non-empty string, not {task['id']!r}", ["id"])
            self._store.put(task)
            return dict(task)

    def add_tasks(
        self, n: int, status: Optional[str] = None, task: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Add ``n`` tasks (statuses and kinds vary unless given); return them, oldest first."""
        check_int("n", n, 0)
        check_str("status", status, optional=True)
        check_str("task", task, optional=True)
        statuses = STATUSES if status is None else (status,)
        kinds = KINDS if task is None else (task,)
        return [self.add_task(status=statuses[i % len(statuses)], task=kinds[i % len(kinds)],
                              data={"messagesSent": i}) for i in range(n)]

    def task(self, task_id: str) -> Dict[str, Any]:
        """The stored task ``task_id`` as the API would send it (KeyError if absent)."""
        with self._lock:
            return self._store.task(task_id)

    @property
    def task_ids(self) -> List[str]:
        """Every task id, oldest first."""
        with self._lock:
            return self._store.ids

    def finish_after(self, task_id: str, polls: int, status: str = "finished") -> None:
        """Make ``task_id`` read ``running`` for its next ``polls`` GETs, then ``status`` for good.

        Only GETs (or HEADs) of this task count: list calls show it ``running`` without counting;
        with ``polls=0`` the very next GET already reads ``status``. KeyError if there is no such
        task.
        """
        check_int("polls", polls, 0)
        final = getattr(status, "value", status)
        check_str("status", final)
        with self._lock:
            self._store.finish_after(task_id, polls, final)

    def fail_next(
        self, status: int, times: int = 1, body: Union[str, bytes, Mapping[str, Any], None] = None,
        headers: Optional[Mapping[str, str]] = None, content_type: Optional[str] = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status``.

        ``body`` defaults to an ``HttpErrorOut`` JSON for the status; a dict is sent as JSON,
        a str or bytes as given (with ``content_type``, default ``text/html`` for a str that
        starts with ``<``). ``headers`` are added (``Retry-After``, ``Location``, ...).
        Arguments are checked here, so a mistake fails the test at this line, not in the server.
        """
        self._queue(times, failure(status, body, headers, content_type))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering each of the next ``times`` requests."""
        check_seconds("seconds", seconds, zero_ok=True)
        self._queue(times, Fault(FaultKind.DELAY, seconds=seconds))

    def drop_next(self, times: int = 1) -> None:
        """Cut the connection halfway through the body of the next ``times`` answers."""
        self._queue(times, Fault(FaultKind.DROP))

    def malformed_next(self, times: int = 1) -> None:
        """Answer the next ``times`` requests with a 200 whose JSON body is broken."""
        self._queue(times, MALFORMED)

    def _queue(self, times: int, fault: Fault) -> None:
        check_int("times", times, 1)
        with self._lock:
            self._faults.extend([fault] * times)

    @property
    def pending_faults(self) -> int:
        """Faults queued and not yet used."""
        with self._lock:
            return len(self._faults)

    @property
    def requests(self) -> List[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Back to the start: sample tasks only, no faults, no recorded requests."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._store = TaskStore(self._sample_tasks)
            self._httpd.connections = 0

    def _record(self, request: RecordedRequest) -> Optional[Fault]:
        with self._lock:
            self._requests.append(request)
            return self._faults.popleft() if self._faults else None

    def _page(self, query: Mapping[str, str]) -> bytes:
        with self._lock:
            return self._store.page(query)

    def _read(self, task_id: str) -> Optional[bytes]:
        with self._lock:
            return self._store.read(task_id)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
