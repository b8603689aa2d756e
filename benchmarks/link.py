"""A slow network link for the benchmark: a TCP relay that delays and paces what it forwards.

Run ``python benchmarks/link.py --upstream HOST:PORT --rtt 0.04 --bandwidth 20e6``. It listens
on a free local port, prints ``link at http://127.0.0.1:PORT to HOST:PORT`` and forwards each
connection it accepts to the upstream. Each direction of each connection behaves like one side
of a link with that round-trip time and bandwidth (in bits a second): a byte entering the link
waits until the bytes before it have been sent at the bandwidth, takes as long again as its own
size needs, then arrives half the round-trip time later. So a request reaches the server RTT/2
after the client sent it, and the first byte of the answer reaches the client RTT/2 after the
server sent it, the rest following at the bandwidth. The link's buffers are unbounded and it
does not delay the TCP handshake (it accepts locally and connects upstream at once).

Each line ``count`` on standard input is answered on standard output with the bytes forwarded
so far, ``UP DOWN`` (client to server, server to client); the relay stops at the end of its
standard input.
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import socket
import sys
import threading
import time
from typing import List, Optional, Sequence, Tuple

#: Bytes read at once from a socket, and the size of the pieces the link delivers one by one
#: (about one Ethernet frame, so an answer arrives progressively, as over a real link).
READ_SIZE = 65536
PIECE_SIZE = 1500


class Counter:
    """Bytes forwarded in one direction, over all connections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0

    def add(self, count: int) -> None:
        with self._lock:
            self.total += count


class Direction:
    """One direction of one connection: bytes read from ``source`` reach ``sink`` as the link
    would deliver them."""

    def __init__(self, source: socket.socket, sink: socket.socket, link: Link, counter: Counter) -> None:
        self.source = source
        self.sink = sink
        self.link = link
        self.counter = counter
        # (when the piece arrives, the piece); an empty piece marks the end of the stream.
        self.pieces: queue.Queue[Tuple[float, bytes]] = queue.Queue()

    def receive(self) -> None:
        """Read until the end of the stream, timing each piece's arrival at the far end."""
        free_at = 0.0  # when the link has sent everything queued before
        while True:
            try:
                data = self.source.recv(READ_SIZE)
            except OSError:
                data = b""
            now = time.monotonic()
            if not data:
                self.pieces.put((max(now, free_at) + self.link.rtt / 2, b""))
                return
            for start in range(0, len(data), PIECE_SIZE):
                piece = data[start : start + PIECE_SIZE]
                free_at = max(now, free_at) + len(piece) * 8 / self.link.bandwidth
                self.pieces.put((free_at + self.link.rtt / 2, piece))

    def deliver(self) -> None:
        """Send each piece when it arrives; pass the end of the stream on; on a broken
        connection, shut both sockets so that the other direction ends too."""
        while True:
            arrives, piece = self.pieces.get()
            delay = arrives - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                if not piece:
                    self.sink.shutdown(socket.SHUT_WR)
                    return
                self.counter.add(len(piece))
                self.sink.sendall(piece)
            except OSError:
                for end in (self.source, self.sink):
                    _shut(end)
                return


class Link:
    """The relay: a listening socket, the upstream address and the link's properties."""

    def __init__(self, upstream: Tuple[str, int], rtt: float, bandwidth: float) -> None:
        self.upstream = upstream
        self.rtt = rtt
        self.bandwidth = bandwidth
        self.up = Counter()
        self.down = Counter()
        self.listener = socket.create_server(("127.0.0.1", 0))

    def serve_forever(self) -> None:
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client: socket.socket) -> None:
        """Forward one connection both ways until both directions have ended."""
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        for end in (client, server):
            # Pieces go out as they arrive, not held back to be merged with later ones.
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threads: List[threading.Thread] = []
        both = (Direction(client, server, self, self.up), Direction(server, client, self, self.down))
        for direction in both:
            threads += [threading.Thread(target=direction.receive, daemon=True),
                        threading.Thread(target=direction.deliver, daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.close()
        server.close()


def _shut(end: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already shut, or never connected
        end.shutdown(socket.SHUT_RDWR)


def _address(text: str) -> Tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT; got {text!r}")
    return host, int(port)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--upstream", type=_address, required=True, help="HOST:PORT to forward to")
    parser.add_argument("--rtt", type=float, default=0.04, help="round-trip time in seconds (default: 0.04)")
    parser.add_argument("--bandwidth", type=float, default=20e6,
                        help="bits a second each way (default: 20e6)")
    args = parser.parse_args(argv)
    link = Link(args.upstream, args.rtt, args.bandwidth)
    host, port = args.upstream
    print(f"link at http://127.0.0.1:{link.listener.getsockname()[1]} to {host}:{port}", flush=True)
    threading.Thread(target=link.serve_forever, daemon=True).start()
    for line in sys.stdin:
        if line.strip() == "count":
            print(link.up.total, link.down.total, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
