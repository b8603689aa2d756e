"""The MockServer's HTTP side: routes, the manners of the real service, compression, and the
faults a test queues, put on the wire."""

from __future__ import annotations

import contextlib
import enum
import gzip
import json
import re
import socket
import ssl
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, unquote, urlsplit
from weakref import WeakSet

from openapi_client._checks import check_headers, check_int, check_str, check_str_map
from openapi_client.exceptions import ApiTypeError
from openapi_client.testing._store import InvalidQuery

if TYPE_CHECKING:
    from openapi_client.testing._server import MockServer

API_PREFIX = "/api/v1/background-task"
#: Bodies up to this many bytes go out as they are, whatever the client accepts.
COMPRESS_ABOVE = 1024
_COMPRESSORS = {"gzip": lambda body: gzip.compress(body, mtime=0), "deflate": zlib.compress}
_QVALUE = re.compile(r"\bq=([01](?:\.[0-9]{0,3})?)")
_JSON = (("Content-Type", "application/json"),)


class Headers(Dict[str, str]):
    """Request headers; look-ups ignore case (``h["authorization"]`` finds ``Authorization``)."""

    def __init__(self, items: Iterable[Tuple[str, str]]) -> None:
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


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Tuple[Tuple[str, str], ...] = _JSON


class FaultKind(enum.Enum):
    ANSWER = "answer"  # send the fault's answer instead
    DELAY = "delay"  # wait, then answer normally
    DROP = "drop"  # answer normally, but cut the connection halfway through the body


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    answer: Answer = Answer(200, b"")
    seconds: float = 0.0


MALFORMED = Fault(FaultKind.ANSWER, Answer(200, b'{"data": [{"id": "qtask_'))


def failure(status: Any, body: Any, headers: Any, content_type: Any) -> Fault:
    """The fault ``fail_next`` queues, its arguments checked here so a mistake fails at the call."""
    check_int("status", status, 200, 599)
    extra = check_str_map("headers", headers)
    check_headers(extra)
    check_str("content_type", content_type, optional=True)
    encoded, default_type = _encode(status, body)
    headers = (("Content-Type", content_type or default_type), *extra.items())
    return Fault(FaultKind.ANSWER, Answer(status, encoded, headers))


def _encode(status: int, body: Any) -> Tuple[bytes, str]:
    if body is None:
        return error(status).body, "application/json"
    if isinstance(body, str):
        return body.encode(), f"text/{'html' if body.lstrip().startswith('<') else 'plain'}; charset=utf-8"
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), "application/octet-stream"
    if not isinstance(body, Mapping):
        raise ApiTypeError(f"body must be a str, bytes or a dict to send as JSON, not {body!r}", ["body"])
    return json.dumps(body, default=_not_json).encode(), "application/json"


def _not_json(value: Any) -> Any:
    raise ApiTypeError(f"body must be a dict json.dumps can send; it cannot send {value!r}", ["body"])


def error(
    status: int, detail: Optional[str] = None, code: Optional[str] = None, *headers: Tuple[str, str]
) -> Answer:
    """An answer in the service's ``HttpErrorOut`` shape; the code is named after the status unless given."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"Status {status}"
    code = code or phrase.lower().replace(" ", "_").replace("-", "_")
    return Answer(status, json.dumps({"code": code, "detail": detail or phrase}).encode(), (*_JSON, *headers))


def route(mock: MockServer, request: RecordedRequest) -> Answer:
    """The service's answer to ``request``, as the real server routes it."""
    # The service trims one trailing slash before routing.
    path = request.path[:-1] if request.path.endswith("/") else request.path
    task_id = path[len(API_PREFIX) + 1 :] if path.startswith(API_PREFIX + "/") else None
    if path != API_PREFIX and (not task_id or "/" in task_id):
        return error(404, "Entity not found")
    if request.method not in ("GET", "HEAD"):
        return error(405, f"{request.method} is not allowed here; use GET", None, ("Allow", "GET, HEAD"))
    if not _authorized(mock.token, request.headers.get("Authorization")):
        return error(401, "Invalid token: send 'Authorization: Bearer <token>'", "authentication_failed")
    if task_id is None:
        return _list(mock, request.query)
    found = mock._read(unquote(task_id))
    return Answer(200, found) if found is not None else error(404, "Entity not found")


def _authorized(token: Optional[str], authorization: Optional[str]) -> bool:
    scheme, _, credentials = (authorization or "").partition(" ")
    # The scheme's name is case-insensitive (RFC 9110); the token is not.
    return token is None or (scheme.lower() == "bearer" and credentials.strip() == token)


def _list(mock: MockServer, query: Mapping[str, str]) -> Answer:
    try:
        return Answer(200, mock._page(query))
    except InvalidQuery as exc:
        detail = [{"loc": ["query", name], "msg": msg, "type": kind} for name, msg, kind in exc.problems]
        return Answer(422, json.dumps({"detail": detail}).encode())


def _coding(accept_encoding: Optional[str]) -> Optional[str]:
    """The compression the client accepts (gzip first), or None for identity."""
    weights: Dict[str, float] = {}
    for item in (accept_encoding or "").lower().split(","):
        coding, _, parameters = item.partition(";")
        qvalue = _QVALUE.search(parameters)
        weights[coding.strip()] = float(qvalue.group(1)) if qvalue else 1.0
    return next((coding for coding in _COMPRESSORS if weights.get(coding, weights.get("*", 0.0)) > 0), None)


class MockHTTPServer(ThreadingHTTPServer):
    """The listening socket and the connections open on it."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], mock: MockServer, context: Optional[ssl.SSLContext]) -> None:
        self.mock = mock
        self.connections = 0
        # Weak: a connection leaves the set by itself once its handler is done with it.
        self._open: WeakSet[socket.socket] = WeakSet()
        self._lock = threading.Lock()
        super().__init__(address, _Handler)
        if context is not None:
            # The handshake happens in the connection's own thread, not in the accept loop.
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            self._open.add(connection)

    def cut_connections(self) -> None:
        with self._lock:
            for connection in list(self._open):
                _shutdown(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away is normal here; anything else is a bug worth its traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: Seconds a connection may sit idle or send its request slowly before it is closed.
    timeout = 5.0
    server: MockHTTPServer

    def setup(self) -> None:
        # Headers and body go out as two writes; with Nagle on, the body waits for the
        # client's delayed ACK (~40 ms per answer on Linux).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()
        self.server.opened(self.request)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        # Every method, known or not, goes to route() (405 where due), never to http.server's HTML 501.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """http.server's refusals of a malformed request, in the service's JSON shape."""
        if self.request_version == "HTTP/0.9":
            self.request_version = self.protocol_version  # an HTTP/0.9 answer has no status line
        # After a malformed request, where the next one starts is anyone's guess.
        self._send(error(code, message, None, ("Connection", "close")))

    def _handle(self) -> None:
        if self.request_version == "HTTP/0.9":
            self.send_error(400, "HTTP/0.9 requests are not supported")
            return
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.send_error(400, f"Content-Length must be a number of bytes, not {length!r}")
            return
        self.rfile.read(int(length))
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True  # a body it did not read must not be read as a request
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = Headers(self.headers.items())
        request = RecordedRequest(self.command, split.path or "/", query, headers, self.path, time.time())
        mock = self.server.mock
        fault = mock._record(request)
        if fault is None or fault.kind is FaultKind.DROP:
            self._send(route(mock, request), cut=fault is not None)
        elif fault.kind is FaultKind.ANSWER:
            self._send(fault.answer)
        elif not mock._stopping.wait(fault.seconds):  # a delay that stop() did not cut short
            self._send(route(mock, request))
        else:
            self.close_connection = True

    def _send(self, answer: Answer, cut: bool = False) -> None:
        body, headers = answer.body, list(answer.headers)
        encoded = any(name.lower() == "content-encoding" for name, _ in headers)
        coding = None if encoded or len(body) <= COMPRESS_ABOVE else _coding(self.headers["Accept-Encoding"])
        if coding is not None:
            body = _COMPRESSORS[coding](body)
            headers.append(("Content-Encoding", coding))
        self.send_response(answer.status)
        for name, value in (*headers, ("Content-Length", str(len(body)))):
            self.send_header(name, value)
        self.end_headers()
        sent = b"" if self.command == "HEAD" else body
        self.wfile.write(sent[: len(sent) // 2] if cut else sent)
        if cut:
            self.close_connection = True
            _shutdown(self.request)


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
