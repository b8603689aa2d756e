"""The SDK's main job end to end: list tasks and get one, over a real socket."""

from __future__ import annotations

import openapi_client
from openapi_client.testing import SAMPLE_TASK_ID, MockServer


def test_list_then_get(api: openapi_client.BackgroundTasksApi, server: MockServer) -> None:
    page = api.list_background_tasks_api_v1_background_task_get(limit=2)
    assert [task.id for task in page.data] == server.task_ids[::-1][:2]
    assert page.done is False

    task = api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
    assert task.id == SAMPLE_TASK_ID
    assert task.status == openapi_client.BackgroundTaskStatus.FINISHED
    assert server.requests[-1].path == f"/api/v1/background-task/{SAMPLE_TASK_ID}/"
