"""MockServer, layer by layer: the task store with no HTTP in it; the service's manners on the wire
(raw sockets and urllib3); the test API that tests drive it with; and
``python -m openapi_client.testing`` run as a real process."""

from __future__ import annotations

import gzip
import json
import math
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import pytest
import urllib3

import openapi_client
from openapi_client.exceptions import ApiKeyError, ApiTypeError, ApiValueError
from openapi_client.testing import SAMPLE_TASK_ID, MockServer
from openapi_client.testing._store import KINDS, STATUSES, InvalidQuery, TaskStore

LIST = "/api/v1/background-task"
TASK = f"{LIST}/{SAMPLE_TASK_ID}"
#: A task id of the right form that no server here holds.
UNKNOWN_ID = "qtask_2zzzzzzzzzzzzzzzzzzzzzzzzzz"


# -- the task store, without HTTP ------------------------------------------------------------------


def store_with(added: int, samples: int = 5, status: Optional[str] = None) -> TaskStore:
    store = TaskStore(samples)
    for i in range(added):
        store.put(
            {
                "id": store.new_id(),
                "status": status or STATUSES[i % 3],
                "task": KINDS[i % len(KINDS)],
                "data": {"n": i},
                "updatedAt": "2024-04-01T00:00:00Z",
            }
        )
    return store


def page_of(store: TaskStore, **query: Any) -> Dict[str, Any]:
    return dict(json.loads(store.page({name: str(value) for name, value in query.items()})))


def problems(store: TaskStore, **query: Any) -> List[Tuple[str, str, str]]:
    with pytest.raises(InvalidQuery) as caught:
        store.page({name: str(value) for name, value in query.items()})
    return caught.value.problems


def walk_store(store: TaskStore, **query: Any) -> Tuple[List[str], List[Dict[str, Any]]]:
    """Follow ``iterator`` until ``done``; return the ids seen and every page."""
    ids: List[str] = []
    pages: List[Dict[str, Any]] = []
    while not pages or not pages[-1]["done"]:
        cursor = {"iterator": pages[-1]["iterator"]} if pages else {}
        pages.append(page_of(store, **query, **cursor))
        ids.extend(task["id"] for task in pages[-1]["data"])
        assert len(pages) < 1000, "pagination does not end"
    return ids, pages


@pytest.mark.parametrize("limit", [1, 7, 250])
@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_following_the_iterator_visits_every_task_once_in_order(order: str, limit: int) -> None:
    store = store_with(45)
    ids, pages = walk_store(store, order=order, limit=limit)

    assert ids == (store.ids if order == "ascending" else store.ids[::-1])
    assert len(ids) == len(set(ids)) == 50
    assert len(pages) == math.ceil(50 / limit)
    assert [page["done"] for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(page["data"]) == limit for page in pages[:-1])


def test_the_default_order_is_newest_first_and_the_default_limit_is_50() -> None:
    store = store_with(60)
    page = page_of(store)
    assert [task["id"] for task in page["data"]] == store.ids[::-1][:50]
    assert page["done"] is False


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_prev_iterator_walks_back_to_the_previous_page(order: str) -> None:
    store = store_with(10)
    first = page_of(store, limit=4, order=order)
    second = page_of(store, limit=4, order=order, iterator=first["iterator"])
    back = page_of(store, limit=4, order=order, iterator=second["prevIterator"])
    assert back["data"] == first["data"]
    assert second["data"] != first["data"]


def test_a_page_without_tasks_has_no_iterator() -> None:
    empty = page_of(TaskStore(0))
    no_match = page_of(store_with(4, samples=0, status="finished"), status="running")
    store = store_with(3)
    past_the_end = page_of(store, iterator=store.ids[0])  # nothing is older than the oldest task
    for page in (empty, no_match, past_the_end):
        assert page == {"data": [], "done": True, "iterator": None, "prevIterator": None}


def test_filters_select_exactly_the_matching_tasks() -> None:
    store = store_with(30)
    everything = [store.task(task_id) for task_id in store.ids]
    for status in STATUSES:
        ids, _ = walk_store(store, status=status, limit=4)
        assert ids == [t["id"] for t in reversed(everything) if t["status"] == status] != []

    ids, _ = walk_store(store, status="finished", task="endpoint.replay", order="ascending")
    assert ids == [t["id"] for t in everything if (t["status"], t["task"]) == ("finished", "endpoint.replay")]
    assert ids != []


@pytest.mark.parametrize("name", ["status", "task"])
def test_an_unknown_filter_value_is_refused_not_an_empty_list(name: str) -> None:
    ((where, message, kind),) = problems(store_with(3), **{name: "finshed"})
    assert (where, kind) == (name, "type_error.enum")
    assert "permitted" in message


def test_a_value_a_newer_server_uses_can_be_filtered_once_a_task_has_it() -> None:
    store = TaskStore(5)
    store.put({"id": "qtask_3paused00000000000000000000", "status": "paused", "task": "sdk.generate"})
    assert [task["id"] for task in page_of(store, status="paused")["data"]] == [
        "qtask_3paused00000000000000000000"
    ]


@pytest.mark.parametrize(
    ("limit", "kind"),
    [
        ("0", "value_error.number.not_ge"),
        ("-3", "value_error.number.not_ge"),
        ("251", "value_error.number.not_le"),
        ("ten", "type_error.integer"),
        ("", "type_error.integer"),
        ("2.5", "type_error.integer"),
    ],
)
def test_a_limit_outside_1_to_250_or_not_a_whole_number_is_refused(limit: str, kind: str) -> None:
    ((where, message, found),) = problems(TaskStore(5), limit=limit)
    assert (where, found) == ("limit", kind)
    assert message


@pytest.mark.parametrize("limit", [1, 250])
def test_the_limit_bounds_themselves_are_accepted(limit: int) -> None:
    assert len(page_of(store_with(300), limit=limit)["data"]) == limit


def test_an_unknown_order_is_refused() -> None:
    assert [where for where, _, _ in problems(TaskStore(5), order="newest")] == ["order"]


@pytest.mark.parametrize(
    "iterator",
    [
        "",
        "abc",
        "qtask_",
        "qtask_" + "a" * 26,
        "qtask_" + "a" * 28,
        "qtask_" + "a" * 26 + "!",
        "Qtask_" + "a" * 27,
        "-",
        "--" + SAMPLE_TASK_ID,
        SAMPLE_TASK_ID + "&limit=1",
    ],
)
def test_a_malformed_iterator_is_refused(iterator: str) -> None:
    ((where, message, kind),) = problems(TaskStore(5), iterator=iterator)
    assert (where, kind) == ("iterator", "value_error")
    assert "qtask_" in message


def test_a_well_formed_iterator_pages_even_when_its_task_is_gone() -> None:
    store = TaskStore(5)
    assert len(page_of(store, iterator=UNKNOWN_ID)["data"]) == 5  # every sample is older
    assert page_of(store, iterator="-" + UNKNOWN_ID)["data"] == []


def test_an_id_given_to_add_task_is_an_iterator_whatever_its_form() -> None:
    store = TaskStore(5)
    store.put({"id": "task-1", "status": "finished", "task": "sdk.generate"})
    assert [task["id"] for task in page_of(store, iterator="task-1", order="ascending")["data"]] == []
    assert len(page_of(store, iterator="task-1")["data"]) == 5


def test_every_problem_of_a_query_is_reported_at_once() -> None:
    found = problems(TaskStore(5), limit=0, order="sideways", iterator="x", status="nope", task="nope")
    assert [where for where, _, _ in found] == ["limit", "order", "iterator", "status", "task"]


def test_finish_after_reads_running_for_exactly_that_many_reads() -> None:
    store = TaskStore(5)
    store.finish_after(SAMPLE_TASK_ID, 2, "failed")
    page_of(store)  # a list does not count as a poll
    seen = [json.loads(store.read(SAMPLE_TASK_ID) or b"")["status"] for _ in range(4)]
    assert seen == ["running", "running", "failed", "failed"]
    assert store.read(UNKNOWN_ID) is None


# -- the service's manners, on the wire -------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    with urllib3.PoolManager(retries=False, timeout=5) as pool:
        yield pool


def fetch(
    http: urllib3.PoolManager,
    server: MockServer,
    path: str = LIST,
    headers: Optional[Dict[str, str]] = None,
    method: str = "GET",
    **query: Any,
) -> Tuple[int, Any]:
    answer = http.request(method, server.url + path, fields=query or None, headers=headers)
    return answer.status, json.loads(answer.data) if answer.data else None


def exchange(server: MockServer, *requests: bytes) -> bytes:
    """Send raw request bytes on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as connection:
        connection.sendall(b"".join(requests))
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return received
            received += chunk


def head_of(raw: bytes) -> Tuple[int, Dict[str, str], bytes]:
    """The status and headers of the first answer in ``raw``, and the bytes after its header block."""
    block, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *lines = block.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, rest


def request_bytes(method: str, target: str, *headers: str) -> bytes:
    return "\r\n".join([f"{method} {target} HTTP/1.1", "Host: mock", *headers, "", ""]).encode("latin-1")


@pytest.mark.parametrize(
    ("bare", "slashed"),
    [
        (LIST, f"{LIST}/"),
        (f"{LIST}?limit=2&order=ascending", f"{LIST}/?limit=2&order=ascending"),
        (TASK, f"{TASK}/"),
    ],
    ids=["list", "list-with-query", "task"],
)
def test_a_trailing_slash_does_not_change_the_route(
    http: urllib3.PoolManager, mock_server: MockServer, bare: str, slashed: str
) -> None:
    without, with_slash = (http.request("GET", mock_server.url + path) for path in (bare, slashed))
    assert without.status == with_slash.status == 200
    assert without.data == with_slash.data
    assert json.loads(without.data)


@pytest.mark.parametrize(
    "path",
    [
        f"{LIST}/{UNKNOWN_ID}",
        f"{LIST}/{UNKNOWN_ID}/",
        "/api/v1/background-tasks",
        f"{LIST}/a/b",
        f"{LIST}//",
        f"{TASK}//",
        "/",
    ],
)
def test_unknown_tasks_and_paths_are_a_404_http_error_out(
    http: urllib3.PoolManager, mock_server: MockServer, path: str
) -> None:
    assert fetch(http, mock_server, path) == (404, {"code": "not_found", "detail": "Entity not found"})


@pytest.mark.parametrize("path", [f"{LIST}?limit=3", TASK, f"{LIST}/{UNKNOWN_ID}", f"{LIST}?limit=0"])
def test_head_answers_the_status_and_headers_of_get_without_a_body(
    mock_server: MockServer, path: str
) -> None:
    # HEAD then GET on one connection: had HEAD sent a body, it would stand before GET's status line.
    raw = exchange(mock_server, request_bytes("HEAD", path), request_bytes("GET", path, "Connection: close"))
    head_status, head_headers, rest = head_of(raw)
    get_status, get_headers, body = head_of(rest)
    assert rest.startswith(b"HTTP/1.1 ")
    assert head_status == get_status
    head_headers.pop("date"), get_headers.pop("date")
    assert head_headers == get_headers
    assert int(get_headers["content-length"]) == len(body) > 0


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"])
@pytest.mark.parametrize("path", [LIST, f"{TASK}/"])
def test_other_methods_get_405_with_allow_and_a_json_error(
    mock_server: MockServer, method: str, path: str
) -> None:
    with urllib3.PoolManager(retries=False, timeout=5) as http:
        answer = http.request(method, mock_server.url + path)
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET, HEAD"
    assert answer.headers["Content-Type"] == "application/json"
    body = json.loads(answer.data)
    assert body["code"] == "method_not_allowed" and method in body["detail"]


def test_a_request_body_is_read_so_the_connection_stays_usable(mock_server: MockServer) -> None:
    post = request_bytes("POST", LIST, "Content-Length: 5") + b"hello"
    status, headers, rest = head_of(
        exchange(mock_server, post, request_bytes("GET", TASK, "Connection: close"))
    )
    assert status == 405
    assert head_of(rest[int(headers["content-length"]) :])[0] == 200


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        ("Bearer s3cret", 200),
        ("bearer s3cret", 200),
        ("BEARER s3cret", 200),
        ("Bearer  s3cret", 200),
        ("Bearer S3CRET", 401),
        ("Basic s3cret", 401),
        ("s3cret", 401),
        ("Bearer", 401),
        ("Bearer wrong", 401),
        (None, 401),
    ],
)
def test_the_bearer_scheme_is_case_insensitive_but_the_token_is_not(
    http: urllib3.PoolManager, authorization: Optional[str], status: int
) -> None:
    with MockServer(token="s3cret") as server:
        headers = {"Authorization": authorization} if authorization else None
        found, body = fetch(http, server, TASK, headers=headers)
    assert found == status
    if status == 401:
        assert body["code"] == "authentication_failed" and set(body) == {"code", "detail"}


def test_a_malformed_iterator_is_a_422_in_the_validation_error_shape(
    http: urllib3.PoolManager, mock_server: MockServer
) -> None:
    status, body = fetch(http, mock_server, iterator="not-a-task-id")
    assert status == 422
    (problem,) = body["detail"]
    assert list(body) == ["detail"]
    assert problem["loc"] == ["query", "iterator"]
    assert isinstance(problem["msg"], str) and problem["type"] == "value_error"


@pytest.mark.parametrize(
    ("query", "where"), [({"limit": "251"}, "limit"), ({"order": "newest"}, "order"), ({"task": "x"}, "task")]
)
def test_a_refused_query_is_a_422_naming_the_parameter(
    http: urllib3.PoolManager, mock_server: MockServer, query: Dict[str, str], where: str
) -> None:
    status, body = fetch(http, mock_server, **query)
    assert status == 422
    assert [problem["loc"] for problem in body["detail"]] == [["query", where]]


def test_a_page_without_tasks_has_a_null_iterator_on_the_wire(http: urllib3.PoolManager) -> None:
    with MockServer(sample_tasks=0) as server:
        answer = http.request("GET", f"{server.url}{LIST}?iterator={UNKNOWN_ID}")
    assert json.loads(answer.data) == {"data": [], "done": True, "iterator": None, "prevIterator": None}


@pytest.mark.parametrize(
    ("request_", "status", "detail"),
    [
        (request_bytes("GET", LIST, "Content-Length: abc"), 400, "Content-Length"),
        (request_bytes("GET", LIST, "Content-Length: -1"), 400, "Content-Length"),
        (b"GET /api/v1/background-task\r\n\r\n", 400, "HTTP/0.9"),
        (b"HELLO\r\n\r\n", 400, "HELLO"),
        (request_bytes("GET", LIST, "X-Big: " + "a" * 70_000), 431, "Line too long"),
        (request_bytes("GET", LIST + "?x=" + "a" * 70_000), 414, "URI Too Long"),  # "Request-URI" before 3.13
    ],
    ids=[
        "content-length-abc",
        "content-length-negative",
        "http-0.9",
        "no-method",
        "long-header",
        "long-target",
    ],
)
def test_a_malformed_request_gets_a_json_error_and_a_closed_connection(
    http: urllib3.PoolManager, mock_server: MockServer, request_: bytes, status: int, detail: str
) -> None:
    raw = exchange(mock_server, request_, request_bytes("GET", TASK))  # the second request is never answered
    found, headers, body = head_of(raw)
    assert found == status
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert set(error) == {"code", "detail"} and detail in error["detail"]
    assert int(headers["content-length"]) == len(body)  # and then the connection was closed
    assert mock_server.requests == []
    assert fetch(http, mock_server, TASK)[0] == 200


def test_an_idle_or_slow_connection_is_closed_after_the_read_timeout(mock_server: MockServer) -> None:
    with (
        socket.create_connection(("127.0.0.1", mock_server.port), timeout=15) as idle,
        socket.create_connection(("127.0.0.1", mock_server.port), timeout=15) as slow,
    ):
        slow.sendall(b"GET /api/v1/background-task HTTP/1.1\r\nHost: mock\r\n")  # and never the end
        # Each recv raises socket.timeout if the mock_server keeps the connection (and a thread) longer.
        assert idle.recv(1024) == b""
        assert slow.recv(1024) == b""


BIG_PAGE = f"{LIST}?limit=100"


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("gzip, deflate", "gzip"),
        ("deflate, gzip;q=0.5", "gzip"),
        ("gzip;q=0, deflate", "deflate"),
        ("GZIP", "gzip"),
        ("*", "gzip"),
        ("*, gzip;q=0", "deflate"),
        ("gzip;q=0", None),
        ("gzip;q=0.000, deflate;q=0", None),
        ("identity", None),
        ("br", None),
        (None, None),
    ],
)
def test_a_large_answer_is_compressed_as_the_client_accepts(
    http: urllib3.PoolManager, mock_server: MockServer, accept: Optional[str], coding: Optional[str]
) -> None:
    mock_server.add_tasks(20)
    plain = http.request("GET", mock_server.url + BIG_PAGE).data
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    answer = http.request("GET", mock_server.url + BIG_PAGE, headers=headers, decode_content=False)
    assert len(plain) > 1024
    assert answer.headers.get("Content-Encoding") == coding
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    decompress = {"gzip": gzip.decompress, "deflate": zlib.decompress, None: bytes}[coding]
    assert decompress(answer.data) == plain


def test_a_small_answer_is_sent_as_it_is(http: urllib3.PoolManager, mock_server: MockServer) -> None:
    answer = http.request(
        "GET", mock_server.url + TASK, headers={"Accept-Encoding": "gzip"}, decode_content=False
    )
    assert "Content-Encoding" not in answer.headers
    assert json.loads(answer.data)["id"] == SAMPLE_TASK_ID


def test_head_reports_the_compressed_length(mock_server: MockServer) -> None:
    mock_server.add_tasks(20)
    accept = "Accept-Encoding: gzip"
    raw = exchange(
        mock_server,
        request_bytes("HEAD", BIG_PAGE, accept),
        request_bytes("GET", BIG_PAGE, accept, "Connection: close"),
    )
    _, head_headers, rest = head_of(raw)
    _, get_headers, body = head_of(rest)
    assert head_headers["content-encoding"] == get_headers["content-encoding"] == "gzip"
    assert head_headers["content-length"] == get_headers["content-length"] == str(len(body))
    assert json.loads(gzip.decompress(body))["data"]


def test_a_body_the_test_already_encoded_is_sent_as_it_is(
    http: urllib3.PoolManager, mock_server: MockServer
) -> None:
    encoded = gzip.compress(json.dumps({"code": "x", "detail": "y" * 5000}).encode())
    mock_server.fail_next(
        500, body=encoded, headers={"Content-Encoding": "gzip"}, content_type="application/json"
    )
    answer = http.request(
        "GET", mock_server.url + LIST, headers={"Accept-Encoding": "gzip"}, decode_content=False
    )
    assert answer.data == encoded


def test_the_sdk_reads_the_same_pages(
    background_tasks_api: openapi_client.BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(20)
    seen: List[str] = []
    ascending = openapi_client.Ordering.ASCENDING
    page = background_tasks_api.list_background_tasks_api_v1_background_task_get(limit=6, order=ascending)
    seen += [task.id for task in page.data]
    while not page.done:
        page = background_tasks_api.list_background_tasks_api_v1_background_task_get(
            limit=6, order=ascending, iterator=page.iterator
        )
        seen += [task.id for task in page.data]
    assert seen == mock_server.task_ids


def test_the_sdk_decodes_the_422_when_client_side_checks_are_off(mock_server: MockServer) -> None:
    configuration = openapi_client.Configuration(host=mock_server.url)
    configuration.client_side_validation = False
    with (
        openapi_client.ApiClient(configuration) as client,
        pytest.raises(openapi_client.UnprocessableEntityException) as caught,
    ):
        openapi_client.BackgroundTasksApi(client).list_background_tasks_api_v1_background_task_get(limit=500)
    assert isinstance(caught.value.data, openapi_client.HTTPValidationError)
    assert caught.value.data.detail[0].loc == ["query", "limit"]


def test_the_sdk_raises_not_found_with_the_parsed_body(
    background_tasks_api: openapi_client.BackgroundTasksApi,
) -> None:
    with pytest.raises(openapi_client.NotFoundException) as caught:
        background_tasks_api.get_background_task_api_v1_background_task_task_id_get(UNKNOWN_ID)
    assert caught.value.status == 404
    assert caught.value.data is not None and caught.value.data.code == "not_found"


def test_the_sdk_sends_its_access_token_to_a_token_server() -> None:
    with MockServer(token="s3cret") as server:
        with (
            openapi_client.ApiClient(openapi_client.Configuration(host=server.url)) as client,
            pytest.raises(openapi_client.UnauthorizedException) as caught,
        ):
            openapi_client.BackgroundTasksApi(client).get_background_task_api_v1_background_task_task_id_get(
                SAMPLE_TASK_ID
            )
        assert caught.value.status == 401

        configuration = openapi_client.Configuration(host=server.url, access_token="s3cret")
        with openapi_client.ApiClient(configuration) as client:
            api = openapi_client.BackgroundTasksApi(client)
            task = api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
        assert task.id == SAMPLE_TASK_ID


# -- the test API: tasks, finish_after, faults, recording, reset, lifecycle ---------------------------


def test_added_tasks_have_real_looking_ids_and_sort_after_the_samples(mock_server: MockServer) -> None:
    added = mock_server.add_tasks(3, status="running", task="sdk.generate")
    assert all(re.fullmatch(r"qtask_[0-9A-Za-z]{27}", task["id"]) for task in added)
    assert mock_server.task_ids[-3:] == [task["id"] for task in added]
    assert {(task["status"], task["task"]) for task in added} == {("running", "sdk.generate")}
    assert SAMPLE_TASK_ID in mock_server.task_ids[:5]


def test_added_tasks_take_snake_case_or_wire_names_and_extra_fields(mock_server: MockServer) -> None:
    task = mock_server.add_task(
        updated_at="2025-01-01T00:00:00Z", status=openapi_client.BackgroundTaskStatus.FAILED, newField=1
    )
    assert mock_server.task(task["id"]) == task
    assert (task["updatedAt"], task["status"], task["newField"]) == ("2025-01-01T00:00:00Z", "failed", 1)


def test_finish_after_reads_running_for_exactly_that_many_gets(
    background_tasks_api: openapi_client.BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.finish_after(SAMPLE_TASK_ID, 3)
    get = background_tasks_api.get_background_task_api_v1_background_task_task_id_get
    seen = [get(SAMPLE_TASK_ID).status.value]
    background_tasks_api.list_background_tasks_api_v1_background_task_get()  # a list is not a poll
    seen += [get(SAMPLE_TASK_ID).status.value for _ in range(4)]
    assert seen == ["running", "running", "running", "finished", "finished"]


def test_finish_after_can_end_in_another_status_or_at_once(
    background_tasks_api: openapi_client.BackgroundTasksApi, mock_server: MockServer
) -> None:
    get = background_tasks_api.get_background_task_api_v1_background_task_task_id_get
    mock_server.finish_after(SAMPLE_TASK_ID, 1, status="failed")
    assert [get(SAMPLE_TASK_ID).status.value for _ in range(2)] == ["running", "failed"]
    mock_server.finish_after(SAMPLE_TASK_ID, 0)
    assert get(SAMPLE_TASK_ID).status == openapi_client.BackgroundTaskStatus.FINISHED


def test_requests_records_what_was_sent(http: urllib3.PoolManager, mock_server: MockServer) -> None:
    http.request(
        "GET",
        f"{mock_server.url}{LIST}/?limit=2&status=running&status=failed",
        headers={"Authorization": "Bearer t", "X-Trace": "1"},
    )
    http.request("GET", f"{mock_server.url}{LIST}/qtask%2F1")
    http.request("DELETE", f"{mock_server.url}{TASK}")
    first, second, third = mock_server.requests
    assert first.method == "GET"
    assert first.path == f"{LIST}/"
    assert first.query == {"limit": "2", "status": "failed"}  # the last value wins
    assert first.headers["authorization"] == "Bearer t" and "x-trace" in first.headers
    assert first.target == f"{LIST}/?limit=2&status=running&status=failed"
    assert second.path == f"{LIST}/qtask%2F1"  # still percent-encoded, as sent
    assert (third.method, third.path) == ("DELETE", TASK)


def test_faults_apply_to_the_next_requests_in_order_and_are_recorded(
    http: urllib3.PoolManager, mock_server: MockServer
) -> None:
    mock_server.fail_next(503, times=2, headers={"Retry-After": "1"})
    mock_server.malformed_next()
    mock_server.fail_next(502, body="<html>bad gateway</html>")
    assert mock_server.pending_faults == 4
    answers = [http.request("GET", mock_server.url + LIST) for _ in range(5)]
    assert [answer.status for answer in answers] == [503, 503, 200, 502, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert json.loads(answers[0].data) == {"code": "service_unavailable", "detail": "Service Unavailable"}
    with pytest.raises(ValueError):
        json.loads(answers[2].data)
    assert answers[3].headers["Content-Type"] == "text/html; charset=utf-8"
    assert json.loads(answers[4].data)["data"]
    assert len(mock_server.requests) == 5 and mock_server.pending_faults == 0


def test_a_dropped_answer_sends_half_the_body_then_closes(mock_server: MockServer) -> None:
    whole = exchange(mock_server, request_bytes("GET", TASK, "Connection: close"))
    mock_server.drop_next()
    status, headers, body = head_of(exchange(mock_server, request_bytes("GET", TASK)))
    assert status == 200
    assert body == head_of(whole)[2][: int(headers["content-length"]) // 2]


def test_stop_cuts_a_delayed_answer_and_open_connections_short(mock_server: MockServer) -> None:
    mock_server.delay_next(60)
    idle = socket.create_connection(("127.0.0.1", mock_server.port), timeout=15)
    waiting = socket.create_connection(("127.0.0.1", mock_server.port), timeout=15)
    waiting.sendall(request_bytes("GET", TASK))
    while not mock_server.requests:
        threading.Event().wait(0.01)
    mock_server.stop()
    with idle, waiting:
        assert waiting.recv(1024) == b""  # the connection closed, with no answer
        assert idle.recv(1024) == b""


def test_connections_counts_what_the_server_accepted(mock_server: MockServer) -> None:
    with urllib3.PoolManager() as first, urllib3.PoolManager() as second:
        for _ in range(3):
            first.request("GET", mock_server.url + TASK)
        second.request("GET", mock_server.url + TASK)
    assert mock_server.connections == 2


def test_a_burst_of_connections_is_accepted_without_stalling(mock_server: MockServer) -> None:
    # Connects beyond the listen backlog wait for their SYN to be resent: a second or more. The
    # backlog holds 128; a burst of 120 must not wait, however slowly the server accepts.
    slowest: List[float] = []

    def connect_many() -> None:
        for _ in range(15):
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", mock_server.port), timeout=10):
                slowest.append(time.monotonic() - started)

    threads = [threading.Thread(target=connect_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slowest) == 120
    assert max(slowest) < 0.9


def test_reset_brings_back_the_starting_state(http: urllib3.PoolManager, mock_server: MockServer) -> None:
    samples = {task_id: mock_server.task(task_id) for task_id in mock_server.task_ids}
    mock_server.add_tasks(10)
    mock_server.finish_after(SAMPLE_TASK_ID, 5, status="failed")
    fetch(http, mock_server)
    mock_server.fail_next(500, times=3)

    mock_server.reset()

    assert mock_server.requests == [] and mock_server.pending_faults == 0 and mock_server.connections == 0
    assert {task_id: mock_server.task(task_id) for task_id in mock_server.task_ids} == samples
    status, page = fetch(http, mock_server, TASK)
    assert (status, page["status"]) == (200, "finished")
    assert mock_server.add_task()["id"] == "qtask_2" + "1".rjust(26, "0")  # ids start over too


_bad = pytest.param
BAD_TEST_API_CALLS = [
    _bad(lambda s: s.fail_next("503"), ApiTypeError, "status must be a whole number", id="status-str"),
    _bad(lambda s: s.fail_next(99), ApiValueError, "status must be from 200 to 599", id="status-99"),
    _bad(lambda s: s.fail_next(600), ApiValueError, "status must be from 200 to 599", id="status-600"),
    _bad(lambda s: s.fail_next(200.5), ApiTypeError, "status must be a whole number", id="status-float"),
    _bad(lambda s: s.fail_next(True), ApiTypeError, "status must be a whole number", id="status-bool"),
    _bad(lambda s: s.fail_next(503, times=0), ApiValueError, "times must be 1 or more", id="times-0"),
    _bad(lambda s: s.fail_next(503, times="2"), ApiTypeError, "times must be", id="times-str"),
    _bad(lambda s: s.fail_next(503, body=42), ApiTypeError, "body must be", id="body-int"),
    _bad(lambda s: s.fail_next(503, body={"at": object()}), ApiTypeError, "body must be", id="body-not-json"),
    _bad(
        lambda s: s.fail_next(429, headers={"Retry-After": 30}), ApiTypeError, "headers must", id="header-int"
    ),
    _bad(
        lambda s: s.fail_next(429, headers=["Retry-After"]), ApiTypeError, "headers must", id="headers-list"
    ),
    _bad(
        lambda s: s.fail_next(429, headers={"X": "1\r\nY: 2"}), ApiValueError, "line break", id="header-crlf"
    ),
    _bad(
        lambda s: s.fail_next(500, content_type=1), ApiTypeError, "content_type must be a str", id="type-int"
    ),
    _bad(lambda s: s.delay_next(-1), ApiValueError, "seconds must be a finite number", id="delay-negative"),
    _bad(lambda s: s.delay_next("x"), ApiTypeError, "seconds must be a number", id="delay-str"),
    _bad(lambda s: s.delay_next(math.nan), ApiValueError, "seconds must be", id="delay-nan"),
    _bad(lambda s: s.drop_next(times=0), ApiValueError, "times must be 1 or more", id="drop-0"),
    _bad(lambda s: s.malformed_next(times=-1), ApiValueError, "times must be", id="malformed--1"),
    _bad(lambda s: s.add_tasks(-1), ApiValueError, "n must be 0 or more", id="add-tasks-negative"),
    _bad(lambda s: s.add_tasks("3"), ApiTypeError, "n must be a whole number", id="add-tasks-str"),
    _bad(lambda s: s.add_tasks(2, status=1), ApiTypeError, "status must be a str", id="add-tasks-status"),
    _bad(lambda s: s.add_task(id=""), ApiValueError, "task id must be a non-empty string", id="empty-id"),
    _bad(
        lambda s: s.finish_after("qtask_missing", 1),
        ApiKeyError,
        "no task 'qtask_missing'",
        id="finish-after-missing",
    ),
    _bad(
        lambda s: s.finish_after(SAMPLE_TASK_ID, -1),
        ApiValueError,
        "polls must be 0 or more",
        id="finish-after-negative",
    ),
    _bad(
        lambda s: s.finish_after(SAMPLE_TASK_ID, 1.5), ApiTypeError, "polls must be", id="finish-after-float"
    ),
    _bad(lambda s: s.task("qtask_missing"), ApiKeyError, "no task 'qtask_missing'", id="task-missing"),
]


@pytest.mark.parametrize(("bad_call", "error", "message"), BAD_TEST_API_CALLS)
def test_the_test_api_refuses_bad_arguments_at_the_call(
    http: urllib3.PoolManager,
    mock_server: MockServer,
    bad_call: Callable[[MockServer], Any],
    error: Type[Exception],
    message: str,
) -> None:
    before = {task_id: mock_server.task(task_id) for task_id in mock_server.task_ids}
    with pytest.raises(error, match=re.escape(message)):
        bad_call(mock_server)
    # Refused means nothing was queued or changed: the mock_server still answers as before.
    assert mock_server.pending_faults == 0
    assert {task_id: mock_server.task(task_id) for task_id in mock_server.task_ids} == before
    assert fetch(http, mock_server, TASK) == (200, before[SAMPLE_TASK_ID])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sample_tasks": 6}, "sample_tasks must be from 0 to 5"),
        ({"port": 70000}, "port must be from 0 to 65535"),
        ({"token": 5}, "token must be a str or None"),
    ],
)
def test_the_constructor_refuses_bad_arguments(options: Dict[str, Any], message: str) -> None:
    with pytest.raises((ApiTypeError, ApiValueError), match=message):
        MockServer(**options)


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


# -- python -m openapi_client.testing ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(*args: str) -> Tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "openapi_client.testing", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"(http://\S+)", banner)
    assert match, (banner, process.stderr.read() if process.stderr else "")
    return process, match.group(1), process.stdout.readline()


def test_the_module_serves_until_ctrl_c_then_exits_0(http: urllib3.PoolManager) -> None:
    port = _free_port()
    process, url, hint = _start("--port", str(port), "--tasks", "7", "--token", "t0k")
    try:
        assert url == f"http://127.0.0.1:{port}"
        configuration = openapi_client.Configuration(host=url, access_token="t0k")
        with openapi_client.ApiClient(configuration) as client:
            api = openapi_client.BackgroundTasksApi(client)
            page = api.list_background_tasks_api_v1_background_task_get(limit=250)
            assert len(page.data) == 12
            task = api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
            assert task.id == SAMPLE_TASK_ID
        with (
            openapi_client.ApiClient(openapi_client.Configuration(host=url)) as client,
            pytest.raises(openapi_client.UnauthorizedException),
        ):
            openapi_client.BackgroundTasksApi(client).get_background_task_api_v1_background_task_task_id_get(
                SAMPLE_TASK_ID
            )
        # The URL the banner suggests for curl works as given.
        suggested = re.search(r"curl '(\S+)'", hint)
        assert suggested is not None
        answer = http.request("GET", suggested.group(1), headers={"Authorization": "Bearer t0k"})
        assert len(json.loads(answer.data)["data"]) == 2
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and "t0k" not in out + err + hint


def test_the_module_without_samples_and_on_sigterm() -> None:
    process, url, _ = _start("--port", "0", "--no-samples", "--tasks", "2")
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
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == f"cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--port", port, "a port number from 0 to 65535") for port in ("99999", "65536", "-1", "x", "80.5")]
    + [("--tasks", "-2", "a whole number, 0 or more"), ("--tasks", "many", "a whole number, 0 or more")],
)
def test_the_module_refuses_a_bad_number_in_one_line(option: str, value: str, expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "openapi_client.testing", option, value],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"python -m openapi_client.testing: error: argument {option}: expected {expected}; got '{value}'"
    )


def test_the_module_reports_an_address_it_cannot_bind_in_one_line() -> None:
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of this machine.
    result = subprocess.run(
        [sys.executable, "-m", "openapi_client.testing", "--host", "192.0.2.1", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "cannot listen on 192.0.2.1:0: Cannot assign requested address"
