"""The ``openapi-client`` command (also ``python -m openapi_client``): tasks from a shell.

::

    python -m openapi_client tasks list --mock
    OPENAPI_CLIENT_TOKEN=... python -m openapi_client --host https://api.example.com tasks wait qtask_...

Uses only the public package. Output goes to stdout (an aligned table, or JSON lines with
``--json``); errors are one line on stderr with exit status 1; bad arguments exit 2, with the
usage when argparse refuses the command line, as one line when the SDK refuses a value (a host
that is not a URL, a token with a line break, whether from an option or the environment).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import sys
import time
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, TextIO

import openapi_client
from openapi_client import BackgroundTaskOut, BackgroundTasksApi
from openapi_client.configuration import DEFAULT_RETRIES
from openapi_client.testing import MockServer

__all__ = ["main", "HOST_ENV", "TOKEN_ENV"]

HOST_ENV = "OPENAPI_CLIENT_HOST"
TOKEN_ENV = "OPENAPI_CLIENT_TOKEN"
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
COLUMNS = ("ID", "STATUS", "TASK", "UPDATED")
#: Column widths are measured on this many rows, so ``--all`` never holds more than a page.
ROWS_MEASURED = 250
#: Under ``--mock``, ``wait`` sees a running sample task finish after this many polls.
MOCK_POLLS_TO_FINISH = 2


def main(argv: Optional[Sequence[str]] = None, *, prog: Optional[str] = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return its exit status."""
    parser = _parser(prog or "openapi-client")
    args = parser.parse_args(argv)
    progress = _Progress(sys.stderr)
    try:
        with _host(args) as host:
            configuration = openapi_client.Configuration(
                host=host, access_token=_token(args), retries=getattr(args, "retries", None)
            )
            with openapi_client.ApiClient(configuration) as client:
                args.run(BackgroundTasksApi(client), args, sys.stdout, progress)
        return 0
    except (openapi_client.ApiTypeError, openapi_client.ApiValueError) as error:
        progress.clear()
        parser.exit(EXIT_USAGE, f"{parser.prog}: error: {_one_line(str(error))}\n")
    except openapi_client.OpenApiException as error:
        progress.clear()
        print(f"{parser.prog}: error: {_describe(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        progress.clear()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's exit-time flush quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR


# -- arguments ---------------------------------------------------------------------------------


def _parser(prog: str) -> argparse.ArgumentParser:
    # The shared options live in a parent given to every level; SUPPRESS keeps a level that did
    # not see an option from overwriting the value another level parsed.
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("connection (accepted before or after the command)")
    group.add_argument("--host", default=argparse.SUPPRESS,
                       help=f"base URL of the API (env {HOST_ENV}; default http://localhost)")
    group.add_argument("--token", default=argparse.SUPPRESS, metavar="TOKEN",
                       help=f"API token, sent as a bearer token (env {TOKEN_ENV})")
    group.add_argument("--mock", action="store_true", default=argparse.SUPPRESS,
                       help="run against an embedded mock server with sample tasks")
    group.add_argument("--retries", type=_count, default=argparse.SUPPRESS, metavar="N",
                       help=f"retries after a failed attempt (default {DEFAULT_RETRIES})")

    parser = argparse.ArgumentParser(prog=prog, parents=[shared],
                                     description="List, get and wait for Svix background tasks.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {openapi_client.__version__}")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    tasks = groups.add_parser("tasks", parents=[shared], help="background tasks",
                              description="Background tasks of your account.")
    commands = tasks.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", parents=[shared], help="list tasks (one page, or --all)",
                                  description="List background tasks, newest first by default.")
    listing.add_argument("--limit", type=_page_size, metavar="N", help="tasks per page, 1 to 250")
    listing.add_argument("--order", choices=("ascending", "descending"))
    listing.add_argument("--status", metavar="S", help="only tasks with this status (running, ...)")
    listing.add_argument("--task", metavar="T", help="only tasks of this kind (endpoint.replay, ...)")
    listing.add_argument("--all", action="store_true", help="every page, not just the first")
    listing.add_argument("--json", action="store_true", help="JSON lines, one task each")
    listing.set_defaults(run=_run_list)

    getting = commands.add_parser("get", parents=[shared], help="show one task",
                                  description="Show one background task.")
    getting.add_argument("task_id", metavar="ID")
    getting.add_argument("--json", action="store_true", help="one JSON line")
    getting.set_defaults(run=_run_get)

    waiting = commands.add_parser("wait", parents=[shared], help="wait for a task to stop running",
                                  description="Poll a task until it is no longer running and show "
                                  "it; exit 1 if it failed or the timeout passed.")
    waiting.add_argument("task_id", metavar="ID")
    waiting.add_argument("--timeout", type=_seconds, default=60.0, metavar="S",
                         help="give up after S seconds (default 60)")
    waiting.add_argument("--poll-interval", type=_interval, default=1.0, metavar="S",
                         help="first wait between polls; later ones grow (default 1)")
    waiting.add_argument("--json", action="store_true", help="one JSON line")
    waiting.set_defaults(run=_run_wait)
    return parser


def _number(text: str, convert: Callable[[str], Any], wanted: str, accept: Callable[[Any], bool]) -> Any:
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not accept(value):
        raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
    return value


def _page_size(text: str) -> int:
    return int(_number(text, int, "a whole number from 1 to 250", lambda n: 1 <= n <= 250))


def _count(text: str) -> int:
    return int(_number(text, int, "a whole number, 0 or more", lambda n: n >= 0))


def _seconds(text: str) -> float:
    return float(_number(text, float, "a number of seconds", lambda s: 0 <= s < float("inf")))


def _interval(text: str) -> float:
    return float(_number(text, float, "a number of seconds above 0", lambda s: 0 < s < float("inf")))


@contextlib.contextmanager
def _host(args: argparse.Namespace) -> Iterator[Optional[str]]:
    if not getattr(args, "mock", False):
        yield getattr(args, "host", None) or os.environ.get(HOST_ENV) or None
        return
    with MockServer() as server:
        if args.run is _run_wait:
            for task_id in server.task_ids:
                if server.task(task_id)["status"] == "running":
                    server.finish_after(task_id, MOCK_POLLS_TO_FINISH)
        yield server.url


def _token(args: argparse.Namespace) -> Optional[str]:
    return getattr(args, "token", None) or os.environ.get(TOKEN_ENV) or None


# -- commands ----------------------------------------------------------------------------------


def _run_list(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO, progress: _Progress) -> None:
    filters = {"limit": args.limit, "order": args.order, "status": args.status, "task": args.task}
    more = False
    if args.all:
        tasks: Iterable[BackgroundTaskOut] = api.list_all(**filters)
    else:
        page = api.list(**filters)
        tasks, more = page.data, not page.done
    if args.json:
        for task in tasks:
            out.write(task.to_json() + "\n")
    else:
        _write_table(tasks, out)
    if more:
        progress.note("more tasks: add --all to list every page")


def _run_get(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO, progress: _Progress) -> None:
    _write_task(api.get(args.task_id), out, as_json=args.json)


def _run_wait(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO, progress: _Progress) -> None:
    started, polls = time.monotonic(), itertools.count(1)

    def show(task: BackgroundTaskOut) -> None:
        elapsed = time.monotonic() - started
        progress.show(f"waiting for {task.id}: {task.status} ({next(polls)} polls, {elapsed:.1f}s)")

    try:
        task = api.wait(args.task_id, timeout=args.timeout, poll_interval=args.poll_interval, on_poll=show)
    except openapi_client.TaskFailedError as failed:
        progress.clear()
        _write_task(failed.task, out, as_json=args.json)
        raise
    progress.clear()
    _write_task(task, out, as_json=args.json)


# -- output ------------------------------------------------------------------------------------


def _write_table(tasks: Iterable[BackgroundTaskOut], out: TextIO) -> None:
    rows = (_row(task) for task in tasks)
    measured = list(itertools.islice(rows, ROWS_MEASURED))
    widths = [max([len(title), *(len(row[i]) for row in measured)]) for i, title in enumerate(COLUMNS)]
    for row in itertools.chain([COLUMNS], measured, rows):
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")


def _row(task: BackgroundTaskOut) -> List[str]:
    updated = "-" if task.updated_at is None else task.updated_at.isoformat().replace("+00:00", "Z")
    return [task.id, str(task.status), str(task.task), updated]


def _write_task(task: BackgroundTaskOut, out: TextIO, *, as_json: bool) -> None:
    if as_json:
        out.write(task.to_json() + "\n")
        return
    fields = json.loads(task.to_json())
    width = max(len(name) for name in fields)
    for name, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value)
        out.write(f"{name.ljust(width)}  {text}\n")


def _describe(error: openapi_client.OpenApiException) -> str:
    """One line: the status, code and detail of an error answer, or the connection problem."""
    if isinstance(error, openapi_client.ApiException):
        head = " ".join(str(part) for part in (error.status, error.reason) if part)
        code, detail = getattr(error.data, "code", None), getattr(error.data, "detail", None)
        if isinstance(detail, list):
            detail = "; ".join(f"{'.'.join(map(str, item.loc))}: {item.msg}" for item in detail)
        parts = [head, *(str(part) for part in (code, detail) if part)]
        return _one_line(": ".join(part for part in parts if part))
    return _one_line(str(error))


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Progress:
    """A status line on stderr, redrawn in place; silent unless stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._shown = False

    def show(self, text: str) -> None:
        if self._live:
            self._stream.write(f"\r\x1b[K{text}")
            self._stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False

    def note(self, text: str) -> None:
        if self._live:
            self._stream.write(f"{text}\n")
