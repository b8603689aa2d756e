"""The retry policy as a value, without sockets or sleeps, in the manner of urllib3's own
``test_retry.py``: build a policy, hand ``next_try`` the answers (urllib3 ``HTTPResponse`` objects
built in memory) and errors urllib3 would hand it, and assert on the policy and the wait it gives
back."""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any, Dict, Optional, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import HTTPResponse
from urllib3.util.retry import RequestHistory, Retry

import openapi_client
from openapi_client.retry import (
    DEFAULT_RETRY_STATUSES,
    RetryPolicy,
    make_retry,
    next_try,
    redirects_only,
    requested_wait,
)

URL = "/api/v1/background-task/?limit=2"
#: A policy whose backoff is exactly 0.5 s, 1 s, 2 s, ... so waits can be compared.
STEADY = RetryPolicy(10, backoff_jitter_ratio=0)


def answer(status: int, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return HTTPResponse(body=b"", headers=headers or {}, status=status)


def after_answer(
    policy: Retry,
    status: int,
    headers: Optional[Dict[str, str]] = None,
    *,
    method: str = "GET",
    max_retry_wait: float = 60.0,
) -> Tuple[Retry, Optional[float]]:
    return next_try(policy, method, URL, answer(status, headers), None, max_retry_wait)


def after_error(policy: Retry, error: Exception) -> Tuple[Retry, Optional[float]]:
    return next_try(policy, "GET", URL, None, error, 60.0)


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


# -- the default ------------------------------------------------------------------------------------


def test_the_default_policy_is_the_documented_one() -> None:
    policy = RetryPolicy()
    assert isinstance(policy, Retry)
    assert policy.total == 2 and policy.redirect == 5 and policy.other == 0
    assert set(policy.status_forcelist) == set(DEFAULT_RETRY_STATUSES) == {408, 429, 500, 502, 503, 504}
    assert (policy.backoff_base, policy.backoff_max, policy.backoff_jitter_ratio) == (0.5, 8.0, 0.25)
    assert policy.max_retry_wait == 60.0
    assert repr(policy) == (
        "RetryPolicy(total=2, backoff_base=0.5, statuses=[408, 429, 500, 502, 503, 504], max_retry_wait=60.0)"
    )


# -- what is retried --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_transient_status_is_retried(status: int) -> None:
    policy, wait = after_answer(RetryPolicy(), status)
    assert wait is not None
    assert policy.total == 1 and policy.history[-1].status == status


@pytest.mark.parametrize("status", [200, 204, 301, 304, 400, 401, 403, 404, 405, 409, 413, 422, 501, 505])
def test_any_other_status_is_not_retried_even_with_retry_after(status: int) -> None:
    policy, wait = after_answer(RetryPolicy(), status, {"Retry-After": "1", "Location": "/elsewhere/"})
    assert wait is None
    assert policy.history == ()


def test_a_non_idempotent_method_is_not_retried_on_a_status() -> None:
    assert after_answer(RetryPolicy(), 503, method="POST")[1] is None


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
def test_a_transient_error_is_retried(error: Exception) -> None:
    policy, wait = after_error(RetryPolicy(), error)
    assert wait is not None
    assert policy.history[-1].error is error


@pytest.mark.parametrize("retries", [0, 2, 5])
def test_a_tls_failure_is_never_retried(retries: int) -> None:
    assert after_error(RetryPolicy(retries), SSLError("certificate verify failed"))[1] is None


def test_retries_are_counted_until_spent() -> None:
    policy: Retry = RetryPolicy(2)
    for _ in range(2):
        policy, wait = after_answer(policy, 503)
        assert wait is not None
    assert policy.total == 0 and len(policy.history) == 2
    assert after_answer(policy, 503)[1] is None
    assert after_answer(RetryPolicy(0), 503)[1] is None


def test_asking_the_policy_leaves_it_unchanged() -> None:
    policy = RetryPolicy(2, backoff_base=0.01, backoff_jitter_ratio=0, max_retry_wait=7)
    incremented, _ = after_answer(policy, 503)
    assert (policy.total, policy.history) == (2, ())
    assert isinstance(incremented, RetryPolicy)
    kept = (incremented.backoff_base, incremented.backoff_jitter_ratio, incremented.max_retry_wait)
    assert kept == (0.01, 0, 7)


def test_a_copy_of_the_policy_may_change_its_own_settings() -> None:
    policy = RetryPolicy(2, backoff_base=0.01, max_retry_wait=7)
    changed = policy.new(backoff_base=1.0, total=4)
    assert (changed.backoff_base, changed.max_retry_wait, changed.total) == (1.0, 7, 4)
    assert policy.backoff_base == 0.01


# -- how long it waits ------------------------------------------------------------------------------


def test_the_backoff_doubles_from_the_base_and_is_capped() -> None:
    policy: Retry = STEADY
    waits = []
    for _ in range(7):
        policy, wait = after_answer(policy, 503)
        waits.append(wait)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_there_is_no_backoff_before_any_retry_or_with_a_zero_base() -> None:
    assert RetryPolicy().get_backoff_time() == 0.0
    assert after_answer(RetryPolicy(backoff_base=0), 503)[1] == 0.0


@pytest.mark.parametrize(("retries", "nominal"), [(1, 0.5), (3, 2.0), (8, 8.0)])
def test_jitter_shortens_each_wait_by_at_most_the_ratio(retries: int, nominal: float) -> None:
    history = tuple(RequestHistory("GET", URL, None, 503, None) for _ in range(retries))
    policy = RetryPolicy(10, history=history)
    waits = [policy.get_backoff_time() for _ in range(200)]
    assert all(nominal * 0.75 <= wait <= nominal for wait in waits)
    assert len(set(waits)) > 1, "the waits are spread out"


def test_redirects_followed_do_not_lengthen_the_backoff() -> None:
    redirected = STEADY.new(history=(RequestHistory("GET", URL, None, 302, "/elsewhere/"),))
    assert after_answer(redirected, 503)[1] == 0.5


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"retry-after-ms": "nonsense", "Retry-After": "9"}, 9.0),
    ],
)
def test_a_wait_the_server_asks_for_replaces_the_backoff(headers: Dict[str, str], wait: float) -> None:
    assert after_answer(STEADY, 503, headers)[1] == wait


def test_a_wait_asked_as_an_http_date_is_the_time_until_then() -> None:
    wait = after_answer(STEADY, 429, {"Retry-After": http_date(30)})[1]
    assert wait is not None and 25.0 <= wait <= 30.0


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "0"},
        {"retry-after-ms": "0"},
        {"Retry-After": http_date(-30)},
        {"Retry-After": "soon"},
        {"Retry-After": "-3"},
    ],
    ids=["zero", "zero-ms", "date-past", "garbled", "negative"],
)
def test_a_zero_past_or_garbled_wait_falls_back_to_the_backoff(headers: Dict[str, str]) -> None:
    assert after_answer(STEADY, 503, headers)[1] == 0.5


def test_a_policy_that_ignores_retry_after_uses_the_backoff() -> None:
    policy = RetryPolicy(backoff_jitter_ratio=0, respect_retry_after_header=False)
    assert after_answer(policy, 503, {"Retry-After": "3600"})[1] == 0.5


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "5"}, 5.0), ({"retry-after-ms": "5001"}, None), ({"Retry-After": "3600"}, None)],
)
def test_a_wait_longer_than_max_retry_wait_gives_up(headers: Dict[str, str], wait: Optional[float]) -> None:
    assert after_answer(RetryPolicy(max_retry_wait=5), 429, headers)[1] == wait


def test_a_long_wait_gives_up_under_the_default_policy() -> None:
    assert after_answer(RetryPolicy(), 429, {"Retry-After": "61"})[1] is None


def test_the_wait_before_a_retry_after_an_error_is_the_backoff() -> None:
    policy = STEADY.new(history=(RequestHistory("GET", URL, None, 503, None),))
    assert after_error(policy, ProtocolError("reset"))[1] == 1.0  # the second retry: 0.5 s doubled


# -- what the server's wait may say ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        ("-1", None),
        ("+5", None),
        ("1.5", None),
        ("1e3", None),
        ("inf", None),
        ("nan", None),
        ("0x10", None),
        ("²", None),
        ("١٢", None),
        ("9" * 16, None),
        ("Thu, 01 Jan 1969 00:00:00 GMT", None),
        ("Fri, 01 Jan 10000 00:00:00 GMT", None),
    ],
)
def test_retry_after_is_read_strictly(value: str, seconds: Optional[float]) -> None:
    assert requested_wait({"Retry-After": value}) == seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": " 1.5 "}, 0.0015),
        ({"retry-after-ms": "-5"}, None),
        ({"retry-after-ms": "1e3", "Retry-After": "2"}, 2.0),
        ({"Retry-After": "2"}, 2.0),
    ],
)
def test_the_requested_wait_prefers_retry_after_ms(headers: Dict[str, str], seconds: Optional[float]) -> None:
    assert requested_wait(headers) == seconds


def _usable(wait: Optional[float]) -> bool:
    return wait is None or (math.isfinite(wait) and wait >= 0)


@given(st.text(max_size=40))
def test_any_text_gives_no_wait_or_a_finite_one(value: str) -> None:
    assert _usable(requested_wait({"Retry-After": value}))
    assert _usable(requested_wait({"retry-after-ms": value}))


#: "Wed, 21 Oct 2015 07:28:00 GMT" with any day, month, year, time and zone of about that shape.
DATE_SHAPED = r"[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{1,6} [0-9]{1,2}(:[0-9]{1,2}){2} [A-Z+0-9-]{1,5}"


@given(st.from_regex(DATE_SHAPED, fullmatch=True))
def test_any_date_shaped_text_gives_no_wait_or_a_finite_one(value: str) -> None:
    assert _usable(requested_wait({"Retry-After": value}))


# -- redirects --------------------------------------------------------------------------------------


def test_redirects_and_retries_spend_one_shared_total() -> None:
    # retries=2 against a server alternating 302 and 503: urllib3 follows the 302 (one spent),
    # the 503 is retried (two spent), the next 302 cannot be followed: three requests in all.
    policy, wait = next_try(RetryPolicy(2), "GET", URL, answer(503), None, 60.0, redirects=1)
    assert wait is not None
    assert policy.total == 0 and len(policy.history) == 1
    handed = redirects_only(policy)
    with pytest.raises(MaxRetryError):
        handed.increment("GET", URL, response=answer(302, {"Location": "/elsewhere/"}))
    final = answer(302, {"Location": "/elsewhere/"})
    assert next_try(policy, "GET", URL, final, None, 60.0)[1] is None


def test_urllib3_is_handed_the_redirects_only() -> None:
    policy = RetryPolicy(3).new(remove_headers_on_redirect={"x-api-key"})
    handed = redirects_only(policy)
    assert (handed.total, handed.redirect, handed.history) == (3, 5, ())
    assert "x-api-key" in handed.remove_headers_on_redirect
    assert not handed.is_retry("GET", 503, has_retry_after=True)
    assert handed.increment("GET", URL, response=answer(302, {"Location": "/x/"})).total == 2
    with pytest.raises(MaxRetryError):
        handed.increment("GET", URL, error=ReadTimeoutError(None, URL, "Read timed out."))  # type: ignore[arg-type]


def test_redirects_alone_are_bounded() -> None:
    handed = redirects_only(RetryPolicy(10))
    for _ in range(5):
        handed = handed.increment("GET", URL, response=answer(302, {"Location": "/loop/"}))
    with pytest.raises(MaxRetryError):
        handed.increment("GET", URL, response=answer(302, {"Location": "/loop/"}))


# -- retries given as a number or a urllib3 Retry ---------------------------------------------------


def test_a_urllib3_retry_is_used_as_given() -> None:
    plain = Retry(total=1, status_forcelist=[500], backoff_factor=0)
    assert make_retry(plain, like=RetryPolicy(5)) is plain
    policy, wait = next_try(plain, "GET", URL, answer(500), None, 60.0)
    assert wait == 0.0
    assert next_try(policy, "GET", URL, answer(500), None, 60.0)[1] is None
    assert next_try(plain, "GET", URL, answer(503), None, 60.0)[1] is None  # not in its statuses


def test_a_urllib3_retry_gives_up_on_a_wait_longer_than_the_configured_most() -> None:
    plain = Retry(total=2, status_forcelist=[503])
    assert next_try(plain, "GET", URL, answer(503, {"Retry-After": "10"}), None, 60.0)[1] == 10.0
    assert next_try(plain, "GET", URL, answer(503, {"Retry-After": "10"}), None, 5.0)[1] is None


def test_a_number_keeps_the_configured_policys_settings() -> None:
    configured = RetryPolicy(2, backoff_base=0.01, backoff_jitter_ratio=0, max_retry_wait=7)
    policy = make_retry(5, like=configured)
    assert isinstance(policy, RetryPolicy)
    kept = (policy.backoff_base, policy.backoff_jitter_ratio, policy.max_retry_wait)
    assert (policy.total, kept) == (5, (0.01, 0, 7))


@pytest.mark.parametrize(
    ("spec", "like", "total"),
    [(3, Retry(1), 3), (None, None, 2), (False, None, 0), (0, None, 0)],
    ids=["beside-a-plain-retry", "none", "false", "zero"],
)
def test_a_number_otherwise_is_the_default_policy(spec: Any, like: Optional[Retry], total: int) -> None:
    policy = make_retry(spec, like=like)
    assert type(policy) is RetryPolicy
    assert (policy.total, policy.backoff_base, policy.max_retry_wait) == (total, 0.5, 60.0)


@pytest.mark.parametrize("spec", [3, RetryPolicy(3), Retry(3)], ids=["int", "RetryPolicy", "urllib3 Retry"])
def test_secret_headers_are_dropped_on_a_redirect_to_another_host(spec: Any) -> None:
    policy = make_retry(spec, secret_headers=["X-Api-Key"])
    assert {"x-api-key", "authorization", "cookie"} <= policy.remove_headers_on_redirect
    assert make_retry(policy, secret_headers=["x-api-key"]) is policy  # nothing more to drop: no new policy


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (-1, openapi_client.ApiValueError),
        ("3", openapi_client.ApiTypeError),
        (2.5, openapi_client.ApiTypeError),
    ],
)
def test_a_retry_count_that_is_no_count_is_refused(spec: Any, error: type) -> None:
    with pytest.raises(error, match="retries"):
        make_retry(spec)


def test_redirects_followed_before_a_failure_spend_the_total_and_keep_the_policy() -> None:
    policy = RetryPolicy(3, backoff_base=0.01, max_retry_wait=7)
    spent, wait = next_try(policy, "GET", URL, None, ProtocolError("reset"), 60.0, redirects=2)
    assert wait is not None
    assert (spent.total, spent.redirect) == (0, policy.redirect - 2)  # two redirects and a retry
    assert (type(spent), spent.backoff_base, spent.max_retry_wait) == (RetryPolicy, 0.01, 7)
    unbounded = Retry(total=None, redirect=None)
    unbounded, wait = next_try(unbounded, "GET", URL, None, ProtocolError("reset"), 60.0, redirects=2)
    assert wait is not None and (unbounded.total, unbounded.redirect) == (None, None)
