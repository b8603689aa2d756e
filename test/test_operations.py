"""The operations over real sockets against the plugin's MockServer: each through its three
generated-style views (``x``, ``x_with_http_info``, ``x_without_preload_content``), what a call
sends, what it refuses before sending, and what an error or undecodable answer raises."""

from __future__ import annotations

import inspect
import json
import pydoc
import re
from typing import Any, Callable, Dict, Tuple

import pydantic
import pytest

import openapi_client
from openapi_client import (
    ApiClient,
    ApiResponse,
    BackgroundTaskOut,
    BackgroundTasksApi,
    BackgroundTaskStatus,
    Configuration,
    HttpErrorOut,
    HTTPValidationError,
    ListResponseBackgroundTaskOut,
)
from openapi_client.exceptions import exception_class_for_status
from openapi_client.rest import ACCEPT_ENCODING, RESTResponse
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

GET = "get_background_task_api_v1_background_task_task_id_get"
LIST = "list_background_tasks_api_v1_background_task_get"
PREFIX = "/api/v1/background-task/"
MODELS: Dict[str, Any] = {GET: BackgroundTaskOut, LIST: ListResponseBackgroundTaskOut}
VIEWS = {
    "": "data",
    "_with_http_info": "with_http_info",
    "_without_preload_content": "without_preload_content",
}


@pytest.fixture(params=list(VIEWS), ids=list(VIEWS.values()))
def view(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["", "_with_http_info"], ids=["data", "with_http_info"])
def decoding_view(request: pytest.FixtureRequest) -> str:
    """The views that decode the answer, and so raise for an error status."""
    return str(request.param)


def call(api: BackgroundTasksApi, operation: str, view: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(api, operation + view)(*args, **kwargs)


def model_of(result: Any, operation: str, view: str) -> Any:
    """The decoded model, checking that the view returned what it promises."""
    model = MODELS[operation]
    if view == "":
        assert isinstance(result, model)
        return result
    if view == "_with_http_info":
        assert isinstance(result, ApiResponse)
        assert result.status_code == 200
        assert result.headers is not None and result.headers["Content-Type"] == "application/json"
        assert isinstance(result.data, model)
        assert model.from_json(result.raw_data) == result.data
        return result.data
    assert isinstance(result, RESTResponse)
    assert result.status == 200 and result.data is None  # not read yet
    return model.from_json(result.read())


# -- the operations ---------------------------------------------------------------------------------


def test_get_returns_the_task(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    task = model_of(call(background_tasks_api, GET, view, SAMPLE_TASK_ID, idempotency_key="key-1"), GET, view)
    assert task.id == SAMPLE_TASK_ID
    assert task.status is BackgroundTaskStatus.FINISHED
    assert task.to_dict() == {**mock_server.task(SAMPLE_TASK_ID), "updatedAt": task.updated_at}
    sent = mock_server.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"{PREFIX}{SAMPLE_TASK_ID}/")
    assert sent.headers["idempotency-key"] == "key-1"


def test_list_returns_a_page(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    result = call(
        background_tasks_api, LIST, view, limit=2, order=openapi_client.Ordering(), idempotency_key="k2"
    )
    page = model_of(result, LIST, view)
    newest_first = mock_server.task_ids[::-1]
    assert [task.id for task in page.data] == newest_first[:2]
    assert page.done is False and page.iterator == newest_first[1]
    sent = mock_server.requests[-1]
    assert (sent.path, sent.query) == (PREFIX, {"limit": "2", "order": "descending"})
    assert sent.headers["idempotency-key"] == "k2"


def test_list_sends_only_the_parameters_given(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    call(background_tasks_api, LIST, view)
    sent = mock_server.requests[-1]
    assert sent.query == {}
    assert "idempotency-key" not in sent.headers


def test_the_iterator_walks_every_page_in_order(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(12)
    seen, iterator = [], None
    while True:
        page = getattr(background_tasks_api, LIST)(iterator=iterator, limit=5, order="ascending")
        seen += [task.id for task in page.data]
        if page.done:
            break
        iterator = page.iterator
    assert seen == mock_server.task_ids


def test_list_filters_by_status_and_task(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(9)
    page = background_tasks_api.list(
        status="failed", task=openapi_client.BackgroundTaskType.APPLICATION_DOT_STATS
    )
    assert page.data and all(t.status == "failed" and t.task == "application.stats" for t in page.data)
    assert mock_server.requests[-1].query == {"status": "failed", "task": "application.stats"}


def test_the_short_names_are_the_same_operations(background_tasks_api: BackgroundTasksApi) -> None:
    assert background_tasks_api.get(SAMPLE_TASK_ID) == getattr(background_tasks_api, GET)(SAMPLE_TASK_ID)
    assert background_tasks_api.list(limit=3) == getattr(background_tasks_api, LIST)(limit=3)


@pytest.mark.mock_server(token="right")
def test_the_access_token_is_sent_and_a_wrong_one_is_refused(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    model_of(call(background_tasks_api, GET, view, SAMPLE_TASK_ID), GET, view)
    assert mock_server.requests[-1].headers["Authorization"] == "Bearer right"
    wrong = Configuration(host=mock_server.url, access_token="wrong")
    with ApiClient(wrong) as api_client:
        if view == "_without_preload_content":
            assert call(BackgroundTasksApi(api_client), GET, view, SAMPLE_TASK_ID).status == 401
        else:
            with pytest.raises(openapi_client.UnauthorizedException):
                call(BackgroundTasksApi(api_client), GET, view, SAMPLE_TASK_ID)


def test_per_call_options_are_taken_and_headers_and_auth_sent(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    call(
        background_tasks_api,
        GET,
        view,
        SAMPLE_TASK_ID,
        _headers={"X-Trace": "t-1"},
        _request_auth={"in": "header", "key": "Authorization", "value": "Bearer per-call"},
        _request_timeout=(2, 5),
        _request_retries=0,
        _request_deadline=10,
        _content_type="application/json",
        _host_index=None,
    )
    sent = mock_server.requests[-1]
    assert sent.headers["X-Trace"] == "t-1"
    assert sent.headers["Authorization"] == "Bearer per-call"


def test_without_preload_content_leaves_the_body_unread_until_asked(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    response = getattr(background_tasks_api, GET + "_without_preload_content")(SAMPLE_TASK_ID)
    assert response.data is None
    body = response.read()
    assert json.loads(body) == mock_server.task(SAMPLE_TASK_ID)
    assert response.read() is body
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("X-Missing", "none") == "none"


def test_without_preload_content_hands_back_an_error_answer_unraised(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.fail_next(409)
    response = getattr(background_tasks_api, GET + "_without_preload_content")(SAMPLE_TASK_ID)
    assert response.status == 409
    assert json.loads(response.read())["code"] == "conflict"


def test_with_http_info_gives_the_exact_body_bytes(background_tasks_api: BackgroundTasksApi) -> None:
    info = getattr(background_tasks_api, LIST + "_with_http_info")(limit=3)
    raw = getattr(background_tasks_api, LIST + "_without_preload_content")(limit=3).read()
    assert info.raw_data == raw
    assert info.data == ListResponseBackgroundTaskOut.model_validate_json(raw)


# -- what every call sends --------------------------------------------------------------------------


def test_every_call_says_what_it_accepts_who_it_is_and_which_request_it_is(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, view: str
) -> None:
    call(background_tasks_api, GET, view, SAMPLE_TASK_ID)
    headers = mock_server.requests[-1].headers
    assert headers["Accept"] == "application/json"
    assert headers["Accept-Encoding"] == ACCEPT_ENCODING == "gzip,deflate"  # whatever is installed
    assert headers["User-Agent"] == f"openapi-client-python/{openapi_client.__version__}"
    assert headers["svix-req-id"].isdigit() and int(headers["svix-req-id"]) < 2**64
    assert "svix-retry-count" not in headers  # only retries carry it


def test_each_call_has_a_request_id_of_its_own(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    for _ in range(20):
        background_tasks_api.get(SAMPLE_TASK_ID)
    assert len({request.headers["svix-req-id"] for request in mock_server.requests}) == 20


@pytest.mark.parametrize("name", ["svix-req-id", "SVIX-Req-Id"])
def test_a_request_id_given_by_the_caller_wins(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, name: str
) -> None:
    background_tasks_api.get(SAMPLE_TASK_ID, _headers={name: "my-request-7"})
    sent = mock_server.requests[-1].headers
    assert [value for key, value in sent.items() if key.lower() == "svix-req-id"] == ["my-request-7"]


def test_the_clients_own_headers_and_user_agent_are_sent(
    api_client: ApiClient, background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    api_client.set_default_header("X-Team", "billing")
    api_client.user_agent = "my-app/2"
    background_tasks_api.get(SAMPLE_TASK_ID)
    sent = mock_server.requests[-1].headers
    assert (sent["X-Team"], sent["User-Agent"]) == ("billing", "my-app/2")


# -- arguments refused before anything is sent -------------------------------------------------------

BAD_ARGUMENTS = [
    pytest.param(GET, (123,), {}, openapi_client.ApiTypeError, id="task_id-int"),
    pytest.param(GET, (None,), {}, openapi_client.ApiTypeError, id="task_id-None"),
    pytest.param(GET, ("",), {}, openapi_client.ApiValueError, id="task_id-empty"),
    pytest.param(GET, ("qtask_\ud800",), {}, openapi_client.ApiValueError, id="task_id-lone-surrogate"),
    pytest.param(GET, (SAMPLE_TASK_ID,), {"idempotency_key": 5}, openapi_client.ApiTypeError, id="key-int"),
    pytest.param(GET, (SAMPLE_TASK_ID,), {"timeout": 5}, openapi_client.ApiTypeError, id="unknown-keyword"),
    pytest.param(LIST, (), {"limit": 0}, openapi_client.ApiValueError, id="limit-0"),
    pytest.param(LIST, (), {"limit": 251}, openapi_client.ApiValueError, id="limit-251"),
    pytest.param(LIST, (), {"limit": "5"}, openapi_client.ApiTypeError, id="limit-str"),
    pytest.param(LIST, (), {"limit": 5.0}, openapi_client.ApiTypeError, id="limit-float"),
    pytest.param(LIST, (), {"limit": True}, openapi_client.ApiTypeError, id="limit-bool"),
    pytest.param(LIST, (), {"iterator": 5}, openapi_client.ApiTypeError, id="iterator-int"),
    pytest.param(
        LIST, (), {"iterator": "\udcff"}, openapi_client.ApiValueError, id="iterator-lone-surrogate"
    ),
    pytest.param(LIST, (), {"order": "sideways"}, openapi_client.ApiValueError, id="order-unknown"),
    pytest.param(LIST, (), {"order": 1}, openapi_client.ApiTypeError, id="order-int"),
    pytest.param(LIST, (), {"status": 3}, openapi_client.ApiTypeError, id="status-int"),
    pytest.param(LIST, (), {"pagesize": 5}, openapi_client.ApiTypeError, id="unknown-keyword"),
    pytest.param(LIST, (), {"_request_timeout": "soon"}, openapi_client.ApiTypeError, id="timeout-str"),
    pytest.param(LIST, (), {"_request_timeout": -1}, openapi_client.ApiValueError, id="timeout-negative"),
    pytest.param(LIST, (), {"_request_retries": -1}, openapi_client.ApiValueError, id="retries-negative"),
    pytest.param(LIST, (), {"_request_deadline": 0}, openapi_client.ApiValueError, id="deadline-zero"),
    pytest.param(LIST, (), {"_headers": "X-A: 1"}, openapi_client.ApiTypeError, id="headers-str"),
    pytest.param(LIST, (), {"_headers": {1: "x"}}, openapi_client.ApiTypeError, id="header-name-int"),
    pytest.param(LIST, (), {"_host_index": 7}, openapi_client.ApiValueError, id="host-index"),
    pytest.param(
        LIST,
        (),
        {"_request_auth": {"in": "query", "key": "k", "value": "v"}},
        openapi_client.ApiValueError,
        id="auth-in-query",
    ),
    pytest.param(LIST, (), {"_request_auth": "Bearer x"}, openapi_client.ApiTypeError, id="auth-str"),
]


@pytest.mark.parametrize(("operation", "args", "kwargs", "expected"), BAD_ARGUMENTS)
def test_a_bad_argument_is_refused_before_anything_is_sent(
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    view: str,
    operation: str,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
    expected: type,
) -> None:
    with pytest.raises(expected) as caught:
        call(background_tasks_api, operation, view, *args, **kwargs)
    assert str(caught.value)
    assert mock_server.requests == []
    assert mock_server.connections == 0


# -- paths and queries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_id", "segment"),
    [
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("../x", "%2E%2E%2Fx"),
        ("..", "%2E%2E"),
        ("../../../etc/passwd", "%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"),
        ("%2F", "%252F"),
        ("a b+c", "a%20b%2Bc"),
        ("é", "%C3%A9"),
        ("qtask_1;x=1", "qtask_1%3Bx%3D1"),
    ],
)
def test_a_task_id_is_sent_as_one_escaped_path_segment(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, task_id: str, segment: str
) -> None:
    with pytest.raises(openapi_client.NotFoundException):
        background_tasks_api.get(task_id)
    sent = mock_server.requests[-1]
    assert sent.path == f"{PREFIX}{segment}/"
    assert sent.target == sent.path  # nothing spilled into a query string or a fragment


def test_a_query_value_cannot_add_parameters(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    # The server refuses the value (it is no task id), but only as the one iterator sent.
    with pytest.raises(openapi_client.UnprocessableEntityException):
        background_tasks_api.list(iterator="qtask_x&limit=1#frag")
    sent = mock_server.requests[-1]
    assert sent.query == {"iterator": "qtask_x&limit=1#frag"}
    assert "#" not in sent.target


# -- headers ----------------------------------------------------------------------------------------

#: Where a header value can come from: (Configuration arguments, ApiClient arguments, call arguments).
HEADER_SOURCES: Dict[str, Callable[[str], Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]]] = {
    "idempotency_key": lambda value: ({}, {}, {"idempotency_key": value}),
    "_headers-value": lambda value: ({}, {}, {"_headers": {"X-Trace": value}}),
    "_headers-name": lambda value: ({}, {}, {"_headers": {f"X-{value}": "ok"}}),
    "_request_auth": lambda value: (
        {},
        {},
        {"_request_auth": {"in": "header", "key": "Authorization", "value": value}},
    ),
    "access_token": lambda value: ({"access_token": value}, {}, {}),
    "api_key": lambda value: ({"api_key": {"X-Api-Key": value}}, {}, {}),
    "api_key_prefix": lambda value: (
        {"api_key": {"X-Api-Key": "k"}, "api_key_prefix": {"X-Api-Key": value}},
        {},
        {},
    ),
    "cookie": lambda value: ({}, {"cookie": value}, {}),
}
LINE_BREAKS = {"crlf": "\r\n", "lf": "\n", "cr": "\r", "nul": "\x00"}


@pytest.mark.parametrize("line_break", list(LINE_BREAKS.values()), ids=list(LINE_BREAKS))
@pytest.mark.parametrize("source", list(HEADER_SOURCES))
def test_a_line_break_in_any_header_is_refused_and_nothing_is_sent(
    mock_server: MockServer, source: str, line_break: str
) -> None:
    settings, client_args, call_args = HEADER_SOURCES[source](f"s3cret{line_break}X-Injected: yes")
    configuration = Configuration(host=mock_server.url, **settings)
    with (
        ApiClient(configuration, **client_args) as api_client,
        pytest.raises(openapi_client.ApiValueError, match="nothing was sent") as caught,
    ):
        BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID, **call_args)
    if source != "_headers-name":  # a header's value is not repeated in the message
        assert "s3cret" not in str(caught.value)
    assert mock_server.requests == []


@pytest.mark.parametrize("line_break", list(LINE_BREAKS.values()), ids=list(LINE_BREAKS))
def test_a_line_break_in_a_header_of_the_client_is_refused_when_set(line_break: str) -> None:
    value = f"a{line_break}X-Injected: yes"
    with pytest.raises(openapi_client.ApiValueError):
        ApiClient(Configuration(), header_name="X-Trace", header_value=value)
    with ApiClient(Configuration()) as api_client:
        with pytest.raises(openapi_client.ApiValueError):
            api_client.set_default_header("X-Trace", value)
        with pytest.raises(openapi_client.ApiValueError):
            api_client.set_default_header(f"X-Trace{line_break}", "ok")
        with pytest.raises(openapi_client.ApiValueError):
            api_client.user_agent = value
        assert "X-Trace" not in api_client.default_headers
        assert api_client.user_agent.startswith("openapi-client-python/")


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"idempotency_key": "中文"}, id="value-beyond-latin1"),
        pytest.param({"idempotency_key": "\ud800"}, id="value-lone-surrogate"),
        pytest.param({"_headers": {"X-Trace": "a\x01b"}}, id="value-control-character"),
        pytest.param({"_headers": {"X-é": "ok"}}, id="name-not-ascii"),
        pytest.param({"_headers": {"X-Trace:": "ok"}}, id="name-with-colon"),
        pytest.param({"_headers": {"": "ok"}}, id="name-empty"),
    ],
)
def test_a_header_http_cannot_carry_is_refused(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, options: Dict[str, Any]
) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="header"):
        background_tasks_api.get(SAMPLE_TASK_ID, **options)
    assert mock_server.requests == []


# -- error answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 503, 418])
def test_an_error_status_raises_its_exception_with_the_parsed_error(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, decoding_view: str, status: int
) -> None:
    body = {"code": f"code_{status}", "detail": f"detail for {status}"}
    mock_server.fail_next(status, body=body, headers={"X-Request-Id": f"req-{status}"})
    with pytest.raises(openapi_client.ApiException) as caught:
        call(background_tasks_api, GET, decoding_view, SAMPLE_TASK_ID, _request_retries=0)
    error = caught.value
    assert type(error) is exception_class_for_status(status)
    assert error.status == status
    assert error.headers is not None and error.headers["X-Request-Id"] == f"req-{status}"
    assert error.body is not None and json.loads(error.body) == body
    assert error.data == HttpErrorOut(code=f"code_{status}", detail=f"detail for {status}")
    assert error.request_id == mock_server.requests[-1].headers["svix-req-id"]
    assert f"({status})" in str(error) and f"code_{status}: detail for {status}" in str(error)
    assert f"(request id {error.request_id})" in str(error)


def test_a_missing_task_is_not_found_with_the_services_error(
    background_tasks_api: BackgroundTasksApi, decoding_view: str
) -> None:
    with pytest.raises(openapi_client.NotFoundException) as caught:
        call(background_tasks_api, GET, decoding_view, "qtask_missing")
    assert isinstance(caught.value.data, HttpErrorOut) and caught.value.data.code == "not_found"


def test_a_limit_the_server_refuses_carries_the_validation_error(
    api_client: ApiClient,
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    decoding_view: str,
) -> None:
    api_client.configuration.client_side_validation = False  # let the server judge the limit
    with pytest.raises(openapi_client.UnprocessableEntityException) as caught:
        call(background_tasks_api, LIST, decoding_view, limit=1000)
    data = caught.value.data
    assert isinstance(data, HTTPValidationError)
    assert data.detail is not None and data.detail[0].loc == ["query", "limit"]
    assert "query.limit" in str(caught.value)
    assert mock_server.requests[-1].query == {"limit": "1000"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        ("", "text/plain"),
        ("upstream timed out", "text/plain"),
        ('{"unexpected": true}', "application/json"),
    ],
    ids=["proxy-html", "empty", "text", "other-json"],
)
def test_an_error_body_of_another_shape_is_kept_without_data(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, body: str, content_type: str
) -> None:
    mock_server.fail_next(502, body=body.encode(), content_type=content_type)
    with pytest.raises(openapi_client.ServiceException) as caught:
        background_tasks_api.list(_request_retries=0)
    assert (caught.value.status, caught.value.body, caught.value.data) == (502, body, None)
    assert caught.value.headers is not None and caught.value.headers["Content-Type"] == content_type


# -- answers that do not decode ---------------------------------------------------------------------


def test_a_200_that_is_not_json_raises_api_decode_error_with_the_raw_body(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, decoding_view: str
) -> None:
    mock_server.malformed_next()
    with pytest.raises(openapi_client.ApiDecodeError) as caught:
        call(background_tasks_api, LIST, decoding_view)
    error = caught.value
    assert (error.status, error.body) == (200, '{"data": [{"id": "qtask_')
    assert "the answer is not valid JSON" in str(error)
    assert error.request_id == mock_server.requests[-1].headers["svix-req-id"]
    assert isinstance(error.__cause__, pydantic.ValidationError)


@pytest.mark.parametrize(
    "wrong_shape",
    [{"tasks": []}, [1, 2], {"data": [{"id": 1}], "done": True}, {"data": "x", "done": "maybe"}],
)
def test_a_200_of_the_wrong_shape_raises_api_decode_error_with_the_raw_body(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, decoding_view: str, wrong_shape: Any
) -> None:
    mock_server.fail_next(200, body=json.dumps(wrong_shape).encode(), content_type="application/json")
    with pytest.raises(
        openapi_client.ApiDecodeError, match="does not match ListResponseBackgroundTaskOut"
    ) as caught:
        call(background_tasks_api, LIST, decoding_view)
    assert caught.value.body is not None and json.loads(caught.value.body) == wrong_shape


@pytest.mark.parametrize(
    ("fetch", "change", "place"),
    [
        (
            lambda api: api.list(),
            lambda task: {"data": [{k: v for k, v in task.items() if k != "status"}]},
            r"data\.0\.status: Field required",
        ),
        (
            lambda api: api.get(SAMPLE_TASK_ID),
            lambda task: {**task, "data": [1, 2, 3]},
            r"data: Input should be an object",
        ),
        (
            lambda api: api.get(SAMPLE_TASK_ID),
            lambda task: {**task, "data": {"messagesSent": "lots"}},
            r"data\.messagesSent: ",
        ),
    ],
    ids=["task-without-status", "task-data-not-an-object", "task-data-field-of-the-wrong-type"],
)
def test_a_decode_error_names_the_exact_place_in_the_answer(
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    fetch: Callable[[BackgroundTasksApi], Any],
    change: Callable[[Dict[str, Any]], Any],
    place: str,
) -> None:
    body = json.dumps(change(mock_server.task(SAMPLE_TASK_ID))).encode()
    mock_server.fail_next(200, body=body, content_type="application/json")
    with pytest.raises(openapi_client.ApiDecodeError, match=place) as caught:
        fetch(background_tasks_api)
    assert caught.value.body == body.decode()


def test_a_utf8_answer_decodes_and_one_that_is_not_utf8_is_a_decode_error(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    task = {**mock_server.task(SAMPLE_TASK_ID), "note": "café ☕ 東京"}
    body = json.dumps(task, ensure_ascii=False).encode("utf-8")
    mock_server.fail_next(200, body=body, content_type="application/json")
    assert background_tasks_api.get(SAMPLE_TASK_ID).to_dict()["note"] == "café ☕ 東京"
    mock_server.fail_next(
        200, body=body.replace("café".encode(), b"caf\xff"), content_type="application/json"
    )
    with pytest.raises(openapi_client.ApiDecodeError) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID)
    assert caught.value.body is not None and "caf\ufffd" in caught.value.body


# -- the views, as help() shows them ----------------------------------------------------------------


@pytest.mark.parametrize("operation", [GET, LIST])
def test_the_three_views_are_one_operation_with_one_signature(operation: str) -> None:
    views = [getattr(BackgroundTasksApi, operation + suffix) for suffix in VIEWS]
    assert len({view.__wrapped__ for view in views}) == 1
    parameters = [list(inspect.signature(view).parameters.values()) for view in views]
    assert parameters[0] == parameters[1] == parameters[2]
    returns = [inspect.signature(view).return_annotation for view in views]
    model = MODELS[operation].__name__
    assert returns == [model, f"ApiResponse[{model}]", "RESTResponse"]
    assert [view.__qualname__ for view in views] == [
        f"BackgroundTasksApi.{operation}{suffix}" for suffix in VIEWS
    ]


def test_the_generated_names_take_the_generated_parameters() -> None:
    get = inspect.signature(getattr(BackgroundTasksApi, GET)).parameters
    assert list(get)[:3] == ["self", "task_id", "idempotency_key"]
    listing = inspect.signature(getattr(BackgroundTasksApi, LIST)).parameters
    assert list(listing)[:5] == ["self", "iterator", "limit", "order", "idempotency_key"]
    assert all(listing[name].default is None for name in ("iterator", "limit", "order", "idempotency_key"))


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("list", ["iterator", "limit", "order", "status", "task"]),
        ("list_all", ["limit", "order", "status", "task"]),
    ],
)
def test_the_short_listings_take_keywords_only(name: str, first: list) -> None:
    parameters = list(inspect.signature(getattr(BackgroundTasksApi, name)).parameters.values())[1:]
    assert [parameter.name for parameter in parameters] == [*first, "options"]
    assert {parameter.kind for parameter in parameters[:-1]} == {inspect.Parameter.KEYWORD_ONLY}


def test_help_shows_every_operation_with_its_parameters_and_documentation() -> None:
    text = pydoc.render_doc(BackgroundTasksApi, renderer=pydoc.plaintext)

    def shows(name: str) -> bool:  # Python 3.13 puts each parameter of a long signature on a line
        return re.search(rf"(?<!\w){re.escape(name)}\(\s*(\|\s*)?self,", text) is not None

    for operation in (GET, LIST):
        for suffix in VIEWS:
            assert shows(f"{operation}{suffix}")
    for name in ("get", "list", "list_all", "wait"):
        assert shows(name)
    assert ":param task_id:" in text and ":raises NotFoundException:" in text
    assert "returns an :class:`ApiResponse`" in text and "returns the :class:`RESTResponse` unread" in text


# -- the generated client's low-level steps ---------------------------------------------------------


def test_param_serialize_builds_the_url_headers_and_auth() -> None:
    configuration = Configuration(host="http://api.example.test", access_token="t0k")
    with ApiClient(configuration, cookie="session=1") as api_client:
        method, url, headers, body, post = api_client.param_serialize(
            "GET",
            "/api/v1/background-task/{task_id}/",
            path_params={"task_id": "a/b"},
            query_params=[("limit", 5), ("iterator", None), ("order", openapi_client.Ordering.ASCENDING)],
            header_params={"idempotency-key": "k1"},
        )
        with pytest.raises(openapi_client.ApiValueError, match="take no request body"):
            api_client.param_serialize("GET", PREFIX, body={"a": 1})
    assert (method, body, post) == ("GET", None, [])
    assert url == "http://api.example.test/api/v1/background-task/a%2Fb/?limit=5&order=ascending"
    assert headers["Authorization"] == "Bearer t0k" and headers["Cookie"] == "session=1"
    assert headers["idempotency-key"] == "k1" and headers["svix-req-id"].isdigit()


@pytest.mark.parametrize("response_type", [BackgroundTaskOut, "BackgroundTaskOut"], ids=["class", "name"])
def test_param_serialize_call_api_and_response_deserialize_make_a_call(
    api_client: ApiClient, mock_server: MockServer, response_type: Any
) -> None:
    def fetch(path: str, task_id: str = SAMPLE_TASK_ID) -> RESTResponse:
        return api_client.call_api(*api_client.param_serialize("GET", path, path_params={"task_id": task_id}))

    found = api_client.response_deserialize(fetch(PREFIX + "{task_id}/"), {"200": response_type})
    assert isinstance(found.data, BackgroundTaskOut) and found.data.id == SAMPLE_TASK_ID
    with pytest.raises(openapi_client.NotFoundException):
        api_client.response_deserialize(fetch(PREFIX + "{task_id}/", "qtask_missing"), {"200": response_type})
    mock_server.malformed_next()
    with pytest.raises(openapi_client.ApiDecodeError):
        api_client.response_deserialize(fetch(PREFIX), {"2XX": "ListResponseBackgroundTaskOut"})


def test_sanitize_and_deserialize_use_wire_names() -> None:
    with ApiClient(Configuration()) as api_client:
        stats = openapi_client.ApplicationStats(app_id="a", message_destinations=1)
        assert api_client.sanitize_for_serialization([stats, openapi_client.Ordering.ASCENDING]) == [
            {"appId": "a", "messageDestinations": 1},
            "ascending",
        ]
        decoded = api_client.deserialize(b'{"code": "c", "detail": "d"}', "HttpErrorOut")
        assert decoded == HttpErrorOut(code="c", detail="d")
        with pytest.raises(openapi_client.ApiValueError, match="cannot decode as HttpErrorOut"):
            api_client.deserialize("{not json", "HttpErrorOut")
