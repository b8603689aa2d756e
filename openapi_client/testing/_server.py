"""The embedded mock of the background-task API: a real HTTP/1.1 server on 127.0.0.1."""

from __future__ import annotations

import bisect
import collections
import contextlib
import json
import math
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Type, Union
from urllib.parse import parse_qsl, unquote, urlsplit

# A leaf module (no urllib3, no pydantic): the testing package stays light to import.
from openapi_client.exceptions import ApiKeyError, ApiTypeError, ApiValueError

__all__ = ["MockServer", "RecordedRequest", "Headers", "SAMPLE_TASK_ID"]

API_PREFIX = "/api/v1/background-task/"
#: The id used in the API document's examples; the sample data always has it.
SAMPLE_TASK_ID = "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2"
LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 250, 50
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_STATUSES = ("finished", "running", "failed")
_KINDS = (
    "endpoint.replay",
    "endpoint.recover",
    "application.stats",
    "message.broadcast",
    "sdk.generate",
    "event-type.aggregate",
    "application.purge_content",
    "endpoint.bulk-replay",
)
_SAMPLES: Tuple[Dict[str, Any], ...] = (
    {"id": "qtask_1mQm5UPiOD8f9nkIKc6vNEb0dGh", "status": "finished", "task": "application.stats",
     "data": {"appStats": [{"appId": "app_1srOrx2ZWZBpBUvZwXKQmoEYga2",
                            "appUid": "unique-app-identifier", "messageDestinations": 3}]},
     "updatedAt": "2024-03-01T09:30:00Z"},
    {"id": "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7", "status": "failed", "task": "endpoint.recover",
     "data": {}, "updatedAt": "2024-03-02T11:00:00Z"},
    {"id": SAMPLE_TASK_ID, "status": "finished", "task": "endpoint.replay",
     "data": {"messagesSent": 42}, "updatedAt": "2024-03-03T08:15:00Z"},
    {"id": "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR", "status": "running", "task": "message.broadcast",
     "data": {"messagesSent": 7}, "updatedAt": "2024-03-04T16:45:00Z"},
    {"id": "qtask_1xYz0123456789AbCdEfGhIjKlM", "status": "finished", "task": "endpoint.bulk-replay",
     "data": {"messagesSent": 1200, "endpointsReplayed": 4}, "updatedAt": "2024-03-05T12:00:00Z"},
)


class Headers(Dict[str, str]):
    """Request headers; look-ups ignore case (``h["authorization"]`` finds ``Authorization``)."""

    def __init__(self, items: Iterator[Tuple[str, str]]) -> None:
        super().__init__()
        self._names: Dict[str, str] = {}
        for name, value in items:
            self[name] = value
            self._names[name.lower()] = name

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(self._names.get(name.lower(), name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._names

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(self._names.get(name.lower(), name), default)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: ``method``, ``path`` as sent (still percent-encoded),
    ``query`` (decoded, last value wins), ``headers`` (case-insensitive), the raw ``target``
    and ``received_at`` (``time.time()``)."""

    method: str
    path: str
    query: Dict[str, str]
    headers: Headers
    target: str
    received_at: float = field(default=0.0, compare=False)


@dataclass
class _Fault:
    kind: str  # "fail", "delay", "drop" or "malformed"
    status: int = 200
    body: Optional[bytes] = None
    headers: Optional[Mapping[str, str]] = None
    content_type: Optional[str] = None
    seconds: float = 0.0


class _Store:
    """Tasks kept sorted by id, each with its JSON encoded once."""

    def __init__(self) -> None:
        self.ids: List[str] = []
        self.tasks: Dict[str, Dict[str, Any]] = {}
        self.encoded: Dict[str, bytes] = {}

    def put(self, task: Dict[str, Any]) -> None:
        task_id = task["id"]
        if task_id not in self.tasks:
            bisect.insort(self.ids, task_id)
        self.tasks[task_id] = task
        self.encoded[task_id] = json.dumps(task, separators=(",", ":")).encode()


class MockServer:
    """A real HTTP/1.1 keep-alive server that speaks the background-task API.

    Use it as a context manager; ``url`` is its base URL for ``Configuration(host=...)``.
    With pytest, the ``mock_server`` fixture gives each test one; docs/testing.md describes the
    whole API.

    :param sample_tasks: How many of the five sample tasks to start with (0 for none).
    :param token: When set, every request must carry ``Authorization: Bearer <token>`` (else 401).
    :param ssl_context: Serve HTTPS with this server-side context.
    :param port: The port to listen on (0: any free port).
    """

    def __init__(
        self,
        sample_tasks: int = len(_SAMPLES),
        *,
        token: Optional[str] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        _check_int("sample_tasks", sample_tasks, 0, len(_SAMPLES))
        self._sample_count = sample_tasks
        self.token = token
        self._ssl_context = ssl_context
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._requests: List[RecordedRequest] = []
        self._faults: Deque[_Fault] = collections.deque()
        self._finish_after: Dict[str, Tuple[int, str]] = {}
        self._sockets: Set[socket.socket] = set()
        self._next_serial = 0
        self.connections = 0
        self._store = _Store()
        self._load_samples()
        self._httpd = _HTTPServer((host, port), _Handler, self)
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        scheme = "https" if self._ssl_context is not None else "http"
        host = self._httpd.server_address[0]
        return f"{scheme}://{host!s}:{self.port}"

    def start(self) -> MockServer:
        """Start serving in a background thread (the context manager does this)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve_until_stopped, name=f"MockServer:{self.port}", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (what ``python -m openapi_client.testing`` does)."""
        try:
            self._httpd.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and cut every open connection."""
        self._stopping.set()
        if self._thread is not None:
            self._wake()
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            for sock in list(self._sockets):
                _shutdown(sock)
            self._sockets.clear()
        self._httpd.server_close()

    close = stop

    def _serve_until_stopped(self) -> None:
        # One handle_request() at a time rather than serve_forever(): stop() wakes this loop at
        # once with a connection, where serve_forever() would only notice at its next 0.5 s poll,
        # which made every test that stops a server half a second slower.
        self._httpd.timeout = 0.5  # the fallback, should the waking connection fail
        while not self._stopping.is_set():
            self._httpd.handle_request()

    def _wake(self) -> None:
        host, port = self._httpd.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "::1" if self._httpd.address_family == socket.AF_INET6 else "127.0.0.1"
        with contextlib.suppress(OSError):
            socket.create_connection((str(host), int(port)), timeout=1).close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r}, tasks={len(self._store.ids)})"

    # -- data ------------------------------------------------------------------------------

    def _load_samples(self) -> None:
        for sample in _SAMPLES[: self._sample_count]:
            self._store.put(json.loads(json.dumps(sample)))

    def _new_id(self) -> str:
        self._next_serial += 1
        serial = self._next_serial
        digits = []
        while serial:
            serial, rest = divmod(serial, 62)
            digits.append(_BASE62[rest])
        # "2" sorts after the samples' "1": added tasks are newer than every sample.
        return "qtask_2" + "".join(reversed(digits)).rjust(26, "0")

    def add_task(self, **fields: Any) -> Dict[str, Any]:
        """Add one task and return it as the API sends it.

        Fields are wire names or snake_case (``id``, ``status``, ``task``, ``data``,
        ``updated_at``); anything else is sent as an extra field, as a newer server would.
        Defaults: a new id, ``finished``, ``endpoint.replay``, ``{}``, the current time.
        """
        with self._lock:
            task: Dict[str, Any] = {
                "id": self._new_id(),
                "status": "finished",
                "task": "endpoint.replay",
                "data": {},
                "updatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            for name, value in fields.items():
                task[_camel(name)] = getattr(value, "value", value)
            if not isinstance(task["id"], str) or not task["id"]:
                raise ApiValueError(f"a task id must be a non-empty string, got {task['id']!r}")
            self._store.put(task)
            return dict(task)

    def add_tasks(
        self, n: int, status: Optional[str] = None, task: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Add ``n`` tasks (statuses and kinds vary unless given); return them, oldest first."""
        _check_int("n", n, 0)
        _check_optional_str("status", status)
        _check_optional_str("task", task)
        return [
            self.add_task(
                status=status if status is not None else _STATUSES[i % len(_STATUSES)],
                task=task if task is not None else _KINDS[i % len(_KINDS)],
                data={"messagesSent": i},
            )
            for i in range(n)
        ]

    def task(self, task_id: str) -> Dict[str, Any]:
        """The stored task ``task_id`` as the API would send it (KeyError if absent)."""
        with self._lock:
            self._check_task_exists(task_id)
            return dict(self._store.tasks[task_id])

    @property
    def task_ids(self) -> List[str]:
        """Every task id, oldest first."""
        with self._lock:
            return list(self._store.ids)

    def finish_after(self, task_id: str, polls: int, status: str = "finished") -> None:
        """Make ``task_id`` read ``running`` for its next ``polls`` GETs, then ``status`` for good.

        Only GETs of this task count (list calls show it ``running`` without counting); with
        ``polls=0`` the very next GET already reads ``status``. KeyError if there is no such task.
        """
        _check_int("polls", polls, 0)
        final = getattr(status, "value", status)
        _check_optional_str("status", final)
        with self._lock:
            self._check_task_exists(task_id)
            self._finish_after[task_id] = (polls, final)
            self._set_status(task_id, "running")

    def _check_task_exists(self, task_id: str) -> None:
        if task_id not in self._store.tasks:
            raise ApiKeyError(f"no task {task_id!r} on this MockServer (see task_ids)")

    def _set_status(self, task_id: str, status: str) -> None:
        task = dict(self._store.tasks[task_id])
        task["status"] = status
        task["updatedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._store.put(task)

    # -- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        times: int = 1,
        body: Union[str, bytes, Mapping[str, Any], None] = None,
        headers: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status``.

        ``body`` defaults to an ``HttpErrorOut`` JSON for the status; a dict is sent as JSON,
        a str or bytes as given (with ``content_type``, default ``text/html`` for a str that
        starts with ``<``). ``headers`` are added (``Retry-After``, ``Location``, ...).
        Arguments are checked here, so a mistake fails the test at this line, not in the server.
        """
        _check_int("status", status, 200, 599)
        _check_headers(headers)
        _check_optional_str("content_type", content_type)
        if body is not None and not isinstance(body, (str, bytes, bytearray, Mapping)):
            raise ApiTypeError(f"body must be a str, bytes or a dict to send as JSON, got {body!r}")
        if body is None:
            phrase = _phrase(status)
            encoded = json.dumps({"code": phrase.lower().replace(" ", "_"), "detail": phrase}).encode()
            kind = "application/json"
        elif isinstance(body, Mapping):
            encoded, kind = json.dumps(body).encode(), "application/json"
        elif isinstance(body, str):
            encoded = body.encode()
            markup = body.lstrip().startswith("<")
            kind = f"text/{'html' if markup else 'plain'}; charset=utf-8"
        else:
            encoded, kind = bytes(body), "application/octet-stream"
        self._queue(times, _Fault("fail", status=status, body=encoded, headers=headers,
                                  content_type=content_type or kind))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering each of the next ``times`` requests."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ApiTypeError(f"seconds must be a number, got {seconds!r}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ApiValueError(f"seconds must be 0 or more (and finite), got {seconds!r}")
        self._queue(times, _Fault("delay", seconds=seconds))

    def drop_next(self, times: int = 1) -> None:
        """Cut the connection halfway through the body of the next ``times`` answers."""
        self._queue(times, _Fault("drop"))

    def malformed_next(self, times: int = 1) -> None:
        """Answer the next ``times`` requests with a 200 whose JSON body is broken."""
        self._queue(times, _Fault("malformed"))

    def _queue(self, times: int, fault: _Fault) -> None:
        _check_int("times", times, 1)
        with self._lock:
            self._faults.extend([fault] * times)

    @property
    def pending_faults(self) -> int:
        """Faults queued and not yet used."""
        with self._lock:
            return len(self._faults)

    # -- recording -------------------------------------------------------------------------

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
            self._finish_after.clear()
            self._store = _Store()
            self._next_serial = 0
            self.connections = 0
            self._load_samples()

    # -- serving (called from the handler threads) -------------------------------------------

    def _record(self, request: RecordedRequest) -> Optional[_Fault]:
        with self._lock:
            self._requests.append(request)
            return self._faults.popleft() if self._faults else None

    def _answer(self, request: RecordedRequest) -> Tuple[int, bytes, Dict[str, str]]:
        if request.method != "GET":
            return _error(405, "method_not_allowed", f"{request.method} is not allowed here")
        if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "authentication_failed", "Invalid token: send 'Authorization: Bearer <token>'")
        if request.path == API_PREFIX:
            return self._list(request.query)
        if request.path.startswith(API_PREFIX) and request.path.endswith("/"):
            task_id = unquote(request.path[len(API_PREFIX) : -1])
            if "/" not in request.path[len(API_PREFIX) : -1]:
                return self._get(task_id)
        return _error(404, "not_found", "Entity not found")

    def _get(self, task_id: str) -> Tuple[int, bytes, Dict[str, str]]:
        with self._lock:
            if task_id not in self._store.tasks:
                return _error(404, "not_found", "Entity not found")
            pending = self._finish_after.get(task_id)
            if pending is not None:
                polls, final = pending
                if polls > 0:
                    self._finish_after[task_id] = (polls - 1, final)
                else:
                    del self._finish_after[task_id]
                    self._set_status(task_id, final)
            return 200, self._store.encoded[task_id], {}

    def _list(self, query: Dict[str, str]) -> Tuple[int, bytes, Dict[str, str]]:
        problems = []
        limit = LIMIT_DEFAULT
        raw_limit = query.get("limit")
        if raw_limit is not None:
            try:
                limit = int(raw_limit)
            except ValueError:
                problems.append(("limit", "value is not a valid integer", "type_error.integer"))
            else:
                if limit > LIMIT_MAX:
                    problems.append(("limit", f"ensure this value is less than or equal to {LIMIT_MAX}",
                                     "value_error.number.not_le"))
                elif limit < LIMIT_MIN:
                    problems.append(("limit", f"ensure this value is greater than or equal to {LIMIT_MIN}",
                                     "value_error.number.not_ge"))
        order = query.get("order", "descending")
        if order not in ("ascending", "descending"):
            problems.append(("order", "value is not a valid enumeration member; "
                             "permitted: 'ascending', 'descending'", "type_error.enum"))
        problems.extend(self._unknown_filters(query))
        if problems:
            detail = [{"loc": ["query", name], "msg": msg, "type": kind} for name, msg, kind in problems]
            return 422, json.dumps({"detail": detail}).encode(), {}
        status, kind = query.get("status"), query.get("task")
        iterator = query.get("iterator") or None
        with self._lock:
            page, done = self._page(iterator, limit, order == "descending", status, kind)
            body = b"".join((
                b'{"data":[', b",".join(self._store.encoded[task_id] for task_id in page), b"],",
                b'"done":', b"true" if done else b"false", b",",
                b'"iterator":', json.dumps(page[-1] if page else iterator).encode(), b",",
                b'"prevIterator":', json.dumps("-" + page[0] if page else None).encode(), b"}",
            ))
        return 200, body, {}

    def _unknown_filters(self, query: Dict[str, str]) -> List[Tuple[str, str, str]]:
        # The real service refuses a filter value it does not know (a typo shows up as a 422,
        # not as an empty list); values on tasks added here count as known, as on a newer server.
        problems = []
        for name, known in (("status", _STATUSES), ("task", _KINDS)):
            value = query.get(name)
            if value is None or value in known:
                continue
            with self._lock:
                if any(task[name] == value for task in self._store.tasks.values()):
                    continue
            permitted = ", ".join(repr(item) for item in known)
            problems.append((name, f"value is not a valid enumeration member; permitted: {permitted}",
                             "type_error.enum"))
        return problems

    def _page(
        self, iterator: Optional[str], limit: int, descending: bool,
        status: Optional[str], kind: Optional[str],
    ) -> Tuple[List[str], bool]:
        ids = self._store.ids
        backwards = bool(iterator and iterator.startswith("-"))
        anchor = iterator[1:] if iterator and backwards else iterator
        newest_first = descending != backwards
        if newest_first:
            end = bisect.bisect_left(ids, anchor) if anchor else len(ids)
            candidates: Iterator[str] = (ids[i] for i in range(end - 1, -1, -1))
        else:
            start = bisect.bisect_right(ids, anchor) if anchor else 0
            candidates = (ids[i] for i in range(start, len(ids)))
        tasks = self._store.tasks
        page: List[str] = []
        done = True
        for task_id in candidates:
            task = tasks[task_id]
            if (status is None or task["status"] == status) and (kind is None or task["task"] == kind):
                if len(page) == limit:
                    done = False
                    break
                page.append(task_id)
        if backwards:
            page.reverse()
        return page, done


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], handler: Any, mock: MockServer) -> None:
        self.mock = mock
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is normal here, not worth a traceback


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        mock = self.server.mock
        # Headers and body go out as two writes; with Nagle on, the body waits for the
        # client's delayed ACK (~40 ms per answer on Linux).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        with mock._lock:
            mock.connections += 1
            mock._sockets.add(self.request)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.mock._lock:
                self.server.mock._sockets.discard(self.request)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        mock = self.server.mock
        target = self.path
        split = urlsplit(target)
        recorded = RecordedRequest(
            method=self.command,
            path=split.path or "/",
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=Headers(iter(self.headers.items())),
            target=target,
            received_at=time.time(),
        )
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        fault = mock._record(recorded)
        if fault is not None and fault.kind == "delay":
            if mock._stopping.wait(fault.seconds):
                self.close_connection = True
                return
            fault = None
        if fault is not None and fault.kind == "fail":
            assert fault.body is not None
            extra = dict(fault.headers or {})
            self._send(fault.status, fault.body, extra, fault.content_type or "application/json")
            return
        if fault is not None and fault.kind == "malformed":
            self._send(200, b'{"data": [{"id": "qtask_', {}, "application/json")
            return
        status, body, headers = mock._answer(recorded)
        if fault is not None and fault.kind == "drop":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            _shutdown(self.request)
            return
        self._send(status, body, headers, "application/json")

    def _send(self, status: int, body: bytes, headers: Dict[str, str], content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def _error(status: int, code: str, detail: str) -> Tuple[int, bytes, Dict[str, str]]:
    return status, json.dumps({"code": code, "detail": detail}).encode(), {}


def _check_int(name: str, value: Any, low: int, high: Optional[int] = None) -> None:
    bounds = f"between {low} and {high}" if high is not None else f"{low} or more"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError(f"{name} must be a whole number {bounds}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ApiValueError(f"{name} must be {bounds}, got {value!r}")


def _check_optional_str(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise ApiTypeError(f"{name} must be a str, got {value!r}")


def _check_headers(headers: Any) -> None:
    if headers is None:
        return
    if not isinstance(headers, Mapping):
        raise ApiTypeError(f"headers must be a mapping of names to str values, got {headers!r}")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ApiTypeError(f"headers must map str names to str values, got {name!r}: {value!r}")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
