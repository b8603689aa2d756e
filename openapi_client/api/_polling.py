"""Polling a task until it stops running: a gently growing interval, and a hard deadline."""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Iterator, Optional, TypeVar

from openapi_client._checks import check_seconds
from openapi_client.api_client import Call
from openapi_client.exceptions import ApiTimeoutError, ApiTypeError, TaskFailedError, TaskWaitTimeoutError
from openapi_client.models import BackgroundTaskOut, BackgroundTaskStatus

T = TypeVar("T")

#: Each wait between polls is this many times the one before ...
POLL_GROWTH = 1.5
#: ... up to this many seconds (or the caller's ``poll_interval``, if that is longer).
MAX_POLL_INTERVAL = 10.0
#: Seconds a poll may take when it starts at (or just before) the deadline.
LAST_POLL_BUDGET = 1.0

OnPoll = Callable[[BackgroundTaskOut], Any]


def poll_delays(poll_interval: float) -> Iterator[float]:
    """The waits between polls: ``poll_interval``, then :data:`POLL_GROWTH` times longer each time, capped."""
    cap = max(poll_interval, MAX_POLL_INTERVAL)
    delay = poll_interval
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, cap)


def check_wait_arguments(timeout: Any, poll_interval: Any, on_poll: Any) -> None:
    """Refuse what :func:`poll_until_settled` cannot honour, before anything is sent."""
    check_seconds("timeout", timeout, zero_ok=True)
    check_seconds("poll_interval", poll_interval)
    if on_poll is not None and not callable(on_poll):
        raise ApiTypeError(f"on_poll must be callable, not {type(on_poll).__name__}", ["on_poll"])


def within(call: Call[T], seconds: float, configured: Optional[float]) -> Call[T]:
    """``call`` with a deadline no later than ``seconds`` (nor the caller's or configured one)."""
    limits = (seconds, call.options.get("_request_deadline"), configured)
    deadline = min(limit for limit in limits if limit is not None)
    return dataclasses.replace(call, options={**call.options, "_request_deadline": deadline})


def poll_until_settled(task_id: str, fetch: Callable[[float], BackgroundTaskOut], *, timeout: float,
                       poll_interval: float, on_poll: Optional[OnPoll] = None,
                       clock: Callable[[], float] = time.monotonic,
                       sleep: Callable[[float], Any] = time.sleep) -> BackgroundTaskOut:
    """Call ``fetch(seconds_left)`` until the task is not ``running`` (see
    ``BackgroundTasksApi.wait``), reading the time with ``clock`` and waiting with ``sleep``."""
    deadline = clock() + timeout
    delays = poll_delays(poll_interval)
    last_seen: Optional[BackgroundTaskOut] = None
    while True:
        try:
            task = fetch(max(deadline - clock(), LAST_POLL_BUDGET))
        except ApiTimeoutError as exc:
            if clock() < deadline:
                raise
            raise TaskWaitTimeoutError(
                f"gave up waiting for task {task_id} after {timeout:g}s: the last poll got no answer "
                "in time",
                task=last_seen,
            ) from exc
        if task.status == BackgroundTaskStatus.FAILED:
            raise TaskFailedError(f"task {task.id} ({task.task}) failed", task=task)
        if task.status != BackgroundTaskStatus.RUNNING:
            return task
        last_seen = task
        if on_poll is not None:
            on_poll(task)
        remaining = deadline - clock()
        if remaining <= 0:
            raise TaskWaitTimeoutError(
                f"task {task_id} ({task.task}) was still running after {timeout:g}s", task=task
            )
        sleep(min(next(delays), remaining))
