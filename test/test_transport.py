"""The transport over real sockets: connection reuse and thread safety (issue 2, point 7),
redirects and proxies (point 6), connection failures (point 4) and debug logging (point 9)."""

from __future__ import annotations

import http.client
import logging
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
import urllib3

import openapi_client
from openapi_client import ApiClient, BackgroundTasksApi, Configuration
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

PREFIX = "/api/v1/background-task/"
TASK_PATH = f"{PREFIX}{SAMPLE_TASK_ID}/"


# -- point 7: connections are reused ---------------------------------------------------------


def test_point7_100_sequential_calls_use_one_connection(api: BackgroundTasksApi, server: MockServer) -> None:
    for number in range(100):
        if number % 2:
            assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
        else:
            assert len(api.list(limit=2).data) == 2
    assert len(server.requests) == 100
    assert server.connections == 1


def test_point7_connection_is_kept_after_error_answers(api: BackgroundTasksApi, server: MockServer) -> None:
    for _ in range(10):
        with pytest.raises(openapi_client.NotFoundException):
            api.get("qtask_missing")
    api.get(SAMPLE_TASK_ID)
    assert server.connections == 1


def test_point7_one_api_client_shared_by_8_threads(api: BackgroundTasksApi, server: MockServer) -> None:
    server.add_tasks(20)
    expected_first_page = server.task_ids[::-1][:5]
    start = threading.Barrier(8)

    def work(worker: int) -> List[str]:
        start.wait(timeout=10)
        seen = []
        for number in range(25):
            if (worker + number) % 2:
                seen.append(api.get(SAMPLE_TASK_ID).id)
            else:
                page = api.list(limit=5)
                assert [task.id for task in page.data] == expected_first_page
                seen.append("page")
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(len(seen) == 25 for seen in results)
    assert {item for seen in results for item in seen} == {SAMPLE_TASK_ID, "page"}
    assert len(server.requests) == 200
    # One pool shared by all threads: at most one connection per thread, never one per call.
    assert 1 <= server.connections <= 8


def test_close_and_exit_release_pooled_connections(server: MockServer) -> None:
    configuration = Configuration(host=server.url)
    with ApiClient(configuration) as api_client:
        tasks = BackgroundTasksApi(api_client)
        tasks.get(SAMPLE_TASK_ID)
        tasks.get(SAMPLE_TASK_ID)
        assert server.connections == 1
        api_client.close()
        tasks.get(SAMPLE_TASK_ID)  # still usable: it reconnects
        assert server.connections == 2
    tasks.get(SAMPLE_TASK_ID)  # the with block closed the pool again
    assert server.connections == 3


# -- point 6: redirects -----------------------------------------------------------------------


def test_point6_redirect_to_another_host_does_not_forward_credentials(
    server: MockServer, other_server: MockServer
) -> None:
    configuration = Configuration(host=server.url, access_token="tok-1", api_key={"X-Api-Key": "key-1"})
    server.fail_next(302, headers={"Location": other_server.url + TASK_PATH})
    with ApiClient(configuration, cookie="session=abc") as api_client:
        task = BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID)
    assert task.id == SAMPLE_TASK_ID
    first, followed = server.requests[-1], other_server.requests[-1]
    assert first.headers["Authorization"] == "Bearer tok-1"
    assert first.headers["X-Api-Key"] == "key-1"
    assert followed.path == TASK_PATH
    for secret in ("Authorization", "X-Api-Key", "Cookie"):
        assert secret not in followed.headers
    assert followed.headers["Accept"] == "application/json"


def test_point6_redirect_on_the_same_host_keeps_authorization(server: MockServer) -> None:
    configuration = Configuration(host=server.url, access_token="tok-1")
    server.fail_next(307, headers={"Location": server.url + TASK_PATH})
    with ApiClient(configuration) as api_client:
        assert BackgroundTasksApi(api_client).get("qtask_old_name").id == SAMPLE_TASK_ID
    assert [request.path for request in server.requests] == [f"{PREFIX}qtask_old_name/", TASK_PATH]
    assert server.requests[-1].headers["Authorization"] == "Bearer tok-1"


# -- proxies --------------------------------------------------------------------------------


def test_proxy_gets_the_absolute_url_and_its_headers(server: MockServer) -> None:
    configuration = Configuration(host="http://api.example.test", access_token="tok-1")
    configuration.proxy = server.url
    configuration.proxy_headers = {"Proxy-Authorization": "Basic cHJveHk6cHc="}
    with ApiClient(configuration) as api_client:
        assert BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    sent = server.requests[-1]
    assert sent.target == "http://api.example.test" + TASK_PATH
    assert sent.headers["Host"] == "api.example.test"
    assert sent.headers["Proxy-Authorization"] == "Basic cHJveHk6cHc="
    assert sent.headers["Authorization"] == "Bearer tok-1"


def test_proxy_credentials_in_its_url_are_sent_as_basic_auth(server: MockServer) -> None:
    configuration = Configuration(host="http://api.example.test")
    configuration.proxy = server.url.replace("http://", "http://proxy:p%40ss@")
    with ApiClient(configuration) as api_client:
        BackgroundTasksApi(api_client).list()
    assert server.requests[-1].headers["Proxy-Authorization"] == "Basic cHJveHk6cEBzcw=="  # proxy:p@ss
    assert "p%40ss" not in repr(configuration) and "p@ss" not in repr(configuration)


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost, 127.0.0.0/8", "*"])
def test_no_proxy_hosts_are_reached_directly(
    server: MockServer, other_server: MockServer, no_proxy: str
) -> None:
    configuration = Configuration(host=other_server.url)
    configuration.proxy = server.url
    configuration.no_proxy = no_proxy
    with ApiClient(configuration) as api_client:
        BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID)
    assert server.requests == []
    assert other_server.requests[-1].target == TASK_PATH


def test_hosts_outside_no_proxy_still_use_the_proxy(server: MockServer, other_server: MockServer) -> None:
    configuration = Configuration(host=other_server.url)
    configuration.proxy = server.url
    configuration.no_proxy = "example.test,10.0.0.0/8"
    with ApiClient(configuration) as api_client:
        BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID)
    assert other_server.requests == []
    assert server.requests[-1].target == other_server.url + TASK_PATH


# -- point 4: connection failures -----------------------------------------------------------


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that refuses connections (bound, never listening), held so nobody else takes it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def test_point4_connection_refused_is_api_connection_error_with_urllib3_cause(closed_port: int) -> None:
    configuration = Configuration(host=f"http://127.0.0.1:{closed_port}", retries=0)
    with ApiClient(configuration) as api_client, pytest.raises(openapi_client.ApiConnectionError) as caught:
        BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID)
    assert not isinstance(caught.value, openapi_client.ApiTimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.NewConnectionError)
    assert f"could not connect to http://127.0.0.1:{closed_port}" in str(caught.value)


def _resetting_server() -> Tuple[socket.socket, threading.Thread]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def accept_and_reset() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        # SO_LINGER with a zero timeout turns close() into a TCP RST.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    thread = threading.Thread(target=accept_and_reset, daemon=True)
    thread.start()
    return listener, thread


def test_point4_connection_reset_is_api_connection_error_with_urllib3_cause() -> None:
    listener, thread = _resetting_server()
    configuration = Configuration(host=f"http://127.0.0.1:{listener.getsockname()[1]}", retries=0)
    try:
        with ApiClient(configuration) as api_client, pytest.raises(
            openapi_client.ApiConnectionError
        ) as caught:
            BackgroundTasksApi(api_client).list()
    finally:
        thread.join(timeout=5)
        listener.close()
    assert isinstance(caught.value.__cause__, urllib3.exceptions.ProtocolError)
    assert "reset" in str(caught.value).lower()


def test_point4_body_cut_halfway_is_api_connection_error(server: MockServer) -> None:
    server.drop_next()
    configuration = Configuration(host=server.url, retries=0)
    with ApiClient(configuration) as api_client, pytest.raises(openapi_client.ApiConnectionError) as caught:
        BackgroundTasksApi(api_client).list()
    assert isinstance(caught.value.__cause__, urllib3.exceptions.HTTPError)


def test_point4_deadline_raises_api_timeout_error(server: MockServer) -> None:
    server.delay_next(3)
    configuration = Configuration(host=server.url, retries=0)
    started = time.monotonic()
    with ApiClient(configuration) as api_client, pytest.raises(openapi_client.ApiTimeoutError) as caught:
        BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID, _request_deadline=0.3)
    assert time.monotonic() - started < 2.5
    assert isinstance(caught.value.__cause__, urllib3.exceptions.ReadTimeoutError)


# -- point 9: debug logging -----------------------------------------------------------------


@pytest.fixture
def restore_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("openapi_client")
    level = logger.level
    yield logger
    logger.setLevel(level)


def test_point9_debug_logs_method_url_status_and_time_with_credentials_redacted(
    server: MockServer,
    restore_logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    configuration = Configuration(
        host=server.url, access_token="tok-SECRET-1", api_key={"X-Api-Key": "key-SECRET-2"}, debug=True
    )
    caplog.set_level(logging.DEBUG, logger="openapi_client")
    with ApiClient(configuration, cookie="session=cookie-SECRET-3") as api_client:
        tasks = BackgroundTasksApi(api_client)
        tasks.get(SAMPLE_TASK_ID, idempotency_key="key-visible")
        with pytest.raises(openapi_client.NotFoundException):
            tasks.get("qtask_missing")

    ours = [record for record in caplog.records if record.name == "openapi_client"]
    messages = [record.getMessage() for record in ours]
    assert len(messages) == 2
    ok, missing = messages
    assert ok.startswith(f"GET {server.url}{TASK_PATH} -> 200")
    assert missing.startswith(f"GET {server.url}{PREFIX}qtask_missing/ -> 404")
    assert all(" ms" in message for message in messages)
    assert all(record.levelno == logging.DEBUG for record in ours)
    assert "key-visible" in ok
    for secret in ("tok-SECRET-1", "key-SECRET-2", "cookie-SECRET-3"):
        assert secret not in caplog.text
    assert "***" in ok
    out, err = capfd.readouterr()
    assert out == ""
    assert "SECRET" not in err
    assert http.client.HTTPConnection.debuglevel == 0


def test_point9_debug_in_a_fresh_process_writes_to_stderr_never_stdout(server: MockServer) -> None:
    script = textwrap.dedent(
        f"""
        import http.client
        import openapi_client
        configuration = openapi_client.Configuration(
            host={server.url!r}, access_token="tok-SECRET-1", debug=True
        )
        with openapi_client.ApiClient(configuration) as api_client:
            openapi_client.BackgroundTasksApi(api_client).get({SAMPLE_TASK_ID!r})
        assert http.client.HTTPConnection.debuglevel == 0
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"GET {server.url}{TASK_PATH} -> 200" in done.stderr
    assert "openapi_client" in done.stderr
    assert "tok-SECRET-1" not in done.stderr
    assert "send:" not in done.stderr and "reply:" not in done.stderr  # http.client's own debug output


def test_a_proxy_manager_put_in_the_pool_managers_place_gets_the_requests(
    server: MockServer, other_server: MockServer
) -> None:
    # The habit of generated clients: replace rest_client.pool_manager with a ProxyManager.
    # The proxy (here a MockServer that answers as the API would) must see every request.
    with ApiClient(Configuration(host=server.url)) as api_client:
        tasks = BackgroundTasksApi(api_client)
        tasks.get(SAMPLE_TASK_ID)  # before: straight to the server
        api_client.rest_client.pool_manager = urllib3.ProxyManager(other_server.url)
        assert tasks.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    assert [request.target for request in other_server.requests] == [server.url + TASK_PATH]
    assert len(server.requests) == 1
