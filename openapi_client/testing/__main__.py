"""``python -m openapi_client.testing``: run a MockServer in the foreground until Ctrl-C.

For trying the SDK, the CLI or any HTTP tool against the API with no account::

    python -m openapi_client.testing --port 8080 --tasks 100
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Callable, List, Optional

from openapi_client.testing._http import API_PREFIX
from openapi_client.testing._server import MockServer
from openapi_client.testing._store import SAMPLES

__all__ = ["main", "DEFAULT_PORT"]

DEFAULT_PORT = 8080


def main(argv: Optional[List[str]] = None) -> int:
    """Serve until interrupted; return the exit code (0 after Ctrl-C, 1 if it cannot listen,
    2 for bad arguments)."""
    args = _parser().parse_args(argv)
    samples = 0 if args.no_samples else len(SAMPLES)
    try:
        server = MockServer(samples, token=args.token, port=args.port, host=args.host)
    except (OSError, OverflowError, ValueError) as exc:
        # Whatever the socket layer refuses (a taken port, an unknown host name) is one line.
        reason = getattr(exc, "strerror", None) or exc
        print(f"cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    server.add_tasks(args.tasks)
    # Ctrl-C even when started where SIGINT is ignored (a `&` job in a script), and a plain
    # `kill` stops as cleanly as Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    auth = ", bearer token required" if args.token else ""
    print(f"MockServer at {server.url} with {len(server.task_ids)} tasks{auth} (Ctrl-C to stop)")
    print(f"  try: curl '{server.url}{API_PREFIX}?limit=2'", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openapi_client.testing",
        description="Serve the background-task API with sample data on a local port, until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=_number("a port number from 0 to 65535", 65535), default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free one (default: %(default)s)")
    parser.add_argument("--tasks", type=_number("a whole number, 0 or more"), default=0, metavar="N",
                        help="add N generated tasks to the sample ones")
    parser.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every request")
    parser.add_argument("--no-samples", action="store_true", help="start without the five sample tasks")
    return parser


def _number(expected: str, most: Optional[int] = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or (most is not None and int(text) > most):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return int(text)

    return parse


if __name__ == "__main__":
    sys.exit(main())
