"""Code a user would write against openapi_client, which must type-check cleanly.

test/test_typing.py runs ``mypy --strict`` and pyright (strict) over this file and expects no
error at all: correct code needs no cast and no ``# type: ignore``. Each ``assert_type`` pins
what a checker infers, so a type that widens to ``Any`` or ``Optional`` fails here. Importing
the module only defines functions: nothing is sent anywhere.
"""
# pyright: strict

from datetime import datetime
from typing import Dict, Iterator, List, Optional, Union

from typing_extensions import assert_type

from openapi_client import (
    ApiClient,
    ApiException,
    ApiResponse,
    ApplicationStats,
    BackgroundTaskData,
    BackgroundTaskOut,
    BackgroundTasksApi,
    BackgroundTaskStatus,
    BackgroundTaskType,
    Configuration,
    HttpErrorOut,
    HTTPValidationError,
    ListResponseBackgroundTaskOut,
    NotFoundException,
    Ordering,
    RetryPolicy,
    TaskFailedError,
    TaskWaitTimeoutError,
)


def make_api(token: str) -> BackgroundTasksApi:
    configuration = Configuration(host="https://api.example.com", access_token=token, retries=RetryPolicy(3))
    client = ApiClient(configuration)
    assert_type(client.configuration, Configuration)
    return BackgroundTasksApi(client)


def read_a_task(api: BackgroundTasksApi, task_id: str) -> int:
    task = api.get(task_id)
    assert_type(task, BackgroundTaskOut)
    assert_type(task.id, str)
    assert_type(task.status, BackgroundTaskStatus)
    assert_type(task.task, BackgroundTaskType)
    assert_type(task.updated_at, Optional[datetime])
    assert_type(task.data, BackgroundTaskData)
    assert_type(task.data.messages_sent, Optional[int])
    assert_type(task.data.app_stats, Optional[List[ApplicationStats]])
    return task.data.messages_sent or 0


def per_call_options(api: BackgroundTasksApi, task_id: str) -> None:
    assert_type(api.get(task_id, _request_timeout=5), BackgroundTaskOut)
    assert_type(api.get(task_id, _request_timeout=(1.0, 5.0), _headers={"x-trace": "1"}), BackgroundTaskOut)
    assert_type(api.get(task_id, _request_retries=0, _request_deadline=30.0), BackgroundTaskOut)


def read_pages(api: BackgroundTasksApi) -> List[str]:
    page = api.list(limit=10, order=Ordering.ASCENDING)
    assert_type(page, ListResponseBackgroundTaskOut)
    assert_type(page.data, List[BackgroundTaskOut])
    assert_type(page.done, bool)
    assert_type(page.iterator, Optional[str])
    assert_type(page.prev_iterator, Optional[str])
    newest = api.list(order="descending", status=BackgroundTaskStatus.FINISHED)
    oldest = api.list(iterator=page.iterator, order="ascending", task=BackgroundTaskType.ENDPOINT_DOT_REPLAY)
    return [task.id for task in page.data + newest.data + oldest.data]


def walk_every_task(api: BackgroundTasksApi) -> Dict[str, BackgroundTaskStatus]:
    tasks = api.list_all(limit=100, order=Ordering.DESCENDING, status=BackgroundTaskStatus.RUNNING)
    assert_type(tasks, Iterator[BackgroundTaskOut])
    return {task.id: task.status for task in tasks}


def wait_for_a_task(api: BackgroundTasksApi, task_id: str) -> Optional[int]:
    try:
        done = api.wait(task_id, timeout=30.0, poll_interval=0.5)
    except TaskFailedError as failed:
        assert_type(failed.task, Optional[BackgroundTaskOut])
        return None
    except TaskWaitTimeoutError as late:
        assert_type(late.task, Optional[BackgroundTaskOut])
        return None
    assert_type(done, BackgroundTaskOut)
    return done.data.messages_sent


def the_generated_names(api: BackgroundTasksApi, task_id: str) -> int:
    task = api.get_background_task_api_v1_background_task_task_id_get(task_id)
    assert_type(task, BackgroundTaskOut)
    response = api.get_background_task_api_v1_background_task_task_id_get_with_http_info(task_id)
    assert_type(response, ApiResponse[BackgroundTaskOut])
    assert_type(response.status_code, int)
    assert_type(response.data, BackgroundTaskOut)
    assert_type(response.raw_data, bytes)
    page = api.list_background_tasks_api_v1_background_task_get(iterator=None, limit=20, order="descending")
    assert_type(page, ListResponseBackgroundTaskOut)
    return response.status_code + len(page.data)


def handle_errors(api: BackgroundTasksApi, task_id: str) -> Optional[str]:
    try:
        api.get(task_id)
    except NotFoundException as missing:
        assert_type(missing.status, Optional[int])
        assert_type(missing.data, Optional[Union[HttpErrorOut, HTTPValidationError]])
        if isinstance(missing.data, HttpErrorOut):
            return missing.data.code
        return None
    except ApiException as failed:
        assert_type(failed.data, Optional[Union[HttpErrorOut, HTTPValidationError]])
        assert_type(failed.body, Optional[str])
        return failed.reason
    return None


def decode_models(text: str, raw: bytes, fields: Dict[str, object]) -> None:
    assert_type(BackgroundTaskOut.from_json(text), BackgroundTaskOut)
    assert_type(BackgroundTaskOut.from_json(raw), BackgroundTaskOut)
    assert_type(BackgroundTaskOut.from_json(None), None)
    assert_type(ListResponseBackgroundTaskOut.from_json(text), ListResponseBackgroundTaskOut)
    task = BackgroundTaskOut.from_dict(fields)
    assert_type(task, BackgroundTaskOut)
    assert_type(task.to_json(), str)
    assert_type(task.data.messages_sent, Optional[int])
