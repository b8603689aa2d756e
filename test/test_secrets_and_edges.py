"""Credentials stay put and odd input gets the package's own errors, over real sockets.

Secrets never appear in a repr, a log line or a redirected request; malformed settings and
arguments are refused with ApiTypeError/ApiValueError before anything is sent.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any, Iterator, List, Optional

import pydantic
import pytest
import urllib3
from conftest import FAST_RETRIES

import openapi_client
from openapi_client import ApiClient, BackgroundTasksApi, Configuration
from openapi_client.models import BackgroundTaskOut
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

TASK_PATH = f"/api/v1/background-task/{SAMPLE_TASK_ID}/"


@pytest.fixture
def other_server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


# -- secrets ----------------------------------------------------------------------------------


def test_request_auth_does_not_follow_a_redirect_to_another_host(
    server: MockServer, other_server: MockServer
) -> None:
    server.fail_next(302, headers={"Location": other_server.url + TASK_PATH})
    auth = {"in": "header", "key": "X-Api-Token", "value": "per-call-secret", "type": "api_key"}
    with ApiClient(Configuration(host=server.url)) as api_client:
        assert BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID, _request_auth=auth).id == SAMPLE_TASK_ID
    assert server.requests[-1].headers["X-Api-Token"] == "per-call-secret"
    assert "X-Api-Token" not in other_server.requests[-1].headers


def test_debug_log_shows_no_credential_of_any_kind(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    host = server.url.replace("http://", "http://alice:host-secret@")
    configuration = Configuration(host=host, access_token="bearer-secret", debug=True)
    caplog.set_level(logging.DEBUG, logger="openapi_client")
    try:
        with ApiClient(configuration, header_name="X-Svix-Token", header_value="header-secret") as client:
            api = BackgroundTasksApi(client)
            api.get(SAMPLE_TASK_ID, _request_auth={"key": "X-Other", "value": "auth-secret"})
            api.get(SAMPLE_TASK_ID, idempotency_key="key-7")
    finally:
        configuration.debug = False
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert f"GET {server.url}{TASK_PATH} -> 200" in text
    assert "'idempotency-key': 'key-7'" in text  # not a secret: shown, to help debugging
    for secret in ("host-secret", "bearer-secret", "header-secret", "auth-secret"):
        assert secret not in text
    assert "alice" not in repr(configuration)


def test_a_failed_request_is_logged_in_debug_mode_too(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as refusing:  # bound, never listening: connections are refused
        refusing.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{refusing.getsockname()[1]}"
        configuration = Configuration(host=url, retries=0, access_token="bearer-secret", debug=True)
        caplog.set_level(logging.DEBUG, logger="openapi_client")
        try:
            with ApiClient(configuration) as client, pytest.raises(openapi_client.ApiConnectionError):
                BackgroundTasksApi(client).get(SAMPLE_TASK_ID)
        finally:
            configuration.debug = False
    (line,) = [r.getMessage() for r in caplog.records if "failed: could not connect" in r.getMessage()]
    assert line.startswith(f"GET {url}{TASK_PATH} -> failed") and "bearer-secret" not in line


def test_turning_debug_off_on_one_configuration_keeps_other_logging(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("openapi_client")
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        Configuration(debug=True).debug = False  # another client's switch, on and off
        assert logger.level == logging.INFO
        caplog.set_level(logging.INFO, logger="openapi_client")
        server.fail_next(503)
        with ApiClient(Configuration(host=server.url, retries=FAST_RETRIES)) as client:
            BackgroundTasksApi(client).get(SAMPLE_TASK_ID)
        assert any("Retrying GET" in r.getMessage() for r in caplog.records)
    finally:
        logger.setLevel(before)


# -- malformed settings and arguments -----------------------------------------------------------


@pytest.mark.parametrize("host", ["http://h:99999", "http://[::1", "ftp://example.com", "example.com", ""])
def test_a_malformed_host_is_refused_when_set(host: str) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="host"):
        Configuration(host=host)
    configuration = Configuration()
    with pytest.raises(openapi_client.ApiValueError):
        configuration.host = host


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"host": 123}, openapi_client.ApiTypeError),
        ({"api_key": "abc"}, openapi_client.ApiTypeError),
        ({"api_key": {"X-Key": 5}}, openapi_client.ApiTypeError),
        ({"api_key_prefix": ["Bearer"]}, openapi_client.ApiTypeError),
    ],
)
def test_malformed_settings_raise_the_package_errors(settings: dict, error: type) -> None:
    with pytest.raises(error):
        Configuration(**settings)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"_request_auth": "token"}, openapi_client.ApiTypeError),
        ({"_request_auth": {"in": "query", "key": "k", "value": "v"}}, openapi_client.ApiValueError),
        ({"_host_index": "a"}, openapi_client.ApiTypeError),
        ({"_host_index": 7}, openapi_client.ApiValueError),
    ],
)
def test_malformed_per_call_options_are_refused_before_sending(
    api: BackgroundTasksApi, server: MockServer, options: dict, error: type
) -> None:
    with pytest.raises(error):
        api.get(SAMPLE_TASK_ID, **options)
    assert server.requests == []


def test_deserialize_refuses_bad_input_with_package_errors(client: ApiClient) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="UTF-8"):
        client.deserialize(b"\xff\xfe", "str", "text/plain")
    with pytest.raises(openapi_client.ApiTypeError):
        client.deserialize("{}", object())
    with pytest.raises(openapi_client.ApiValueError):
        client.deserialize("[1]", "BackgroundTaskOut")
    assert client.deserialize(b'"caf\xc3\xa9"', "str") == "café"


class _Incomplete(pydantic.BaseModel):
    """A model that names one never defined: pydantic can build no validator for it."""

    part: _NeverDefined  # type: ignore[name-defined]  # noqa: F821


@pytest.mark.parametrize("target", [_Incomplete, Optional[_Incomplete], List[_Incomplete]])
def test_deserialize_into_a_model_pydantic_cannot_build_is_api_type_error(
    client: ApiClient, target: Any
) -> None:
    with pytest.raises(openapi_client.ApiTypeError, match=r"cannot decode into .*_Incomplete"):
        client.deserialize('{"part": {}}', target)


# -- retries with a plain urllib3 Retry -----------------------------------------------------------


def test_a_plain_urllib3_retry_still_gives_the_last_answers_exception(server: MockServer) -> None:
    server.fail_next(503, times=3)
    configuration = Configuration(host=server.url, retries=urllib3.Retry(1, status_forcelist=[503]))
    with ApiClient(configuration) as client, pytest.raises(openapi_client.ServiceException) as caught:
        BackgroundTasksApi(client).get(SAMPLE_TASK_ID)
    assert caught.value.status == 503 and caught.value.attempts == 2
    assert len(server.requests) == 2


def test_a_garbled_retry_after_is_treated_as_absent(api: BackgroundTasksApi, server: MockServer) -> None:
    server.fail_next(503, times=3, headers={"Retry-After": "soon"})
    with pytest.raises(openapi_client.ServiceException) as caught:
        api.get(SAMPLE_TASK_ID)
    assert caught.value.retry_after is None and caught.value.attempts == 3


def test_a_413_with_retry_after_is_not_retried(api: BackgroundTasksApi, server: MockServer) -> None:
    server.fail_next(413, times=3, headers={"Retry-After": "0"})
    with pytest.raises(openapi_client.ApiException) as caught:
        api.get(SAMPLE_TASK_ID)
    assert caught.value.status == 413 and len(server.requests) == 1


# -- the undecoded response ------------------------------------------------------------------------


def test_an_unread_response_used_as_a_context_manager_gives_its_connection_back(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    for _ in range(3):
        with api.get_background_task_api_v1_background_task_task_id_get_without_preload_content(
            SAMPLE_TASK_ID
        ) as response:
            assert response.status == 200
    assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    assert server.connections == 1


def test_iterating_an_unread_response_gives_the_body(api: BackgroundTasksApi) -> None:
    response = api.get_background_task_api_v1_background_task_task_id_get_without_preload_content(
        SAMPLE_TASK_ID
    )
    assert b"".join(response) == response.read()
    assert BackgroundTaskOut.model_validate_json(response.read()).id == SAMPLE_TASK_ID


# -- issue 2 point 8: decoded straight from the bytes ---------------------------------------------


def test_point8_a_2xx_body_is_never_decoded_to_text_or_through_json_loads(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    import json

    server.add_tasks(250)
    seen = []

    def watch(frame: object, event: str, arg: object) -> None:
        # http.client decodes the status line and headers; a JSON body starts with { or [.
        decoded = getattr(arg, "__self__", None) if getattr(arg, "__name__", "") == "decode" else None
        decodes_a_body = isinstance(decoded, (bytes, bytearray)) and decoded[:1] in (b"{", b"[")
        if event == "c_call" and decodes_a_body:
            seen.append("bytes.decode")
        elif event == "call" and getattr(frame, "f_code", None) is json.loads.__code__:
            seen.append("json.loads")

    sys.setprofile(watch)
    try:
        page = api.list(limit=250)
        task = api.get(SAMPLE_TASK_ID)
    finally:
        sys.setprofile(None)
    assert len(page.data) == 250 and task.id == SAMPLE_TASK_ID
    assert seen == []


def test_an_error_answers_session_cookie_is_not_in_the_exception_text(
    api: BackgroundTasksApi, server: MockServer
) -> None:
    server.fail_next(403, headers={"Set-Cookie": "session=cookie-secret", "X-Request-Id": "req-1"})
    with pytest.raises(openapi_client.ForbiddenException) as caught:
        api.get(SAMPLE_TASK_ID)
    assert "cookie-secret" not in str(caught.value) and "req-1" in str(caught.value)
    assert caught.value.headers["Set-Cookie"] == "session=cookie-secret"  # still there to read
