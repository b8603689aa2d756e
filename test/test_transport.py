"""The transport over real sockets, against MockServer: pooled connections, TLS, proxies,
redirects, retries, timeouts and the deadline, logging, request ids, compression and streamed
answers. What a server can do at the byte level (dripped, endless, absurdly framed or reset
answers) is in test_transport_hostile.py.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import re
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import trustme
import urllib3
from urllib3.util.retry import Retry

import openapi_client
from openapi_client import (
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BackgroundTaskOut,
    BackgroundTasksApi,
    Configuration,
    RetryPolicy,
    ServiceException,
)
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

PREFIX = "/api/v1/background-task/"
TASK_PATH = f"{PREFIX}{SAMPLE_TASK_ID}/"
GET = "get_background_task_api_v1_background_task_task_id_get"
#: Seconds of scheduling slack on top of a bound that is the point of a test (a loaded CI machine).
SLACK = 1.0

MakeApi = Callable[..., BackgroundTasksApi]


def get_in_variant(api: BackgroundTasksApi, variant: str, **options: Any) -> BackgroundTaskOut:
    """The sample task, fetched through one of the three variants of the get operation."""
    answer = getattr(api, GET if variant == "data" else f"{GET}_{variant}")(SAMPLE_TASK_ID, **options)
    if variant == "with_http_info":
        assert answer.status_code == 200
        return answer.data
    if variant == "without_preload_content":
        assert answer.status == 200
        return BackgroundTaskOut.from_json(answer.read())
    return answer


VARIANTS = pytest.mark.parametrize("variant", ["data", "with_http_info", "without_preload_content"])


# -- pooled connections ----------------------------------------------------------------------


def test_a_hundred_sequential_calls_share_one_connection(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    for number in range(100):
        if number % 10 == 9:  # error answers keep the connection too
            with pytest.raises(openapi_client.NotFoundException):
                background_tasks_api.get("qtask_missing")
        elif number % 2:
            assert background_tasks_api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
        else:
            assert len(background_tasks_api.list(limit=2).data) == 2
    assert len(mock_server.requests) == 100
    assert mock_server.connections == 1


def test_eight_threads_sharing_one_client_each_get_their_answers(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(20)
    newest_five = mock_server.task_ids[::-1][:5]
    start = threading.Barrier(8)

    def work(worker: int) -> List[str]:
        start.wait(timeout=10)
        seen = []
        for number in range(25):
            if (worker + number) % 2:
                seen.append(background_tasks_api.get(SAMPLE_TASK_ID).id)
            else:
                assert [task.id for task in background_tasks_api.list(limit=5).data] == newest_five
                seen.append("page")
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert [len(seen) for seen in results] == [25] * 8
    assert {item for seen in results for item in seen} == {SAMPLE_TASK_ID, "page"}
    assert len(mock_server.requests) == 200
    # One pool shared by all threads: at most a connection per thread, never one per call.
    assert 1 <= mock_server.connections <= 8


def test_close_and_the_with_block_release_pooled_connections(mock_server: MockServer) -> None:
    with ApiClient(Configuration(host=mock_server.url)) as client:
        api = BackgroundTasksApi(client)
        api.get(SAMPLE_TASK_ID)
        api.get(SAMPLE_TASK_ID)
        assert mock_server.connections == 1
        client.close()
        api.get(SAMPLE_TASK_ID)  # still usable: it connects again
        assert mock_server.connections == 2
    api.get(SAMPLE_TASK_ID)  # the with block closed the pool again
    assert mock_server.connections == 3


# -- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def serving(cert: trustme.LeafCert) -> ssl.SSLContext:
    """A server-side TLS context presenting ``cert``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[MockServer]:
    with MockServer(ssl_context=serving(ca.issue_cert("127.0.0.1"))) as server:
        yield server


@pytest.mark.parametrize("setting", ["ssl_ca_cert", "ca_cert_data"])
def test_a_private_ca_is_trusted_when_configured(
    https_server: MockServer, make_api: MakeApi, ca: trustme.CA, ca_file: str, setting: str
) -> None:
    trusted = ca_file if setting == "ssl_ca_cert" else ca.cert_pem.bytes().decode()
    assert https_server.url.startswith("https://")
    assert make_api(https_server.url, **{setting: trusted}).get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID


def self_signed(ca: trustme.CA, tmp_path: Path) -> ssl.SSLContext:
    """A server-side context presenting a self-signed certificate (the CA's own)."""
    cert, key = tmp_path / "self-signed.pem", tmp_path / "self-signed.key"
    ca.cert_pem.write_to_path(str(cert))
    ca.private_key_pem.write_to_path(str(key))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


@pytest.mark.parametrize("certificate", ["from an untrusted CA", "self-signed", "for another name"])
def test_an_untrusted_certificate_is_refused_and_never_retried(
    make_api: MakeApi, ca: trustme.CA, ca_file: str, tmp_path: Path, certificate: str
) -> None:
    settings: Dict[str, Any] = {}  # certificates are verified by default
    if certificate == "from an untrusted CA":
        context = serving(ca.issue_cert("127.0.0.1"))
    elif certificate == "self-signed":
        context = self_signed(ca, tmp_path)
    else:
        context = serving(ca.issue_cert("api.example.test"))
        settings["ssl_ca_cert"] = ca_file
    with MockServer(ssl_context=context) as server:
        api = make_api(server.url, **settings)  # the plugin's policy: 2 retries
        with pytest.raises(ApiConnectionError) as caught:
            api.get(SAMPLE_TASK_ID)
        assert server.requests == []
    error = caught.value
    assert not isinstance(error, ApiTimeoutError)
    assert isinstance(error.__cause__, urllib3.exceptions.SSLError)
    assert f"TLS handshake with {server.url} failed" in str(error)
    assert "certificate verify failed" in str(error)
    assert error.attempts == 1


@pytest.mark.parametrize("setting", ["assert_hostname", "tls_server_name"])
def test_a_certificate_for_another_name_is_accepted_when_that_name_is_configured(
    make_api: MakeApi, ca: trustme.CA, ca_file: str, setting: str
) -> None:
    with MockServer(ssl_context=serving(ca.issue_cert("api.example.test"))) as server:
        api = make_api(server.url, ssl_ca_cert=ca_file, **{setting: "api.example.test"})
        assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID


def test_verify_ssl_false_accepts_an_untrusted_certificate_with_urllib3s_warning(
    https_server: MockServer, make_api: MakeApi
) -> None:
    api = make_api(https_server.url, verify_ssl=False)
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID


def test_a_client_certificate_is_shown_from_cert_file_and_key_file(
    make_api: MakeApi, ca: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    context = serving(ca.issue_cert("127.0.0.1"))
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    client_cert = ca.issue_cert("client@example.test")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    for blob in client_cert.cert_chain_pems:
        blob.write_to_path(str(cert_file), append=True)
    client_cert.private_key_pem.write_to_path(str(key_file))
    with MockServer(ssl_context=context) as server:
        with_cert = make_api(
            server.url, ssl_ca_cert=ca_file, cert_file=str(cert_file), key_file=str(key_file)
        )
        assert with_cert.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
        with pytest.raises(ApiConnectionError) as caught:
            make_api(server.url, ssl_ca_cert=ca_file, retries=0).get(SAMPLE_TASK_ID)
        assert isinstance(caught.value.__cause__, urllib3.exceptions.HTTPError)
        assert len(server.requests) == 1  # only the call that showed a certificate got through


@pytest.mark.parametrize("how", ["a new PoolManager", "its settings edited"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_pool_manager_replaced_or_reconfigured_after_calls_is_used_as_it_is_now(
    https_server: MockServer, make_api: MakeApi, how: str
) -> None:
    api = make_api(https_server.url, verify_ssl=False, retries=0)
    assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID  # unverified, as configured
    rest = api.api_client.rest_client
    if how == "a new PoolManager":
        rest.pool_manager = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
    else:
        rest.pool_manager.connection_pool_kw["cert_reqs"] = ssl.CERT_REQUIRED
        rest.pool_manager.clear()
    with pytest.raises(ApiConnectionError, match="TLS handshake") as caught:
        api.get(SAMPLE_TASK_ID)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.SSLError)


# -- proxies ---------------------------------------------------------------------------------


def test_a_proxy_manager_put_in_the_pool_managers_place_gets_the_requests(
    make_api: MakeApi, mock_server: MockServer, other_server: MockServer
) -> None:
    # What users of generated clients do: replace rest_client.pool_manager with a ProxyManager.
    # The proxy (here a MockServer, which answers as the API would) must see every request after.
    api = make_api()
    api.get(SAMPLE_TASK_ID)
    api.api_client.rest_client.pool_manager = urllib3.ProxyManager(other_server.url)
    assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    assert [request.target for request in other_server.requests] == [mock_server.url + TASK_PATH]
    assert len(mock_server.requests) == 1


def test_a_configured_proxy_gets_the_absolute_url_and_its_headers(
    make_api: MakeApi, mock_server: MockServer
) -> None:
    api = make_api(
        "http://api.example.test",
        access_token="tok-1",
        proxy=mock_server.url,
        proxy_headers={"Proxy-Authorization": "Basic cHJveHk6cHc="},
    )
    assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    sent = mock_server.requests[-1]
    assert sent.target == "http://api.example.test" + TASK_PATH
    assert sent.headers["Host"] == "api.example.test"
    assert sent.headers["Proxy-Authorization"] == "Basic cHJveHk6cHc="
    assert sent.headers["Authorization"] == "Bearer tok-1"


def test_credentials_in_the_proxy_url_are_sent_as_proxy_basic_auth_and_never_shown(
    make_api: MakeApi, mock_server: MockServer
) -> None:
    api = make_api(
        "http://api.example.test", proxy=mock_server.url.replace("http://", "http://proxy:p%40ss@")
    )
    api.list()
    assert mock_server.requests[-1].headers["Proxy-Authorization"] == "Basic cHJveHk6cEBzcw=="  # proxy:p@ss
    shown = repr(api.api_client.configuration)
    assert "p%40ss" not in shown and "p@ss" not in shown


@pytest.mark.parametrize(
    ("no_proxy", "proxied"),
    [
        ("127.0.0.1", False),
        ("localhost, 127.0.0.0/8", False),
        ("*", False),
        ("example.test,10.0.0.0/8", True),
    ],
)
def test_no_proxy_decides_which_hosts_are_reached_directly(
    make_api: MakeApi, mock_server: MockServer, other_server: MockServer, no_proxy: str, proxied: bool
) -> None:
    make_api(other_server.url, proxy=mock_server.url, no_proxy=no_proxy).get(SAMPLE_TASK_ID)
    if proxied:
        assert other_server.requests == []
        assert mock_server.requests[-1].target == other_server.url + TASK_PATH
    else:
        assert mock_server.requests == []
        assert other_server.requests[-1].target == TASK_PATH


# -- redirects -------------------------------------------------------------------------------


def with_credentials(
    make_api: MakeApi, kind: str
) -> Tuple[BackgroundTasksApi, Dict[str, Any], Dict[str, str]]:
    """An API, call options and the credential headers the first request carries."""
    if kind == "configured":
        api = make_api(access_token="tok-1", api_key={"X-Api-Key": "key-1"}, cookie="session=abc")
        return api, {}, {"Authorization": "Bearer tok-1", "X-Api-Key": "key-1", "Cookie": "session=abc"}
    auth = {"in": "header", "key": "X-Api-Token", "value": "per-call-secret", "type": "api_key"}
    return make_api(), {"_request_auth": auth}, {"X-Api-Token": "per-call-secret"}


@pytest.mark.parametrize("kind", ["configured", "per call"])
def test_a_redirect_to_another_host_carries_no_credentials(
    make_api: MakeApi, mock_server: MockServer, other_server: MockServer, kind: str
) -> None:
    api, options, credentials = with_credentials(make_api, kind)
    mock_server.fail_next(302, headers={"Location": other_server.url + TASK_PATH})
    assert api.get(SAMPLE_TASK_ID, **options).id == SAMPLE_TASK_ID
    first, followed = mock_server.requests[-1], other_server.requests[-1]
    assert {name: first.headers.get(name) for name in credentials} == credentials
    assert [name for name in credentials if name in followed.headers] == []
    assert followed.path == TASK_PATH
    assert followed.headers["svix-req-id"] == first.headers["svix-req-id"]


@pytest.mark.parametrize("kind", ["configured", "per call"])
def test_a_redirect_on_the_same_host_keeps_the_credentials(
    make_api: MakeApi, mock_server: MockServer, kind: str
) -> None:
    api, options, credentials = with_credentials(make_api, kind)
    mock_server.fail_next(307, headers={"Location": mock_server.url + TASK_PATH})
    assert api.get("qtask_old_name", **options).id == SAMPLE_TASK_ID
    first, followed = mock_server.requests
    assert (first.path, followed.path) == (f"{PREFIX}qtask_old_name/", TASK_PATH)
    assert {name: followed.headers.get(name) for name in credentials} == credentials


# -- retries ---------------------------------------------------------------------------------


@VARIANTS
def test_two_503s_then_a_200_succeed_on_the_third_request_sent_alike(
    make_api: MakeApi, mock_server: MockServer, variant: str
) -> None:
    mock_server.fail_next(503, times=2)
    task = get_in_variant(make_api(access_token="token-1"), variant, idempotency_key="idem-42")
    assert task.id == SAMPLE_TASK_ID
    sent = mock_server.requests
    assert len(sent) == 3
    assert [request.headers.get("svix-retry-count") for request in sent] == [None, "1", "2"]
    first = dict(sent[0].headers)
    for request in sent[1:]:
        assert {name: value for name, value in request.headers.items() if name != "svix-retry-count"} == first
        assert request.target == sent[0].target
    assert first["idempotency-key"] == "idem-42"
    assert first["Authorization"] == "Bearer token-1"
    assert first["svix-req-id"].isdigit()


def test_ten_503s_end_after_exactly_three_attempts(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.fail_next(503, times=10)
    with pytest.raises(ServiceException) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID)
    assert caught.value.status == 503
    assert caught.value.attempts == 3
    assert "(after 3 attempts)" in str(caught.value)
    assert len(mock_server.requests) == 3
    assert mock_server.pending_faults == 7


@pytest.mark.parametrize("where", ["configured", "per call"])
def test_retries_0_sends_one_request(make_api: MakeApi, mock_server: MockServer, where: str) -> None:
    api = make_api(retries=0) if where == "configured" else make_api()
    options = {"_request_retries": 0} if where == "per call" else {}
    mock_server.fail_next(503, times=10)
    with pytest.raises(ServiceException) as caught:
        api.get(SAMPLE_TASK_ID, **options)
    assert caught.value.attempts == 1
    assert len(mock_server.requests) == 1


@pytest.mark.parametrize(("status", "headers"), [(404, {}), (400, {}), (413, {"Retry-After": "0"})])
def test_a_client_error_is_not_retried(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, status: int, headers: Dict[str, str]
) -> None:
    mock_server.fail_next(status, times=3, headers=headers)
    with pytest.raises(ApiException) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID)
    assert caught.value.status == status
    assert caught.value.attempts == 1
    assert len(mock_server.requests) == 1


TEAPOT = Retry(total=1, status_forcelist=[418], backoff_factor=0, raise_on_status=False)


@pytest.mark.parametrize(
    ("where", "retries", "status", "attempts"),
    [
        ("per call", 1, 503, 2),  # an int keeps the configured policy's backoff and statuses
        ("per call", RetryPolicy(4, backoff_base=0.001), 503, 5),
        ("per call", TEAPOT, 418, 2),  # a urllib3 Retry is used as given: 418 is not in the policy
        ("configured", TEAPOT, 418, 2),
    ],
    ids=["per call int", "per call RetryPolicy", "per call urllib3 Retry", "configured urllib3 Retry"],
)
def test_the_retries_asked_for_are_the_retries_made(
    make_api: MakeApi, mock_server: MockServer, where: str, retries: Any, status: int, attempts: int
) -> None:
    api = make_api(retries=retries) if where == "configured" else make_api()
    options = {"_request_retries": retries} if where == "per call" else {}
    mock_server.fail_next(status, times=10)
    with pytest.raises(ApiException) as caught:
        api.get(SAMPLE_TASK_ID, **options)
    assert (caught.value.status, caught.value.attempts) == (status, attempts)
    assert len(mock_server.requests) == attempts
    if where == "per call":
        mock_server.reset()
        mock_server.fail_next(503, times=2)
        assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID, "the configured policy is untouched"


@pytest.mark.parametrize(
    ("header", "value", "seconds"), [("Retry-After", "1", 1.0), ("retry-after-ms", "300", 0.3)]
)
def test_the_wait_a_429_asks_for_is_waited_before_the_retry(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, header: str, value: str, seconds: float
) -> None:
    mock_server.fail_next(429, headers={header: value})  # the client's own backoff is 1 ms
    started = time.perf_counter()
    assert background_tasks_api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    assert time.perf_counter() - started >= seconds
    assert len(mock_server.requests) == 2


@pytest.mark.parametrize("value", ["3600", "an HTTP date an hour ahead"])
def test_a_429_asking_for_an_hour_raises_at_once_with_retry_after(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, value: str
) -> None:
    if value.startswith("an HTTP date"):
        value = email.utils.formatdate(time.time() + 3600, usegmt=True)
    mock_server.fail_next(429, headers={"Retry-After": value})
    started = time.perf_counter()
    with pytest.raises(openapi_client.TooManyRequestsException) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID)
    assert time.perf_counter() - started < SLACK
    assert caught.value.retry_after is not None and 3590 <= caught.value.retry_after <= 3600
    assert caught.value.attempts == 1
    assert len(mock_server.requests) == 1


@pytest.mark.parametrize("operation", ["get", "list"])
def test_a_connection_dropped_mid_body_is_retried_on_a_new_connection(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, operation: str
) -> None:
    mock_server.drop_next()
    if operation == "get":
        assert background_tasks_api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    else:
        assert len(background_tasks_api.list().data) == 5
    assert len(mock_server.requests) == 2
    assert mock_server.connections == 2, "the broken connection was not reused"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_refused_connection_is_retried_then_reported_with_its_cause(
    make_api: MakeApi, refused_port: int, scheme: str
) -> None:
    with pytest.raises(ApiConnectionError) as caught:
        make_api(f"{scheme}://127.0.0.1:{refused_port}").get(SAMPLE_TASK_ID)
    error = caught.value
    assert not isinstance(error, ApiTimeoutError)
    assert isinstance(error.__cause__, urllib3.exceptions.NewConnectionError)
    assert f"could not connect to {scheme}://127.0.0.1:{refused_port}" in str(error)
    assert error.attempts == 3 and "(after 3 attempts)" in str(error)


def test_a_host_urllib3_cannot_parse_fails_at_once_whatever_the_retry(make_api: MakeApi) -> None:
    api = make_api("http://" + "\u00fc" * 70 + ".example", retries=Retry(3), deadline=10)
    with pytest.raises(ApiConnectionError) as caught:  # each try fails before a request exists
        api.get(SAMPLE_TASK_ID)
    assert not isinstance(caught.value, ApiTimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.LocationParseError)


def test_a_redirect_to_a_host_that_refuses_spends_the_shared_total(
    make_api: MakeApi, mock_server: MockServer, refused_port: int
) -> None:
    elsewhere = f"https://127.0.0.1:{refused_port}{TASK_PATH}"
    mock_server.fail_next(302, times=5, headers={"Location": elsewhere})
    with pytest.raises(ApiException) as caught:
        make_api(retries=RetryPolicy(2, backoff_base=0.01)).get(SAMPLE_TASK_ID)
    # retries=2: three requests in all, the redirect that could not connect among them.
    assert (caught.value.status, caught.value.attempts, len(mock_server.requests)) == (302, 3, 2)


def test_a_pool_manager_put_in_place_after_use_reports_every_request(
    make_api: MakeApi, mock_server: MockServer
) -> None:
    manager = urllib3.PoolManager()
    manager.request("GET", mock_server.url + TASK_PATH)  # it has made a pool of urllib3's own
    api = make_api()
    api.api_client.rest_client.pool_manager = manager
    mock_server.fail_next(503, times=3)
    with pytest.raises(ApiException) as caught:
        api.get(SAMPLE_TASK_ID)
    assert caught.value.attempts == 3 == len(mock_server.requests) - 1


@pytest.mark.parametrize("timeout", ["configured", "per call", "per call (connect, read)"])
def test_a_server_that_never_answers_ends_in_api_timeout_error_within_the_timeouts(
    make_api: MakeApi, mock_server: MockServer, timeout: str
) -> None:
    api = make_api(timeout=0.2) if timeout == "configured" else make_api()
    options = {
        "per call": {"_request_timeout": 0.2},
        "per call (connect, read)": {"_request_timeout": (2.0, 0.2)},
    }
    mock_server.delay_next(30, times=3)
    started = time.perf_counter()
    with pytest.raises(ApiTimeoutError) as caught:
        api.get(SAMPLE_TASK_ID, **options.get(timeout, {}))
    assert time.perf_counter() - started < 3 * 0.2 + SLACK
    assert caught.value.attempts == 3
    assert len(mock_server.requests) == 3


# -- the deadline ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["configured", "per call"])
def test_the_deadline_ends_a_call_whose_answer_is_late(
    make_api: MakeApi, mock_server: MockServer, where: str
) -> None:
    api = make_api(timeout=(5.0, 5.0), deadline=0.5 if where == "configured" else 60.0)
    options = {"_request_deadline": 0.5} if where == "per call" else {}
    mock_server.delay_next(30, times=3)
    started = time.perf_counter()
    with pytest.raises(ApiTimeoutError, match=r"ran out of its 0\.5s deadline") as caught:
        api.get(SAMPLE_TASK_ID, **options)
    assert time.perf_counter() - started < 0.5 + SLACK
    assert caught.value.attempts == 1
    assert len(mock_server.requests) == 1, "no attempt started that could not end in time"


def test_no_backoff_is_slept_past_the_deadline(make_api: MakeApi, mock_server: MockServer) -> None:
    # Attempts at 0 s and 0.4 s; the next backoff (0.8 s) would end past the 1 s deadline.
    api = make_api(retries=RetryPolicy(10, backoff_base=0.4, backoff_jitter_ratio=0), deadline=1.0)
    mock_server.fail_next(503, times=10)
    started = time.perf_counter()
    with pytest.raises(ServiceException) as caught:
        api.get(SAMPLE_TASK_ID)
    assert time.perf_counter() - started < 1.0
    assert caught.value.attempts == 2
    assert len(mock_server.requests) == 2


@pytest.mark.parametrize(
    "limit", [{"deadline": 2.0}, {"max_retry_wait": 1.0}], ids=["deadline", "max_retry_wait"]
)
def test_a_requested_wait_past_the_deadline_or_the_cap_is_not_waited(
    make_api: MakeApi, mock_server: MockServer, limit: Dict[str, float]
) -> None:
    mock_server.fail_next(503, headers={"Retry-After": "3"})
    started = time.perf_counter()
    with pytest.raises(ServiceException) as caught:
        make_api(**limit).get(SAMPLE_TASK_ID)
    assert time.perf_counter() - started < SLACK
    assert caught.value.retry_after == 3
    assert len(mock_server.requests) == 1


# -- logging ---------------------------------------------------------------------------------

SECRETS = ("tok-SECRET-1", "key-SECRET-2", "cookie-SECRET-3", "auth-SECRET-4")


def test_debug_logging_writes_one_line_per_call_with_credentials_hidden(
    make_api: MakeApi,
    mock_server: MockServer,
    refused_port: int,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG, logger="openapi_client")
    api = make_api(access_token=SECRETS[0], api_key={"X-Api-Key": SECRETS[1]}, cookie=f"session={SECRETS[2]}")
    mock_server.fail_next(503)
    api.get(SAMPLE_TASK_ID, idempotency_key="key-visible")
    with pytest.raises(openapi_client.NotFoundException):
        api.get("qtask_missing", _request_auth={"in": "header", "key": "X-Other", "value": SECRETS[3]})
    unreachable = f"http://127.0.0.1:{refused_port}"
    with pytest.raises(ApiConnectionError):
        make_api(unreachable, retries=0, access_token=SECRETS[0]).get(SAMPLE_TASK_ID)

    lines = [
        r.getMessage() for r in caplog.records if r.name == "openapi_client" and r.levelno == logging.DEBUG
    ]
    assert len(lines) == 3
    answered, missing, failed = lines
    first_id, missing_id = (mock_server.requests[i].headers["svix-req-id"] for i in (0, 2))
    assert answered.startswith(f"GET {mock_server.url}{TASK_PATH} -> 200 OK (attempts: 2) in ")
    assert f"'svix-req-id': '{first_id}'" in answered
    assert "'idempotency-key': 'key-visible'" in answered  # not a secret: shown, to help debugging
    assert "'Authorization': '***'" in answered and "'X-Api-Key': '***'" in answered
    assert missing.startswith(f"GET {mock_server.url}{PREFIX}qtask_missing/ -> 404 Not Found (attempts: 1)")
    assert f"'svix-req-id': '{missing_id}'" in missing and "'X-Other': '***'" in missing
    assert failed.startswith(f"GET {unreachable}{TASK_PATH} -> failed: could not connect")
    assert [secret for secret in SECRETS if secret in caplog.text] == []
    out, err = capfd.readouterr()
    assert out == ""
    assert "SECRET" not in err
    assert http.client.HTTPConnection.debuglevel == 0


def test_debug_on_in_a_fresh_process_writes_to_stderr_and_never_stdout(mock_server: MockServer) -> None:
    script = textwrap.dedent(
        f"""
        import http.client
        import openapi_client
        configuration = openapi_client.Configuration(
            host={mock_server.url!r}, access_token="tok-SECRET-1", debug=True
        )
        with openapi_client.ApiClient(configuration) as api_client:
            openapi_client.BackgroundTasksApi(api_client).get({SAMPLE_TASK_ID!r})
        assert http.client.HTTPConnection.debuglevel == 0
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"DEBUG openapi_client: GET {mock_server.url}{TASK_PATH} -> 200 OK (attempts: 1)" in done.stderr
    assert "tok-SECRET-1" not in done.stderr
    assert "send:" not in done.stderr and "reply:" not in done.stderr  # http.client's own debug output


def test_each_retry_is_logged_once_at_info_without_the_query_or_secrets(
    make_api: MakeApi, mock_server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openapi_client")
    api = make_api(access_token=SECRETS[0], api_key={"X-Api-Key": SECRETS[1]})
    mock_server.fail_next(503)
    mock_server.drop_next()
    assert len(api.list(limit=5, status="failed").data) == 1

    lines = [r.getMessage() for r in caplog.records if r.name == "openapi_client"]
    assert len(lines) == 2
    url = re.escape(mock_server.url + PREFIX)
    assert re.fullmatch(rf"Retrying GET {url} after status 503 \(retry 1, waiting \d+\.\d\ds\)", lines[0])
    assert re.fullmatch(
        rf"Retrying GET {url} after IncompleteRead: .* \(retry 2, waiting \d+\.\d\ds\)", lines[1]
    )
    assert all(record.levelno == logging.INFO for record in caplog.records if record.name == "openapi_client")
    assert [secret for secret in SECRETS if secret in caplog.text] == []


def test_an_error_answers_cookie_is_hidden_in_the_message_but_kept_in_its_headers(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.fail_next(403, headers={"Set-Cookie": "session=cookie-secret", "X-Request-Id": "req-1"})
    with pytest.raises(openapi_client.ForbiddenException) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID)
    shown = f"{caught.value}\n{caught.value!r}"
    assert "cookie-secret" not in shown and "req-1" in shown
    assert caught.value.headers["Set-Cookie"] == "session=cookie-secret"  # still there to read


# -- request ids -----------------------------------------------------------------------------


def test_each_call_sends_a_new_random_64_bit_request_id(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    for _ in range(20):
        background_tasks_api.get(SAMPLE_TASK_ID)
    ids = [request.headers["svix-req-id"] for request in mock_server.requests]
    assert len(set(ids)) == 20
    assert all(value.isdigit() and int(value) < 2**64 for value in ids)
    assert any(int(value) >= 2**60 for value in ids)  # random over 64 bits, not a counter


def fail_with_error_answers(server: MockServer) -> None:
    server.fail_next(503, times=3)


def fail_with_dropped_connections(server: MockServer) -> None:
    server.drop_next(times=3)


def fail_with_no_answer(server: MockServer) -> None:
    server.delay_next(30, times=3)


@pytest.mark.parametrize(
    ("fail", "raised"),
    [
        (fail_with_error_answers, ServiceException),
        (fail_with_dropped_connections, ApiConnectionError),
        (fail_with_no_answer, ApiTimeoutError),
    ],
    ids=["ApiException", "ApiConnectionError", "ApiTimeoutError"],
)
def test_a_failed_call_names_the_request_id_the_server_saw(
    background_tasks_api: BackgroundTasksApi,
    mock_server: MockServer,
    fail: Callable[[MockServer], None],
    raised: type,
) -> None:
    fail(mock_server)
    with pytest.raises(raised) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID, _request_timeout=0.2)
    error = caught.value
    assert type(error) is raised
    assert [request.headers["svix-req-id"] for request in mock_server.requests] == [error.request_id] * 3
    assert f"(request id {error.request_id})" in str(error)


def test_a_request_id_given_in_headers_wins_on_every_attempt(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.fail_next(503, times=3)
    with pytest.raises(ServiceException) as caught:
        background_tasks_api.get(SAMPLE_TASK_ID, _headers={"svix-req-id": "mine"})
    assert [request.headers["svix-req-id"] for request in mock_server.requests] == ["mine"] * 3
    assert caught.value.request_id == "mine"
    assert "(request id mine)" in str(caught.value)


# -- compression and streamed answers --------------------------------------------------------


def test_a_full_page_arrives_gzip_compressed_and_is_decoded(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(250)
    info = background_tasks_api.list_background_tasks_api_v1_background_task_get_with_http_info(limit=250)
    assert "gzip" in mock_server.requests[-1].headers["Accept-Encoding"]
    assert info.headers["Content-Encoding"] == "gzip"
    assert len(info.data.data) == 250
    assert [task["id"] for task in json.loads(info.raw_data)["data"]] == [task.id for task in info.data.data]


def test_a_streamed_answer_is_read_when_asked_and_iterates_its_body(
    background_tasks_api: BackgroundTasksApi,
) -> None:
    answer = getattr(background_tasks_api, f"{GET}_without_preload_content")(SAMPLE_TASK_ID)
    assert answer.data is None
    assert b"".join(answer) == answer.read()
    assert BackgroundTaskOut.from_json(answer.read()).id == SAMPLE_TASK_ID


def test_closing_unread_streamed_answers_gives_their_connection_back(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.add_tasks(250)
    stream = background_tasks_api.list_background_tasks_api_v1_background_task_get_without_preload_content
    for _ in range(3):
        with stream(limit=250) as answer:
            assert answer.status == 200
    assert background_tasks_api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
    assert mock_server.connections == 1


def test_a_body_cut_off_in_a_streamed_answer_raises_api_connection_error_when_read(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer
) -> None:
    mock_server.drop_next()
    answer = getattr(background_tasks_api, f"{GET}_without_preload_content")(SAMPLE_TASK_ID)
    with pytest.raises(ApiConnectionError, match="IncompleteRead") as caught:
        answer.read()
    assert caught.value.__cause__ is not None
    assert len(mock_server.requests) == 1  # a streamed answer is not retried


# -- settings and options refused before anything is sent ------------------------------------

BAD_SETTINGS: Dict[str, Tuple[Dict[str, Any], type]] = {
    "retries=-1": ({"retries": -1}, ApiValueError),
    "retries='3'": ({"retries": "3"}, ApiTypeError),
    "timeout='x'": ({"timeout": "x"}, ApiTypeError),
    "timeout=-1": ({"timeout": -1}, ApiValueError),
    "timeout=(1, 'x')": ({"timeout": (1, "x")}, ApiTypeError),
    "timeout=(1, 2, 3)": ({"timeout": (1, 2, 3)}, ApiTypeError),
    "deadline=0": ({"deadline": 0}, ApiValueError),
    "deadline='1'": ({"deadline": "1"}, ApiTypeError),
    "max_retry_wait=-1": ({"max_retry_wait": -1}, ApiValueError),
}


@pytest.mark.parametrize(("settings", "error"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_bad_transport_settings_are_refused_when_the_client_is_made(
    make_api: MakeApi, mock_server: MockServer, settings: Dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        make_api(**settings)
    assert mock_server.requests == []


BAD_OPTIONS: Dict[str, Tuple[Dict[str, Any], type]] = {
    "_request_retries=-1": ({"_request_retries": -1}, ApiValueError),
    "_request_retries=1.5": ({"_request_retries": 1.5}, ApiTypeError),
    "_request_timeout='x'": ({"_request_timeout": "x"}, ApiTypeError),
    "_request_timeout=-1": ({"_request_timeout": -1}, ApiValueError),
    "_request_timeout=(0, 1)": ({"_request_timeout": (0, 1)}, ApiValueError),
    "_request_deadline=0": ({"_request_deadline": 0}, ApiValueError),
    "_request_deadline=nan": ({"_request_deadline": float("nan")}, ApiValueError),
    "_request_auth='token'": ({"_request_auth": "token"}, ApiTypeError),
    "_request_auth in query": ({"_request_auth": {"in": "query", "key": "k", "value": "v"}}, ApiValueError),
    "_host_index='a'": ({"_host_index": "a"}, ApiTypeError),
    "_host_index=7": ({"_host_index": 7}, ApiValueError),
}


@pytest.mark.parametrize(("options", "error"), BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_bad_per_call_options_are_refused_before_sending(
    background_tasks_api: BackgroundTasksApi, mock_server: MockServer, options: Dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        background_tasks_api.get(SAMPLE_TASK_ID, **options)
    assert mock_server.requests == []
