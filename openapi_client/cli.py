"""The ``openapi-client`` command (also ``python -m openapi_client``): tasks from a shell.

Results go to stdout, an error is one line on stderr in plain words; see docs/cli.md.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import socket
import ssl
import sys
import time
from http.client import IncompleteRead, RemoteDisconnected
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Set, TextIO, Tuple, Type
from urllib.parse import urlsplit

import openapi_client
from openapi_client import ApiClient, BackgroundTaskOut, BackgroundTasksApi, Configuration, OpenApiException
from openapi_client._checks import check_int, check_seconds
from openapi_client.configuration import DEFAULT_RETRIES
from openapi_client.testing import MockServer

__all__ = ["main", "HOST_ENV", "TOKEN_ENV", "EPILOG"]

HOST_ENV = "OPENAPI_CLIENT_HOST"
TOKEN_ENV = "OPENAPI_CLIENT_TOKEN"
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_TIMED_OUT, EXIT_INTERRUPTED = 0, 1, 2, 124, 130
EPILOG = ("exit status: 0 done; 1 the API or the connection failed, or the task failed; 2 bad arguments; "
          "124 'tasks wait' timed out; 130 interrupted (Ctrl-C).")
COLUMNS = ("ID", "STATUS", "TASK", "UPDATED")
#: Column widths are measured on this many rows, so ``--all`` never holds more than a page.
ROWS_MEASURED = 250
#: Under ``--mock``, a running sample task reads finished after this many GETs of it.
MOCK_POLLS_TO_FINISH = 2
#: Plain words for the error found below a failed connection; the first match wins, so
#: subclasses come before their bases (RemoteDisconnected is a ConnectionResetError).
CAUSE_WORDS: Tuple[Tuple[Type[BaseException], str], ...] = (
    (ssl.SSLCertVerificationError, "TLS handshake with {} failed (certificate verify failed)"),
    (ssl.SSLError, "TLS handshake with {} failed"),
    (ConnectionRefusedError, "could not connect to {} (connection refused)"),
    (socket.gaierror, "could not connect to {} (its host name did not resolve)"),
    (RemoteDisconnected, "{} closed the connection without answering"),
    (IncompleteRead, "the connection to {} broke in the middle of the answer"),
    (ConnectionResetError, "the connection to {} was reset"),
)


def main(argv: Optional[Sequence[str]] = None, *, prog: Optional[str] = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return its exit status."""
    parser = _parser(prog or "openapi-client")
    args = parser.parse_args(argv)
    token = getattr(args, "token", None) or os.environ.get(TOKEN_ENV) or None
    where = "the service"
    try:
        with _host(args) as host:
            # No host leaves the choice to the SDK: the token's region, or http://localhost.
            retries, debug = getattr(args, "retries", None), getattr(args, "debug", None)
            configuration = Configuration(host=host, access_token=token, retries=retries, debug=debug)
            where = _origin(configuration.host)
            try:
                with ApiClient(configuration) as client:
                    args.run(BackgroundTasksApi(client), args, sys.stdout)
            finally:
                configuration.debug = False  # puts the logging back, should main() run again here
        return EXIT_OK
    except OpenApiException as error:
        return _report(error, args, f"{parser.prog}: error: {_describe(error, where, token)}", token)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's exit-time flush quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR


def _parser(prog: str) -> argparse.ArgumentParser:
    # The shared options live in a parent given to every level; SUPPRESS keeps a level that did
    # not see an option from overwriting the value another level parsed.
    shared = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = shared.add_argument_group("connection (accepted before or after the command)")
    group.add_argument("--host", help=f"base URL of the API (env {HOST_ENV}; default: the token's "
                       "region's https://api.<region>.svix.com, or http://localhost without a token)")
    group.add_argument("--token", help=f"API token, sent as a bearer token (env {TOKEN_ENV})")
    group.add_argument("--mock", action="store_true", help="use an embedded mock server with sample tasks")
    group.add_argument("--retries", type=_number(int, check_int, 0), metavar="N",
                       help=f"retries after a failed attempt (default {DEFAULT_RETRIES})")
    group.add_argument("--debug", action="store_true", help="log requests; show the cause of an error")

    parser = argparse.ArgumentParser(prog=prog, parents=[shared], epilog=EPILOG,
                                     description="List, get and wait for Svix background tasks.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {openapi_client.__version__}")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    tasks = groups.add_parser("tasks", parents=[shared], help="background tasks", epilog=EPILOG)
    commands = tasks.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", parents=[shared], help="list tasks (a page, or --all)")
    listing.add_argument("--limit", type=_number(int, check_int, 1, 250), metavar="N",
                         help="tasks per page, 1 to 250 (default: the server's 50; 250 with --all)")
    listing.add_argument("--order", choices=("ascending", "descending"))
    listing.add_argument("--status", metavar="S", help="only tasks with this status (running, ...)")
    listing.add_argument("--task", metavar="T", help="only tasks of this kind (endpoint.replay, ...)")
    listing.add_argument("--all", action="store_true", help="every page, not just the first")
    listing.add_argument("--json", action="store_true", help="JSON lines, one task each")
    listing.set_defaults(run=_run_list)

    getting = commands.add_parser("get", parents=[shared], help="show one task")
    getting.add_argument("task_id", metavar="ID")
    getting.add_argument("--json", action="store_true", help="one JSON line")
    getting.set_defaults(run=_run_get)

    waiting = commands.add_parser("wait", parents=[shared], help="wait for a task to stop running",
                                  epilog=EPILOG)
    waiting.add_argument("task_id", metavar="ID")
    waiting.add_argument("--timeout", type=_number(float, check_seconds, zero_ok=True), default=60.0,
                         metavar="S", help="give up after S seconds, exit status 124 (default 60)")
    waiting.add_argument("--poll-interval", type=_number(float, check_seconds), default=1.0, metavar="S",
                         help="first wait between polls; later ones grow (default 1)")
    waiting.add_argument("--json", action="store_true", help="one JSON line")
    waiting.set_defaults(run=_run_wait)
    return parser


def _number(convert: Callable[[str], Any], check: Callable[..., None], *bounds: Any, **options: Any) -> Any:
    """An argparse type: the text as a number that the SDK's own ``check`` accepts."""
    def parse(text: str) -> Any:
        try:
            value = convert(text)
            check("the value", value, *bounds, **options)
        except (openapi_client.ApiTypeError, openapi_client.ApiValueError) as refused:
            raise argparse.ArgumentTypeError(str(refused)) from None
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        return value
    return parse


@contextlib.contextmanager
def _host(args: argparse.Namespace) -> Iterator[Optional[str]]:
    if not getattr(args, "mock", False):
        yield getattr(args, "host", None) or os.environ.get(HOST_ENV) or None
        return
    with MockServer() as server:
        if args.run is _run_wait:  # something to wait for
            for task_id in server.task_ids:
                if server.task(task_id)["status"] == "running":
                    server.finish_after(task_id, MOCK_POLLS_TO_FINISH)
        yield server.url


def _run_list(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO) -> None:
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
    if more and sys.stderr.isatty():
        print("more tasks: add --all to list every page", file=sys.stderr)


def _run_get(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO) -> None:
    _write_task(api.get(args.task_id), out, as_json=args.json)


def _run_wait(api: BackgroundTasksApi, args: argparse.Namespace, out: TextIO) -> None:
    started, polls, live = time.monotonic(), itertools.count(1), sys.stderr.isatty()

    def show(task: BackgroundTaskOut) -> None:
        if live:  # a line redrawn in place for a person watching; piped, nothing
            elapsed = time.monotonic() - started
            print(f"\r\x1b[Kwaiting for {task.id}: {task.status} ({next(polls)} polls, {elapsed:.1f}s)",
                  end="", file=sys.stderr, flush=True)

    try:
        task = api.wait(args.task_id, timeout=args.timeout, poll_interval=args.poll_interval, on_poll=show)
    finally:
        if live:  # cleared before anything else is written (a failed task is shown by _report)
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    _write_task(task, out, as_json=args.json)


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


def _report(error: OpenApiException, args: argparse.Namespace, line: str, token: Optional[str]) -> int:
    """Show ``error`` (a failed task on stdout, ``line`` on stderr) and return the exit status."""
    if isinstance(error, openapi_client.TaskFailedError) and error.task is not None:
        _write_task(error.task, sys.stdout, as_json=args.json)
    if getattr(args, "debug", False):  # the technical cause: each error's type and text, the request id
        line += f"\n{type(error).__name__}: {error}"
        line += "".join(f"\ncaused by {type(cause).__name__}: {cause}" for cause in _causes(error))
    # The package hides the token in its messages; this also covers the server's words and the causes'.
    print((line.replace(token, "***") if token else line).replace("\n", "\n  "), file=sys.stderr)
    if isinstance(error, (openapi_client.ApiTypeError, openapi_client.ApiValueError)):
        return EXIT_USAGE
    return EXIT_TIMED_OUT if isinstance(error, openapi_client.TaskWaitTimeoutError) else EXIT_ERROR


def _describe(error: OpenApiException, where: str, token: Optional[str]) -> str:
    """What went wrong, in one line of plain words."""
    if isinstance(error, openapi_client.ApiException):
        text = _answer(error)
        if isinstance(error, openapi_client.UnauthorizedException) and not token:
            text += f"; the service wants a token: pass --token or set {TOKEN_ENV}"
        return text
    waited_in_vain = isinstance(error, openapi_client.TaskWaitTimeoutError)  # an ApiTimeoutError too
    if isinstance(error, openapi_client.ApiConnectionError) and not waited_in_vain:
        return _connection_problem(error, where)
    return " ".join(str(error).split())


def _answer(error: openapi_client.ApiException) -> str:
    """``404 Not Found: not_found: Entity not found``: the status, then the service's error."""
    code, detail = getattr(error.data, "code", None), getattr(error.data, "detail", None)
    if isinstance(detail, list):  # a 422 lists each refused parameter
        detail = "; ".join(f"{'.'.join(map(str, item.loc))}: {item.msg}" for item in detail)
    parts = [f"{error.status} {error.reason or ''}".strip(), code, detail]
    return " ".join(": ".join(str(part) for part in parts if part).split())


def _connection_problem(error: openapi_client.ApiConnectionError, where: str) -> str:
    if isinstance(error, openapi_client.ApiTimeoutError):
        return f"timed out talking to {where}"
    if isinstance(error, openapi_client.ResponseTooLargeError):
        return f"the answer from {where} was larger than {error.limit} bytes"
    for cause in _causes(error):
        for kind, words in CAUSE_WORDS:
            if isinstance(cause, kind):
                return words.format(where)
        if isinstance(cause, OSError) and cause.strerror:  # e.g. "Network is unreachable"
            return f"the connection to {where} failed ({cause.strerror.lower()})"
    return f"the connection to {where} failed (--debug shows why)"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The errors below ``error``: each ``__cause__``, and those urllib3 keeps in its errors' args."""
    seen: Set[int] = set()
    pending: List[Optional[BaseException]] = [error.__cause__]
    while pending:
        cause = pending.pop(0)
        if cause is not None and id(cause) not in seen:
            seen.add(id(cause))
            yield cause
            pending += [cause.__cause__, *(arg for arg in cause.args if isinstance(arg, BaseException))]


def _origin(host: str) -> str:
    """``scheme://host:port`` of ``host``, the default port spelled out (``http://localhost:80``)."""
    parts = urlsplit(host)
    port = "" if parts.port else f":{443 if parts.scheme == 'https' else 80}"
    return f"{parts.scheme}://{parts.netloc}{port}"
