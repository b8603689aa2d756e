"""The Background Tasks operations."""

from __future__ import annotations

from typing import Optional, Union

from typing_extensions import Unpack

from openapi_client.api._base import (
    BaseApi,
    Call,
    check_enum,
    check_int_range,
    check_str,
    returns_data,
    returns_http_info,
    returns_raw,
)
from openapi_client.api_client import Endpoint, RequestOptions
from openapi_client.models import (
    BackgroundTaskOut,
    BackgroundTaskStatus,
    BackgroundTaskType,
    ListResponseBackgroundTaskOut,
    Ordering,
)

__all__ = ["BackgroundTasksApi"]

GET_TASK = Endpoint("GET", "/api/v1/background-task/{task_id}/", BackgroundTaskOut)
LIST_TASKS = Endpoint("GET", "/api/v1/background-task/", ListResponseBackgroundTaskOut)
#: The page sizes the service accepts.
LIMIT_RANGE = (1, 250)


class BackgroundTasksApi(BaseApi):
    """Read the background tasks of your account: one by id, or a page at a time."""

    def _get(
        self,
        task_id: str,
        idempotency_key: Optional[str] = None,
        **options: Unpack[RequestOptions],
    ) -> Call[BackgroundTaskOut]:
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
        return Call(
            GET_TASK,
            options,
            path_params={"task_id": task_id},
            header_params={"idempotency-key": idempotency_key},
        )

    def _list(
        self,
        iterator: Optional[str] = None,
        limit: Optional[int] = None,
        order: Optional[Union[Ordering, str]] = None,
        idempotency_key: Optional[str] = None,
        *,
        status: Optional[Union[BackgroundTaskStatus, str]] = None,
        task: Optional[Union[BackgroundTaskType, str]] = None,
        **options: Unpack[RequestOptions],
    ) -> Call[ListResponseBackgroundTaskOut]:
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
        check_int_range("limit", limit, *LIMIT_RANGE, enforce=self._validating)
        order = check_enum("order", order, Ordering, closed=self._validating)
        status = check_enum("status", status, BackgroundTaskStatus, closed=False)
        task = check_enum("task", task, BackgroundTaskType, closed=False)
        check_str("idempotency_key", idempotency_key, optional=True)
        return Call(
            LIST_TASKS,
            options,
            query_params=(
                ("iterator", iterator),
                ("limit", limit),
                ("order", order),
                ("status", status),
                ("task", task),
            ),
            header_params={"idempotency-key": idempotency_key},
        )

    get_background_task_api_v1_background_task_task_id_get = returns_data(_get)
    get_background_task_api_v1_background_task_task_id_get_with_http_info = returns_http_info(_get)
    get_background_task_api_v1_background_task_task_id_get_without_preload_content = returns_raw(_get)

    list_background_tasks_api_v1_background_task_get = returns_data(_list)
    list_background_tasks_api_v1_background_task_get_with_http_info = returns_http_info(_list)
    list_background_tasks_api_v1_background_task_get_without_preload_content = returns_raw(_list)

    get = returns_data(_get)
    list = returns_data(_list)
