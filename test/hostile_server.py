"""A raw-socket HTTP server for transport tests: every byte it sends is scripted by the test.

``HostileServer(respond)`` listens on 127.0.0.1 in a thread, one thread per connection. For
each request it reads (up to the blank line; these are GETs) it records a :class:`Request`
and calls ``respond(request)``, which returns what to send: an iterable of byte strings, sent
one after another (a generator may sleep between them, or never end), ``None`` to close the
connection without answering, or :data:`RESET` to reset it (a TCP RST) without answering.
After an answer the connection is closed, unless the server was made with ``keep_alive=True``:
then the next request on it is read.

Every connection is cut after ``give_up_after`` seconds, so a client that never stops reading
cannot keep a test running for ever.
"""

from __future__ import annotations

import itertools
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Union

__all__ = ["RESET", "HostileServer", "Request", "Reset", "drip", "endless_chunks", "message"]

#: Seconds a blocked socket call waits before the server looks again whether to stop.
_POLL = 0.05


@dataclass(frozen=True)
class Request:
    """One request as received: its request line, headers (names as sent) and raw bytes;
    ``number`` counts the server's requests, ``index_on_connection`` those of its connection."""

    line: str
    headers: Dict[str, str]
    raw: bytes
    number: int
    connection: int
    index_on_connection: int
    received_at: float


class Reset:
    """What ``respond`` returns to have the connection reset instead of answered."""


RESET = Reset()
Respond = Callable[[Request], Union[Iterable[bytes], Reset, None]]


def message(status: str, *header_lines: str, body: bytes = b"") -> bytes:
    """``HTTP/1.1 <status>``, the header lines as given, a blank line and ``body``: exactly
    these bytes (the lines are encoded as Latin-1, so ``"\\xb2"`` is the byte 0xB2)."""
    head = "".join(f"{line}\r\n" for line in (f"HTTP/1.1 {status}", *header_lines))
    return head.encode("latin-1") + b"\r\n" + body


def drip(data: bytes, delay: float) -> Iterator[bytes]:
    """``data`` one byte at a time, ``delay`` seconds apart."""
    for index in range(len(data)):
        time.sleep(delay)
        yield data[index : index + 1]


def endless_chunks(size: int, delay: float = 0.0) -> Iterator[bytes]:
    """Chunked-encoding frames of ``size`` zero bytes, for ever, ``delay`` seconds apart."""
    frame = b"%x\r\n%s\r\n" % (size, bytes(size))
    while True:
        if delay:
            time.sleep(delay)
        yield frame


class HostileServer:
    """The server; use it as a context manager. ``url`` is its base URL, ``requests`` what it
    received (in order) and ``connections`` how many connections it accepted."""

    def __init__(self, respond: Respond, *, keep_alive: bool = False, give_up_after: float = 8.0) -> None:
        self.respond = respond
        self.keep_alive = keep_alive
        self.give_up_after = give_up_after
        self.requests: List[Request] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: List[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_POLL)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting, cut every connection and wait for the server's threads to end."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            with self._lock:
                connection = self.connections
                self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn, connection), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, connection: int) -> None:
        cut_at = time.monotonic() + self.give_up_after
        with conn:
            conn.settimeout(_POLL)
            for index in itertools.count():
                raw = self._read_head(conn, cut_at)
                if raw is None:
                    return
                with self._lock:
                    request = _parse(raw, len(self.requests), connection, index)
                    self.requests.append(request)
                answer = self.respond(request)
                if isinstance(answer, Reset):
                    # SO_LINGER with a zero timeout turns close() into a TCP RST.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if answer is None or not self._send(conn, answer, cut_at) or not self.keep_alive:
                    return

    def _stopping(self, cut_at: float) -> bool:
        return self._stop.is_set() or time.monotonic() > cut_at

    def _read_head(self, conn: socket.socket, cut_at: float) -> Optional[bytes]:
        """The next request's bytes up to its blank line; ``None`` once the client has gone."""
        received = b""
        while b"\r\n\r\n" not in received:
            if self._stopping(cut_at):
                return None
            try:
                data = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return None
            if not data:
                return None
            received += data
        return received

    def _send(self, conn: socket.socket, answer: Iterable[bytes], cut_at: float) -> bool:
        """Send every piece of ``answer``; False when the client went away or time is up."""
        for piece in answer:
            view = memoryview(piece)
            while view:
                if self._stopping(cut_at):
                    return False
                try:
                    view = view[conn.send(view) :]
                except socket.timeout:
                    continue
                except OSError:
                    return False
        return True


def _parse(raw: bytes, number: int, connection: int, index: int) -> Request:
    line, *header_lines = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(header.split(":", 1) for header in header_lines if ":" in header)
    return Request(
        line=line,
        headers={name.strip(): value.strip() for name, value in headers.items()},
        raw=raw,
        number=number,
        connection=connection,
        index_on_connection=index,
        received_at=time.monotonic(),
    )
