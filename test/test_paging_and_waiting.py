"""list_all() walking the pages and wait() polling a task.

Both over real sockets against MockServer; the polling policy itself (the interval growing to
its cap, no sleep past the timeout, the time each poll is given) is checked on
``poll_until_settled`` with a clock that moves only when slept on, so no test sleeps for it.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import openapi_client
from openapi_client import (
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BackgroundTaskOut,
    BackgroundTasksApi,
    BackgroundTaskStatus,
    BackgroundTaskType,
    Ordering,
    PaginationError,
    TaskFailedError,
    TaskWaitTimeoutError,
)
from openapi_client.api._polling import LAST_POLL_BUDGET, MAX_POLL_INTERVAL, poll_until_settled
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

LIST_PATH = "/api/v1/background-task/"
RUNNING_SAMPLE = "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR"
FAILED_SAMPLE = "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7"


# -- list_all --------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["descending", "ascending"])
def test_list_all_yields_every_task_once_in_order_with_one_request_per_page(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, order: str
) -> None:
    mock_server.add_tasks(300)
    expected = mock_server.task_ids if order == "ascending" else mock_server.task_ids[::-1]

    assert [task.id for task in background_tasks_api.list_all(limit=7, order=order)] == expected

    sent = mock_server.requests
    assert len(sent) == math.ceil(len(expected) / 7)
    assert {(request.path, request.query["limit"], request.query["order"]) for request in sent} == {
        (LIST_PATH, "7", order)
    }
    cursors = [request.query.get("iterator") for request in sent]
    assert cursors[0] is None and len(set(cursors[1:])) == len(cursors) - 1


@pytest.mark.parametrize(("limit", "sent_limit", "pages"), [(None, "250", 2), (100, "100", 5)])
def test_list_all_asks_for_250_per_page_unless_given_a_limit(
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    limit: Optional[int],
    sent_limit: str,
    pages: int,
) -> None:
    mock_server.add_tasks(495)
    assert sum(1 for _ in background_tasks_api.list_all(limit=limit)) == 500
    assert [request.query["limit"] for request in mock_server.requests] == [sent_limit] * pages


def test_filters_and_order_are_sent_with_every_page(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(300)
    wanted = [
        task_id
        for task_id in mock_server.task_ids
        if mock_server.task(task_id)["status"] == "failed"
        and mock_server.task(task_id)["task"] == "endpoint.replay"
    ]
    assert len(wanted) > 9  # several pages of 3

    tasks = list(
        background_tasks_api.list_all(
            limit=3, order=Ordering.ASCENDING, status=BackgroundTaskStatus.FAILED, task="endpoint.replay"
        )
    )

    assert [task.id for task in tasks] == wanted
    assert {task.task for task in tasks} == {BackgroundTaskType.ENDPOINT_DOT_REPLAY}
    assert len(mock_server.requests) == math.ceil(len(wanted) / 3)
    for request in mock_server.requests:
        assert (request.query["status"], request.query["task"], request.query["order"]) == (
            "failed",
            "endpoint.replay",
            "ascending",
        )


def test_nothing_is_sent_until_the_first_task_is_asked_for(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    tasks = background_tasks_api.list_all(limit=2)
    assert mock_server.requests == []
    next(tasks)
    assert len(mock_server.requests) == 1


@pytest.mark.parametrize(("taken", "requests"), [(10, 1), (11, 2)])
def test_stopping_early_sends_no_further_request(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, taken: int, requests: int
) -> None:
    mock_server.add_tasks(100)
    assert len(list(itertools.islice(background_tasks_api.list_all(limit=10), taken))) == taken
    assert len(mock_server.requests) == requests


def page(server: MockServer, count: int, iterator: Optional[str]) -> Dict[str, Any]:
    """A page that is not done: the first ``count`` sample tasks and ``iterator``."""
    return {
        "data": [server.task(task_id) for task_id in server.task_ids[:count]],
        "done": False,
        "iterator": iterator,
    }


#: Pages a broken server hands out, as (tasks on the page, its iterator); the cursors asked with;
#: and what the PaginationError says.
CURSOR_LOOPS: Dict[str, Tuple[List[Tuple[int, Optional[str]]], List[Optional[str]], str]] = {
    "a cursor handed back twice": (
        [(1, "c-1"), (1, "c-2"), (1, "c-1")],
        [None, "c-1", "c-2"],
        "'c-1', which was already used",
    ),
    "the cursor it was asked with": (
        [(1, "stuck"), (1, "stuck")],
        [None, "stuck"],
        "'stuck', which was already used",
    ),
    "an empty page not done": ([(0, "fresh")], [None], "has no tasks"),
    "a page not done without a cursor": ([(1, None)], [None], "has no iterator"),
}


@pytest.mark.parametrize(("pages", "cursors", "message"), CURSOR_LOOPS.values(), ids=CURSOR_LOOPS.keys())
def test_a_server_whose_cursors_would_loop_forever_raises_pagination_error(
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    pages: List[Tuple[int, Optional[str]]],
    cursors: List[Optional[str]],
    message: str,
) -> None:
    for count, iterator in pages:
        mock_server.fail_next(200, body=page(mock_server, count, iterator))
    seen = []
    with pytest.raises(PaginationError, match=message):
        for task in background_tasks_api.list_all(limit=1):
            seen.append(task.id)
    assert len(seen) == sum(count for count, _ in pages)
    assert [request.query.get("iterator") for request in mock_server.requests] == cursors


def test_an_error_answer_midway_raises_its_exception(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(20)
    tasks = background_tasks_api.list_all(limit=10)
    assert len(list(itertools.islice(tasks, 10))) == 10
    mock_server.fail_next(503, times=3)
    with pytest.raises(openapi_client.ServiceException):
        next(tasks)


@pytest.mark.parametrize(
    "arguments", [{"limit": 0}, {"limit": 251}, {"limit": "10"}, {"order": "sideways"}, {"status": 3}]
)
def test_bad_list_all_arguments_are_refused_by_the_call(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, arguments: Dict[str, Any]
) -> None:
    with pytest.raises((ApiValueError, ApiTypeError)):
        background_tasks_api.list_all(**arguments)
    assert mock_server.requests == []


@pytest.mark.parametrize("options", [{"_bogus": 1}, {"_headers": ["X-A"]}, {"_request_timeout": "x"}])
def test_bad_list_all_options_are_refused_when_the_first_task_is_asked_for(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, options: Dict[str, Any]
) -> None:
    tasks = background_tasks_api.list_all(limit=2, **options)
    with pytest.raises((ApiValueError, ApiTypeError)):
        next(tasks)
    assert mock_server.requests == []


# -- wait, over the wire ---------------------------------------------------------------------


def test_wait_returns_a_finished_task_after_one_poll(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    task = background_tasks_api.wait(SAMPLE_TASK_ID)
    assert (task.id, task.status) == (SAMPLE_TASK_ID, BackgroundTaskStatus.FINISHED)
    assert len(mock_server.requests) == 1


def test_wait_polls_until_the_task_finishes(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.finish_after(RUNNING_SAMPLE, 3)
    seen: List[BackgroundTaskOut] = []

    task = background_tasks_api.wait(RUNNING_SAMPLE, poll_interval=0.01, on_poll=seen.append)

    assert task.status == BackgroundTaskStatus.FINISHED
    assert [polled.status for polled in seen] == [BackgroundTaskStatus.RUNNING] * 3
    assert [request.path for request in mock_server.requests] == [f"{LIST_PATH}{RUNNING_SAMPLE}/"] * 4


@pytest.mark.parametrize(
    ("task_id", "polls"), [(FAILED_SAMPLE, 1), (RUNNING_SAMPLE, 2)], ids=["failed", "fails"]
)
def test_a_failed_task_raises_task_failed_error_with_the_task(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, task_id: str, polls: int
) -> None:
    mock_server.finish_after(RUNNING_SAMPLE, 1, status="failed")
    with pytest.raises(TaskFailedError) as caught:
        background_tasks_api.wait(task_id, poll_interval=0.01)
    assert caught.value.task is not None
    assert (caught.value.task.id, caught.value.task.status) == (task_id, BackgroundTaskStatus.FAILED)
    assert task_id in str(caught.value)
    assert len(mock_server.requests) == polls


def test_a_task_that_never_finishes_times_out_with_the_last_task_seen(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    with pytest.raises(TaskWaitTimeoutError) as caught:
        background_tasks_api.wait(RUNNING_SAMPLE, timeout=0.2, poll_interval=0.05)
    assert caught.value.task is not None
    assert (caught.value.task.id, caught.value.task.status) == (RUNNING_SAMPLE, BackgroundTaskStatus.RUNNING)
    assert isinstance(caught.value, ApiTimeoutError)
    assert len(mock_server.requests) >= 2


def test_a_server_that_stops_answering_cannot_hold_the_wait_past_its_bound(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.delay_next(30, times=5)
    started = time.monotonic()
    with pytest.raises(TaskWaitTimeoutError) as caught:
        background_tasks_api.wait(RUNNING_SAMPLE, timeout=0.3)
    # The last poll gets LAST_POLL_BUDGET to be answered, and no more.
    assert time.monotonic() - started < LAST_POLL_BUDGET + 1.0
    assert caught.value.task is None
    assert isinstance(caught.value.__cause__, ApiTimeoutError)


def test_a_status_this_client_does_not_know_ends_the_wait(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    paused = mock_server.add_task(status="paused")
    task = background_tasks_api.wait(paused["id"])
    assert task.status == "paused" and not task.status.is_known


def test_waiting_for_a_missing_task_raises_not_found(background_tasks_api: BackgroundTasksApi) -> None:
    with pytest.raises(openapi_client.NotFoundException):
        background_tasks_api.wait("qtask_does_not_exist")


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"task_id": None}, ApiTypeError),
        ({"timeout": -1}, ApiValueError),
        ({"timeout": float("nan")}, ApiValueError),
        ({"timeout": "5"}, ApiTypeError),
        ({"poll_interval": 0}, ApiValueError),
        ({"poll_interval": float("inf")}, ApiValueError),
        ({"poll_interval": True}, ApiTypeError),
        ({"on_poll": "print"}, ApiTypeError),
        ({"_bogus_option": 1}, ApiTypeError),
    ],
)
def test_bad_wait_arguments_are_refused_before_sending(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, arguments: Dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        background_tasks_api.wait(**{"task_id": RUNNING_SAMPLE, **arguments})
    assert mock_server.requests == []


# -- the polling policy, on a clock that moves only when slept on ----------------------------


class FakeTime:
    """A clock that stands still except when slept on; it records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: List[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def a_task(status: str) -> BackgroundTaskOut:
    return BackgroundTaskOut.from_dict(
        {"id": RUNNING_SAMPLE, "status": status, "task": "endpoint.replay", "data": {}}
    )


def server_saying(
    *statuses: str, given: Optional[List[float]] = None
) -> Callable[[float], BackgroundTaskOut]:
    """A ``fetch`` answering with these statuses in turn (then the last one for ever), noting
    in ``given`` the seconds each poll is given."""
    answers = itertools.chain(statuses, itertools.repeat(statuses[-1]))

    def fetch(seconds_left: float) -> BackgroundTaskOut:
        if given is not None:
            given.append(seconds_left)
        return a_task(next(answers))

    return fetch


def test_the_poll_interval_grows_by_half_each_time_up_to_the_cap() -> None:
    time_ = FakeTime()
    fetch = server_saying(*["running"] * 9, "finished")
    task = poll_until_settled(
        RUNNING_SAMPLE, fetch, timeout=1000, poll_interval=1, clock=time_.clock, sleep=time_.sleep
    )
    assert task.status == BackgroundTaskStatus.FINISHED
    assert time_.sleeps == [
        1.0,
        1.5,
        2.25,
        3.375,
        5.0625,
        7.59375,
        MAX_POLL_INTERVAL,
        MAX_POLL_INTERVAL,
        MAX_POLL_INTERVAL,
    ]


def test_a_poll_interval_longer_than_the_cap_is_kept() -> None:
    time_ = FakeTime()
    fetch = server_saying("running", "running", "running", "finished")
    poll_until_settled(
        RUNNING_SAMPLE, fetch, timeout=1000, poll_interval=30, clock=time_.clock, sleep=time_.sleep
    )
    assert time_.sleeps == [30.0, 30.0, 30.0]


def test_no_sleep_reaches_past_the_timeout_and_each_poll_gets_the_time_left_or_a_second() -> None:
    time_ = FakeTime()
    given: List[float] = []
    with pytest.raises(TaskWaitTimeoutError) as caught:
        poll_until_settled(
            RUNNING_SAMPLE,
            server_saying("running", given=given),
            timeout=5,
            poll_interval=1,
            clock=time_.clock,
            sleep=time_.sleep,
        )
    assert time_.sleeps == [1.0, 1.5, 2.25, 0.25]  # the last one cut to what was left of 5 s
    assert time_.now == 5.0
    assert given == [5.0, 4.0, 2.5, LAST_POLL_BUDGET, LAST_POLL_BUDGET]
    assert caught.value.task is not None and caught.value.task.status == BackgroundTaskStatus.RUNNING
    assert "still running after 5s" in str(caught.value)


@pytest.mark.parametrize(("status", "outcome"), [("finished", "returned"), ("running", "timed out")])
def test_timeout_0_polls_exactly_once(status: str, outcome: str) -> None:
    time_ = FakeTime()
    given: List[float] = []
    fetch = server_saying(status, given=given)
    if outcome == "returned":
        task = poll_until_settled(
            RUNNING_SAMPLE, fetch, timeout=0, poll_interval=1, clock=time_.clock, sleep=time_.sleep
        )
        assert task.status == BackgroundTaskStatus.FINISHED
    else:
        with pytest.raises(TaskWaitTimeoutError):
            poll_until_settled(
                RUNNING_SAMPLE, fetch, timeout=0, poll_interval=1, clock=time_.clock, sleep=time_.sleep
            )
    assert given == [LAST_POLL_BUDGET]
    assert time_.sleeps == []


@pytest.mark.parametrize("late", [True, False], ids=["after the timeout", "before the timeout"])
def test_a_poll_that_times_out_ends_the_wait_only_once_the_timeout_has_passed(late: bool) -> None:
    time_ = FakeTime()
    polls = itertools.count()
    cause = ApiTimeoutError("no answer in time")

    def fetch(seconds_left: float) -> BackgroundTaskOut:
        if next(polls) == 0:
            return a_task("running")
        time_.now += seconds_left if late else 0.5
        raise cause

    with pytest.raises(ApiTimeoutError) as caught:
        poll_until_settled(
            RUNNING_SAMPLE, fetch, timeout=3, poll_interval=1, clock=time_.clock, sleep=time_.sleep
        )
    if late:  # the wait's own error, with the last task seen and the poll's error as its cause
        assert isinstance(caught.value, TaskWaitTimeoutError)
        assert caught.value.task is not None and caught.value.task.status == BackgroundTaskStatus.RUNNING
        assert caught.value.__cause__ is cause
    else:  # the poll's own error: the server failed to answer while there was time
        assert caught.value is cause
