"""Retries, timeouts and the deadline, over real sockets against a MockServer that misbehaves.

Each test queues faults (``fail_next``, ``delay_next``, ``drop_next``) and then checks what a
caller sees and what the server received. Tests use millisecond backoff (``FAST_RETRIES``)
unless the real wait is the point.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import ssl
import struct
import threading
import time
from typing import Any, Callable, Dict, Iterator

import pytest
import trustme
import urllib3
from conftest import FAST_RETRIES
from urllib3.util.retry import Retry

import openapi_client
from openapi_client import RetryPolicy
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

#: Seconds of scheduling slack on top of every bound (a loaded 2-core CI machine).
SLACK = 1.5
PROXY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


@pytest.fixture
def make_api(server: MockServer) -> Iterator[Callable[..., openapi_client.BackgroundTasksApi]]:
    """``make_api(**configuration_settings)``: an API client for ``server`` with those settings."""
    clients = []

    def make(**settings: Any) -> openapi_client.BackgroundTasksApi:
        client = openapi_client.ApiClient(openapi_client.Configuration(host=server.url, **settings))
        clients.append(client)
        return openapi_client.BackgroundTasksApi(client)

    yield make
    for client in clients:
        client.close()


def _get_data(api: openapi_client.BackgroundTasksApi, **kwargs: Any) -> str:
    return api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID, **kwargs).id


def _get_with_http_info(api: openapi_client.BackgroundTasksApi, **kwargs: Any) -> str:
    info = api.get_background_task_api_v1_background_task_task_id_get_with_http_info(SAMPLE_TASK_ID, **kwargs)
    assert info.status_code == 200
    return info.data.id


def _get_without_preload(api: openapi_client.BackgroundTasksApi, **kwargs: Any) -> str:
    raw = api.get_background_task_api_v1_background_task_task_id_get_without_preload_content(
        SAMPLE_TASK_ID, **kwargs
    )
    assert raw.status == 200
    return str(json.loads(raw.read())["id"])


def _list(api: openapi_client.BackgroundTasksApi, **kwargs: Any) -> str:
    return api.list_background_tasks_api_v1_background_task_get(limit=5, **kwargs).data[2].id


CALLS = pytest.mark.parametrize(
    "call",
    [_get_data, _get_with_http_info, _get_without_preload, _list],
    ids=["get", "get_with_http_info", "get_without_preload_content", "list"],
)


# -- the issue's list --------------------------------------------------------------------------


@CALLS
def test_503_503_then_200_succeeds_on_the_third_request_with_identical_headers(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi], call: Any
) -> None:
    api = make_api(retries=FAST_RETRIES, access_token="token-1")
    server.fail_next(503, times=2)

    assert call(api, idempotency_key="idem-42") == SAMPLE_TASK_ID

    sent = server.requests
    assert len(sent) == 3
    assert [request.headers["idempotency-key"] for request in sent] == ["idem-42"] * 3
    assert all(request.headers == sent[0].headers for request in sent), "every attempt sends the same"
    assert sent[0].headers["authorization"] == "Bearer token-1"
    assert len({request.target for request in sent}) == 1


def test_429_with_retry_after_1_waits_at_least_a_second(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api()  # the default policy: its own first backoff is at most 0.5 s
    server.fail_next(429, headers={"Retry-After": "1"})

    started = time.perf_counter()
    assert _get_data(api) == SAMPLE_TASK_ID
    assert time.perf_counter() - started >= 1.0
    assert len(server.requests) == 2


def test_429_with_retry_after_3600_raises_at_once_with_the_wait(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api()
    server.fail_next(429, headers={"Retry-After": "3600"})

    started = time.perf_counter()
    with pytest.raises(openapi_client.TooManyRequestsException) as caught:
        _get_data(api)
    assert time.perf_counter() - started < 2.0
    assert caught.value.retry_after == 3600
    assert caught.value.status == 429
    assert caught.value.attempts == 1
    assert len(server.requests) == 1


@pytest.mark.parametrize("call", [_get_data, _list], ids=["get", "list"])
def test_a_connection_dropped_mid_body_is_retried_and_the_call_succeeds(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi], call: Any
) -> None:
    api = make_api(retries=FAST_RETRIES)
    server.drop_next()

    assert call(api) == SAMPLE_TASK_ID
    assert len(server.requests) == 2
    assert server.connections == 2, "the broken connection was not reused"


def test_a_server_that_never_answers_ends_in_api_timeout_error_within_the_bound(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api()  # the default policy, real backoff: 3 attempts, waits of at most 0.5 s and 1 s
    server.delay_next(60, times=3)

    started = time.perf_counter()
    with pytest.raises(openapi_client.ApiTimeoutError) as caught:
        _get_data(api, _request_timeout=0.3)
    elapsed = time.perf_counter() - started

    assert elapsed < 3 * 0.3 + (0.5 + 1.0) + SLACK
    assert caught.value.attempts == 3
    assert len(server.requests) == 3
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.ReadTimeoutError)


def test_ten_503s_give_service_exception_after_exactly_three_attempts(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)
    server.fail_next(503, times=10)

    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api)
    assert caught.value.status == 503
    assert caught.value.attempts == 3
    assert len(server.requests) == 3
    assert server.pending_faults == 7


def test_retries_0_makes_exactly_one_attempt(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=0)
    server.fail_next(503, times=10)

    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api)
    assert caught.value.attempts == 1
    assert len(server.requests) == 1


def test_a_404_makes_exactly_one_attempt(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)

    with pytest.raises(openapi_client.NotFoundException) as caught:
        api.get("qtask_missing")
    assert caught.value.attempts == 1
    assert len(server.requests) == 1


def test_a_repeated_html_502_from_a_proxy_gives_service_exception_with_the_page(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)
    server.fail_next(502, times=3, body=PROXY_PAGE)

    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api)
    assert caught.value.status == 502
    assert caught.value.body == PROXY_PAGE
    assert caught.value.data is None
    assert caught.value.attempts == 3
    assert len(server.requests) == 3


# -- other faults that are retried, or not ----------------------------------------------------


def test_connection_refused_is_retried_then_reported_with_the_attempts() -> None:
    with MockServer() as gone:
        url = gone.url
    api = openapi_client.BackgroundTasksApi(
        openapi_client.ApiClient(openapi_client.Configuration(host=url, retries=FAST_RETRIES))
    )
    with pytest.raises(openapi_client.ApiConnectionError) as caught:
        _get_data(api)
    assert not isinstance(caught.value, openapi_client.ApiTimeoutError)
    assert caught.value.attempts == 3
    assert "could not connect" in str(caught.value) and "after 3 attempts" in str(caught.value)


def test_a_connection_reset_before_the_answer_is_retried(server: MockServer) -> None:
    # MockServer cuts bodies; a reset before any answer needs a bare socket: it resets the
    # first connection with an RST (SO_LINGER 0) and answers on the second.
    body = json.dumps(server.task(SAMPLE_TASK_ID)).encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve() -> None:
        for attempt in range(2):
            conn, _ = listener.accept()
            with conn:
                received.append(conn.recv(65536))
                if attempt == 0:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.sendall(answer + body)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    host = f"http://127.0.0.1:{listener.getsockname()[1]}"
    configuration = openapi_client.Configuration(host=host, retries=FAST_RETRIES, timeout=5.0)
    try:
        with openapi_client.ApiClient(configuration) as client:
            assert _get_data(openapi_client.BackgroundTasksApi(client)) == SAMPLE_TASK_ID
    finally:
        thread.join(timeout=5)
        listener.close()
    assert len(received) == 2 and received[0] == received[1]


def test_a_tls_failure_is_not_retried() -> None:
    cert = trustme.CA().issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    with MockServer(ssl_context=context) as tls_server:
        # The client does not trust the server's private CA.
        api = openapi_client.BackgroundTasksApi(
            openapi_client.ApiClient(openapi_client.Configuration(host=tls_server.url, retries=5))
        )
        started = time.perf_counter()
        with pytest.raises(openapi_client.ApiConnectionError) as caught:
            _get_data(api)
    assert caught.value.attempts == 1
    assert "TLS" in str(caught.value)
    assert time.perf_counter() - started < SLACK, "no backoff was slept"


def test_a_body_cut_off_in_an_unread_answer_raises_api_connection_error_on_read(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)
    server.drop_next()
    raw = api.get_background_task_api_v1_background_task_task_id_get_without_preload_content(SAMPLE_TASK_ID)

    with pytest.raises(openapi_client.ApiConnectionError) as caught:
        raw.read()
    assert "IncompleteRead" in str(caught.value)
    assert caught.value.__cause__ is not None


def test_a_timeout_pair_and_a_configured_timeout_both_bound_each_attempt(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=0, timeout=0.3)
    server.delay_next(60, times=2)

    started = time.perf_counter()
    with pytest.raises(openapi_client.ApiTimeoutError):
        _get_data(api)
    with pytest.raises(openapi_client.ApiTimeoutError):
        _get_data(api, _request_timeout=(2.0, 0.3))
    assert time.perf_counter() - started < 2 * 0.3 + SLACK
    assert len(server.requests) == 2


# -- per-call overrides and the deadline -------------------------------------------------------


def test_request_retries_overrides_the_configured_retries_per_call(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)

    server.fail_next(503, times=10)
    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api, _request_retries=0)
    assert caught.value.attempts == 1 and len(server.requests) == 1

    server.reset()
    server.fail_next(503, times=10)
    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api, _request_retries=RetryPolicy(4, backoff_base=0.001))
    assert caught.value.attempts == 5 and len(server.requests) == 5

    server.reset()
    server.fail_next(503, times=10)
    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api, _request_retries=1)  # an int keeps the configured backoff
    assert caught.value.attempts == 2 and len(server.requests) == 2

    server.reset()
    server.fail_next(503, times=2)
    assert _get_data(api) == SAMPLE_TASK_ID, "the configured policy is untouched"


def test_request_deadline_ends_a_call_whose_attempt_would_run_past_it(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES, timeout=(5.0, 5.0))
    server.delay_next(60, times=3)

    started = time.perf_counter()
    with pytest.raises(openapi_client.ApiTimeoutError) as caught:
        _get_data(api, _request_deadline=0.5)
    assert time.perf_counter() - started < 0.5 + SLACK
    assert caught.value.attempts == 1
    assert len(server.requests) == 1, "no attempt started that could not end in time"


def test_configured_deadline_bounds_a_call_across_attempts_and_backoff(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    # Attempts at 0 s and 0.4 s; the next backoff (0.8 s) would end past the 1 s deadline.
    api = make_api(retries=RetryPolicy(10, backoff_base=0.4, backoff_jitter_ratio=0), deadline=1.0)
    server.fail_next(503, times=10)

    started = time.perf_counter()
    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api)
    assert time.perf_counter() - started < 1.0 + SLACK
    assert caught.value.attempts == 2
    assert len(server.requests) == 2


def test_the_deadline_refuses_a_server_requested_wait_past_it(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=FAST_RETRIES)
    server.fail_next(503, headers={"Retry-After": "5"})

    started = time.perf_counter()
    with pytest.raises(openapi_client.ServiceException) as caught:
        _get_data(api, _request_deadline=2.0)
    assert time.perf_counter() - started < 2.0
    assert caught.value.retry_after == 5
    assert len(server.requests) == 1


# -- what the server asks for ------------------------------------------------------------------


def test_retry_after_as_an_http_date_is_honoured(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api()  # default policy: its own first backoff is at most 0.5 s
    server.fail_next(503, headers={"Retry-After": email.utils.formatdate(time.time() + 2, usegmt=True)})

    started = time.perf_counter()
    assert _get_data(api) == SAMPLE_TASK_ID
    assert time.perf_counter() - started >= 1.0  # the date has whole seconds: 1 to 2 s from now
    assert len(server.requests) == 2


def test_a_far_retry_after_date_raises_at_once_with_the_wait_in_seconds(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api()
    server.fail_next(429, headers={"Retry-After": email.utils.formatdate(time.time() + 3600, usegmt=True)})

    with pytest.raises(openapi_client.TooManyRequestsException) as caught:
        _get_data(api)
    assert caught.value.retry_after is not None
    assert 3590 <= caught.value.retry_after <= 3600
    assert len(server.requests) == 1


def test_retry_after_ms_is_honoured_instead_of_the_backoff(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    api = make_api(retries=RetryPolicy(2, backoff_base=30))  # its own backoff would be 22-30 s
    server.fail_next(429, headers={"retry-after-ms": "200"})

    started = time.perf_counter()
    assert _get_data(api) == SAMPLE_TASK_ID
    elapsed = time.perf_counter() - started
    assert 0.2 <= elapsed < 0.2 + SLACK
    assert len(server.requests) == 2


# -- logging -----------------------------------------------------------------------------------


def test_each_retry_is_logged_once_at_info_without_secrets(
    server: MockServer,
    make_api: Callable[..., openapi_client.BackgroundTasksApi],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    api = make_api(retries=FAST_RETRIES, access_token="s3cr3t-token", api_key={"X-Api-Key": "k3y-value"})
    server.fail_next(503)
    server.drop_next()

    assert _get_data(api, idempotency_key="idem-7") == SAMPLE_TASK_ID

    retries = [r for r in caplog.records if r.name == "openapi_client" and r.levelno == logging.INFO]
    assert len(retries) == 2
    first, second = (r.getMessage() for r in retries)
    assert "status 503" in first and "attempt 2 of 3" in first and "waiting" in first
    assert "IncompleteRead" in second and "attempt 3 of 3" in second and "waiting" in second
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "s3cr3t-token" not in everything and "k3y-value" not in everything


# -- configuration ------------------------------------------------------------------------------


def test_a_urllib3_retry_is_used_as_given(
    server: MockServer, make_api: Callable[..., openapi_client.BackgroundTasksApi]
) -> None:
    # 418 is not in this SDK's policy; a caller's own Retry can still ask for it.
    teapot = Retry(total=1, status_forcelist=[418], backoff_factor=0, raise_on_status=False)
    api = make_api(retries=teapot)
    server.fail_next(418, times=5)

    with pytest.raises(openapi_client.ApiException) as caught:
        _get_data(api)
    assert caught.value.status == 418
    assert caught.value.attempts == 2
    assert len(server.requests) == 2

    server.reset()
    server.fail_next(418, times=5)
    with pytest.raises(openapi_client.ApiException):
        _get_data(make_api(retries=FAST_RETRIES), _request_retries=teapot)
    assert len(server.requests) == 2


BAD_SETTINGS: Dict[str, Any] = {
    "retries=-1": ({"retries": -1}, openapi_client.ApiValueError),
    "retries='3'": ({"retries": "3"}, openapi_client.ApiTypeError),
    "timeout='x'": ({"timeout": "x"}, openapi_client.ApiTypeError),
    "timeout=-1": ({"timeout": -1}, openapi_client.ApiValueError),
    "timeout=(1, 'x')": ({"timeout": (1, "x")}, openapi_client.ApiTypeError),
    "timeout=(1, 2, 3)": ({"timeout": (1, 2, 3)}, openapi_client.ApiTypeError),
    "deadline=0": ({"deadline": 0}, openapi_client.ApiValueError),
    "deadline='1'": ({"deadline": "1"}, openapi_client.ApiTypeError),
    "max_retry_wait=-1": ({"max_retry_wait": -1}, openapi_client.ApiValueError),
}


@pytest.mark.parametrize(("settings", "error"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_bad_configured_values_are_refused_before_sending(
    server: MockServer, settings: Dict[str, Any], error: type
) -> None:
    configuration = openapi_client.Configuration(host=server.url, **settings)
    with pytest.raises(error):
        openapi_client.ApiClient(configuration)
    assert server.requests == []


BAD_OPTIONS: Dict[str, Any] = {
    "_request_retries=-1": ({"_request_retries": -1}, openapi_client.ApiValueError),
    "_request_retries=1.5": ({"_request_retries": 1.5}, openapi_client.ApiTypeError),
    "_request_timeout='x'": ({"_request_timeout": "x"}, openapi_client.ApiTypeError),
    "_request_timeout=-1": ({"_request_timeout": -1}, openapi_client.ApiValueError),
    "_request_timeout=(0, 1)": ({"_request_timeout": (0, 1)}, openapi_client.ApiValueError),
    "_request_deadline=0": ({"_request_deadline": 0}, openapi_client.ApiValueError),
    "_request_deadline=nan": ({"_request_deadline": float("nan")}, openapi_client.ApiValueError),
}


@pytest.mark.parametrize(("options", "error"), BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_bad_per_call_values_are_refused_before_sending(
    server: MockServer,
    make_api: Callable[..., openapi_client.BackgroundTasksApi],
    options: Dict[str, Any],
    error: type,
) -> None:
    api = make_api(retries=FAST_RETRIES)
    with pytest.raises(error):
        _get_data(api, **options)
    assert server.requests == []
