"""list() and list_all() over real sockets: every task once, in order, lazily, and never forever."""

from __future__ import annotations

import itertools
import math
from typing import Any, Dict, List, Optional

import pytest

import openapi_client
from openapi_client import BackgroundTaskStatus, BackgroundTaskType, Ordering, PaginationError
from openapi_client.testing import MockServer

LIST_PATH = "/api/v1/background-task/"


def _page(server: MockServer, ids: List[str], *, done: bool, iterator: Optional[str]) -> Dict[str, Any]:
    return {"data": [server.task(task_id) for task_id in ids], "done": done, "iterator": iterator}


@pytest.mark.parametrize("order", ["descending", "ascending"])
def test_list_all_yields_every_task_once_in_order_one_request_per_page(
    api: openapi_client.BackgroundTasksApi, server: MockServer, order: str
) -> None:
    server.add_tasks(300)
    expected = server.task_ids if order == "ascending" else server.task_ids[::-1]

    seen = [task.id for task in api.list_all(limit=7, order=order)]

    assert seen == expected
    assert len(server.requests) == math.ceil(len(expected) / 7)
    for request in server.requests:
        assert request.path == LIST_PATH
        assert request.query["limit"] == "7" and request.query["order"] == order
    cursors = [request.query.get("iterator") for request in server.requests]
    assert cursors[0] is None and len(set(cursors[1:])) == len(cursors) - 1


def test_list_all_without_limit_uses_the_server_default_page(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.add_tasks(120)
    assert sum(1 for _ in api.list_all()) == 125
    assert len(server.requests) == 3  # 50 + 50 + 25
    assert all("limit" not in request.query for request in server.requests)


def test_filters_and_order_are_sent_with_every_page(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.add_tasks(300)
    wanted = [
        task_id
        for task_id in server.task_ids
        if server.task(task_id)["status"] == "failed" and server.task(task_id)["task"] == "endpoint.replay"
    ]
    assert len(wanted) > 9  # enough for several pages of 3

    tasks = list(
        api.list_all(
            limit=3,
            order=Ordering.ASCENDING,
            status=BackgroundTaskStatus.FAILED,
            task="endpoint.replay",
        )
    )

    assert [task.id for task in tasks] == wanted
    assert all(task.task == BackgroundTaskType.ENDPOINT_DOT_REPLAY for task in tasks)
    assert len(server.requests) == math.ceil(len(wanted) / 3)
    for request in server.requests:
        assert request.query["status"] == "failed"
        assert request.query["task"] == "endpoint.replay"
        assert request.query["order"] == "ascending"


def test_list_sends_filters_only_when_given_and_takes_keywords_only(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    page = api.list(limit=2)
    assert set(server.requests[-1].query) == {"limit"}
    api.list(iterator=page.iterator, limit=2, status="finished", task=BackgroundTaskType.ENDPOINT_DOT_REPLAY)
    assert server.requests[-1].query == {
        "iterator": page.iterator,
        "limit": "2",
        "status": "finished",
        "task": "endpoint.replay",
    }
    with pytest.raises(TypeError):
        api.list(None, 2)  # type: ignore[misc]


def test_nothing_is_sent_until_the_first_task_is_asked_for(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    tasks = api.list_all(limit=2)
    assert server.requests == []
    next(tasks)
    assert len(server.requests) == 1


def test_stopping_early_sends_no_further_request(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.add_tasks(100)

    first_page = list(itertools.islice(api.list_all(limit=10), 10))
    assert len(first_page) == 10 and len(server.requests) == 1

    server.reset()
    server.add_tasks(100)
    for count, _task in enumerate(api.list_all(limit=10), start=1):
        if count == 12:
            break
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "arguments",
    [{"limit": 0}, {"limit": 251}, {"order": "sideways"}, {"status": 3}, {"limit": "10"}],
)
def test_bad_arguments_are_refused_when_list_all_is_called(
    api: openapi_client.BackgroundTasksApi, server: MockServer, arguments: Dict[str, Any]
) -> None:
    with pytest.raises((openapi_client.ApiValueError, openapi_client.ApiTypeError)):
        api.list_all(**arguments)
    assert server.requests == []


@pytest.mark.parametrize(
    "options", [{"_bogus": 1}, {"_headers": ["X-A"]}, {"_request_timeout": "x"}],
)
def test_bad_per_call_options_of_list_all_are_refused_before_anything_is_sent(
    api: openapi_client.BackgroundTasksApi, server: MockServer, options: Dict[str, Any]
) -> None:
    # As list_all's docstring says: checked when the first task is asked for, not by the call.
    tasks = api.list_all(limit=2, **options)
    with pytest.raises((openapi_client.ApiValueError, openapi_client.ApiTypeError)):
        next(tasks)
    assert server.requests == []


def test_a_cursor_handed_back_twice_raises_instead_of_looping(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    a, b, c = server.task_ids[:3]
    server.fail_next(200, body=_page(server, [a], done=False, iterator="cursor-1"))
    server.fail_next(200, body=_page(server, [b], done=False, iterator="cursor-2"))
    server.fail_next(200, body=_page(server, [c], done=False, iterator="cursor-1"))

    seen = []
    with pytest.raises(PaginationError, match="cursor-1"):
        for task in api.list_all(limit=1):
            seen.append(task.id)

    assert seen == [a, b, c]
    assert [request.query.get("iterator") for request in server.requests] == [None, "cursor-1", "cursor-2"]


def test_a_page_repeating_the_cursor_it_was_asked_with_raises(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    a = server.task_ids[0]
    server.fail_next(200, body=_page(server, [a], done=False, iterator="stuck"), times=2)
    with pytest.raises(PaginationError):
        list(api.list_all())
    assert len(server.requests) == 2


def test_an_empty_page_that_is_not_done_raises(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.fail_next(200, body=_page(server, [], done=False, iterator="fresh-cursor"))
    with pytest.raises(PaginationError, match="no tasks"):
        list(api.list_all())
    assert len(server.requests) == 1


def test_a_page_not_done_without_a_cursor_raises(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.fail_next(200, body=_page(server, server.task_ids[:1], done=False, iterator=None))
    with pytest.raises(PaginationError, match="no iterator"):
        list(api.list_all())
    assert len(server.requests) == 1


def test_an_error_page_midway_raises_the_status_exception(
    configuration: openapi_client.Configuration, server: MockServer
) -> None:
    server.add_tasks(20)
    configuration.retries = 0
    with openapi_client.ApiClient(configuration) as client:
        tasks = openapi_client.BackgroundTasksApi(client).list_all(limit=10)
        assert len(list(itertools.islice(tasks, 10))) == 10
        server.fail_next(503)
        with pytest.raises(openapi_client.ServiceException):
            next(tasks)
