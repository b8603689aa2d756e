"""The retry policy as a value: which failures are retried, how long it waits, when it stops.

Pure unit tests in the manner of urllib3's own ``test_retry.py``: build a :class:`RetryPolicy`,
feed ``increment()`` the answers and errors urllib3 would feed it (real urllib3
``HTTPResponse`` objects built in memory), and assert on the policy it hands back. No sockets
and no sleeping: ``increment()`` only plans a wait (``planned_wait``), ``sleep()`` takes it.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Dict, Optional

import pytest
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from openapi_client.configuration import DEFAULT_RETRIES, MAX_RETRY_WAIT
from openapi_client.retry import (
    BACKOFF_BASE,
    BACKOFF_JITTER,
    BACKOFF_MAX,
    DEFAULT_RETRY_STATUSES,
    MAX_REDIRECTS,
    RetriesExhausted,
    RetryPolicy,
    parse_retry_after,
)

URL = "/api/v1/background-task/?limit=2"


def answer(status: int, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return HTTPResponse(body=b"", headers=headers or {}, status=status)


def retry_after_503(policy: RetryPolicy, headers: Dict[str, str]) -> RetryPolicy:
    return policy.increment("GET", URL, response=answer(503, headers))


# -- the defaults, as data ---------------------------------------------------------------------


def test_the_default_policy_is_the_documented_one() -> None:
    policy = RetryPolicy()
    assert isinstance(policy, Retry)
    assert policy.total == DEFAULT_RETRIES == 2
    assert set(policy.status_forcelist) == set(DEFAULT_RETRY_STATUSES) == {408, 429, 500, 502, 503, 504}
    assert (BACKOFF_BASE, BACKOFF_MAX, BACKOFF_JITTER) == (0.5, 8.0, 0.25)
    assert policy.backoff_base == BACKOFF_BASE and policy.backoff_max == BACKOFF_MAX
    assert policy.max_retry_wait == MAX_RETRY_WAIT == 60.0
    assert policy.deadline is None
    assert policy.redirect == MAX_REDIRECTS
    # Exhausted status retries hand back the last answer instead of urllib3's MaxRetryError.
    assert policy.raise_on_status is False


# -- which answers are retried -----------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert RetryPolicy().is_retry("GET", status, has_retry_after=False)


@pytest.mark.parametrize("status", [200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 410, 422, 501, 505])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not RetryPolicy().is_retry("GET", status, has_retry_after=False)
    assert not RetryPolicy().is_retry("GET", status, has_retry_after=True)


def test_a_non_idempotent_method_is_not_retried_on_status() -> None:
    assert not RetryPolicy().is_retry("POST", 503, has_retry_after=False)


def test_retries_zero_retries_nothing() -> None:
    with pytest.raises(RetriesExhausted) as caught:
        RetryPolicy(0).increment("GET", URL, response=answer(503))
    assert caught.value.attempts == 1


# -- which errors are retried ------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(None, URL, "Read timed out."),  # type: ignore[arg-type]
        ConnectTimeoutError("connect timed out"),
        NewConnectionError(None, "Connection refused"),  # type: ignore[arg-type]
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")),
        ProtocolError("Connection broken: IncompleteRead(74 bytes read, 75 more expected)"),
    ],
    ids=["read-timeout", "connect-timeout", "refused", "reset", "cut-off-body"],
)
def test_transient_errors_are_retried_for_get(error: Exception) -> None:
    fresh = RetryPolicy().increment("GET", URL, error=error)
    assert fresh.attempts == 2
    assert fresh.history[-1].error is error


def test_a_tls_failure_is_never_retried() -> None:
    error = SSLError("certificate verify failed")
    with pytest.raises(RetriesExhausted) as caught:
        RetryPolicy(5).increment("GET", URL, error=error)
    assert caught.value.reason is error
    assert caught.value.attempts == 1


# -- counting and giving up --------------------------------------------------------------------


def test_two_retries_then_give_up_with_the_attempt_count() -> None:
    policy = RetryPolicy(backoff_base=0)
    policy = policy.increment("GET", URL, response=answer(503))
    policy = policy.increment("GET", URL, response=answer(503))
    assert policy.attempts == 3
    with pytest.raises(RetriesExhausted) as caught:
        policy.increment("GET", URL, response=answer(503))
    assert isinstance(caught.value, MaxRetryError)  # urllib3's connection loop understands it
    assert caught.value.attempts == 3


def test_redirects_do_not_use_up_the_retry_budget() -> None:
    policy = RetryPolicy(2, backoff_base=0)
    for _ in range(3):
        policy = policy.increment("GET", URL, response=answer(302, {"Location": "/elsewhere/"}))
    assert policy.attempts == 1
    assert policy.total == 2
    policy = policy.increment("GET", URL, response=answer(503))
    policy = policy.increment("GET", URL, response=answer(503))
    assert policy.attempts == 3


def test_redirects_alone_are_bounded() -> None:
    policy = RetryPolicy()
    for _ in range(MAX_REDIRECTS):
        policy = policy.increment("GET", URL, response=answer(302, {"Location": "/loop/"}))
    with pytest.raises(MaxRetryError):
        policy.increment("GET", URL, response=answer(302, {"Location": "/loop/"}))


def test_increment_keeps_the_policy_settings() -> None:
    deadline = time.monotonic() + 100
    policy = RetryPolicy(4, backoff_base=0.01, backoff_jitter_ratio=0, max_retry_wait=7, deadline=deadline)
    fresh = policy.increment("GET", URL, response=answer(500))
    assert isinstance(fresh, RetryPolicy)
    kept = (fresh.total, fresh.backoff_base, fresh.backoff_jitter_ratio, fresh.max_retry_wait)
    assert kept == (3, 0.01, 0, 7)
    assert fresh.deadline == deadline
    assert policy.attempts == 1  # a value: the original did not change


# -- how long it waits -------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    policy = RetryPolicy(10, backoff_jitter_ratio=0)
    waits = []
    for _ in range(7):
        policy = policy.increment("GET", URL, response=answer(503))
        waits.append(policy.planned_wait)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_no_wait_before_the_first_attempt() -> None:
    assert RetryPolicy().get_backoff_time() == 0.0


def test_jitter_shortens_each_wait_by_at_most_a_quarter() -> None:
    for retries, nominal in ((1, 0.5), (3, 2.0), (8, 8.0)):
        waits = [_after(retries).planned_wait for _ in range(200)]
        assert all(nominal * (1 - BACKOFF_JITTER) <= wait <= nominal for wait in waits)
        assert len(set(waits)) > 100, "waits are spread out, not all the same"


def _after(retries: int) -> RetryPolicy:
    policy = RetryPolicy(10)
    for _ in range(retries):
        policy = policy.increment("GET", URL, response=answer(503))
    return policy


def test_retry_after_seconds_replaces_the_backoff() -> None:
    assert retry_after_503(RetryPolicy(), {"Retry-After": "7"}).planned_wait == 7.0
    assert retry_after_503(RetryPolicy(), {"Retry-After": "0"}).planned_wait == 0.0


def test_retry_after_as_an_http_date() -> None:
    in_30s = email.utils.formatdate(time.time() + 30, usegmt=True)
    wait = RetryPolicy().increment("GET", URL, response=answer(429, {"Retry-After": in_30s})).planned_wait
    assert 28.0 <= wait <= 30.0
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after_503(RetryPolicy(), {"Retry-After": past}).planned_wait == 0.0


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert retry_after_503(RetryPolicy(), {"retry-after-ms": "250"}).planned_wait == 0.25
    both = {"retry-after-ms": "1500", "Retry-After": "9"}
    assert retry_after_503(RetryPolicy(), both).planned_wait == 1.5


def test_a_garbled_retry_after_falls_back_to_the_backoff() -> None:
    policy = RetryPolicy(backoff_jitter_ratio=0)
    assert retry_after_503(policy, {"Retry-After": "soon"}).planned_wait == 0.5
    assert retry_after_503(policy, {"retry-after-ms": "x", "Retry-After": "-3"}).planned_wait == 0.5


def test_retry_after_is_ignored_when_the_policy_says_so() -> None:
    policy = RetryPolicy(backoff_jitter_ratio=0, respect_retry_after_header=False)
    assert retry_after_503(policy, {"Retry-After": "3600"}).planned_wait == 0.5


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (" 5 ", 5.0), ("0", 0.0), ("soon", None), ("-1", None), ("", None)],
)
def test_parse_retry_after(value: str, seconds: Optional[float]) -> None:
    assert parse_retry_after(value) == seconds


# -- when it refuses to wait -------------------------------------------------------------------


def test_a_wait_longer_than_the_cap_is_not_slept() -> None:
    with pytest.raises(RetriesExhausted) as caught:
        RetryPolicy().increment("GET", URL, response=answer(429, {"Retry-After": "3600"}))
    assert caught.value.retry_after == 3600.0
    assert caught.value.attempts == 1


def test_the_cap_is_a_setting() -> None:
    assert retry_after_503(RetryPolicy(max_retry_wait=5), {"Retry-After": "5"}).planned_wait == 5.0
    with pytest.raises(RetriesExhausted) as caught:
        retry_after_503(RetryPolicy(max_retry_wait=5), {"retry-after-ms": "5001"})
    assert caught.value.retry_after == 5.001


def test_the_deadline_refuses_a_backoff_that_would_end_past_it() -> None:
    soon = RetryPolicy(backoff_jitter_ratio=0, deadline=time.monotonic() + 0.3)
    with pytest.raises(RetriesExhausted) as caught:
        soon.increment("GET", URL, response=answer(503))  # backoff 0.5 s > 0.3 s left
    assert caught.value.attempts == 1
    later = RetryPolicy(backoff_jitter_ratio=0, deadline=time.monotonic() + 100)
    assert later.increment("GET", URL, response=answer(503)).planned_wait == 0.5


def test_the_deadline_refuses_a_server_requested_wait_past_it() -> None:
    policy = RetryPolicy(deadline=time.monotonic() + 1)
    with pytest.raises(RetriesExhausted) as caught:
        policy.increment("GET", URL, response=answer(429, {"Retry-After": "2"}))
    assert caught.value.retry_after == 2.0


def test_the_deadline_also_ends_retries_after_errors() -> None:
    policy = RetryPolicy(deadline=time.monotonic() - 1)
    error = ReadTimeoutError(None, URL, "Read timed out.")  # type: ignore[arg-type]
    with pytest.raises(RetriesExhausted) as caught:
        policy.increment("GET", URL, error=error)
    assert caught.value.reason is error


def test_with_deadline_binds_a_copy() -> None:
    policy = RetryPolicy()
    bound = policy.with_deadline(123.0)
    assert bound.deadline == 123.0 and policy.deadline is None
    assert policy.with_deadline(None) is policy


# -- what it tells the log ---------------------------------------------------------------------


def test_each_retry_is_logged_once_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="openapi_client")
    policy = RetryPolicy(backoff_jitter_ratio=0)
    policy = policy.increment("GET", URL, response=answer(503))
    policy = policy.increment("GET", URL, error=ReadTimeoutError(None, URL, "Read timed out."))  # type: ignore[arg-type]
    records = [r for r in caplog.records if r.name == "openapi_client"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    first, second = (r.getMessage() for r in records)
    assert "status 503" in first and "attempt 2 of 3" in first and "waiting 0.50s" in first
    assert "ReadTimeoutError" in second and "attempt 3 of 3" in second and "waiting 1.00s" in second
    assert all("limit=2" not in r.getMessage() for r in records), "the query string stays out of logs"


def test_the_log_leaves_out_credentials_in_a_url(caplog: pytest.LogCaptureFixture) -> None:
    # Through a proxy, urllib3 hands the policy the absolute URL.
    caplog.set_level(logging.INFO, logger="openapi_client")
    url = "http://user:pa55@api.example.com/api/v1/?iterator=x"
    RetryPolicy().increment("GET", url, response=answer(503))
    (message,) = (r.getMessage() for r in caplog.records if r.name == "openapi_client")
    assert "GET http://api.example.com/api/v1/ after status 503" in message
    assert "pa55" not in message and "iterator" not in message
