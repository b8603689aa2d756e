"""Exceptions raised by real calls survive pickling (e.g. across a ProcessPoolExecutor)."""

from __future__ import annotations

import pickle

import pytest

import openapi_client
from openapi_client.testing import MockServer


def test_a_404_from_a_real_call_pickles_with_status_body_data_and_headers(
    api: openapi_client.BackgroundTasksApi,
) -> None:
    with pytest.raises(openapi_client.NotFoundException) as caught:
        api.get("qtask_doesnotexist")
    error = caught.value
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is openapi_client.NotFoundException
    assert (copy.status, copy.reason) == (error.status, error.reason)
    assert (copy.body, copy.data) == (error.body, error.data)
    assert copy.data is not None and copy.data.code == "not_found"
    assert copy.headers is not None and error.headers is not None
    assert dict(copy.headers) == dict(error.headers)
    assert copy.headers["content-type"] == "application/json"
    assert str(copy) == str(error)
    assert repr(copy) == repr(error)


def test_a_retried_503_from_a_real_call_pickles_with_retry_after_and_attempts(
    server: MockServer, api: openapi_client.BackgroundTasksApi,
) -> None:
    server.fail_next(503, times=3, headers={"Retry-After": "0"})
    with pytest.raises(openapi_client.ServiceException) as caught:
        api.list(limit=1)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.status, copy.attempts, copy.retry_after) == (503, 3, 0.0)
    assert str(copy) == str(caught.value)
