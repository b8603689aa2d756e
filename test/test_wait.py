"""wait() over real sockets: finished, failed, never finishing, and a server that stops answering."""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, List

import pytest

import openapi_client
from openapi_client import BackgroundTaskOut, BackgroundTaskStatus, TaskFailedError, TaskWaitTimeoutError
from openapi_client.api._polling import MAX_POLL_INTERVAL, POLL_GROWTH, poll_delays
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

RUNNING_SAMPLE = "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR"
FAILED_SAMPLE = "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7"
#: Generous for a loaded 2-core machine; the waits below are 0.3-0.5 s.
SLACK = 2.5


def test_a_finished_task_is_returned_after_one_poll(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    task = api.wait(SAMPLE_TASK_ID)
    assert task.id == SAMPLE_TASK_ID and task.status == BackgroundTaskStatus.FINISHED
    assert len(server.requests) == 1


def test_polls_until_the_task_finishes(api: openapi_client.BackgroundTasksApi, server: MockServer) -> None:
    server.finish_after(RUNNING_SAMPLE, 3)
    seen: List[BackgroundTaskOut] = []

    task = api.wait(RUNNING_SAMPLE, poll_interval=0.01, on_poll=seen.append)

    assert task.status == BackgroundTaskStatus.FINISHED
    assert [t.status for t in seen] == [BackgroundTaskStatus.RUNNING] * 3
    assert len(server.requests) == 4
    assert {r.path for r in server.requests} == {f"/api/v1/background-task/{RUNNING_SAMPLE}/"}


def test_a_failed_task_raises_with_the_task(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    with pytest.raises(TaskFailedError) as caught:
        api.wait(FAILED_SAMPLE)
    assert caught.value.task.id == FAILED_SAMPLE
    assert caught.value.task.status == BackgroundTaskStatus.FAILED
    assert FAILED_SAMPLE in str(caught.value)

    server.finish_after(SAMPLE_TASK_ID, 1, status="failed")
    with pytest.raises(TaskFailedError) as caught:
        api.wait(SAMPLE_TASK_ID, poll_interval=0.01)
    assert caught.value.task.status == BackgroundTaskStatus.FAILED
    assert len(server.requests) == 1 + 2


def test_a_status_this_client_does_not_know_ends_the_wait(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    paused = server.add_task(status="paused")
    task = api.wait(paused["id"])
    assert task.status == "paused" and not task.status.is_known


def test_a_task_that_never_finishes_times_out_with_the_last_task_seen(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    started = time.monotonic()
    with pytest.raises(TaskWaitTimeoutError) as caught:
        api.wait(RUNNING_SAMPLE, timeout=0.5, poll_interval=0.05)
    elapsed = time.monotonic() - started

    assert elapsed < 0.5 + SLACK
    assert caught.value.task.id == RUNNING_SAMPLE
    assert caught.value.task.status == BackgroundTaskStatus.RUNNING
    assert isinstance(caught.value, openapi_client.ApiTimeoutError)
    # The interval grows: a fixed 0.05 s interval would need 11 polls for 0.5 s.
    assert 2 <= len(server.requests) <= 8


def test_timeout_zero_polls_exactly_once(api: openapi_client.BackgroundTasksApi, server: MockServer) -> None:
    with pytest.raises(TaskWaitTimeoutError):
        api.wait(RUNNING_SAMPLE, timeout=0)
    assert len(server.requests) == 1
    assert api.wait(SAMPLE_TASK_ID, timeout=0).id == SAMPLE_TASK_ID


def test_a_server_that_stops_answering_cannot_hold_the_wait_past_its_bound(
    api: openapi_client.BackgroundTasksApi, server: MockServer
) -> None:
    server.delay_next(30, times=5)
    started = time.monotonic()
    with pytest.raises(TaskWaitTimeoutError) as caught:
        api.wait(RUNNING_SAMPLE, timeout=0.3)
    # Each poll gets at least LAST_POLL_BUDGET (1 s) to be answered.
    assert time.monotonic() - started < 1.0 + SLACK
    assert caught.value.task is None
    assert isinstance(caught.value.__cause__, openapi_client.ApiTimeoutError)


def test_a_missing_task_raises_not_found(api: openapi_client.BackgroundTasksApi) -> None:
    with pytest.raises(openapi_client.NotFoundException):
        api.wait("qtask_does_not_exist")


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"task_id": None}, openapi_client.ApiTypeError),
        ({"timeout": -1}, openapi_client.ApiValueError),
        ({"timeout": float("nan")}, openapi_client.ApiValueError),
        ({"timeout": "5"}, openapi_client.ApiTypeError),
        ({"poll_interval": 0}, openapi_client.ApiValueError),
        ({"poll_interval": float("inf")}, openapi_client.ApiValueError),
        ({"poll_interval": True}, openapi_client.ApiTypeError),
        ({"on_poll": "print"}, openapi_client.ApiTypeError),
        ({"_bogus_option": 1}, openapi_client.ApiTypeError),
    ],
)
def test_bad_arguments_are_refused_before_sending(
    api: openapi_client.BackgroundTasksApi, server: MockServer, arguments: Dict[str, Any], error: type
) -> None:
    call: Dict[str, Any] = {"task_id": RUNNING_SAMPLE, **arguments}
    with pytest.raises(error):
        api.wait(**call)
    assert server.requests == []


def test_poll_interval_grows_by_half_each_time_up_to_the_cap() -> None:
    delays = list(itertools.islice(poll_delays(1.0), 9))
    assert delays[:4] == [1.0, 1.5, 2.25, 3.375]
    for earlier, later in zip(delays, delays[1:]):
        assert later == min(earlier * POLL_GROWTH, MAX_POLL_INTERVAL)
    assert delays[-1] == MAX_POLL_INTERVAL
    assert list(itertools.islice(poll_delays(30.0), 3)) == [30.0, 30.0, 30.0]
