"""The exceptions: the tree, the one status table, what their text shows (and hides), and that
they pickle whole. Built by hand, but for two raised by real calls to check they pickle too."""

from __future__ import annotations

import pickle
from typing import Tuple, Type

import pytest
import urllib3

from openapi_client import BackgroundTasksApi, exceptions
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
    ResponseTooLargeError,
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
from openapi_client.testing import MockServer

TOKEN = "sk_live_Secr3tT0ken"
NOT_FOUND = HttpErrorOut(code="not_found", detail="Entity not found")
TASK = BackgroundTaskOut(id="qtask_1", status="failed", task="endpoint.recover", data={})


def answer(status: int, body: bytes, content_type: str = "application/json") -> RESTResponse:
    headers = {"Content-Type": content_type}
    return RESTResponse(urllib3.HTTPResponse(body=body, status=status, reason="Reason", headers=headers))


# -- the tree ---------------------------------------------------------------------------------------

TREE = [
    (ApiTypeError, (OpenApiException, TypeError)),
    (ApiValueError, (OpenApiException, ValueError)),
    (ApiKeyError, (OpenApiException, KeyError)),
    (ApiAttributeError, (OpenApiException, AttributeError)),
    (ApiConnectionError, (OpenApiException,)),
    (ApiTimeoutError, (ApiConnectionError, TimeoutError)),
    (TaskWaitTimeoutError, (ApiTimeoutError,)),
    (ResponseTooLargeError, (ApiConnectionError,)),
    (PaginationError, (OpenApiException,)),
    (TaskFailedError, (OpenApiException,)),
    (ApiException, (OpenApiException,)),
    (ApiDecodeError, (ApiException,)),
]


@pytest.mark.parametrize(("cls", "parents"), TREE, ids=[cls.__name__ for cls, _ in TREE])
def test_each_exception_is_caught_as_its_parents(cls: type, parents: Tuple[type, ...]) -> None:
    assert all(issubclass(cls, parent) for parent in parents)


def test_a_failed_connection_and_an_error_answer_are_separate_branches() -> None:
    assert not issubclass(ApiConnectionError, ApiException)
    assert not issubclass(ApiException, ApiConnectionError)
    assert not issubclass(ResponseTooLargeError, ApiTimeoutError)


def test_the_module_docstring_draws_every_class_of_the_tree() -> None:
    classes = [name for name in exceptions.__all__ if isinstance(getattr(exceptions, name), type)]
    assert classes
    for name in classes:
        assert name in (exceptions.__doc__ or ""), name


# -- the status table -------------------------------------------------------------------------------

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
    (304, ApiException),
    (405, ApiException),
    (413, ApiException),
    (418, ApiException),
    (600, ApiException),
]


@pytest.mark.parametrize(("status", "expected"), STATUS_TABLE)
def test_each_status_has_its_exception_class(status: int, expected: Type[ApiException]) -> None:
    assert exception_class_for_status(status) is expected
    error = ApiException.from_response(http_resp=answer(status, b"{}"), body="{}", data=None)
    assert type(error) is expected and error.status == status


# -- what an error answer's exception holds and shows ----------------------------------------------


def test_from_response_fills_status_reason_headers_body_and_data() -> None:
    body = b'{"code": "not_found", "detail": "Entity not found"}'
    error = ApiException.from_response(http_resp=answer(404, body), body=body.decode(), data=NOT_FOUND)
    assert type(error) is NotFoundException
    assert (error.status, error.reason, error.body, error.data) == (404, "Reason", body.decode(), NOT_FOUND)
    assert error.headers is not None and error.headers["content-type"] == "application/json"
    assert str(error).startswith("(404) Reason: not_found: Entity not found\n")
    assert "HTTP response body: " + body.decode() in str(error)


def test_an_exception_built_from_a_response_reads_its_body() -> None:
    error = ServiceException(http_resp=answer(502, b"<html>bad gateway</html>", "text/html"))
    assert (error.status, error.body, error.data) == (502, "<html>bad gateway</html>", None)


def test_the_message_shows_status_error_requested_wait_attempts_and_request_id() -> None:
    error = TooManyRequestsException(
        status=429,
        reason="Too Many Requests",
        data=HttpErrorOut(code="rate_limited", detail="Slow down"),
        retry_after=3.0,
        attempts=3,
        request_id="1234567890",
    )
    assert str(error) == (
        "(429) Too Many Requests: rate_limited: Slow down (server asked to retry after 3s) "
        "(after 3 attempts) (request id 1234567890)"
    )
    assert repr(error) == f"TooManyRequestsException({str(error)!r})"
    assert (error.retry_after, error.attempts, error.request_id) == (3.0, 3, "1234567890")


def test_one_attempt_and_no_status_are_said_plainly() -> None:
    assert str(ApiException()) == "(no status)"
    assert "attempt" not in str(ApiException(status=500, attempts=1))


def test_a_validation_error_is_summarised_by_location() -> None:
    data = HTTPValidationError.from_json(
        '{"detail": [{"loc": ["query", "limit"], "msg": "ensure this value is <= 250", "type": "t"}]}'
    )
    error = UnprocessableEntityException(status=422, reason="Unprocessable Entity", data=data)
    assert str(error) == "(422) Unprocessable Entity: query.limit: ensure this value is <= 250"


def test_a_long_body_is_shortened_in_the_message_but_kept_whole() -> None:
    body = "x" * 10_000
    error = ApiException(status=500, reason="Internal Server Error", body=body)
    assert error.body == body
    assert len(str(error)) < 3000 and str(error).endswith("... (10000 characters)")


def test_a_decode_error_keeps_the_raw_body_and_status() -> None:
    error = ApiDecodeError(
        "the answer is not valid JSON", status=200, body="{oops", headers={}, request_id="7"
    )
    assert (error.status, error.body, error.reason) == (200, "{oops", "the answer is not valid JSON")
    assert str(error).startswith("(200) the answer is not valid JSON (request id 7)")


def test_a_connection_error_says_how_many_attempts_and_which_request() -> None:
    assert str(ApiConnectionError("refused")) == "refused"
    error = ApiTimeoutError("timed out", attempts=3, request_id="42")
    assert str(error) == "timed out (after 3 attempts) (request id 42)"
    assert (error.attempts, error.request_id) == (3, "42")
    assert ResponseTooLargeError("too large", limit=1024).limit == 1024


def test_an_argument_error_names_the_path_to_the_item_when_nested() -> None:
    error = ApiValueError("limit must be from 1 to 250", ["limit"])
    assert str(error) == "limit must be from 1 to 250"  # the message names a top-level argument already
    assert error.path_to_item == ["limit"]
    assert str(ApiTypeError("bad", ["data", 0, "id"])) == "bad at ['data'][0]['id']"


# -- secrets ----------------------------------------------------------------------------------------


def test_a_secret_given_to_an_error_answers_exception_is_hidden_but_kept_in_body_and_headers() -> None:
    headers = {"Content-Type": "application/json", "X-Echo": f"Bearer {TOKEN}"}
    body = f'{{"code": "unauthorized", "detail": "bad token {TOKEN}"}}'
    error = UnauthorizedException(
        status=401,
        reason=f"Unauthorized {TOKEN}",
        body=body,
        headers=headers,
        data=HttpErrorOut(code="unauthorized", detail=f"bad token {TOKEN}"),
        secrets=[TOKEN, f"Bearer {TOKEN}"],
    )
    for text in (str(error), repr(error)):
        assert TOKEN not in text and "***" in text
    assert "'X-Echo': '***'" in str(error)
    assert error.body == body and error.headers == headers


def test_a_secret_in_a_connection_errors_message_is_hidden() -> None:
    error = ApiConnectionError(f"could not connect to http://proxy.test (sent {TOKEN})", secrets=[TOKEN, ""])
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert "sent ***" in str(error)


def test_cookies_an_error_answer_sets_are_hidden_in_the_excerpt() -> None:
    headers = {"Set-Cookie": "session=abc123; HttpOnly", "X-Request-Id": "r1"}
    error = ServiceException(status=500, reason="Internal Server Error", headers=headers)
    assert "abc123" not in str(error)
    assert "'Set-Cookie': '***'" in str(error) and "'X-Request-Id': 'r1'" in str(error)
    assert error.headers is not None and error.headers["Set-Cookie"] == "session=abc123; HttpOnly"


# -- pickling (what a process pool does to an exception raised in a worker) -------------------------

PICKLED = [
    pytest.param(TaskFailedError("task qtask_1 failed", task=TASK), id="task-failed"),
    pytest.param(TaskWaitTimeoutError("still running after 5s", task=TASK), id="wait-timeout"),
    pytest.param(ApiDecodeError("not JSON", status=200, body="{oops", headers={"a": "b"}), id="decode"),
    pytest.param(ApiConnectionError("refused", attempts=3, request_id="9"), id="connection"),
    pytest.param(ApiTimeoutError("read timed out", attempts=2), id="timeout"),
    pytest.param(ResponseTooLargeError("too large", limit=10, attempts=1), id="too-large"),
    pytest.param(
        TooManyRequestsException(
            status=429,
            reason="Too Many Requests",
            body=f"echo {TOKEN}",
            data=NOT_FOUND,
            headers={"Retry-After": "3"},
            retry_after=3.0,
            attempts=3,
            request_id="5",
            secrets=[TOKEN],
        ),
        id="error-answer-with-a-secret",
    ),
    pytest.param(ApiTypeError("bad", ["data", 0], valid_classes=[int], key_type=False), id="type"),
    pytest.param(ApiValueError("must be from 1 to 250", ["limit"]), id="value"),
    pytest.param(ApiKeyError("no such task", ["qtask_1"]), id="key"),
    pytest.param(PaginationError("the server repeated cursor c"), id="pagination"),
]


@pytest.mark.parametrize("error", PICKLED)
def test_an_exception_pickles_with_every_attribute_and_the_same_text(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert (str(copy), repr(copy), copy.args) == (str(error), repr(error), error.args)


def test_a_404_from_a_real_call_pickles_whole(background_tasks_api: BackgroundTasksApi) -> None:
    with pytest.raises(NotFoundException) as caught:
        background_tasks_api.get("qtask_doesnotexist")
    error = caught.value
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is NotFoundException
    assert (copy.status, copy.reason, copy.body, copy.data, copy.request_id) == (
        error.status,
        error.reason,
        error.body,
        error.data,
        error.request_id,
    )
    assert copy.data is not None and copy.data.code == "not_found"
    assert copy.headers is not None and error.headers is not None
    assert dict(copy.headers) == dict(error.headers)
    assert str(copy) == str(error)


def test_a_retried_503_from_a_real_call_pickles_with_its_wait_and_attempts(
    mock_server: MockServer, background_tasks_api: BackgroundTasksApi
) -> None:
    mock_server.fail_next(503, times=3, headers={"Retry-After": "0"})
    with pytest.raises(ServiceException) as caught:
        background_tasks_api.list(limit=1)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.status, copy.attempts, copy.retry_after) == (503, 3, 0.0)
    assert copy.request_id == mock_server.requests[-1].headers["svix-req-id"]
    assert str(copy) == str(caught.value)
