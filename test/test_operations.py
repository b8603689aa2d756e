"""Both operations over real sockets against MockServer, each test run through the three
generated-style variants (``x``, ``x_with_http_info``, ``x_without_preload_content``).

Issue 2, points 1 (the operations work), 3 (error answers), 4 (nothing foreign escapes,
arguments refused before sending) and 8 (decoding straight from the body bytes).
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Iterator, Type

import pydantic
import pytest
from urllib3.exceptions import ReadTimeoutError

import openapi_client
from openapi_client import (
    ApiResponse,
    BackgroundTaskOut,
    BackgroundTasksApi,
    BackgroundTaskStatus,
    HttpErrorOut,
    HTTPValidationError,
    ListResponseBackgroundTaskOut,
)
from openapi_client.rest import RESTResponse
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

GET = "get_background_task_api_v1_background_task_task_id_get"
LIST = "list_background_tasks_api_v1_background_task_get"
PREFIX = "/api/v1/background-task/"
MODELS: Dict[str, Any] = {GET: BackgroundTaskOut, LIST: ListResponseBackgroundTaskOut}

ALL_VARIANTS = ["", "_with_http_info", "_without_preload_content"]
VARIANT_IDS = ["data", "with_http_info", "without_preload_content"]
#: The variants that decode the answer (and so raise for error statuses).
DECODING_VARIANTS = ["", "_with_http_info"]


@pytest.fixture(params=ALL_VARIANTS, ids=VARIANT_IDS)
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=DECODING_VARIANTS, ids=VARIANT_IDS[:2])
def decoding_variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api_once(server: MockServer) -> Iterator[BackgroundTasksApi]:
    """An API that does not retry, so one queued fault is the answer the caller sees."""
    configuration = openapi_client.Configuration(host=server.url, retries=0)
    with openapi_client.ApiClient(configuration) as api_client:
        yield BackgroundTasksApi(api_client)


def call(api: BackgroundTasksApi, operation: str, variant: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(api, operation + variant)(*args, **kwargs)


def model_of(result: Any, operation: str, variant: str) -> Any:
    """The decoded model, checking that each variant returned what it promises."""
    model = MODELS[operation]
    if variant == "":
        assert isinstance(result, model)
        return result
    if variant == "_with_http_info":
        assert isinstance(result, ApiResponse)
        assert result.status_code == 200
        assert result.headers is not None and result.headers["Content-Type"] == "application/json"
        assert isinstance(result.raw_data, bytes)
        assert isinstance(result.data, model)
        return result.data
    assert isinstance(result, RESTResponse)
    assert result.status == 200
    return model.from_json(result.read())


# -- point 1: the operations ------------------------------------------------------------------


def test_point1_get_returns_the_task(api: BackgroundTasksApi, server: MockServer, variant: str) -> None:
    result = call(api, GET, variant, SAMPLE_TASK_ID, idempotency_key="key-1")
    task = model_of(result, GET, variant)
    assert task.id == SAMPLE_TASK_ID
    assert task.status is BackgroundTaskStatus.FINISHED
    assert task.to_dict() == {**server.task(SAMPLE_TASK_ID), "updatedAt": task.updated_at}
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"{PREFIX}{SAMPLE_TASK_ID}/")
    assert sent.headers["idempotency-key"] == "key-1"
    assert sent.headers["Accept"] == "application/json"


def test_point1_list_returns_a_page(api: BackgroundTasksApi, server: MockServer, variant: str) -> None:
    result = call(api, LIST, variant, limit=2, order=openapi_client.Ordering(), idempotency_key="key-2")
    page = model_of(result, LIST, variant)
    newest_first = server.task_ids[::-1]
    assert [task.id for task in page.data] == newest_first[:2]
    assert page.done is False and page.iterator == newest_first[1]
    sent = server.requests[-1]
    assert sent.path == PREFIX
    assert sent.query == {"limit": "2", "order": "descending"}
    assert sent.headers["idempotency-key"] == "key-2"


def test_point1_iterator_walks_every_page_in_order(api: BackgroundTasksApi, server: MockServer) -> None:
    server.add_tasks(12)
    seen, iterator = [], None
    while True:
        page = api.list_background_tasks_api_v1_background_task_get(
            iterator=iterator, limit=5, order="ascending"
        )
        seen += [task.id for task in page.data]
        if page.done:
            break
        iterator = page.iterator
    assert seen == server.task_ids


def test_list_sends_no_optional_parameter_that_was_not_given(
    api: BackgroundTasksApi, server: MockServer, variant: str
) -> None:
    call(api, LIST, variant)
    sent = server.requests[-1]
    assert sent.query == {}
    assert "idempotency-key" not in sent.headers


def test_list_filters_by_status_and_task(api: BackgroundTasksApi, server: MockServer) -> None:
    server.add_tasks(9)
    page = api.list(status="failed", task=openapi_client.BackgroundTaskType.APPLICATION_DOT_STATS, limit=250)
    assert page.data and all(t.status == "failed" and t.task == "application.stats" for t in page.data)
    assert server.requests[-1].query == {"status": "failed", "task": "application.stats", "limit": "250"}


def test_short_names_are_the_same_operations(api: BackgroundTasksApi) -> None:
    long_get = api.get_background_task_api_v1_background_task_task_id_get
    assert api.get(SAMPLE_TASK_ID) == long_get(SAMPLE_TASK_ID)
    assert api.list(limit=3) == api.list_background_tasks_api_v1_background_task_get(limit=3)


def test_access_token_is_sent_and_a_wrong_one_gives_401(variant: str) -> None:
    with MockServer(token="right") as server:
        good = openapi_client.Configuration(host=server.url, access_token="right")
        with openapi_client.ApiClient(good) as api_client:
            task = model_of(call(BackgroundTasksApi(api_client), GET, variant, SAMPLE_TASK_ID), GET, variant)
            assert task.id == SAMPLE_TASK_ID
        assert server.requests[-1].headers["Authorization"] == "Bearer right"
        bad = openapi_client.Configuration(host=server.url, access_token="wrong", retries=0)
        with openapi_client.ApiClient(bad) as api_client:
            if variant == "_without_preload_content":
                assert call(BackgroundTasksApi(api_client), GET, variant, SAMPLE_TASK_ID).status == 401
            else:
                with pytest.raises(openapi_client.UnauthorizedException):
                    call(BackgroundTasksApi(api_client), GET, variant, SAMPLE_TASK_ID)


def test_per_call_headers_auth_and_timeout(api: BackgroundTasksApi, server: MockServer, variant: str) -> None:
    call(
        api,
        GET,
        variant,
        SAMPLE_TASK_ID,
        _headers={"X-Trace": "t-1"},
        _request_auth={"in": "header", "key": "Authorization", "value": "Bearer per-call"},
        _request_timeout=(2, 5),
        _request_retries=0,
        _request_deadline=10,
        _content_type="application/json",
        _host_index=None,
    )
    sent = server.requests[-1]
    assert sent.headers["X-Trace"] == "t-1"
    assert sent.headers["Authorization"] == "Bearer per-call"


def test_without_preload_content_leaves_the_body_unread(api: BackgroundTasksApi, server: MockServer) -> None:
    get_raw = api.get_background_task_api_v1_background_task_task_id_get_without_preload_content
    response = get_raw(SAMPLE_TASK_ID)
    assert response.data is None
    body = response.read()
    assert json.loads(body) == server.task(SAMPLE_TASK_ID)
    assert response.read() is body and response.data is body
    assert response.reason == "OK"
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("X-Missing", "none") == "none"
    assert response.getheaders()["Content-Length"] == str(len(body))


# -- point 3: error answers -----------------------------------------------------------------

ERROR_STATUSES = [
    (400, openapi_client.BadRequestException),
    (401, openapi_client.UnauthorizedException),
    (403, openapi_client.ForbiddenException),
    (404, openapi_client.NotFoundException),
    (409, openapi_client.ConflictException),
    (422, openapi_client.UnprocessableEntityException),
    (429, openapi_client.TooManyRequestsException),
    (500, openapi_client.ServiceException),
    (502, openapi_client.ServiceException),
    (503, openapi_client.ServiceException),
    (504, openapi_client.ServiceException),
    (418, openapi_client.ApiException),
]


@pytest.mark.parametrize(("status", "expected"), ERROR_STATUSES)
def test_point3_error_status_raises_its_exception_with_body_headers_and_data(
    api_once: BackgroundTasksApi,
    server: MockServer,
    decoding_variant: str,
    status: int,
    expected: Type[openapi_client.ApiException],
) -> None:
    body = {"code": f"code_{status}", "detail": f"detail for {status}"}
    server.fail_next(status, body=body, headers={"X-Request-Id": f"req-{status}"})
    with pytest.raises(openapi_client.ApiException) as caught:
        call(api_once, GET, decoding_variant, SAMPLE_TASK_ID)
    error = caught.value
    assert type(error) is expected
    assert error.status == status
    assert error.headers is not None and error.headers["X-Request-Id"] == f"req-{status}"
    assert error.body is not None and json.loads(error.body) == body
    assert isinstance(error.data, HttpErrorOut)
    assert (error.data.code, error.data.detail) == (f"code_{status}", f"detail for {status}")
    assert f"code_{status}" in str(error)


def test_point3_real_404_carries_http_error_out(api: BackgroundTasksApi, decoding_variant: str) -> None:
    with pytest.raises(openapi_client.NotFoundException) as caught:
        call(api, GET, decoding_variant, "qtask_missing")
    assert isinstance(caught.value.data, HttpErrorOut)
    assert caught.value.data.code == "not_found"


def test_point3_real_422_carries_http_validation_error(server: MockServer, decoding_variant: str) -> None:
    configuration = openapi_client.Configuration(host=server.url)
    configuration.client_side_validation = False  # let the server judge the limit
    with openapi_client.ApiClient(configuration) as api_client, pytest.raises(
        openapi_client.UnprocessableEntityException
    ) as caught:
        call(BackgroundTasksApi(api_client), LIST, decoding_variant, limit=1000)
    data = caught.value.data
    assert isinstance(data, HTTPValidationError)
    assert data.detail is not None and data.detail[0].loc == ["query", "limit"]
    assert "query.limit" in str(caught.value)
    assert server.requests[-1].query == {"limit": "1000"}


def test_point3_proxy_html_502_is_a_service_exception_with_the_html_body(
    api_once: BackgroundTasksApi, server: MockServer, decoding_variant: str
) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server.fail_next(502, body=html)
    with pytest.raises(openapi_client.ServiceException) as caught:
        call(api_once, LIST, decoding_variant)
    assert caught.value.status == 502
    assert caught.value.body == html
    assert caught.value.data is None
    assert caught.value.headers is not None
    assert caught.value.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("body", ["", "upstream timed out", '{"unexpected": true}'])
def test_point3_5xx_body_of_another_shape_leaves_data_none(
    api_once: BackgroundTasksApi, server: MockServer, body: str
) -> None:
    server.fail_next(503, body=body.encode(), content_type="text/plain")
    with pytest.raises(openapi_client.ServiceException) as caught:
        api_once.list()
    assert caught.value.body == body
    assert caught.value.data is None


def test_point3_unknown_status_is_a_plain_api_exception(
    api_once: BackgroundTasksApi, server: MockServer
) -> None:
    server.fail_next(418, body="I'm a teapot")
    with pytest.raises(openapi_client.ApiException) as caught:
        api_once.get(SAMPLE_TASK_ID)
    assert type(caught.value) is openapi_client.ApiException
    assert caught.value.status == 418 and caught.value.body == "I'm a teapot"


def test_point3_without_preload_content_hands_back_error_answers_unraised(
    api_once: BackgroundTasksApi, server: MockServer
) -> None:
    server.fail_next(409)
    response = api_once.get_background_task_api_v1_background_task_task_id_get_without_preload_content(
        SAMPLE_TASK_ID
    )
    assert response.status == 409
    assert json.loads(response.read())["code"] == "conflict"


# -- point 4: nothing foreign escapes -----------------------------------------------------------


def test_point4_malformed_json_200_raises_api_decode_error_with_the_raw_body(
    api_once: BackgroundTasksApi, server: MockServer, decoding_variant: str
) -> None:
    server.malformed_next()
    with pytest.raises(openapi_client.ApiDecodeError) as caught:
        call(api_once, LIST, decoding_variant)
    error = caught.value
    assert isinstance(error, openapi_client.ApiException)
    assert not isinstance(error, (json.JSONDecodeError, pydantic.ValidationError))
    assert error.status == 200
    assert error.body == '{"data": [{"id": "qtask_'
    assert "not valid JSON" in str(error)
    assert isinstance(error.__cause__, pydantic.ValidationError)


@pytest.mark.parametrize(
    "wrong_shape",
    [{"tasks": []}, [1, 2], {"data": [{"id": 1}], "done": True}, {"data": "x", "done": "maybe"}],
)
def test_point4_wrong_shape_200_raises_api_decode_error_with_the_raw_body(
    api_once: BackgroundTasksApi, server: MockServer, decoding_variant: str, wrong_shape: Any
) -> None:
    server.fail_next(200, body=json.dumps(wrong_shape).encode(), content_type="application/json")
    with pytest.raises(openapi_client.ApiDecodeError) as caught:
        call(api_once, LIST, decoding_variant)
    assert caught.value.body is not None and json.loads(caught.value.body) == wrong_shape
    assert "does not match ListResponseBackgroundTaskOut" in str(caught.value)
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)


BAD_ARGUMENTS = [
    pytest.param(GET, (123,), {}, openapi_client.ApiTypeError, id="task_id-int"),
    pytest.param(GET, (None,), {}, openapi_client.ApiTypeError, id="task_id-None"),
    pytest.param(GET, ("",), {}, openapi_client.ApiValueError, id="task_id-empty"),
    pytest.param(GET, (SAMPLE_TASK_ID,), {"idempotency_key": 5}, openapi_client.ApiTypeError, id="key-int"),
    pytest.param(GET, (SAMPLE_TASK_ID,), {"timeout": 5}, openapi_client.ApiTypeError, id="unknown-kw"),
    pytest.param(LIST, (), {"limit": 0}, openapi_client.ApiValueError, id="limit-0"),
    pytest.param(LIST, (), {"limit": 251}, openapi_client.ApiValueError, id="limit-251"),
    pytest.param(LIST, (), {"limit": -5}, openapi_client.ApiValueError, id="limit-negative"),
    pytest.param(LIST, (), {"limit": "5"}, openapi_client.ApiTypeError, id="limit-str"),
    pytest.param(LIST, (), {"limit": 5.0}, openapi_client.ApiTypeError, id="limit-float"),
    pytest.param(LIST, (), {"limit": True}, openapi_client.ApiTypeError, id="limit-bool"),
    pytest.param(LIST, (), {"iterator": 5}, openapi_client.ApiTypeError, id="iterator-int"),
    pytest.param(LIST, (), {"order": "sideways"}, openapi_client.ApiValueError, id="order-unknown"),
    pytest.param(LIST, (), {"order": 1}, openapi_client.ApiTypeError, id="order-int"),
    pytest.param(LIST, (), {"status": 3}, openapi_client.ApiTypeError, id="status-int"),
    pytest.param(LIST, (), {"pagesize": 5}, openapi_client.ApiTypeError, id="unknown-kw"),
    pytest.param(LIST, (), {"_request_timeout": "soon"}, openapi_client.ApiTypeError, id="timeout-str"),
    pytest.param(LIST, (), {"_request_timeout": -1}, openapi_client.ApiValueError, id="timeout-negative"),
    pytest.param(LIST, (), {"_request_retries": -1}, openapi_client.ApiValueError, id="retries-negative"),
    pytest.param(LIST, (), {"_request_deadline": 0}, openapi_client.ApiValueError, id="deadline-zero"),
    pytest.param(LIST, (), {"_headers": "X-A: 1"}, openapi_client.ApiTypeError, id="headers-str"),
    pytest.param(LIST, (), {"_headers": {1: "x"}}, openapi_client.ApiTypeError, id="header-name-int"),
    pytest.param(LIST, (), {"_host_index": 7}, openapi_client.ApiValueError, id="host-index"),
    pytest.param(LIST, (), {"_request_auth": {"in": "query", "key": "k", "value": "v"}},
                 openapi_client.ApiValueError, id="auth-in-query"),
]


@pytest.mark.parametrize(("operation", "args", "kwargs", "expected"), BAD_ARGUMENTS)
def test_point4_bad_arguments_are_refused_before_anything_is_sent(
    api: BackgroundTasksApi,
    server: MockServer,
    variant: str,
    operation: str,
    args: Any,
    kwargs: Dict[str, Any],
    expected: Type[Exception],
) -> None:
    with pytest.raises(expected) as caught:
        call(api, operation, variant, *args, **kwargs)
    assert isinstance(caught.value, openapi_client.OpenApiException)
    assert str(caught.value)
    assert server.requests == []
    assert server.connections == 0


def test_point4_read_timeout_raises_api_timeout_error_with_the_urllib3_cause(
    api_once: BackgroundTasksApi, server: MockServer, variant: str
) -> None:
    server.delay_next(3)
    started = time.monotonic()
    with pytest.raises(openapi_client.ApiTimeoutError) as caught:
        call(api_once, GET, variant, SAMPLE_TASK_ID, _request_timeout=0.2)
    assert time.monotonic() - started < 2.5  # the 3 s answer was not waited for
    assert isinstance(caught.value, openapi_client.ApiConnectionError)
    assert isinstance(caught.value.__cause__, ReadTimeoutError)
    assert "timed out" in str(caught.value)


# -- point 8: decoding straight from the body bytes --------------------------------------------


def test_point8_raw_data_is_the_exact_body_and_data_is_decoded_from_it(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    info = api.list_background_tasks_api_v1_background_task_get_with_http_info(limit=3)
    raw = api.list_background_tasks_api_v1_background_task_get_without_preload_content(limit=3).read()
    assert info.raw_data == raw
    assert int(info.headers["Content-Length"]) == len(info.raw_data)  # type: ignore[index]
    assert info.data == ListResponseBackgroundTaskOut.model_validate_json(info.raw_data)


def test_point8_utf8_body_bytes_decode_without_a_text_detour(
    api_once: BackgroundTasksApi, server: MockServer
) -> None:
    task = {**server.task(SAMPLE_TASK_ID), "note": "café ☕ 東京"}
    body = json.dumps(task, ensure_ascii=False).encode("utf-8")
    server.fail_next(200, body=body, content_type="application/json")
    info = api_once.get_background_task_api_v1_background_task_task_id_get_with_http_info(SAMPLE_TASK_ID)
    assert info.raw_data == body
    assert info.data.to_dict()["note"] == "café ☕ 東京"
    assert info.data == BackgroundTaskOut.model_validate_json(body)


def test_point8_body_that_is_not_utf8_is_an_api_decode_error(
    api_once: BackgroundTasksApi, server: MockServer
) -> None:
    body = json.dumps(server.task(SAMPLE_TASK_ID)).encode().replace(b"finished", b"fin\xffished")
    server.fail_next(200, body=body, content_type="application/json")
    with pytest.raises(openapi_client.ApiDecodeError) as caught:
        api_once.get(SAMPLE_TASK_ID)
    assert caught.value.body is not None and "fin\ufffdished" in caught.value.body


def test_point8_decode_error_names_the_exact_place_inside_the_body(
    api_once: BackgroundTasksApi, server: MockServer
) -> None:
    broken = {key: value for key, value in server.task(SAMPLE_TASK_ID).items() if key != "status"}
    body = json.dumps({"data": [broken], "done": True}).encode()
    server.fail_next(200, body=body, content_type="application/json")
    with pytest.raises(openapi_client.ApiDecodeError, match=r"data\.0\.status: Field required"):
        api_once.list()


# -- the generated-style low-level path --------------------------------------------------------


@pytest.mark.parametrize("response_type", [BackgroundTaskOut, "BackgroundTaskOut"], ids=["class", "name"])
def test_param_serialize_call_api_response_deserialize(
    client: openapi_client.ApiClient, server: MockServer, response_type: Any
) -> None:
    serialized = client.param_serialize(
        "GET", "/api/v1/background-task/{task_id}/", path_params={"task_id": SAMPLE_TASK_ID}
    )
    response = client.call_api(*serialized)
    decoded = client.response_deserialize(response, {"200": response_type})
    assert isinstance(decoded.data, BackgroundTaskOut) and decoded.data.id == SAMPLE_TASK_ID

    missing = client.call_api(
        *client.param_serialize("GET", "/api/v1/background-task/{task_id}/", path_params={"task_id": "x"})
    )
    with pytest.raises(openapi_client.NotFoundException):
        client.response_deserialize(missing, {"200": response_type})

    server.malformed_next()
    broken = client.call_api(*client.param_serialize("GET", PREFIX))
    with pytest.raises(openapi_client.ApiDecodeError):
        client.response_deserialize(broken, {"2XX": "ListResponseBackgroundTaskOut"})
