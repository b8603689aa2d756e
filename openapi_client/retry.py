"""The retry policy, as a value: :class:`RetryPolicy`, a urllib3 ``Retry`` the transport asks
after every failed attempt (:func:`next_try`), and the strict reading of the waits servers ask for.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import re
import time
from typing import Any, Collection, FrozenSet, Mapping, Optional, Tuple, Union

from urllib3.exceptions import MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from openapi_client._checks import check_int
from openapi_client.configuration import DEFAULT_RETRIES, MAX_RETRY_WAIT

__all__ = [
    "BACKOFF_BASE", "BACKOFF_JITTER", "BACKOFF_MAX", "DEFAULT_RETRIES", "DEFAULT_RETRY_STATUSES",
    "MAX_REDIRECTS", "MAX_RETRY_WAIT", "RetryPolicy", "make_retry", "next_try", "redirects_only",
    "requested_wait",
]

#: Statuses worth asking again for: the server or a proxy said "not now".
DEFAULT_RETRY_STATUSES: FrozenSet[int] = frozenset({408, 429, 500, 502, 503, 504})
#: Seconds before the first retry; each later retry waits twice as long as the one before ...
BACKOFF_BASE = 0.5
#: ... up to this many seconds, ...
BACKOFF_MAX = 8.0
#: ... scaled by a random factor in ``[1 - BACKOFF_JITTER, 1]`` so that clients spread out.
BACKOFF_JITTER = 0.25
#: Redirects followed for one call, at most.
MAX_REDIRECTS = 5

#: delta-seconds (RFC 9110): ASCII digits only (``str.isdigit`` takes ``²`` too), few enough
#: that the number stays exact.
_SECONDS = re.compile(r"[0-9]{1,15}")
_MILLISECONDS = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?")


class RetryPolicy(Retry):
    """This API's retry policy; ``RetryPolicy()`` is the default. Unlike urllib3's, its backoff
    starts at ``backoff_base`` for the first retry, doubles up to :data:`BACKOFF_MAX` and is
    jittered; it retries :data:`DEFAULT_RETRY_STATUSES`, never a TLS failure; it honours the
    waits servers ask for up to ``max_retry_wait``; and each redirect spends ``total`` too.

    :param total: Retries and redirects after the first request.
    :param backoff_base: Seconds before the first retry.
    :param backoff_jitter_ratio: Each backoff is scaled by a random factor in ``[1 - ratio, 1]``.
    :param max_retry_wait: Longest server-requested wait that is honoured.
    :param kwargs: Any other setting of urllib3's ``Retry`` (``backoff_max``, ``status_forcelist``...).
    """

    #: urllib3 retries 413 too when it carries Retry-After; this API's policy does not.
    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})
    _OWN = ("backoff_base", "backoff_jitter_ratio", "max_retry_wait")

    def __init__(self, total: Any = DEFAULT_RETRIES, *, backoff_base: float = BACKOFF_BASE,
                 backoff_jitter_ratio: float = BACKOFF_JITTER, max_retry_wait: float = MAX_RETRY_WAIT,
                 **kwargs: Any) -> None:
        defaults = {"status_forcelist": DEFAULT_RETRY_STATUSES, "redirect": MAX_REDIRECTS, "other": 0,
                    "backoff_max": BACKOFF_MAX, "raise_on_status": False, "raise_on_redirect": False}
        super().__init__(total, **{**defaults, **kwargs})
        self.backoff_base = backoff_base
        self.backoff_jitter_ratio = backoff_jitter_ratio
        self.max_retry_wait = max_retry_wait

    def new(self, **kw: Any) -> RetryPolicy:
        return super().new(**{**{name: getattr(self, name) for name in self._OWN}, **kw})

    def get_backoff_time(self) -> float:
        """Wait before the next retry: ``backoff_base * 2**(n-1)``, capped, jittered (0 before any)."""
        retries_so_far = sum(1 for entry in self.history if entry.redirect_location is None)
        wait = min(self.backoff_max, self.backoff_base * 2 ** (retries_so_far - 1)) if retries_so_far else 0.0
        return max(0.0, wait * (1.0 - self.backoff_jitter_ratio * random.random()))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(total={self.total!r}, backoff_base={self.backoff_base}, "
                f"statuses={sorted(self.status_forcelist or ())}, max_retry_wait={self.max_retry_wait})")


def make_retry(spec: Union[bool, int, Retry, None], *, like: Optional[Retry] = None,
               max_retry_wait: float = MAX_RETRY_WAIT, secret_headers: Collection[str] = ()) -> Retry:
    """A urllib3 ``Retry`` as given; an int, that many retries of ``like``'s policy if it is a
    :class:`RetryPolicy` (the configured one), else of the default policy with ``max_retry_wait``.
    Either also drops ``secret_headers`` on a redirect to another host (urllib3 drops Authorization
    and Cookie; API keys travel in headers of the user's choosing)."""
    if not isinstance(spec, Retry):
        if spec is None or spec is False:
            spec = 0 if spec is False else DEFAULT_RETRIES
        check_int("retries", spec, 0)
        default = like if isinstance(like, RetryPolicy) else RetryPolicy(max_retry_wait=max_retry_wait)
        spec = default.new(total=spec)
    extra = {name.lower() for name in secret_headers} - spec.remove_headers_on_redirect
    return spec.new(remove_headers_on_redirect=spec.remove_headers_on_redirect | extra) if extra else spec


def redirects_only(policy: Retry) -> Retry:
    """What urllib3 is handed for one attempt: ``policy``'s redirects, which spend its ``total``,
    and no retry of anything else: those are the transport's to make. A redirect past them is
    the attempt's answer (whatever ``raise_on_redirect`` says), so the call ends with it."""
    # Made directly: policy.new() would add a tenth to what a call costs over bare urllib3.
    return Retry(total=policy.total, redirect=policy.redirect, connect=0, read=0, other=0, status=0,
                 raise_on_redirect=False, respect_retry_after_header=False,
                 remove_headers_on_redirect=policy.remove_headers_on_redirect, history=policy.history)


def next_try(policy: Retry, method: str, url: str, answer: Optional[BaseHTTPResponse],
             error: Optional[BaseException], max_retry_wait: float, redirects: int = 0,
             ) -> Tuple[Retry, Optional[float]]:
    """After an attempt that followed ``redirects`` and gave ``answer`` or ``error``: the policy for
    the next attempt and the seconds to wait before it, or ``None`` if there is none (the answer is
    to be returned, the retries are spent, or the server asked for too long a wait)."""
    if redirects > 0:  # they spend ``total`` too; urllib3 keeps no history of them when it raises
        counts = {name: getattr(policy, name) for name in ("total", "redirect")}
        policy = policy.new(**{name: left - redirects for name, left in counts.items() if type(left) is int})
    if answer is not None and not policy.is_retry(method, answer.status, "Retry-After" in answer.headers):
        return policy, None
    try:
        after = policy.increment(method, url, response=answer, error=error)  # type: ignore[arg-type]
    except MaxRetryError:
        return policy, None
    # A wait the server asks for replaces the backoff, but one of zero (or a date past) does not;
    # one longer than max_retry_wait (or the policy's own, if smaller) ends the call.
    asked = (requested_wait(answer.headers)
             if answer is not None and after.respect_retry_after_header else None)
    if asked is not None and asked > min(max_retry_wait, getattr(after, "max_retry_wait", max_retry_wait)):
        return after, None
    return after, asked if asked else after.get_backoff_time()


def requested_wait(headers: Mapping[str, str]) -> Optional[float]:
    """The wait an answer asks for, in seconds: ``retry-after-ms``, else ``Retry-After``
    (delta-seconds, or an HTTP date: 0 once past); ``None`` when it asks for none or the header is
    malformed, however malformed: unlike urllib3's parser this never raises."""
    millis = (headers.get("retry-after-ms") or "").strip()
    if _MILLISECONDS.fullmatch(millis):
        return float(millis) / 1000.0
    value = (headers.get("Retry-After") or "").strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    with contextlib.suppress(ValueError, OverflowError, TypeError, IndexError):
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None and 1970 <= parsed[0] <= 9999:  # a date a calendar holds
            return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
    return None
