"""MockServer standing in for the service for clients this project did not write: plain urllib3
and the service's own Python SDK, ``svix``, each talking over real sockets to
``python -m openapi_client.testing`` run as a separate process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional

import pytest
import urllib3

from openapi_client.testing import SAMPLE_TASK_ID, MockServer

TOKEN = "testsk_interop"
ADDED = 20
LIST = "/api/v1/background-task"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    command = ["-m", "openapi_client.testing", "--port", "0", "--tasks", str(ADDED), "--token", TOKEN]
    process = subprocess.Popen(
        [sys.executable, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        found = re.search(r"(http://\S+)", process.stdout.readline())
        assert found, process.stderr.read() if process.stderr else ""
        yield found.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.fixture(scope="module")
def sx() -> ModuleType:
    # svix needs Python 3.10+ with pydantic 2.10+ (pyproject's test extra installs it there); the
    # oldest-dependency run (Python 3.9, pydantic 2.7) has none and skips these tests.
    return pytest.importorskip("svix.api", reason="svix is installed with Python 3.10+ only")


def svix_client(sx: ModuleType, url: str, token: str = TOKEN) -> Any:
    # No pause between retries: nothing here should be retried.
    return sx.Svix(token, sx.SvixOptions(server_url=url, retry_schedule=[]))


def plain_get(url: str, path: str, **query: str) -> Any:
    with urllib3.PoolManager(retries=False, timeout=5) as http:
        answer = http.request("GET", url + path, fields=query, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status == 200, answer.data
    return json.loads(answer.data)


def test_urllib3_lists_and_gets_without_the_trailing_slash(url: str) -> None:
    page = plain_get(url, LIST, limit="3")
    assert len(page["data"]) == 3 and page["done"] is False
    task = plain_get(url, f"{LIST}/{page['data'][0]['id']}")
    assert task == page["data"][0]


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_svix_pages_through_every_task_in_either_order(url: str, sx: ModuleType, order: str) -> None:
    oldest_first = [task["id"] for task in plain_get(url, LIST, limit="250", order="ascending")["data"]]
    tasks = svix_client(sx, url).background_task
    pages: List[Any] = []
    iterator: Optional[str] = None
    while not pages or not pages[-1].done:
        options = sx.BackgroundTaskListOptions(limit=7, order=sx.Ordering(order), iterator=iterator)
        pages.append(tasks.list(options))
        iterator = pages[-1].iterator
        assert len(pages) < 100, "paging does not end"

    assert len(oldest_first) == ADDED + 5
    assert [task.id for page in pages for task in page.data] == (
        oldest_first if order == "ascending" else oldest_first[::-1]
    )
    assert len(pages) == 4
    assert all(isinstance(page, sx.ListResponseBackgroundTaskOut) for page in pages)


def test_svix_reads_a_page_large_enough_to_come_compressed(sx: ModuleType) -> None:
    # In this process, to see what svix asked for: a page this size is sent compressed if it may be.
    with MockServer(token=TOKEN) as server, urllib3.PoolManager() as http:
        server.add_tasks(ADDED)
        page = svix_client(sx, server.url).background_task.list(sx.BackgroundTaskListOptions(limit=250))
        asked = server.requests[0].headers["Accept-Encoding"]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        identity = http.request("GET", f"{server.url}{LIST}?limit=250", headers=auth)
    assert "gzip" in asked and len(identity.data) > 1024
    assert [task.id for task in page.data] == [task["id"] for task in json.loads(identity.data)["data"]]


def test_svix_gets_one_task(url: str, sx: ModuleType) -> None:
    task = svix_client(sx, url).background_task.get(SAMPLE_TASK_ID)
    assert isinstance(task, sx.BackgroundTaskOut)
    assert (task.id, task.status, task.task) == (
        SAMPLE_TASK_ID, sx.BackgroundTaskStatus.FINISHED, sx.BackgroundTaskType.ENDPOINT_REPLAY
    )
    assert task.data == {"messagesSent": 42}


def test_svix_raises_its_http_error_for_an_unknown_task(url: str, sx: ModuleType) -> None:
    from svix.exceptions import HttpError

    with pytest.raises(HttpError) as caught:
        svix_client(sx, url).background_task.get("qtask_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert (caught.value.status_code, caught.value.code) == (404, "not_found")


@pytest.mark.parametrize(
    ("options", "where"), [({"limit": 1000}, "limit"), ({"iterator": "not-an-id"}, "iterator")]
)
def test_svix_raises_its_validation_error_for_a_refused_query(
    url: str, sx: ModuleType, options: Dict[str, Any], where: str
) -> None:
    from svix.exceptions import HTTPValidationError

    with pytest.raises(HTTPValidationError) as caught:
        svix_client(sx, url).background_task.list(sx.BackgroundTaskListOptions(**options))
    assert caught.value.status_code == 422
    assert [problem.loc for problem in caught.value.detail] == [["query", where]]


def test_svix_with_another_token_is_refused(url: str, sx: ModuleType) -> None:
    from svix.exceptions import HttpError

    with pytest.raises(HttpError) as caught:
        svix_client(sx, url, "testsk_wrong").background_task.get(SAMPLE_TASK_ID)
    assert (caught.value.status_code, caught.value.code) == (401, "authentication_failed")
