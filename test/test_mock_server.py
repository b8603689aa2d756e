"""MockServer on the wire: what it enforces (as the real service does, NOTES.md), its test API, and
``python -m openapi_client.testing`` run as a real process."""

from __future__ import annotations

import json
import math
import re
import signal
import socket
import subprocess
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import pytest
import urllib3

import openapi_client
from openapi_client.exceptions import ApiKeyError, ApiTypeError, ApiValueError
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

LIST = "/api/v1/background-task/"


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    with urllib3.PoolManager(retries=False, timeout=5) as pool:
        yield pool


def fetch(
    http: urllib3.PoolManager, server: MockServer, path: str = LIST,
    headers: Optional[Dict[str, str]] = None, **query: Any,
) -> Tuple[int, Any]:
    answer = http.request("GET", server.url + path, fields=query or None, headers=headers)
    return answer.status, json.loads(answer.data)


def walk(
    http: urllib3.PoolManager, server: MockServer, **query: Any
) -> Tuple[List[str], List[Dict[str, Any]]]:
    """Follow ``iterator`` until ``done``; return the ids seen and every page."""
    ids: List[str] = []
    pages: List[Dict[str, Any]] = []
    iterator = None
    while True:
        status, page = fetch(http, server, **query, **({"iterator": iterator} if iterator else {}))
        assert status == 200, page
        pages.append(page)
        ids.extend(task["id"] for task in page["data"])
        if page["done"]:
            return ids, pages
        iterator = page["iterator"]
        assert len(pages) < 1000, "pagination does not end"


# -- pagination and ordering ---------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 250])
@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_pagination_walks_every_task_once_in_order(
    http: urllib3.PoolManager, server: MockServer, order: str, limit: int
) -> None:
    server.add_tasks(45)
    ids, pages = walk(http, server, order=order, limit=limit)

    oldest_first = server.task_ids
    assert ids == (oldest_first if order == "ascending" else oldest_first[::-1])
    assert len(ids) == len(set(ids)) == 50
    assert len(pages) == math.ceil(50 / limit)
    assert [page["done"] for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(page["data"]) == limit for page in pages[:-1])


def test_default_order_is_newest_first_and_default_limit_is_50(
    http: urllib3.PoolManager, server: MockServer
) -> None:
    server.add_tasks(60)
    status, page = fetch(http, server)
    assert status == 200
    assert [task["id"] for task in page["data"]] == server.task_ids[::-1][:50]
    assert page["done"] is False


def test_prev_iterator_walks_back_to_the_previous_page(http: urllib3.PoolManager, server: MockServer) -> None:
    server.add_tasks(10)
    _, first = fetch(http, server, limit=4)
    _, second = fetch(http, server, limit=4, iterator=first["iterator"])
    _, back = fetch(http, server, limit=4, iterator=second["prevIterator"])
    assert back["data"] == first["data"]
    assert second["data"] != first["data"]


def test_the_sdk_reads_the_same_pages(api: openapi_client.BackgroundTasksApi, server: MockServer) -> None:
    server.add_tasks(20)
    seen: List[str] = []
    ascending = openapi_client.Ordering.ASCENDING
    page = api.list_background_tasks_api_v1_background_task_get(limit=6, order=ascending)
    seen += [task.id for task in page.data]
    while not page.done:
        page = api.list_background_tasks_api_v1_background_task_get(
            limit=6, order=ascending, iterator=page.iterator
        )
        seen += [task.id for task in page.data]
    assert seen == server.task_ids


# -- filters -------------------------------------------------------------------------------------


def test_status_and_task_filters_select_exactly_the_matching_tasks(
    http: urllib3.PoolManager, server: MockServer
) -> None:
    server.add_tasks(30)
    everything = [server.task(task_id) for task_id in server.task_ids]
    for status in ("running", "finished", "failed"):
        ids, _ = walk(http, server, status=status, limit=4)
        assert ids == [t["id"] for t in reversed(everything) if t["status"] == status] != []

    ids, _ = walk(http, server, status="finished", task="endpoint.replay", order="ascending")
    expected = [t["id"] for t in everything if t["status"] == "finished" and t["task"] == "endpoint.replay"]
    assert ids == expected != []


@pytest.mark.parametrize("name", ["status", "task"])
def test_an_unknown_filter_value_is_a_422_not_an_empty_list(
    http: urllib3.PoolManager, server: MockServer, name: str
) -> None:
    status, body = fetch(http, server, **{name: "finshed"})
    assert status == 422
    assert body["detail"][0]["loc"] == ["query", name]


def test_a_status_a_newer_server_uses_can_be_filtered_once_a_task_has_it(
    http: urllib3.PoolManager, server: MockServer
) -> None:
    paused = server.add_task(status="paused")
    status, page = fetch(http, server, status="paused")
    assert status == 200
    assert [task["id"] for task in page["data"]] == [paused["id"]]


# -- validation, 404, auth ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [("0", "value_error.number.not_ge"), ("251", "value_error.number.not_le"), ("ten", "type_error.integer")],
)
def test_a_limit_out_of_bounds_is_a_422_validation_error(
    http: urllib3.PoolManager, server: MockServer, value: str, kind: str
) -> None:
    status, body = fetch(http, server, limit=value)
    assert status == 422
    assert list(body) == ["detail"]
    (problem,) = body["detail"]
    assert problem["loc"] == ["query", "limit"]
    assert problem["type"] == kind
    assert isinstance(problem["msg"], str) and problem["msg"]


@pytest.mark.parametrize("limit", [1, 250])
def test_the_limit_bounds_themselves_are_accepted(
    http: urllib3.PoolManager, server: MockServer, limit: int
) -> None:
    server.add_tasks(300)
    status, page = fetch(http, server, limit=limit)
    assert status == 200
    assert len(page["data"]) == limit


def test_an_unknown_order_is_a_422(http: urllib3.PoolManager, server: MockServer) -> None:
    status, body = fetch(http, server, order="newest")
    assert status == 422
    assert body["detail"][0]["loc"] == ["query", "order"]


def test_the_sdk_decodes_the_422_when_client_side_checks_are_off(server: MockServer) -> None:
    configuration = openapi_client.Configuration(host=server.url)
    configuration.client_side_validation = False
    with openapi_client.ApiClient(configuration) as client, \
            pytest.raises(openapi_client.UnprocessableEntityException) as caught:
        openapi_client.BackgroundTasksApi(client).list_background_tasks_api_v1_background_task_get(limit=500)
    assert isinstance(caught.value.data, openapi_client.HTTPValidationError)
    assert caught.value.data.detail[0].loc == ["query", "limit"]


@pytest.mark.parametrize(
    "path", [f"{LIST}qtask_2zzzzzzzzzzzzzzzzzzzzzzzzzz/", "/api/v1/background-tasks/", f"{LIST}a/b/"]
)
def test_unknown_tasks_and_paths_are_a_404_http_error_out(
    http: urllib3.PoolManager, server: MockServer, path: str
) -> None:
    status, body = fetch(http, server, path)
    assert status == 404
    assert set(body) == {"code", "detail"}
    assert body["code"] == "not_found"


def test_the_sdk_raises_not_found_with_the_parsed_body(api: openapi_client.BackgroundTasksApi) -> None:
    with pytest.raises(openapi_client.NotFoundException) as caught:
        api.get_background_task_api_v1_background_task_task_id_get("qtask_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert caught.value.status == 404
    assert caught.value.data is not None and caught.value.data.code == "not_found"


def test_a_token_server_answers_401_without_the_right_bearer_token(http: urllib3.PoolManager) -> None:
    with MockServer(token="s3cret") as server:
        for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            status, body = fetch(http, server, f"{LIST}{SAMPLE_TASK_ID}/", headers=headers)
            assert status == 401
            assert set(body) == {"code", "detail"}
        bearer = {"Authorization": "Bearer s3cret"}
        status, body = fetch(http, server, f"{LIST}{SAMPLE_TASK_ID}/", headers=bearer)
        assert (status, body["id"]) == (200, SAMPLE_TASK_ID)


def test_the_sdk_sends_its_access_token_to_a_token_server() -> None:
    with MockServer(token="s3cret") as server:
        with openapi_client.ApiClient(openapi_client.Configuration(host=server.url)) as client, \
                pytest.raises(openapi_client.UnauthorizedException) as caught:
            openapi_client.BackgroundTasksApi(client).get_background_task_api_v1_background_task_task_id_get(
                SAMPLE_TASK_ID
            )
        assert caught.value.status == 401

        configuration = openapi_client.Configuration(host=server.url, access_token="s3cret")
        with openapi_client.ApiClient(configuration) as client:
            api = openapi_client.BackgroundTasksApi(client)
            task = api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
        assert task.id == SAMPLE_TASK_ID


# -- the test API: tasks, finish_after, recording, reset -------------------------------------------


def test_added_tasks_have_real_looking_ids_and_sort_after_the_samples(server: MockServer) -> None:
    added = server.add_tasks(3, status="running", task="sdk.generate")
    assert all(re.fullmatch(r"qtask_[0-9A-Za-z]{27}", task["id"]) for task in added)
    assert server.task_ids[-3:] == [task["id"] for task in added]
    assert {(task["status"], task["task"]) for task in added} == {("running", "sdk.generate")}
    assert SAMPLE_TASK_ID in server.task_ids[:5]


def test_finish_after_reads_running_for_exactly_that_many_gets(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.finish_after(SAMPLE_TASK_ID, 3)
    get = api.get_background_task_api_v1_background_task_task_id_get
    seen = [get(SAMPLE_TASK_ID).status.value]
    api.list_background_tasks_api_v1_background_task_get()  # a list call does not count as a poll
    seen += [get(SAMPLE_TASK_ID).status.value for _ in range(4)]
    assert seen == ["running", "running", "running", "finished", "finished"]


def test_finish_after_can_end_in_another_status_or_at_once(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    get = api.get_background_task_api_v1_background_task_task_id_get
    server.finish_after(SAMPLE_TASK_ID, 1, status="failed")
    assert [get(SAMPLE_TASK_ID).status.value for _ in range(2)] == ["running", "failed"]
    server.finish_after(SAMPLE_TASK_ID, 0)
    assert get(SAMPLE_TASK_ID).status == openapi_client.BackgroundTaskStatus.FINISHED


def test_finish_after_refuses_unknown_tasks_and_negative_polls(server: MockServer) -> None:
    with pytest.raises(KeyError):
        server.finish_after("qtask_nope", 1)
    with pytest.raises(ValueError, match="polls"):
        server.finish_after(SAMPLE_TASK_ID, -1)


def test_requests_records_what_was_sent(http: urllib3.PoolManager, server: MockServer) -> None:
    http.request("GET", f"{server.url}{LIST}?limit=2&status=running&status=failed",
                 headers={"Authorization": "Bearer t", "X-Trace": "1"})
    http.request("GET", f"{server.url}{LIST}qtask%2F1/")
    first, second = server.requests
    assert first.method == "GET"
    assert first.path == LIST
    assert first.query == {"limit": "2", "status": "failed"}  # the last value wins
    assert first.headers["authorization"] == "Bearer t" and "x-trace" in first.headers
    assert first.target == f"{LIST}?limit=2&status=running&status=failed"
    assert second.path == f"{LIST}qtask%2F1/"  # still percent-encoded, as sent


def test_faults_apply_to_the_next_requests_in_order_and_are_recorded(
    http: urllib3.PoolManager, server: MockServer
) -> None:
    server.fail_next(503, times=2, headers={"Retry-After": "1"})
    server.malformed_next()
    assert server.pending_faults == 3
    answers = [http.request("GET", server.url + LIST) for _ in range(4)]
    assert [answer.status for answer in answers] == [503, 503, 200, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert json.loads(answers[0].data) == {"code": "service_unavailable", "detail": "Service Unavailable"}
    with pytest.raises(ValueError):
        json.loads(answers[2].data)
    assert json.loads(answers[3].data)["data"]
    assert len(server.requests) == 4 and server.pending_faults == 0


def test_reset_brings_back_the_starting_state(http: urllib3.PoolManager, server: MockServer) -> None:
    samples = {task_id: server.task(task_id) for task_id in server.task_ids}
    server.add_tasks(10)
    server.finish_after(SAMPLE_TASK_ID, 5, status="failed")
    fetch(http, server)
    server.fail_next(500, times=3)

    server.reset()

    assert server.requests == [] and server.pending_faults == 0
    assert {task_id: server.task(task_id) for task_id in server.task_ids} == samples
    status, page = fetch(http, server, f"{LIST}{SAMPLE_TASK_ID}/")
    assert (status, page["status"]) == (200, "finished")
    assert server.add_task()["id"] == "qtask_2" + "1".rjust(26, "0")  # ids start over too


_bad = pytest.param
BAD_TEST_API_CALLS = [
    _bad(lambda s: s.fail_next("503"), ApiTypeError, "status must be a whole number", id="status-str"),
    _bad(lambda s: s.fail_next(99), ApiValueError, "status must be between 200 and 599", id="status-99"),
    _bad(lambda s: s.fail_next(600), ApiValueError, "status must be between", id="status-600"),
    _bad(lambda s: s.fail_next(200.5), ApiTypeError, "status must be a whole number", id="status-float"),
    _bad(lambda s: s.fail_next(True), ApiTypeError, "status must be a whole number", id="status-bool"),
    _bad(lambda s: s.fail_next(503, times=0), ApiValueError, "times must be 1 or more", id="times-0"),
    _bad(lambda s: s.fail_next(503, times="2"), ApiTypeError, "times must be", id="times-str"),
    _bad(lambda s: s.fail_next(503, body=42), ApiTypeError, "body must be", id="body-int"),
    _bad(lambda s: s.fail_next(429, headers={"Retry-After": 30}), ApiTypeError, "headers must",
         id="header-int"),
    _bad(lambda s: s.fail_next(429, headers=["Retry-After"]), ApiTypeError, "headers must",
         id="headers-list"),
    _bad(lambda s: s.delay_next(-1), ApiValueError, "seconds must be 0 or more", id="delay-negative"),
    _bad(lambda s: s.delay_next("x"), ApiTypeError, "seconds must be a number", id="delay-str"),
    _bad(lambda s: s.delay_next(math.nan), ApiValueError, "seconds must be", id="delay-nan"),
    _bad(lambda s: s.drop_next(times=0), ApiValueError, "times must be 1 or more", id="drop-0"),
    _bad(lambda s: s.malformed_next(times=-1), ApiValueError, "times must be", id="malformed--1"),
    _bad(lambda s: s.add_tasks(-1), ApiValueError, "n must be 0 or more", id="add-tasks-negative"),
    _bad(lambda s: s.add_tasks("3"), ApiTypeError, "n must be a whole number", id="add-tasks-str"),
    _bad(lambda s: s.add_tasks(2, status=1), ApiTypeError, "status must be a str", id="add-tasks-status"),
    _bad(lambda s: s.add_task(id=""), ApiValueError, "task id must be a non-empty string", id="empty-id"),
    _bad(lambda s: s.finish_after("qtask_missing", 1), ApiKeyError, "no task 'qtask_missing'",
         id="finish-after-missing"),
    _bad(lambda s: s.finish_after(SAMPLE_TASK_ID, -1), ApiValueError, "polls must be 0 or more",
         id="finish-after-negative"),
    _bad(lambda s: s.finish_after(SAMPLE_TASK_ID, 1.5), ApiTypeError, "polls must be",
         id="finish-after-float"),
    _bad(lambda s: s.task("qtask_missing"), ApiKeyError, "no task 'qtask_missing'", id="task-missing"),
]


@pytest.mark.parametrize(("bad_call", "error", "message"), BAD_TEST_API_CALLS)
def test_the_test_api_refuses_bad_arguments_at_the_call(
    http: urllib3.PoolManager, server: MockServer,
    bad_call: Callable[[MockServer], Any], error: Type[Exception], message: str,
) -> None:
    before = {task_id: server.task(task_id) for task_id in server.task_ids}
    with pytest.raises(error, match=re.escape(message)):
        bad_call(server)
    # Refused means nothing was queued or changed: the server still answers as before.
    assert server.pending_faults == 0
    assert {task_id: server.task(task_id) for task_id in server.task_ids} == before
    assert fetch(http, server, f"{LIST}{SAMPLE_TASK_ID}/") == (200, before[SAMPLE_TASK_ID])


def test_the_test_api_errors_are_the_package_ones_and_the_builtin_ones() -> None:
    # Tests written against the builtins (pytest.raises(ValueError)) keep working.
    with MockServer(sample_tasks=0) as server:
        with pytest.raises(ValueError):
            server.fail_next(99)
        with pytest.raises(TypeError):
            server.delay_next("x")
        with pytest.raises(KeyError):
            server.finish_after("qtask_missing", 1)
        with pytest.raises(openapi_client.OpenApiException):
            server.add_tasks(-1)
    with pytest.raises(ApiValueError, match="sample_tasks must be between 0 and 5"):
        MockServer(sample_tasks=6)


# -- python -m openapi_client.testing --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(*args: str) -> Tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "openapi_client.testing", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"(http://\S+)", banner)
    assert match, (banner, process.stderr.read() if process.stderr else "")
    return process, match.group(1)


def test_the_module_serves_until_ctrl_c_then_exits_0() -> None:
    port = _free_port()
    process, url = _start("--port", str(port), "--tasks", "7", "--token", "t0k")
    try:
        assert url == f"http://127.0.0.1:{port}"
        configuration = openapi_client.Configuration(host=url, access_token="t0k")
        with openapi_client.ApiClient(configuration) as client:
            api = openapi_client.BackgroundTasksApi(client)
            page = api.list_background_tasks_api_v1_background_task_get(limit=250)
            assert len(page.data) == 12
            task = api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
            assert task.id == SAMPLE_TASK_ID
        with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as client, \
                pytest.raises(openapi_client.UnauthorizedException):
            openapi_client.BackgroundTasksApi(client).get_background_task_api_v1_background_task_task_id_get(
                SAMPLE_TASK_ID
            )
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and "t0k" not in out + err


def test_the_module_without_samples_and_on_sigterm() -> None:
    process, url = _start("--port", "0", "--no-samples", "--tasks", "2")
    try:
        with openapi_client.ApiClient(openapi_client.Configuration(host=url)) as client:
            api = openapi_client.BackgroundTasksApi(client)
            page = api.list_background_tasks_api_v1_background_task_get()
        assert len(page.data) == 2 and SAMPLE_TASK_ID not in [task.id for task in page.data]
        process.terminate()
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err


def test_the_module_reports_a_taken_port_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "openapi_client.testing", "--port", str(port)],
            capture_output=True, text=True, timeout=30,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == f"cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "x", "80.5"])
def test_the_module_refuses_a_bad_port_in_one_line(port: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "openapi_client.testing", "--port", port],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"python -m openapi_client.testing: error: argument --port: "
        f"expected a port number from 0 to 65535; got '{port}'"
    )


def test_the_module_reports_an_address_it_cannot_bind_in_one_line() -> None:
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of this machine.
    result = subprocess.run(
        [sys.executable, "-m", "openapi_client.testing", "--host", "192.0.2.1", "--port", "0"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "cannot listen on 192.0.2.1:0: Cannot assign requested address"
