"""The command line, run as a real subprocess (``python -m openapi_client``) against MockServer."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from openapi_client.configuration import DEFAULT_RETRIES
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

RUNNING_SAMPLE = "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR"
FAILED_SAMPLE = "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7"
TOKEN = "tok_s3cret-value-9d1f"


def run(*args: str, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OPENAPI_CLIENT_")}
    return subprocess.run(
        [sys.executable, "-m", "openapi_client", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=60,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def table(stdout: str) -> List[List[str]]:
    return [line.split() for line in stdout.splitlines()]


@pytest.mark.parametrize("where", ["before", "after"])
def test_tasks_list_mock_prints_an_aligned_table(where: str) -> None:
    args = ["--mock", "tasks", "list"] if where == "before" else ["tasks", "list", "--mock"]
    result = run(*args)

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
            "tasks", "list", "--all", "--json", "--limit", "7",
            "--order", "ascending", "--status", "finished",
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


def test_list_without_all_prints_one_page(server: MockServer) -> None:
    server.add_tasks(30)
    result = run("tasks", "list", "--host", server.url, "--limit", "4", "--task", "endpoint.replay")
    assert result.returncode == 0 and result.stderr == ""
    rows = table(result.stdout)[1:]
    assert len(rows) == 4 and {row[2] for row in rows} == {"endpoint.replay"}
    assert len(server.requests) == 1 and server.requests[0].query["task"] == "endpoint.replay"


def test_tasks_get_as_json_and_as_text(server: MockServer) -> None:
    as_json = run("tasks", "get", SAMPLE_TASK_ID, "--json", "--host", server.url)
    assert as_json.returncode == 0
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [server.task(SAMPLE_TASK_ID)]

    as_text = run("--host", server.url, "tasks", "get", SAMPLE_TASK_ID)
    assert as_text.returncode == 0 and as_text.stderr == ""
    fields = dict(line.split(None, 1) for line in as_text.stdout.splitlines())
    assert fields["id"] == SAMPLE_TASK_ID and fields["status"] == "finished"
    assert json.loads(fields["data"]) == {"messagesSent": 42}


def test_tasks_wait_returns_the_finished_task_with_nothing_extra_when_piped(server: MockServer) -> None:
    server.finish_after(RUNNING_SAMPLE, 2)
    result = run("tasks", "wait", RUNNING_SAMPLE, "--poll-interval", "0.01", "--json", "--host", server.url)
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["status"] == "finished"
    assert len(server.requests) == 3


def test_tasks_wait_on_a_failed_or_never_finishing_task_exits_1(server: MockServer) -> None:
    failed = run("tasks", "wait", FAILED_SAMPLE, "--host", server.url, "--json")
    assert "failed" in one_error_line(failed)
    assert json.loads(failed.stdout)["status"] == "failed"  # the task is still shown

    timed_out = run("tasks", "wait", RUNNING_SAMPLE, "--timeout", "0.2", "--poll-interval", "0.05",
                    "--host", server.url)
    assert "still running after 0.2s" in one_error_line(timed_out)
    assert timed_out.stdout == ""


def test_tasks_wait_shows_live_progress_when_stderr_is_a_terminal(server: MockServer) -> None:
    server.finish_after(RUNNING_SAMPLE, 3)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "openapi_client", "tasks", "wait", RUNNING_SAMPLE,
             "--poll-interval", "0.02", "--host", server.url],
            stdout=subprocess.PIPE, stderr=terminal, text=True,
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


def test_a_404_is_one_line_with_status_code_and_detail(server: MockServer) -> None:
    line = one_error_line(run("tasks", "get", "qtask_missing", "--host", server.url))
    assert "404" in line and "not_found" in line and "Entity not found" in line


def test_an_unreachable_host_is_one_line_and_the_token_is_never_echoed() -> None:
    # Bound but not listening: connecting is refused, and no other socket can take the port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
        result = run("tasks", "list", "--host", f"http://127.0.0.1:{closed_port}", "--retries", "0",
                     "--token", TOKEN)
    line = one_error_line(result)
    assert "could not connect" in line and str(closed_port) in line
    assert TOKEN not in result.stdout + result.stderr


def test_a_wrong_token_is_a_401_line_without_the_token() -> None:
    with MockServer(token="the-right-one") as server:
        result = run("tasks", "list", "--host", server.url, env={"OPENAPI_CLIENT_TOKEN": TOKEN})
    line = one_error_line(result)
    assert "401" in line and "authentication_failed" in line
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["tasks", "list", "--limit", "0"],
        ["tasks", "list", "--order", "sideways"],
        ["tasks", "wait", SAMPLE_TASK_ID, "--timeout", "soon"],
        ["tasks", "frobnicate", "--token", TOKEN],
    ],
)
def test_bad_arguments_exit_2_with_usage(args: List[str]) -> None:
    result = run(*args, env={"OPENAPI_CLIENT_TOKEN": TOKEN})
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and TOKEN not in result.stderr


def test_a_token_from_the_environment_with_a_line_break_is_one_line_exit_2_without_usage() -> None:
    # Not a command-line mistake, so no usage: the line says what is wrong, never the token.
    result = run("tasks", "list", "--mock", env={"OPENAPI_CLIENT_TOKEN": TOKEN + "\nX-Injected: 1"})
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "line break" in lines[0], result.stderr
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("host", ["http://h:99999", "http://[::1"])
def test_a_malformed_host_is_one_line_without_a_traceback(host: str) -> None:
    result = run("--host", host, "tasks", "list", "--retries", "0")
    assert result.returncode in (1, 2), result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and host in lines[0], result.stderr
    assert result.stdout == ""


def test_help_gives_the_default_retries_of_the_package() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert f"(default {DEFAULT_RETRIES})" in " ".join(result.stdout.split())


def test_help_shows_no_token_default_and_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("openapi-client")
    assert script.exists(), "pip install -e . creates the openapi-client console script"
    result = subprocess.run(
        [str(script), "tasks", "list", "--help"],
        capture_output=True, text=True, env={**os.environ, "OPENAPI_CLIENT_TOKEN": TOKEN}, timeout=60,
    )
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
