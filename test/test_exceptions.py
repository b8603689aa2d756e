"""The exception tree and the status → exception table, without sockets (issue 2, points 3-4)."""

from __future__ import annotations

import pickle
from typing import Type

import pytest
import urllib3

import openapi_client
from openapi_client import exceptions
from openapi_client.exceptions import (
    ApiAttributeError,
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ApiKeyError,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BadRequestException,
    ConflictException,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    PaginationError,
    ServiceException,
    TaskFailedError,
    TaskWaitTimeoutError,
    TooManyRequestsException,
    UnauthorizedException,
    UnprocessableEntityException,
    exception_class_for_status,
)
from openapi_client.models import BackgroundTaskOut, HttpErrorOut, HTTPValidationError
from openapi_client.rest import RESTResponse

STATUS_TABLE = [
    (400, BadRequestException),
    (401, UnauthorizedException),
    (403, ForbiddenException),
    (404, NotFoundException),
    (409, ConflictException),
    (422, UnprocessableEntityException),
    (429, TooManyRequestsException),
    (500, ServiceException),
    (502, ServiceException),
    (503, ServiceException),
    (504, ServiceException),
    (599, ServiceException),
    (418, ApiException),
    (405, ApiException),
    (451, ApiException),
    (304, ApiException),
]


def _response(status: int, body: bytes, content_type: str = "application/json") -> RESTResponse:
    raw = urllib3.HTTPResponse(
        body=body, status=status, reason="Reason", headers={"Content-Type": content_type, "X-Id": "r1"}
    )
    return RESTResponse(raw)


@pytest.mark.parametrize(("status", "expected"), STATUS_TABLE)
def test_point3_each_status_maps_to_its_exception_class(status: int, expected: Type[ApiException]) -> None:
    assert exception_class_for_status(status) is expected


@pytest.mark.parametrize(
    "cls",
    [
        ApiTypeError,
        ApiValueError,
        ApiKeyError,
        ApiAttributeError,
        ApiConnectionError,
        ApiTimeoutError,
        ApiException,
        ApiDecodeError,
        BadRequestException,
        ServiceException,
        openapi_client.PaginationError,
        openapi_client.TaskFailedError,
        openapi_client.TaskWaitTimeoutError,
    ],
)
def test_everything_derives_from_open_api_exception(cls: type) -> None:
    assert issubclass(cls, OpenApiException)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ApiTypeError, TypeError),
        (ApiValueError, ValueError),
        (ApiKeyError, KeyError),
        (ApiAttributeError, AttributeError),
        (ApiTimeoutError, TimeoutError),
    ],
)
def test_argument_errors_are_also_the_matching_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, builtin)


def test_timeout_is_a_connection_error_and_decode_error_an_api_exception() -> None:
    assert issubclass(ApiTimeoutError, ApiConnectionError)
    assert issubclass(ApiDecodeError, ApiException)


def test_the_module_docstring_draws_every_class_of_the_tree() -> None:
    doc = exceptions.__doc__ or ""
    for name in exceptions.__all__:
        if name[0].isupper():
            assert name in doc, name


def test_point3_from_response_fills_status_reason_headers_body_and_data() -> None:
    body = b'{"code": "not_found", "detail": "Entity not found"}'
    response = _response(404, body)
    error = ApiException.from_response(
        http_resp=response, body=body.decode(), data=HttpErrorOut.from_json(body)
    )
    assert type(error) is NotFoundException
    assert (error.status, error.reason) == (404, "Reason")
    assert error.headers is not None and error.headers["x-id"] == "r1"
    assert error.body == body.decode()
    assert isinstance(error.data, HttpErrorOut) and error.data.code == "not_found"
    assert "(404) Reason: not_found: Entity not found" in str(error)
    assert "HTTP response body: " + body.decode() in str(error)


def test_point3_exception_built_from_a_response_reads_its_body() -> None:
    error = ServiceException(http_resp=_response(502, b"<html>bad gateway</html>", "text/html"))
    assert error.status == 502
    assert error.body == "<html>bad gateway</html>"
    assert error.data is None
    assert error.headers is not None and error.headers["Content-Type"] == "text/html"


def test_point3_validation_error_detail_is_summarised_by_location() -> None:
    data = HTTPValidationError.from_json(
        '{"detail": [{"loc": ["query", "limit"], "msg": "ensure this value is <= 250", "type": "t"}]}'
    )
    error = UnprocessableEntityException(status=422, reason="Unprocessable Entity", data=data)
    assert "query.limit: ensure this value is <= 250" in str(error)


def test_long_bodies_are_shortened_in_the_message_but_kept_whole_in_body() -> None:
    body = "x" * 10_000
    error = ApiException(status=500, reason="Internal Server Error", body=body)
    assert error.body == body
    assert len(str(error)) < 3000
    assert "(10000 characters)" in str(error)


def test_connection_error_message_counts_attempts() -> None:
    assert str(ApiConnectionError("refused")) == "refused"
    assert str(ApiConnectionError("refused", attempts=3)) == "refused (after 3 attempts)"
    assert ApiTimeoutError("slow", attempts=2).attempts == 2


def test_argument_errors_name_the_path_to_the_item() -> None:
    error = ApiValueError("must be between 1 and 250", ["limit"])
    assert str(error) == "must be between 1 and 250 at ['limit']"
    assert error.path_to_item == ["limit"]
    assert "['data'][0]['id']" in str(ApiTypeError("bad", ["data", 0, "id"]))


def test_decode_error_keeps_the_raw_body_and_status() -> None:
    error = ApiDecodeError("the answer is not valid JSON", status=200, body="{oops", headers={})
    assert error.status == 200
    assert error.body == "{oops"
    assert "not valid JSON" in str(error)


_TASK = BackgroundTaskOut.from_dict(
    {"id": "qtask_1", "status": "failed", "task": "endpoint.recover", "data": {},
     "updatedAt": "2024-03-02T11:00:00Z"}
)
_NOT_FOUND = HttpErrorOut.from_json(b'{"code": "not_found", "detail": "Entity not found"}')
PICKLED_EXCEPTIONS = [
    pytest.param(TaskFailedError("task qtask_1 failed", task=_TASK), id="task-failed"),
    pytest.param(TaskWaitTimeoutError("still running after 5s", task=_TASK), id="wait-timeout"),
    pytest.param(ApiDecodeError("not JSON", status=200, body="{oops", headers={"a": "b"}), id="decode"),
    pytest.param(ApiConnectionError("refused", attempts=3), id="connection"),
    pytest.param(ApiTimeoutError("read timed out", attempts=2), id="timeout"),
    pytest.param(
        TooManyRequestsException(
            status=429, reason="Too Many Requests", body='{"code": "x"}', data=_NOT_FOUND,
            headers={"Retry-After": "3"}, retry_after=3.0, attempts=3,
        ),
        id="api-exception",
    ),
    pytest.param(ApiException.from_response(
        http_resp=_response(404, b"{}"), body="{}", data=_NOT_FOUND, attempts=2), id="from-response"),
    pytest.param(ApiTypeError("bad", ["data", 0], valid_classes=[int], key_type=False), id="type"),
    pytest.param(ApiValueError("must be between 1 and 250", ["limit"]), id="value"),
    pytest.param(ApiKeyError("no such task", ["qtask_1"]), id="key"),
    pytest.param(PaginationError("the server repeated cursor c"), id="pagination"),
]


@pytest.mark.parametrize("error", PICKLED_EXCEPTIONS)
def test_exceptions_survive_pickling_with_every_attribute(error: OpenApiException) -> None:
    # What a ProcessPoolExecutor does to an exception raised in a worker.
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
