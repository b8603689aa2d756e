"""The retry policy, as a value: which failures are retried, how long to wait, when to stop.

:class:`RetryPolicy` is a urllib3 ``Retry``; the transport hands it to urllib3, whose connection
loop asks it after every failure. It differs from urllib3's defaults in four ways:

* backoff starts at :data:`BACKOFF_BASE` for the first retry (urllib3 retries the first one at
  once), doubles, is capped at :data:`BACKOFF_MAX`, and is jittered so clients spread out;
* ``Retry-After`` (seconds or an HTTP date) and ``retry-after-ms`` are honoured, and a requested
  wait longer than ``max_retry_wait`` is not slept: the answer is returned at once;
* an optional ``deadline`` (a ``time.monotonic()`` instant): no retry starts whose wait would
  end past it;
* redirects do not use up the retry budget (at most :data:`MAX_REDIRECTS` are followed), and
  TLS failures are never retried.

Each retry is logged once at INFO on the ``openapi_client`` logger.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from typing import Any, FrozenSet, Mapping, Optional

from urllib3.exceptions import MaxRetryError, SSLError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from openapi_client._redact import redact_url
from openapi_client.configuration import DEFAULT_RETRIES, MAX_RETRY_WAIT

__all__ = [
    "RetryPolicy",
    "RetriesExhausted",
    "DEFAULT_RETRIES",
    "DEFAULT_RETRY_STATUSES",
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "BACKOFF_JITTER",
    "MAX_RETRY_WAIT",
    "MAX_REDIRECTS",
    "attempts_made",
    "describe_error",
    "parse_retry_after",
    "requested_wait",
]

#: Statuses worth asking again for: the server or a proxy said "not now".
DEFAULT_RETRY_STATUSES: FrozenSet[int] = frozenset({408, 429, 500, 502, 503, 504})
#: Seconds before the first retry; each later retry waits twice as long as the one before.
BACKOFF_BASE = 0.5
#: No backoff wait is longer than this many seconds.
BACKOFF_MAX = 8.0
#: Each backoff wait is scaled by a random factor in ``[1 - BACKOFF_JITTER, 1]``.
BACKOFF_JITTER = 0.25
#: Redirects followed for one call; they do not count as retries, so they need their own bound.
MAX_REDIRECTS = 5

_log = logging.getLogger("openapi_client")
_OWN_SETTINGS = ("backoff_base", "backoff_jitter_ratio", "max_retry_wait", "deadline")


class RetriesExhausted(MaxRetryError):
    """urllib3's "give up" signal, carrying how many attempts were made and any wait asked."""

    def __init__(self, pool: Any, url: Optional[str], reason: Optional[Exception], *,
                 attempts: int, retry_after: Optional[float] = None) -> None:
        super().__init__(pool, url or "", reason)
        self.attempts = attempts
        self.retry_after = retry_after


class RetryPolicy(Retry):
    """This API's retry policy (see the module docstring); ``RetryPolicy()`` is the default.

    :param total: Retries after the first attempt.
    :param backoff_base: Seconds before the first retry.
    :param backoff_max: Longest backoff wait.
    :param max_retry_wait: Longest server-requested wait that is honoured.
    :param deadline: A ``time.monotonic()`` instant no retry may go past, or ``None``.
    """

    #: urllib3 retries 413 too when it carries Retry-After; this API's policy never retries a
    #: 4xx other than 408 and 429, so only the statuses retried anyway are listed.
    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def __init__(
        self,
        total: Any = DEFAULT_RETRIES,
        *,
        backoff_base: float = BACKOFF_BASE,
        backoff_max: float = BACKOFF_MAX,
        backoff_jitter_ratio: float = BACKOFF_JITTER,
        max_retry_wait: float = MAX_RETRY_WAIT,
        deadline: Optional[float] = None,
        status_forcelist: Any = DEFAULT_RETRY_STATUSES,
        raise_on_status: bool = False,
        raise_on_redirect: bool = False,
        redirect: Any = MAX_REDIRECTS,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            total=total,
            status_forcelist=status_forcelist,
            raise_on_status=raise_on_status,
            raise_on_redirect=raise_on_redirect,
            redirect=redirect,
            backoff_max=backoff_max,
            **kwargs,
        )
        self.backoff_base = backoff_base
        self.backoff_jitter_ratio = backoff_jitter_ratio
        self.max_retry_wait = max_retry_wait
        self.deadline = deadline
        self.planned_wait = 0.0

    def new(self, **kw: Any) -> RetryPolicy:
        for name in _OWN_SETTINGS:
            kw.setdefault(name, getattr(self, name))
        return super().new(**kw)

    def with_deadline(self, deadline: Optional[float]) -> RetryPolicy:
        """A copy bound to ``deadline`` (a ``time.monotonic()`` instant)."""
        return self.new(deadline=deadline) if deadline is not None else self

    # -- what to wait ----------------------------------------------------------------------

    @property
    def attempts(self) -> int:
        """Requests made so far, counting redirects out."""
        return attempts_made(self)

    def get_backoff_time(self) -> float:
        """Wait before the next retry: base * 2**(n-1), capped, jittered (0 before any retry)."""
        retries_so_far = self.attempts - 1
        if retries_so_far <= 0 or self.backoff_base <= 0:
            return 0.0
        wait = min(self.backoff_max, self.backoff_base * (2 ** (retries_so_far - 1)))
        return float(wait * (1.0 - self.backoff_jitter_ratio * random.random()))

    def get_retry_after(self, response: BaseHTTPResponse) -> Optional[float]:
        """The wait the server asked for, in seconds (see :func:`requested_wait`)."""
        return requested_wait(response.headers)

    def sleep(self, response: Optional[BaseHTTPResponse] = None) -> None:
        """Sleep the wait :meth:`increment` planned (and logged)."""
        if self.planned_wait > 0:
            time.sleep(self.planned_wait)

    # -- whether to go on ------------------------------------------------------------------

    def increment(
        self,
        method: Optional[str] = None,
        url: Optional[str] = None,
        response: Optional[BaseHTTPResponse] = None,
        error: Optional[Exception] = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> RetryPolicy:
        is_redirect = error is None and response is not None and bool(response.get_redirect_location())
        if isinstance(error, SSLError):
            raise RetriesExhausted(_pool, url, error, attempts=self.attempts) from error
        base = self
        if is_redirect and isinstance(self.total, int) and self.total is not True:
            base = self.new(total=self.total + 1)
        try:
            fresh = Retry.increment(base, method, url, response, error, _pool, _stacktrace)
        except MaxRetryError as exc:
            raise RetriesExhausted(
                _pool, url, exc.reason, attempts=self.attempts,
                retry_after=self.get_retry_after(response) if response is not None else None,
            ) from exc.reason
        assert isinstance(fresh, RetryPolicy)
        if is_redirect:
            return fresh

        requested = self.get_retry_after(response) if response is not None else None
        if requested is not None and self.respect_retry_after_header:
            if requested > self.max_retry_wait:
                raise RetriesExhausted(_pool, url, error, attempts=self.attempts, retry_after=requested)
            wait = requested
        else:
            wait = fresh.get_backoff_time()
        if self.deadline is not None and time.monotonic() + wait >= self.deadline:
            raise RetriesExhausted(_pool, url, error, attempts=self.attempts, retry_after=requested)
        fresh.planned_wait = wait
        answered = response is not None and error is None
        reason = f"status {response.status}" if answered and response else describe_error(error)
        _log.info(
            "Retrying %s %s after %s (attempt %d of %s, waiting %.2fs)",
            method, redact_url(url, query=False), reason, fresh.attempts,
            "unbounded" if self.total is None else self.attempts + (self.total or 0), wait,
        )
        return fresh

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(total={self.total!r}, backoff_base={self.backoff_base}, "
            f"statuses={sorted(self.status_forcelist)}, deadline={self.deadline})"
        )


def requested_wait(headers: Mapping[str, str]) -> Optional[float]:
    """The wait an answer asks for, in seconds: ``retry-after-ms``, else ``Retry-After``
    (delta-seconds or an HTTP date); ``None`` when it asks for none or the header is garbled."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    header = headers.get("Retry-After")
    return None if header is None else parse_retry_after(header)


def parse_retry_after(value: str) -> Optional[float]:
    """Seconds until ``value`` (delta-seconds or an HTTP date); ``None`` if it is neither.

    Unlike urllib3's parser this neither clips long waits nor raises: the caller decides what a
    long wait means, and a garbled header is treated as absent, as browsers do.
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def attempts_made(retry: Retry) -> int:
    """Requests made so far under ``retry`` (any urllib3 ``Retry``), redirects not counted."""
    return 1 + sum(1 for entry in retry.history if entry.redirect_location is None)


def describe_error(error: Optional[BaseException]) -> str:
    """The innermost cause of a urllib3 error as ``"Type: text"``, e.g.
    ``"ConnectionRefusedError: [Errno 111] Connection refused"``.

    urllib3 wraps the socket's error in layers whose text is mostly object reprs; the innermost
    one names what really happened.
    """
    if error is None:
        return "an unknown error"
    seen = {id(error)}
    while True:
        nested = next((arg for arg in reversed(error.args) if isinstance(arg, BaseException)), None)
        nested = nested or getattr(error, "original_error", None) or error.__cause__
        if not isinstance(nested, BaseException) or id(nested) in seen:
            break
        seen.add(id(nested))
        error = nested
    text = str(error)
    if "object at 0x" in text and ">: " in text:
        text = text.split(">: ", 1)[1]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
