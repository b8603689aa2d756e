"""The transport against a hostile server: whatever bytes come back, a call ends on time, in
bounded memory, with one of the package's own exceptions.

The server (``hostile_server.HostileServer``) sends exactly the bytes each test scripts. Bodies
that never end or inflate are read in a child process, so its peak memory can be measured and
a transport that keeps everything cannot exhaust the test run's.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import logging
import math
import subprocess
import sys
import textwrap
import time
import zlib
from contextlib import suppress
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

import pytest
import urllib3
from hostile_server import RESET, HostileServer, Request, Reset, drip, endless_chunks, message
from hypothesis import given, settings
from hypothesis import strategies as st

import openapi_client
from openapi_client import ApiClient, BackgroundTasksApi, Configuration, RetryPolicy

TASK_ID = "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2"
TASK_JSON = (
    b'{"id":"qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2","status":"finished","task":"endpoint.replay","data":{}}'
)
MakeApi = Callable[..., BackgroundTasksApi]
#: How far past its deadline a call may end.
SLACK = 0.5
MIB = 1 << 20
#: The answer-size cap the memory tests set, and the one a Configuration has by default.
SMALL_CAP = 4 * MIB
DEFAULT_CAP = 64 * MIB
#: How far past the cap a call's peak memory may grow: the body up to the cap, and a little.
NEAR_THE_CAP = 1.5


def task_answer(connection: str = "close") -> bytes:
    return message(
        "200 OK",
        "Content-Type: application/json",
        f"Content-Length: {len(TASK_JSON)}",
        f"Connection: {connection}",
        body=TASK_JSON,
    )


def empty_answer(status: str, *header_lines: str) -> bytes:
    return message(status, *header_lines, "Content-Length: 0", "Connection: close")


def redirect_to_itself(request: Request) -> bytes:
    """A 302 pointing back at the path ``request`` asked for."""
    return empty_answer("302 Found", f"Location: {request.line.split()[1]}")


def always(answer: bytes) -> Callable[[Request], List[bytes]]:
    """A ``respond`` that sends ``answer`` to every request."""
    return lambda request: [answer]


# -- answers that never end: the deadline -----------------------------------------------------


@pytest.mark.parametrize("dripped", ["headers", "body", "body ended by closing"])
@pytest.mark.parametrize("streamed", [False, True], ids=["decoded", "streamed"])
def test_an_answer_dripped_a_byte_at_a_time_ends_at_the_deadline(
    make_api: MakeApi, dripped: str, streamed: bool
) -> None:
    head = task_answer()[: -len(TASK_JSON)]
    if dripped == "body ended by closing":  # no length: the body ends where the connection does
        head = message("200 OK", "Content-Type: application/json", "Connection: close")

    def respond(request: Request) -> Iterable[bytes]:
        if dripped == "headers":
            return drip(task_answer(), 0.3)
        return itertools.chain([head], drip(TASK_JSON, 0.3))

    with HostileServer(respond) as server:
        api = make_api(server.url, deadline=2)
        started = time.monotonic()
        with pytest.raises(openapi_client.ApiTimeoutError):  # never a body cut short, as if whole
            if streamed:
                api.get_background_task_api_v1_background_task_task_id_get_without_preload_content(TASK_ID).read()
            else:
                api.get(TASK_ID)
        assert time.monotonic() - started < 2 + SLACK


def test_an_endless_chunked_body_trickling_in_ends_at_the_call_deadline(make_api: MakeApi) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        head = message("200 OK", "Content-Type: application/json", "Transfer-Encoding: chunked")
        return itertools.chain([head], endless_chunks(1024, delay=0.05))

    with HostileServer(respond) as server:
        api = make_api(server.url)
        started = time.monotonic()
        with pytest.raises(openapi_client.ApiTimeoutError):
            api.get(TASK_ID, _request_deadline=2)
        assert time.monotonic() - started < 2 + SLACK


# -- answers too large to keep: the size cap, measured in a child process --------------------

_CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, threading, time
    import openapi_client
    import openapi_client.models  # imported before measuring: only the call's memory counts

    job = json.loads(sys.argv[1])

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def report(error, seconds):
        outcome = {"error": error and type(error).__name__, "seconds": seconds,
                   "connection_error": isinstance(error, openapi_client.ApiConnectionError),
                   "limit": getattr(error, "limit", None), "growth": peak() - before,
                   "message": str(error)[:300]}
        print(json.dumps(outcome), flush=True)
        os._exit(0)

    threading.Timer(job["give_up_after"], report, (RuntimeError("still running"), None)).start()
    before = peak()
    # However much a transport keeps, it cannot take the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
    started = time.monotonic()
    error = None
    try:
        configuration = openapi_client.Configuration(host=job["url"], **job["settings"])
        with openapi_client.ApiClient(configuration) as client:
            api = openapi_client.BackgroundTasksApi(client)
            if job["close_unread"]:
                name = "get_background_task_api_v1_background_task_task_id_get_without_preload_content"
                getattr(api, name)(job["task_id"]).close()
            else:
                api.get(job["task_id"])
    except BaseException as exc:
        error = exc
    report(error, time.monotonic() - started)
    """
)


def call_in_child(server: HostileServer, *, close_unread: bool = False, **settings: Any) -> Dict[str, Any]:
    """Make one call in a fresh interpreter: what it raised (``"RuntimeError"`` if it was still
    running after 10 s), how long it took, and how many bytes its peak memory grew by."""
    job = {
        "url": server.url,
        "settings": settings,
        "close_unread": close_unread,
        "task_id": TASK_ID,
        "give_up_after": 10,
    }
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(job)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    outcome: Dict[str, Any] = json.loads(completed.stdout)
    return outcome


def endless_body(request: Request) -> Iterable[bytes]:
    head = message("200 OK", "Content-Type: application/json", "Transfer-Encoding: chunked")
    return itertools.chain([head], endless_chunks(64 * 1024))


@pytest.mark.parametrize(
    ("settings", "cap", "stopped_by"),
    [
        ({"max_response_bytes": SMALL_CAP, "deadline": 10}, SMALL_CAP, {"ResponseTooLargeError"}),
        ({"deadline": 2}, DEFAULT_CAP, {"ResponseTooLargeError", "ApiTimeoutError"}),
    ],
    ids=["small cap", "deadline and default cap"],
)
def test_an_endless_chunked_body_stops_near_the_cap(
    settings: Dict[str, Any], cap: int, stopped_by: Set[str]
) -> None:
    with HostileServer(endless_body) as server:
        outcome = call_in_child(server, **settings)
    assert outcome["error"] in stopped_by, str(outcome)
    assert outcome["connection_error"]
    assert outcome["seconds"] < settings["deadline"] + SLACK
    assert outcome["growth"] < NEAR_THE_CAP * cap, str(outcome)


def test_a_body_announced_larger_than_2_gib_is_refused_near_the_cap() -> None:
    # Past 2 GiB urllib3 reads a body by pieces on some Pythons (3.9): the cap must hold there too.
    def respond(request: Request) -> Iterable[bytes]:
        head = message("200 OK", "Content-Type: application/json", f"Content-Length: {3 << 30}")
        return itertools.chain([head], itertools.repeat(bytes(MIB)))

    with HostileServer(respond) as server:
        outcome = call_in_child(server, max_response_bytes=SMALL_CAP, deadline=5)
    assert (outcome["error"], outcome["limit"]) == ("ResponseTooLargeError", SMALL_CAP), str(outcome)
    assert outcome["growth"] < NEAR_THE_CAP * SMALL_CAP, str(outcome)


@functools.cache
def zero_bomb(encoding: str) -> bytes:
    """512 MiB of zeros compressed (to about 2 MiB), as a valid gzip or zlib (deflate) stream."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    zeros = bytes(MIB)
    return b"".join([*(compressor.compress(zeros) for _ in range(512)), compressor.flush()])


@pytest.mark.parametrize(
    ("encoding", "cap"),
    [("gzip", SMALL_CAP), ("deflate", SMALL_CAP), ("gzip", DEFAULT_CAP)],
    ids=["gzip", "deflate", "gzip under the default cap"],
)
def test_a_compression_bomb_is_decoded_only_up_to_the_cap(encoding: str, cap: int) -> None:
    bomb = zero_bomb(encoding)
    answer = message(
        "200 OK",
        "Content-Type: application/json",
        f"Content-Encoding: {encoding}",
        f"Content-Length: {len(bomb)}",
        "Connection: close",
        body=bomb,
    )
    settings: Dict[str, Any] = {"deadline": 10}
    if cap != DEFAULT_CAP:
        settings["max_response_bytes"] = cap
    with HostileServer(always(answer)) as server:
        outcome = call_in_child(server, **settings)
    assert (outcome["error"], outcome["limit"]) == ("ResponseTooLargeError", cap), str(outcome)
    assert outcome["connection_error"]
    assert outcome["seconds"] < 10 + SLACK
    assert outcome["growth"] < NEAR_THE_CAP * cap, str(outcome)


def test_an_endless_compressed_body_is_refused_as_soon_as_it_inflates_past_the_cap(
    make_api: MakeApi,
) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
        head = message("200 OK", "Content-Type: application/json", "Content-Encoding: gzip",
                       "Transfer-Encoding: chunked")
        zeros = bytes(MIB)

        def frames() -> Iterator[bytes]:
            while True:  # a MiB of zeros a frame, about a KiB on the wire, 200 frames a second
                data = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
                yield b"%x\r\n%s\r\n" % (len(data), data)
                time.sleep(0.005)

        return itertools.chain([head], frames())

    with HostileServer(respond) as server:
        api = make_api(server.url, max_response_bytes=SMALL_CAP, deadline=10)
        started = time.monotonic()
        with pytest.raises(openapi_client.ResponseTooLargeError):
            api.get(TASK_ID)
        assert time.monotonic() - started < 2  # not at the deadline: once past the cap


def test_a_huge_cap_costs_a_small_answer_nothing(make_api: MakeApi) -> None:
    # Neither the cap nor anything sized by it is allocated up front, framed or not.
    compressed = zlib.compress(TASK_JSON)
    answer = message("200 OK", "Content-Type: application/json", "Content-Encoding: deflate",
                     "Connection: close", body=compressed)
    with HostileServer(always(answer)) as server:
        assert make_api(server.url, max_response_bytes=1 << 40).get(TASK_ID).id == TASK_ID


def test_a_streamed_answer_announced_past_the_cap_is_refused_only_when_read(make_api: MakeApi) -> None:
    big = 2 * MIB

    def respond(request: Request) -> Iterable[bytes]:
        status = "503 Service Unavailable" if request.number == 0 else "200 OK"
        return [message(status, "Content-Type: application/json", f"Content-Length: {big}",
                        "Connection: close", body=bytes(big))]

    with HostileServer(respond) as server:
        api = make_api(server.url, max_response_bytes=MIB)
        stream = api.get_background_task_api_v1_background_task_task_id_get_without_preload_content
        with stream(TASK_ID) as answer:  # the 503 is retried unread, the 200 is handed back
            assert answer.status == 200
            with pytest.raises(openapi_client.ResponseTooLargeError):
                answer.read()
    assert len(server.requests) == 2


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br", "compress"])
def test_an_answer_in_a_coding_not_asked_for_is_refused_undecoded(make_api: MakeApi, coding: str) -> None:
    # Only gzip and deflate are asked for, as only they inflate within the cap everywhere
    # (urllib3 inflates br whole under Brotli before 1.2): a body labelled otherwise is not read.
    answer = message("200 OK", "Content-Type: application/json", f"Content-Encoding: {coding}",
                     f"Content-Length: {len(TASK_JSON)}", "Connection: close", body=TASK_JSON)
    with HostileServer(always(answer)) as server, pytest.raises(openapi_client.ApiDecodeError) as caught:
        make_api(server.url).get(TASK_ID)
    assert f"{coding!r} was not asked for" in str(caught.value)
    assert caught.value.status == 200
    assert len(server.requests) == 1  # not retried


def test_an_error_answer_in_a_coding_not_asked_for_is_handled_by_its_status(make_api: MakeApi) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        status = ["503 Service Unavailable", "200 OK", "404 Not Found"][request.number]
        body = TASK_JSON if status == "200 OK" else b"\x0b\x01\x80not json"
        coding = "identity" if status == "200 OK" else "br"
        return [message(status, "Content-Type: application/json", f"Content-Encoding: {coding}",
                        f"Content-Length: {len(body)}", "Connection: close", body=body)]

    with HostileServer(respond) as server:
        api = make_api(server.url, retries=RetryPolicy(2, backoff_base=0.02))
        assert api.get(TASK_ID).id == TASK_ID  # the 503 is retried
        with pytest.raises(openapi_client.NotFoundException):
            api.get(TASK_ID)
    assert len(server.requests) == 3


def test_an_answer_without_a_body_in_a_coding_not_asked_for_is_taken(make_api: MakeApi) -> None:
    answer = message("200 OK", "Content-Type: application/json", "Content-Encoding: br",
                     f"Content-Length: {len(TASK_JSON)}", "Connection: close")
    with HostileServer(always(answer)) as server:
        client = make_api(server.url).api_client
        response = client.call_api("HEAD", server.url + "/api/v1/background-task/x/")
        assert (response.status, response.read()) == (200, b"")


def test_closing_an_unread_endless_answer_returns_at_once_in_bounded_memory() -> None:
    with HostileServer(endless_body) as server:
        outcome = call_in_child(server, close_unread=True, deadline=10)
    assert outcome["error"] is None, str(outcome)
    assert outcome["seconds"] < 1
    assert outcome["growth"] < NEAR_THE_CAP * SMALL_CAP, str(outcome)


# -- framing the transport must refuse -------------------------------------------------------

HUGE_SIZES = ["7fffffffffffffff", "8000000000000000", "10000000000000000", "ffffffffffffffffffff"]


@pytest.mark.parametrize("size", HUGE_SIZES, ids=["2^63-1", "2^63", "2^64", "2^80-1"])
@pytest.mark.parametrize("framing", ["chunk size", "Content-Length"])
def test_a_body_size_beyond_any_memory_is_a_connection_error(
    make_api: MakeApi, framing: str, size: str
) -> None:
    if framing == "chunk size":
        answer = message("200 OK", "Transfer-Encoding: chunked", body=size.encode() + b"\r\n{}")
    else:
        answer = message("200 OK", f"Content-Length: {int(size, 16)}", body=b"{}")
    with HostileServer(always(answer)) as server, pytest.raises(openapi_client.ApiConnectionError):
        make_api(server.url, retries=0).get(TASK_ID)


# -- status handling -------------------------------------------------------------------------

#: Header lines that ask for no usable wait: garbage, or zero, or a time already past.
NO_USABLE_WAIT = [
    "Retry-After: \xb2",  # the byte 0xB2, Latin-1 for a superscript two, which str.isdigit accepts
    "Retry-After: nan",
    "Retry-After: -1",
    "Retry-After: 1e999",
    "Retry-After: Fri, 31 Dec 99999 23:59:59 GMT",
    "retry-after-ms: nan",
    "retry-after-ms: inf",
    "retry-after-ms: -5",
    "Retry-After: 0",
    "retry-after-ms: 0",
    "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT",
]
#: The first retry of RetryPolicy(2, backoff_base=BACKOFF) waits at least 0.75 * BACKOFF.
BACKOFF = 0.02


@pytest.mark.parametrize("header_line", NO_USABLE_WAIT)
@pytest.mark.parametrize(
    ("status", "expected", "requests"),
    [
        ("404 Not Found", openapi_client.NotFoundException, 1),
        ("429 Too Many Requests", openapi_client.TooManyRequestsException, 3),
        ("503 Service Unavailable", openapi_client.ServiceException, 3),
    ],
    ids=["404", "429", "503"],
)
def test_a_retry_after_asking_no_usable_wait_gets_the_normal_handling_and_backoff(
    make_api: MakeApi, status: str, expected: type, requests: int, header_line: str
) -> None:
    answer = empty_answer(status, header_line)
    with HostileServer(always(answer)) as server, pytest.raises(expected) as caught:
        make_api(server.url, retries=RetryPolicy(2, backoff_base=BACKOFF)).get(TASK_ID)
    retry_after = caught.value.retry_after
    assert retry_after is None or math.isfinite(retry_after)
    assert len(server.requests) == requests
    arrivals = [request.received_at for request in server.requests]
    waits = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert all(wait >= 0.7 * BACKOFF for wait in waits), waits


@pytest.mark.parametrize(
    "interim",
    ["100 Continue", "102 Processing", "103 Early Hints\r\nLink: </style.css>; rel=preload"],
    ids=["100", "102", "103"],
)
def test_an_interim_answer_is_skipped_for_the_final_one(make_api: MakeApi, interim: str) -> None:
    with HostileServer(always(message(interim) + task_answer())) as server:
        assert make_api(server.url, retries=0).get(TASK_ID).id == TASK_ID


def test_redirects_and_retries_share_one_bound_and_every_request_counts_as_an_attempt(
    make_api: MakeApi,
) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        if request.number % 2 == 0:
            return [redirect_to_itself(request)]
        return [empty_answer("503 Service Unavailable")]

    with HostileServer(respond) as server, pytest.raises(openapi_client.ApiException) as caught:
        make_api(server.url).get(TASK_ID)
    received = len(server.requests)
    assert received <= 3
    assert caught.value.attempts == received


def test_a_redirect_past_the_budget_ends_the_call_with_that_answer_whatever_the_retry(
    make_api: MakeApi,
) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        return [redirect_to_itself(request)]

    # urllib3 would raise "too many redirects", which a Retry with no total would retry forever.
    policy = urllib3.Retry(total=None, redirect=2, raise_on_redirect=True)
    with HostileServer(respond) as server, pytest.raises(openapi_client.ApiException) as caught:
        make_api(server.url, retries=policy).get(TASK_ID)
    assert caught.value.status == 302
    assert caught.value.attempts == len(server.requests) == 3


def test_a_call_failing_after_a_redirect_counts_the_redirect_as_an_attempt(make_api: MakeApi) -> None:
    def respond(request: Request) -> Iterable[bytes]:
        if request.number == 0:
            return [redirect_to_itself(request)]
        return [message("200 OK", "Content-Type: application/json", "Content-Length: 1000000")]

    with HostileServer(respond) as server, pytest.raises(openapi_client.ResponseTooLargeError) as caught:
        make_api(server.url, max_response_bytes=1000).get(TASK_ID)
    assert len(server.requests) == 2
    assert caught.value.attempts == 2


def test_redirects_before_a_cut_off_spend_the_shared_total_and_count_as_attempts(make_api: MakeApi) -> None:
    def respond(request: Request) -> Optional[Iterable[bytes]]:
        if request.number % 2 == 0:
            return [redirect_to_itself(request)]
        return None  # the connection closed without an answer

    failures = (openapi_client.ApiException, openapi_client.ApiConnectionError)
    with HostileServer(respond) as server, pytest.raises(failures) as caught:
        make_api(server.url, retries=RetryPolicy(2, backoff_base=0.02)).get(TASK_ID)
    # retries=2: the first request and two more, whether redirects or retries, however they fail.
    assert caught.value.attempts == len(server.requests) == 3


# -- stale pooled connections ----------------------------------------------------------------


def test_a_server_closing_idle_connections_costs_neither_a_retry_nor_a_backoff(make_api: MakeApi) -> None:
    def respond(request: Request) -> Optional[Iterable[bytes]]:
        return [task_answer(connection="keep-alive")] if request.index_on_connection == 0 else None

    with HostileServer(respond, keep_alive=True) as server:
        api = make_api(server.url, retries=2)  # the default policy: a backoff would show
        started = time.monotonic()
        answered = 0
        while answered < 200 and time.monotonic() - started < 5:
            assert api.get(TASK_ID).id == TASK_ID
            answered += 1
    assert answered == 200, f"{answered} calls answered in 5 s"


def test_a_connection_reset_before_the_answer_is_retried_and_the_call_succeeds(make_api: MakeApi) -> None:
    def respond(request: Request) -> Union[Iterable[bytes], Reset]:
        return RESET if request.number == 0 else [task_answer()]

    with HostileServer(respond) as server:
        assert make_api(server.url).get(TASK_ID).id == TASK_ID
    first, second = server.requests
    assert first.connection != second.connection
    assert second.headers["svix-retry-count"] == "1"


def test_a_connection_reset_without_retries_is_a_connection_error_that_says_so(make_api: MakeApi) -> None:
    with (
        HostileServer(lambda request: RESET) as server,
        pytest.raises(openapi_client.ApiConnectionError) as caught,
    ):
        make_api(server.url, retries=0).get(TASK_ID)
    assert not isinstance(caught.value, openapi_client.ApiTimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.ProtocolError)
    assert "ConnectionResetError" in str(caught.value)
    assert len(server.requests) == 1


def test_a_server_closing_every_connection_unanswered_fails_after_the_normal_retries(
    make_api: MakeApi,
) -> None:
    with (
        HostileServer(lambda request: None) as server,
        pytest.raises(openapi_client.ApiConnectionError) as caught,
    ):
        make_api(server.url).get(TASK_ID)
    assert len(server.requests) == 3
    assert caught.value.attempts == 3


# -- secrets ---------------------------------------------------------------------------------


def echo_as_401(request: Request) -> Iterable[bytes]:
    """A 401 whose body is the raw request and whose headers repeat the request's."""
    echoed = [f"{name}: {value}" for name, value in request.headers.items()]
    return [
        message(
            "401 Unauthorized",
            *echoed,
            f"Content-Length: {len(request.raw)}",
            "Connection: close",
            body=request.raw,
        )
    ]


def credentials(kind: str, url: str) -> Tuple[Configuration, Dict[str, Any], List[str]]:
    """A configuration and call options carrying credentials of ``kind``, and the secrets in them."""
    if kind == "basic auth":
        configuration = Configuration(host=url, username="alice", password="pw-3e4f5a")
        secrets = ["pw-3e4f5a", base64.b64encode(b"alice:pw-3e4f5a").decode()]
    else:
        configuration = Configuration(
            host=url, access_token="tok-7f3a9c", api_key={"X-Api-Key": "key-51b2e8"}
        )
        secrets = ["tok-7f3a9c", "key-51b2e8"]
    options: Dict[str, Any] = {}
    if kind == "request auth":
        options["_request_auth"] = {"in": "header", "key": "X-Other", "value": "other-9a8b7c"}
        secrets.append("other-9a8b7c")
    return configuration, options, [*secrets, "c00k1e-d4e5"]


@pytest.mark.parametrize("kind", ["token, key and cookie", "request auth", "basic auth"])
def test_no_secret_echoed_by_the_server_shows_in_the_error_or_the_logs(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with HostileServer(echo_as_401) as server:
        configuration, options, secrets = credentials(kind, server.url)
        configuration.debug = True
        try:
            with (
                ApiClient(configuration, cookie="session=c00k1e-d4e5") as client,
                pytest.raises(openapi_client.UnauthorizedException) as caught,
            ):
                BackgroundTasksApi(client).get(TASK_ID, **options)
        finally:
            configuration.debug = False
    shown = f"{caught.value}\n{caught.value!r}\n{caplog.text}"
    assert "***" in str(caught.value)
    assert [secret for secret in secrets if secret in shown] == []


def test_a_host_with_a_password_is_refused_without_showing_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(openapi_client.ApiValueError) as caught:
        Configuration(host="http://user:s3cret@127.0.0.1:8080")
    assert "s3cret" not in f"{caught.value}\n{caught.value!r}\n{caplog.text}"


# -- any answer at all -----------------------------------------------------------------------

#: Mostly the codes and sizes with a meaning here, but any at all as well.
_CODES = st.one_of(st.sampled_from([100, 103, 200, 204, 302, 401, 429, 503]), st.integers(0, 999))
_SIZES = st.one_of(st.integers(0, 300), st.sampled_from([2**63 - 1, 2**63, 2**64, 2**80]))
_STATUS_LINES = st.one_of(
    st.builds("HTTP/1.1 {} {}".format, _CODES, st.sampled_from(["OK", "", "?"])).map(str.encode),
    st.binary(max_size=40),
)
_HEADER_LINES = st.one_of(
    st.sampled_from(
        [
            b"Content-Type: application/json",
            b"Content-Encoding: gzip",
            b"Content-Encoding: deflate",
            b"Connection: close",
            b"Location: /elsewhere",
        ]
    ),
    st.builds(
        lambda name, value: name + b": " + value,
        st.sampled_from([b"Retry-After", b"retry-after-ms"]),
        st.binary(max_size=12),
    ),
    st.binary(max_size=40),
)


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    """Status line, headers and body, framed right, wrongly or not at all, maybe after an
    interim answer; or any bytes."""
    lines = [draw(_STATUS_LINES), *draw(st.lists(_HEADER_LINES, max_size=4))]
    body = draw(st.one_of(st.just(TASK_JSON), st.binary(max_size=200)))
    framing = draw(st.sampled_from(["length", "wrong length", "none", "chunked", "bad chunks"]))
    if framing in ("length", "wrong length"):
        size = len(body) if framing == "length" else draw(_SIZES)
        lines.append(b"Content-Length: %d" % size)
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    elif framing == "bad chunks":
        lines.append(b"Transfer-Encoding: chunked")
        body = b"%x\r\n%s" % (draw(_SIZES), body)
    interim = b"HTTP/1.1 103 Early Hints\r\n\r\n" if draw(st.booleans()) else b""
    return interim + b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_any_answer_gives_a_model_or_a_package_exception_within_the_deadline(make_api: MakeApi) -> None:
    sent = [b""]
    with HostileServer(lambda request: [sent[0]]) as server:

        @settings(max_examples=60, deadline=None)
        @given(answer=answers())
        def check(answer: bytes) -> None:
            sent[0] = answer
            started = time.monotonic()
            with suppress(openapi_client.OpenApiException):
                assert make_api(server.url, deadline=2, retries=0).get(TASK_ID).id == TASK_ID
            assert time.monotonic() - started < 2 + SLACK

        check()
