"""The Background Tasks operations."""

from __future__ import annotations

from typing import Iterator, Optional, Union

from typing_extensions import Literal, Unpack

from openapi_client._checks import check_enum, check_int, check_str
from openapi_client.api._base import BaseApi, returns_data, returns_http_info, returns_raw
from openapi_client.api._paging import at_cursor, iterate_pages
from openapi_client.api._polling import OnPoll, check_wait_arguments, poll_until_settled, within
from openapi_client.api_client import Call, Endpoint, RequestOptions
from openapi_client.models import (
    BackgroundTaskOut,
    BackgroundTaskStatus,
    BackgroundTaskType,
    ListResponseBackgroundTaskOut,
    Ordering,
)

__all__ = ["BackgroundTasksApi", "OrderingSpec", "StatusSpec", "TaskSpec"]

GET_TASK = Endpoint("GET", "/api/v1/background-task/{task_id}/", BackgroundTaskOut)
LIST_TASKS = Endpoint("GET", "/api/v1/background-task/", ListResponseBackgroundTaskOut)
#: The page sizes the service accepts; ``list_all`` asks for the largest, to need fewer requests.
LIMIT_MIN, LIMIT_MAX = 1, 250
#: An order: the enum, or its value as a string.
OrderingSpec = Union[Ordering, Literal["ascending", "descending"]]
StatusSpec = Union[BackgroundTaskStatus, str]
TaskSpec = Union[BackgroundTaskType, str]


class BackgroundTasksApi(BaseApi):
    """Read the background tasks of your account: one by id, or a page at a time."""

    def _get(self, task_id: str, idempotency_key: Optional[str] = None,
             **options: Unpack[RequestOptions]) -> Call[BackgroundTaskOut]:
        """Get Background Task: get a background task by ID.

        :param task_id: The task's id (``qtask_...``); sent as one path segment, escaped.
        :param idempotency_key: The request's idempotency key, resent on every retry.
        :param options: Per-call options (``_request_timeout``, ``_request_retries``,
            ``_request_deadline``, ``_request_auth``, ``_headers``, ``_host_index``).
        :returns: The task.
        :raises NotFoundException: no task has that id.
        :raises ApiTypeError, ApiValueError: a bad argument; nothing was sent.
        """
        check_str("task_id", task_id)
        check_str("idempotency_key", idempotency_key, optional=True)
        return Call(GET_TASK, options, path_params={"task_id": task_id},
                    header_params={"idempotency-key": idempotency_key})

    def _list(self, iterator: Optional[str] = None, limit: Optional[int] = None,
              order: Optional[OrderingSpec] = None, idempotency_key: Optional[str] = None, *,
              status: Optional[StatusSpec] = None, task: Optional[TaskSpec] = None,
              **options: Unpack[RequestOptions]) -> Call[ListResponseBackgroundTaskOut]:
        """List Background Tasks: list background tasks executed in the past 90 days.

        :param iterator: The previous page's ``iterator``, to get the next page.
        :param limit: Tasks per page, 1 to 250 (the service's default is 50).
        :param order: ``Ordering.DESCENDING`` (newest first, the default) or ``ASCENDING``.
        :param idempotency_key: The request's idempotency key, resent on every retry.
        :param status: Only tasks with this status (sent only when given).
        :param task: Only tasks of this kind (sent only when given).
        :param options: Per-call options, as for :meth:`get`.
        :returns: One page: ``data``, ``done``, ``iterator``, ``prev_iterator``.
        :raises ApiTypeError, ApiValueError: a bad argument; nothing was sent.
        """
        check_str("iterator", iterator, optional=True)
        validating = self.api_client.configuration.client_side_validation
        low, high = (LIMIT_MIN, LIMIT_MAX) if validating else (None, None)
        check_int("limit", limit, low, high, optional=True)
        order = check_enum("order", order, Ordering, closed=validating)
        status = check_enum("status", status, BackgroundTaskStatus, closed=False)
        task = check_enum("task", task, BackgroundTaskType, closed=False)
        check_str("idempotency_key", idempotency_key, optional=True)
        query = (("iterator", iterator), ("limit", limit), ("order", order), ("status", status),
                 ("task", task))
        return Call(LIST_TASKS, options, query_params=query,
                    header_params={"idempotency-key": idempotency_key})

    get_background_task_api_v1_background_task_task_id_get = returns_data(_get)
    get_background_task_api_v1_background_task_task_id_get_with_http_info = returns_http_info(_get)
    get_background_task_api_v1_background_task_task_id_get_without_preload_content = returns_raw(_get)

    list_background_tasks_api_v1_background_task_get = returns_data(_list)
    list_background_tasks_api_v1_background_task_get_with_http_info = returns_http_info(_list)
    list_background_tasks_api_v1_background_task_get_without_preload_content = returns_raw(_list)

    def _list_by_keyword(self, *, iterator: Optional[str] = None, limit: Optional[int] = None,
                         order: Optional[OrderingSpec] = None, status: Optional[StatusSpec] = None,
                         task: Optional[TaskSpec] = None,
                         **options: Unpack[RequestOptions]) -> Call[ListResponseBackgroundTaskOut]:
        """List Background Tasks, one page; keyword arguments only, as for the long name."""
        return self._list(iterator, limit, order, status=status, task=task, **options)

    get = returns_data(_get)
    list = returns_data(_list_by_keyword)

    def list_all(self, *, limit: Optional[int] = None, order: Optional[OrderingSpec] = None,
                 status: Optional[StatusSpec] = None, task: Optional[TaskSpec] = None,
                 **options: Unpack[RequestOptions]) -> Iterator[BackgroundTaskOut]:
        """Every task, across all pages, fetched lazily one page of ``limit`` at a time (by
        default the largest page the service allows, 250, so that few requests are needed).

        ``order``, ``status`` and ``task`` apply to every page. A page is requested only when
        the caller asks for its first task, so stopping early sends nothing more.

        :raises PaginationError: the server's cursors would loop forever (a cursor handed back
            twice, or an empty page that is not the last).
        :raises ApiTypeError, ApiValueError: a bad ``limit``, ``order``, ``status`` or ``task``,
            raised here by the call; a bad per-call option (an unknown name, a ``_headers``
            that is not a mapping, a bad ``_request_timeout``) is raised when the first task
            is asked for. Either way nothing is sent.
        """
        first = self._list_by_keyword(limit=LIMIT_MAX if limit is None else limit, order=order, status=status,
                                      task=task, **options)
        return iterate_pages(lambda cursor: self._send(at_cursor(first, cursor)).data)

    def wait(self, task_id: str, *, timeout: float = 60.0, poll_interval: float = 1.0,
             on_poll: Optional[OnPoll] = None, **options: Unpack[RequestOptions]) -> BackgroundTaskOut:
        """Poll a task until it is no longer ``running``, and return it.

        Polls are ``poll_interval`` apart at first, then 1.5 times further apart each time (at
        most 10 s, or ``poll_interval`` if longer); no sleep reaches past ``timeout`` and each
        request gets only the time left (at least 1 s, so ``timeout=0`` polls once). Any status
        other than ``running`` ends the wait, including one this client does not know yet (a
        newer server's); only ``failed`` raises. ``on_poll`` is called with the task each time
        it is seen still running.

        :raises TaskFailedError: the task ended ``failed``; ``.task`` holds it.
        :raises TaskWaitTimeoutError: ``timeout`` seconds passed; ``.task`` is the last task
            seen (``None`` if no answer came in time).
        :raises ApiTypeError, ApiValueError: a bad argument; nothing was sent.
        """
        call = self._get(task_id, **options)
        check_wait_arguments(timeout, poll_interval, on_poll)
        configured = self.api_client.configuration.deadline

        def poll(seconds_left: float) -> BackgroundTaskOut:
            return self._send(within(call, seconds_left, configured)).data

        return poll_until_settled(task_id, poll, timeout=timeout, poll_interval=poll_interval,
                                  on_poll=on_poll)
