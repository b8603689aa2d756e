"""Path and header safety over real sockets (issue 2, point 5).

A path parameter is always exactly one escaped segment, a query value cannot add parameters, and
a header value with CR, LF or NUL is refused with ApiValueError before anything is sent.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict

import pytest

import openapi_client
from openapi_client import BackgroundTasksApi
from openapi_client.testing import MockServer

PREFIX = "/api/v1/background-task/"
GET_VARIANTS = [
    "get_background_task_api_v1_background_task_task_id_get",
    "get_background_task_api_v1_background_task_task_id_get_with_http_info",
    "get_background_task_api_v1_background_task_task_id_get_without_preload_content",
]


@pytest.fixture(params=GET_VARIANTS, ids=["data", "with_http_info", "without_preload_content"])
def get_variant(request: pytest.FixtureRequest, api: BackgroundTasksApi) -> Any:
    return getattr(api, request.param)


def _send_ignoring_404(operation: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(openapi_client.NotFoundException):
        operation(*args, **kwargs)


@pytest.mark.parametrize(
    ("task_id", "sent_segment"),
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
def test_point5_path_parameter_is_sent_as_one_escaped_segment(
    server: MockServer, get_variant: Any, task_id: str, sent_segment: str
) -> None:
    _send_ignoring_404(get_variant, task_id)
    sent = server.requests[-1]
    assert sent.path == f"{PREFIX}{sent_segment}/"
    assert sent.query == {}
    assert sent.target == sent.path  # nothing spilled into a query string or fragment


def test_point5_dot_dot_cannot_climb_out_of_the_collection(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    # If "../" climbed, this would GET the list endpoint and return a page instead of a 404.
    with pytest.raises(openapi_client.NotFoundException):
        api.get("..")
    assert server.requests[-1].path.startswith(PREFIX)


def test_point5_query_values_cannot_add_parameters(api: BackgroundTasksApi, server: MockServer) -> None:
    # The server refuses the value (it is no task id), but only as the one iterator sent.
    with pytest.raises(openapi_client.UnprocessableEntityException):
        api.list(iterator="qtask_x&limit=1#frag")
    sent = server.requests[-1]
    assert sent.query == {"iterator": "qtask_x&limit=1#frag"}
    assert "#" not in sent.target


HEADER_INJECTIONS = ["k\r\nX-Injected: yes", "k\nX-Injected: yes", "k\rX-Injected: yes", "k\x00"]


@pytest.mark.parametrize("value", HEADER_INJECTIONS, ids=["crlf", "lf", "cr", "nul"])
@pytest.mark.parametrize(
    "where",
    ["idempotency_key", "_headers_value", "_headers_name", "_request_auth"],
)
def test_point5_header_with_a_line_break_is_refused_and_nothing_is_sent(
    server: MockServer, get_variant: Any, where: str, value: str
) -> None:
    kwargs: Dict[str, Any] = {
        "idempotency_key": {"idempotency_key": value},
        "_headers_value": {"_headers": {"X-Trace": value}},
        "_headers_name": {"_headers": {value: "ok"}},
        "_request_auth": {"_request_auth": {"in": "header", "key": "Authorization", "value": value}},
    }[where]
    with pytest.raises(openapi_client.ApiValueError, match="nothing was sent"):
        get_variant("qtask_1", **kwargs)
    assert server.requests == []
    assert server.connections == 0


@pytest.mark.parametrize("value", HEADER_INJECTIONS, ids=["crlf", "lf", "cr", "nul"])
def test_point5_configured_secrets_and_cookie_with_line_breaks_are_refused(
    server: MockServer, value: str
) -> None:
    for configuration, cookie in (
        (openapi_client.Configuration(host=server.url, access_token=value), None),
        (openapi_client.Configuration(host=server.url, api_key={"X-Api-Key": value}), None),
        (openapi_client.Configuration(host=server.url), value),
    ):
        with openapi_client.ApiClient(configuration, cookie=cookie) as api_client, pytest.raises(
            openapi_client.ApiValueError
        ):
            BackgroundTasksApi(api_client).list()
    assert server.requests == []


def test_point5_default_header_with_a_line_break_is_refused(client: openapi_client.ApiClient) -> None:
    with pytest.raises(openapi_client.ApiValueError):
        client.set_default_header("X-Trace", "a\r\nX-Injected: yes")
    assert "X-Trace" not in client.default_headers


def test_point5_refused_header_message_does_not_echo_the_value(server: MockServer) -> None:
    configuration = openapi_client.Configuration(host=server.url, access_token="s3cret\r\nX-A: 1")
    with openapi_client.ApiClient(configuration) as api_client, pytest.raises(
        openapi_client.ApiValueError
    ) as caught:
        BackgroundTasksApi(api_client).list()
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"idempotency_key": "中文"}, id="value-beyond-latin1"),
        pytest.param({"idempotency_key": "\ud800"}, id="value-lone-surrogate"),
        pytest.param({"_headers": {"X-Trace": "a\x01b"}}, id="value-control-character"),
        pytest.param({"_headers": {"X-é": "ok"}}, id="name-not-ascii"),
        pytest.param({"_headers": {"X-Trace:": "ok"}}, id="name-with-colon"),
        pytest.param({"_headers": {"": "ok"}}, id="name-empty"),
    ],
)
def test_point5_header_http_cannot_carry_is_refused_with_api_value_error(
    server: MockServer, get_variant: Any, kwargs: Dict[str, Any]
) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="header"):
        get_variant("qtask_1", **kwargs)
    assert server.requests == []


def test_point5_path_and_query_values_that_are_not_unicode_are_refused(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="task_id"):
        api.get("qtask_\ud800")
    with pytest.raises(openapi_client.ApiValueError, match="query"):
        api.list(iterator="\udcff")
    assert server.requests == []
