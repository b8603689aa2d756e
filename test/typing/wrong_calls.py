"""Mistakes a type checker must catch before the code runs.

test/test_typing.py runs ``mypy --strict`` and pyright over this file and expects an error on
each line marked ``# expected-error`` and on no other line, so every mistake below is caught
and nothing correct around it is flagged. Importing the module only defines a function.
"""

from openapi_client import ApiException, BackgroundTaskOut, BackgroundTasksApi, Configuration, TaskFailedError


def mistakes(api: BackgroundTasksApi, task: BackgroundTaskOut) -> None:
    api.list(order="sideways")  # expected-error
    api.list_all(order="newest")  # expected-error
    api.list_background_tasks_api_v1_background_task_get(order="sideways")  # expected-error
    api.list(limit="10")  # expected-error
    api.list("cursor")  # expected-error
    api.list(iterator=5)  # expected-error
    api.get(123)  # expected-error
    api.get_background_task_api_v1_background_task_task_id_get()  # expected-error
    api.get("qtask_1", _request_timeuot=1)  # expected-error
    api.get("qtask_1", _headers=["x-trace"])  # expected-error
    api.wait("qtask_1", timeout="soon")  # expected-error
    print(task.data.no_such_field)  # expected-error
    sent: int = task.data.messages_sent  # expected-error
    print(sent, task.no_such_field)  # expected-error
    Configuration(hots="https://api.example.com")  # expected-error
    BackgroundTaskOut.from_json(42)  # expected-error
    page = api.list(limit=10)
    page.data.append("qtask_1")  # expected-error
    try:
        api.wait("qtask_1")
    except TaskFailedError as failed:
        print(failed.task.id)  # expected-error
    except ApiException as error:
        print(error.data.code)  # expected-error
