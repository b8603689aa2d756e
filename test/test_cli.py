"""The command line, run as a real subprocess (the ``openapi-client`` console script and
``python -m openapi_client``) against MockServer, as a user in a shell would meet it."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import trustme

from openapi_client.configuration import DEFAULT_RETRIES
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

RUNNING_SAMPLE = "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR"
FAILED_SAMPLE = "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7"
TOKEN = "tok_s3cret-value-9d1f"
MODULE = [sys.executable, "-m", "openapi_client"]
SCRIPT = [str(Path(sys.executable).with_name("openapi-client"))]
PREFIX = "python -m openapi_client: error: "


def run(
    *args: str, env: Optional[Dict[str, str]] = None, command: List[str] = MODULE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], capture_output=True, text=True, env=clean_env(env), timeout=60)


def clean_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The test's environment without the CLI's own variables, plus ``extra``."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OPENAPI_CLIENT_")}
    return {**clean, **(extra or {})}


def error_line(result: subprocess.CompletedProcess[str], status: int) -> str:
    """The one line on stderr of a run that ended with exit ``status``, without a traceback."""
    assert result.returncode == status, result
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def table(stdout: str) -> List[List[str]]:
    return [line.split() for line in stdout.splitlines()]


# -- what a command prints -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (MODULE, ["--mock", "tasks", "list"]),
        (MODULE, ["tasks", "list", "--mock"]),
        (SCRIPT, ["tasks", "--mock", "list"]),
    ],
    ids=["python -m, option first", "python -m, option last", "console script, option between"],
)
def test_tasks_list_mock_prints_an_aligned_table(command: List[str], args: List[str]) -> None:
    result = run(*args, command=command)

    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "TASK", "UPDATED"]
    with MockServer() as server:
        expected = server.task_ids[::-1]
        samples = [server.task(task_id) for task_id in expected]
    assert table(result.stdout)[1:] == [
        [task["id"], task["status"], task["task"], task["updatedAt"]] for task in samples
    ]
    for column in ("STATUS", "TASK", "UPDATED"):
        start = lines[0].index(column)
        assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines[1:])


def test_list_all_json_follows_every_page_with_host_and_token_from_the_environment() -> None:
    with MockServer(token=TOKEN) as server:
        server.add_tasks(60)
        result = run(
            "tasks",
            "list",
            "--all",
            "--json",
            "--limit",
            "7",
            "--order",
            "ascending",
            "--status",
            "finished",
            env={"OPENAPI_CLIENT_HOST": server.url, "OPENAPI_CLIENT_TOKEN": TOKEN},
        )
        finished = [task_id for task_id in server.task_ids if server.task(task_id)["status"] == "finished"]
        tasks = [json.loads(line) for line in result.stdout.splitlines()]

        assert result.returncode == 0 and result.stderr == ""
        assert [task["id"] for task in tasks] == finished
        assert tasks[0] == server.task(finished[0])  # wire names, every field
        assert len(server.requests) == -(-len(finished) // 7)
        for request in server.requests:
            assert request.headers["Authorization"] == f"Bearer {TOKEN}"
            assert request.query["status"] == "finished" and request.query["order"] == "ascending"
    assert TOKEN not in result.stdout + result.stderr


def test_list_all_without_a_limit_asks_for_the_largest_pages(mock_server: MockServer) -> None:
    mock_server.add_tasks(300)
    result = run("tasks", "list", "--all", "--json", "--host", mock_server.url)

    assert result.returncode == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == len(mock_server.task_ids) == 305
    assert [request.query.get("limit") for request in mock_server.requests] == ["250", "250"]


def test_list_without_all_prints_one_page(mock_server: MockServer) -> None:
    mock_server.add_tasks(30)
    result = run("tasks", "list", "--host", mock_server.url, "--limit", "4", "--task", "endpoint.replay")
    assert result.returncode == 0 and result.stderr == ""
    rows = table(result.stdout)[1:]
    assert len(rows) == 4 and {row[2] for row in rows} == {"endpoint.replay"}
    assert len(mock_server.requests) == 1 and mock_server.requests[0].query["task"] == "endpoint.replay"


def test_tasks_get_as_json_and_as_text(mock_server: MockServer) -> None:
    as_json = run("tasks", "get", SAMPLE_TASK_ID, "--json", "--host", mock_server.url)
    assert as_json.returncode == 0
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [mock_server.task(SAMPLE_TASK_ID)]

    as_text = run("--host", mock_server.url, "tasks", "get", SAMPLE_TASK_ID)
    assert as_text.returncode == 0 and as_text.stderr == ""
    fields = dict(line.split(None, 1) for line in as_text.stdout.splitlines())
    assert fields["id"] == SAMPLE_TASK_ID and fields["status"] == "finished"
    assert json.loads(fields["data"]) == {"messagesSent": 42}


def test_tasks_wait_returns_the_finished_task_with_nothing_extra_when_piped(mock_server: MockServer) -> None:
    mock_server.finish_after(RUNNING_SAMPLE, 2)
    result = run(
        "tasks", "wait", RUNNING_SAMPLE, "--poll-interval", "0.01", "--json", "--host", mock_server.url
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["status"] == "finished"
    assert len(mock_server.requests) == 3


def test_tasks_wait_shows_live_progress_when_stderr_is_a_terminal(mock_server: MockServer) -> None:
    mock_server.finish_after(RUNNING_SAMPLE, 3)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [*MODULE, "tasks", "wait", RUNNING_SAMPLE, "--poll-interval", "0.02", "--host", mock_server.url],
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            env=clean_env(),
        )
        os.close(terminal)
        stdout, _ = process.communicate(timeout=60)
        shown = _read_all(controller)
    finally:
        os.close(controller)
    assert process.returncode == 0
    assert f"waiting for {RUNNING_SAMPLE}: running (3 polls" in shown
    assert shown.endswith("\r\x1b[K")  # the progress line is cleared at the end
    assert "finished" in stdout and "waiting" not in stdout


# -- exit status and error lines -----------------------------------------------------------------


def test_a_failed_task_is_still_shown_and_exits_1(mock_server: MockServer) -> None:
    failed = run("tasks", "wait", FAILED_SAMPLE, "--host", mock_server.url, "--json")
    assert error_line(failed, 1) == f"{PREFIX}task {FAILED_SAMPLE} (endpoint.recover) failed"
    assert json.loads(failed.stdout)["status"] == "failed"


def test_a_wait_that_times_out_exits_124_like_gnu_timeout(mock_server: MockServer) -> None:
    timed_out = run(
        "tasks",
        "wait",
        RUNNING_SAMPLE,
        "--timeout",
        "0.2",
        "--poll-interval",
        "0.05",
        "--host",
        mock_server.url,
    )
    assert "still running after 0.2s" in error_line(timed_out, 124)
    assert timed_out.stdout == ""


def test_ctrl_c_while_waiting_exits_130_without_a_traceback(mock_server: MockServer) -> None:
    process = subprocess.Popen(
        [*MODULE, "tasks", "wait", RUNNING_SAMPLE, "--poll-interval", "0.05", "--host", mock_server.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    give_up = time.monotonic() + 30
    while not mock_server.requests and time.monotonic() < give_up:  # until it is really waiting
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stdout == "" and stderr == ""


def test_an_error_answer_is_one_line_with_status_code_and_detail(mock_server: MockServer) -> None:
    result = run("tasks", "get", "qtask_missing", "--host", mock_server.url)
    assert error_line(result, 1) == f"{PREFIX}404 Not Found: not_found: Entity not found"


def test_a_401_without_a_token_says_how_to_give_one() -> None:
    with MockServer(token="the-right-one") as server:
        result = run("tasks", "list", "--host", server.url)
    line = error_line(result, 1)
    assert line.startswith(f"{PREFIX}401 Unauthorized: authentication_failed: ")
    assert line.endswith("; the service wants a token: pass --token or set OPENAPI_CLIENT_TOKEN")


def test_a_wrong_token_is_a_401_line_without_the_token_or_the_hint() -> None:
    with MockServer(token="the-right-one") as server:
        result = run("tasks", "list", "--host", server.url, env={"OPENAPI_CLIENT_TOKEN": TOKEN})
    line = error_line(result, 1)
    assert "401" in line and "authentication_failed" in line and "pass --token" not in line
    assert TOKEN not in result.stdout + result.stderr


def test_a_token_the_server_echoes_back_is_not_printed(mock_server: MockServer) -> None:
    mock_server.fail_next(400, body={"code": "bad_token", "detail": f"{TOKEN} is not a token"})
    result = run("tasks", "list", "--host", mock_server.url, "--token", TOKEN, "--retries", "0", "--debug")
    assert f"{PREFIX}400 Bad Request: bad_token: *** is not a token" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_a_refused_connection_is_one_line_of_plain_words(refused_port: int) -> None:
    result = run(
        "tasks", "list", "--host", f"http://127.0.0.1:{refused_port}", "--retries", "0", "--token", TOKEN
    )
    line = error_line(result, 1)
    assert line == f"{PREFIX}could not connect to http://127.0.0.1:{refused_port} (connection refused)"
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_each_request_and_the_technical_cause(refused_port: int, where: str) -> None:
    host = f"http://127.0.0.1:{refused_port}"
    command = ["tasks", "list", "--host", host, "--retries", "0", "--token", TOKEN]
    result = run(*(["--debug", *command] if where == "before" else [*command, "--debug"]))

    assert result.returncode == 1
    assert f"{PREFIX}could not connect to {host} (connection refused)" in result.stderr
    assert f"GET {host}/api/v1/background-task" in result.stderr  # the request log
    assert "ApiConnectionError: " in result.stderr and "request id " in result.stderr
    assert "caused by ConnectionRefusedError: " in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_an_answer_cut_off_midway_is_named_as_such(mock_server: MockServer) -> None:
    mock_server.drop_next()
    line = error_line(run("tasks", "list", "--host", mock_server.url, "--retries", "0"), 1)
    assert line == f"{PREFIX}the connection to {mock_server.url} broke in the middle of the answer"


def test_an_untrusted_certificate_is_a_failed_tls_handshake() -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    with MockServer(ssl_context=context) as server:
        result = run("tasks", "list", "--host", server.url, "--retries", "0")
        assert server.requests == []
    assert server.url.startswith("https://")
    expected = f"TLS handshake with {server.url} failed (certificate verify failed)"
    assert error_line(result, 1) == PREFIX + expected


@pytest.mark.parametrize(
    ("token", "host"),
    [
        ("sk_x.eu", "https://api.eu.svix.com"),
        ("sk_x.us", "https://api.us.svix.com"),
        (None, "http://localhost"),
    ],
)
def test_without_a_host_the_service_is_picked_from_the_token_region(token: Optional[str], host: str) -> None:
    # Offline the call cannot connect, online the service refuses the made-up token: either way
    # the request log of --debug names the host that was asked.
    env = {"OPENAPI_CLIENT_TOKEN": token} if token else {}
    result = run("tasks", "list", "--retries", "0", "--debug", env=env)
    assert result.returncode == 1
    assert f"GET {host}/api/v1/background-task" in result.stderr


def test_an_explicit_host_wins_over_the_token_region(mock_server: MockServer) -> None:
    result = run("tasks", "list", "--host", mock_server.url, "--token", "sk_x.eu")
    assert result.returncode == 0 and len(mock_server.requests) == 1


# -- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ([], "required"),
        (["tasks", "list", "--limit", "0"], "argument --limit: the value must be from 1 to 250, not 0"),
        (["tasks", "list", "--limit", "many"], "argument --limit: 'many' is not a number"),
        (["tasks", "list", "--retries", "-1"], "argument --retries: the value must be 0 or more, not -1"),
        (["tasks", "list", "--order", "sideways"], "argument --order: invalid choice"),
        (["tasks", "wait", "ID", "--timeout", "soon"], "argument --timeout: 'soon' is not a number"),
        (["tasks", "wait", "ID", "--timeout", "inf"], "argument --timeout: the value must be a finite"),
        (["tasks", "wait", "ID", "--poll-interval", "0"], "argument --poll-interval: the value must be"),
        (["tasks", "frobnicate", "--token", TOKEN], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_usage_and_what_is_wrong(args: List[str], complaint: str) -> None:
    result = run(*args, env={"OPENAPI_CLIENT_TOKEN": TOKEN})
    assert result.returncode == 2
    assert result.stderr.startswith("usage:") and "Traceback" not in result.stderr
    assert complaint in result.stderr.splitlines()[-1]
    assert result.stdout == "" and TOKEN not in result.stderr


def test_a_token_from_the_environment_with_a_line_break_is_one_line_exit_2_without_usage() -> None:
    # Not a command-line mistake, so no usage: the line says what is wrong, never the token.
    result = run("tasks", "list", "--mock", env={"OPENAPI_CLIENT_TOKEN": TOKEN + "\nX-Injected: 1"})
    assert "line break" in error_line(result, 2)
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("host", ["http://exa mple.com", "http://h:99999", "ftp://x", "localhost:8080"])
def test_a_malformed_host_is_one_line_exit_2(host: str) -> None:
    result = run("--host", host, "tasks", "list", "--retries", "0")
    assert f"host {host!r}" in error_line(result, 2)
    assert result.stdout == ""


def test_a_malformed_host_from_the_environment_is_one_line_exit_2_too() -> None:
    result = run("tasks", "list", env={"OPENAPI_CLIENT_HOST": "http://[::1"})
    assert "host 'http://[::1'" in error_line(result, 2)


def test_help_lists_the_exit_statuses_the_debug_flag_and_the_default_retries() -> None:
    result = run("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert f"(default {DEFAULT_RETRIES})" in text and "--debug" in text
    assert "exit status: 0 done; 1 " in text and "2 bad arguments; 124 " in text and "130 interrupted" in text


def test_version_names_the_package_version() -> None:
    import openapi_client

    result = run("--version", command=SCRIPT)
    assert result.returncode == 0 and result.stdout.split() == ["openapi-client", openapi_client.__version__]


def test_help_shows_no_token_default_and_the_console_script_is_installed() -> None:
    assert Path(SCRIPT[0]).exists(), "pip install -e . creates the openapi-client console script"
    result = run("tasks", "list", "--help", command=SCRIPT, env={"OPENAPI_CLIENT_TOKEN": TOKEN})
    assert result.returncode == 0
    assert "--status" in result.stdout and "OPENAPI_CLIENT_TOKEN" in result.stdout
    assert TOKEN not in result.stdout


def _read_all(fd: int) -> str:
    chunks: List[bytes] = []
    while select.select([fd], [], [], 1.0)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # Linux reports EIO once the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()
