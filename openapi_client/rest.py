"""The transport: :class:`RESTClientObject` sends through one urllib3 ``PoolManager`` and retries
as :mod:`openapi_client.retry` says; a watchdog thread ends each call at its deadline, reads stop
at ``max_response_bytes``, and :func:`_translate` makes every failure one of the package's own."""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import ipaddress
import logging
import math
import os
import socket
import ssl
import threading
import time
import weakref
from typing import Any, Callable, Collection, Dict, Iterator, Mapping, Optional, Set, Tuple, Union
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.exceptions import DecodeError, HTTPError, MaxRetryError, NewConnectionError, ProxyError, SSLError
from urllib3.util.retry import Retry

from openapi_client._checks import check_int, check_seconds, check_timeout
from openapi_client._redact import origin, redact_url
from openapi_client.configuration import Configuration, TimeoutSpec
from openapi_client.exceptions import (
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
    ResponseTooLargeError,
)
from openapi_client.retry import make_retry, next_try, redirects_only, requested_wait

__all__ = ["ACCEPT_ENCODING", "ApiException", "RESTClientObject", "RESTResponse", "RetriesSpec"]

RetriesSpec = Union[None, bool, int, Retry]
Answer = urllib3.BaseHTTPResponse

#: The content codings asked for, and the only ones decoded: zlib inflates them within the cap on
#: every setup (urllib3 inflates br without a bound under Brotli before 1.2).
ACCEPT_ENCODING = "gzip,deflate"
_DECODED = frozenset({"gzip", "x-gzip", "deflate", "identity", ""})
#: Bytes asked of urllib3 per read of a body.
_CHUNK = 64 * 1024
#: What closing an unread answer reads, at most, hoping to keep its connection for reuse.
_DRAIN_BYTES, _DRAIN_SECONDS = 64 * 1024, 1.0
#: What a failure leaves as, from urllib3 down to the socket, absurd framing included (a chunk
#: size or Content-Length of 2**63 makes http.client raise OverflowError or MemoryError).
_TRANSPORT_ERRORS = (HTTPError, OSError, http.client.HTTPException, OverflowError, MemoryError, ValueError)

_log = logging.getLogger("openapi_client")


class _Exchange:
    """One call: its clock, size limit and requests sent, and its latest answer's socket."""

    def __init__(self, deadline: Optional[float], max_bytes: int, request_id: Optional[str],
                 secrets: Callable[[], Collection[str]]) -> None:
        self.deadline, self.max_bytes = deadline, max_bytes
        self.request_id, self.secrets = request_id, secrets
        self.ends = self.attempt_ends = math.inf if deadline is None else time.monotonic() + deadline
        self.sent, self.reused, self.resent, self.cut = 0, False, False, False
        self.sock: Optional[socket.socket] = None

    def begin_attempt(self, seconds: Optional[float], connect: Optional[float]) -> Optional[float]:
        """Start an attempt that may take ``seconds``; the connect timeout, cut to the time left."""
        now = time.monotonic()
        self.cut, self.reused, self.sock = False, False, None
        self.attempt_ends = min(self.ends, now + (math.inf if seconds is None else seconds))
        if self.attempt_ends <= now:
            raise socket.timeout("out of time")
        limit = min(self.attempt_ends - now, math.inf if connect is None else connect)
        return None if limit == math.inf else limit

    def has_time_for(self, wait: float) -> bool:
        return time.monotonic() + wait < self.ends

    def __enter__(self) -> _Exchange:
        """Run a block as part of this call: its connections report here, the watchdog stops it."""
        self._reset = _EXCHANGE.set(self)
        _WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _WATCHDOG.forget(self)
        _EXCHANGE.reset(self._reset)

    def stop(self) -> None:
        """Cut the socket the call is reading from (the watchdog's call: its time is up)."""
        self.cut = True
        with contextlib.suppress(OSError, AttributeError):  # urllib3's TLS-in-TLS wraps a socket
            getattr(self.sock, "socket", self.sock).shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]

    def may_resend(self, error: BaseException) -> bool:
        """Once per call: a reused connection broke before its answer (closed while idle)."""
        if self.resent or self.cut or not self.reused or not isinstance(_innermost(error), ConnectionError):
            return False
        self.resent = True
        return True

    def details(self) -> Dict[str, Any]:
        """What an exception about this call carries: attempts, request id, the secrets to hide."""
        return {"attempts": max(self.sent, 1), "request_id": self.request_id, "secrets": self.secrets()}

    def too_large(self) -> ResponseTooLargeError:
        return ResponseTooLargeError(f"the answer is larger than max_response_bytes ({self.max_bytes}); "
                                     "the connection was dropped", limit=self.max_bytes, **self.details())


#: The exchange of the call in progress in this thread, for the connections it uses.
_EXCHANGE: contextvars.ContextVar[Optional[_Exchange]] = contextvars.ContextVar("exchange", default=None)


class _Watchdog:
    """One thread that stops each call still running at the end of its time: socket timeouts
    bound each read, not all of them, so a server dripping bytes could otherwise hold a call."""

    #: How often it looks (how late a call may stop), and after how many looks with no call it
    #: ends (a thread left running would make every later fork() unsafe).
    TICK, IDLE_TICKS = 0.05, 100

    def __init__(self) -> None:
        self._calls: Set[_Exchange] = set()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def watch(self, exchange: _Exchange) -> None:
        with self._lock:
            self._calls.add(exchange)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="openapi_client-watchdog", daemon=True)
                self._thread.start()

    def forget(self, exchange: _Exchange) -> None:
        with self._lock:
            self._calls.discard(exchange)

    def _run(self) -> None:
        idle = 0
        while idle < self.IDLE_TICKS:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                late = [call for call in self._calls if call.attempt_ends <= now]
                self._calls.difference_update(late)
                idle = 0 if self._calls else idle + 1
                if idle == self.IDLE_TICKS:
                    self._thread = None
            for call in late:
                call.stop()


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):  # a child has no watchdog thread, and may have its lock held
    os.register_at_fork(after_in_child=lambda: _WATCHDOG.__init__())  # type: ignore[misc]


class _Answer(http.client.HTTPResponse):
    """http.client's answer, reporting to its call; interim answers (1xx but 101) skipped, as the
    final one follows them; every read held to ``max_response_bytes``."""

    body_read = 0

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        exchange = _EXCHANGE.get()
        if exchange is not None:
            exchange.sock, exchange.reused = sock, sock in _ANSWERED_ON
            _ANSWERED_ON.add(sock)
            if exchange.cut:  # its time ran out before this socket was known
                exchange.stop()

    def begin(self) -> None:
        super().begin()
        while 100 <= self.status < 200 and self.status != 101:
            self.headers = None  # type: ignore[assignment]  # so that begin() reads the next answer
            super().begin()

    def read(self, amt: Optional[int] = None) -> bytes:
        exchange = _EXCHANGE.get()
        if exchange is None:  # not read for a call of this package
            return super().read(amt)
        if amt is None and self.length is None:  # a whole body of unknown length: a piece at a time
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        self._counted(b"", exchange)  # what is announced may be too long already
        return self._counted(super().read(amt), exchange)

    def _counted(self, data: bytes, exchange: _Exchange) -> bytes:
        """``data``, if it and what is announced to follow fit in ``max_response_bytes``."""
        if exchange.cut:  # the watchdog shut the socket: an end of the body now is not the real one
            raise socket.timeout("the body was cut off at the end of the call's time")
        self.body_read += len(data)
        if self.body_read + (self.length or 0) > exchange.max_bytes:
            self.close()
            raise exchange.too_large()
        return data


#: The sockets that have carried an answer: another on one of them is on a reused connection.
_ANSWERED_ON: weakref.WeakSet[socket.socket] = weakref.WeakSet()


class _Pool(urllib3.HTTPConnectionPool):
    """A pool that counts each request it is handed for a call (each redirect urllib3 follows is
    one, connected or not), over connections that answer with :class:`_Answer`."""

    ConnectionCls = type("_Connection", (urllib3.connection.HTTPConnection,), {"response_class": _Answer})

    def urlopen(self, *args: Any, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        exchange = _EXCHANGE.get()
        if exchange is not None:
            exchange.sent += 1
        return super().urlopen(*args, **kwargs)


class _TLSPool(_Pool, urllib3.HTTPSConnectionPool):
    ConnectionCls = type("_TLSConnection", (urllib3.connection.HTTPSConnection,), {"response_class": _Answer})


#: Pools whose connections answer with :class:`_Answer` (a PoolManager keeps its pool classes
#: per instance, so that they can be replaced).
_REPORTING_POOLS = {"http": _Pool, "https": _TLSPool}


class RESTResponse:
    """An HTTP answer: ``status``, ``reason``, ``headers``, once read ``data`` (decoded bytes),
    ``attempts`` (the requests it took) and ``request_id`` (the ``svix-req-id`` sent)."""

    def __init__(self, resp: Answer, *, url: str = "", exchange: Optional[_Exchange] = None,
                 data: Optional[bytes] = None) -> None:
        self.response, self._url, self._exchange, self.data = resp, url, exchange, data
        self.status: int = resp.status
        self.reason: Optional[str] = resp.reason
        self.headers: Mapping[str, str] = resp.headers
        self.attempts = max(exchange.sent, 1) if exchange else 1
        self.request_id = exchange.request_id if exchange else None
        self.closed = False

    def getheaders(self) -> Mapping[str, str]:
        return self.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    @property
    def retry_after(self) -> Optional[float]:
        """The wait the answer asks for (``retry-after-ms`` or ``Retry-After``), in seconds."""
        return requested_wait(self.headers)

    def read(self) -> bytes:
        """The whole body, decoded, read once (within the call's deadline) and kept in ``data``;
        raises :class:`ResponseTooLargeError` past ``max_response_bytes``, as any call does."""
        exchange = self._exchange
        if self.data is None and exchange is None:  # built by hand, not sent by the transport
            self.data = self.response.data
        elif self.data is None and exchange is not None:
            try:
                with exchange:
                    self.data = _read_body(self.response, exchange)
            except _TRANSPORT_ERRORS as exc:
                raise _translate(exc, exchange, self._url) from exc
        return self.data  # type: ignore[return-value]

    def error_details(self) -> Dict[str, Any]:
        """What an exception about this answer carries: attempts, request id, the secrets to hide."""
        return self._exchange.details() if self._exchange else {}

    def close(self) -> None:
        """Finish with the answer. Of an unread one, at most 64 KiB are read, for at most a second,
        to keep the connection for reuse; if that is not all of it, the connection is dropped."""
        if not self.closed and self.data is None and self._exchange is not None:
            _discard(self.response, self._exchange)
        self.closed = True

    def __enter__(self) -> RESTResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.read().splitlines(keepends=True))


def _read_body(response: Answer, exchange: _Exchange) -> bytes:
    """The whole body, inflated if in gzip or deflate (any other coding is left as it came), at
    most ``max_response_bytes`` of it."""
    coding = response.headers.get("content-encoding")
    if coding is None:  # one read, held to the cap by _Answer.read (stream() costs a call 5 % more)
        return response.read()
    inflate = {part.strip().lower() for part in coding.split(",")} <= _DECODED
    body = bytearray()
    try:
        for part in response.stream(_CHUNK, decode_content=inflate):
            body += part
            if len(body) > exchange.max_bytes:
                response.close()
                raise exchange.too_large()
        if body and not inflate and 200 <= response.status <= 299:  # an error page is shown as it came
            raise DecodeError(f"{coding!r} was not asked for (only {ACCEPT_ENCODING})")
    except DecodeError as exc:
        raise ApiDecodeError(f"the answer's Content-Encoding cannot be decoded: {_describe_error(exc)}",
                             status=response.status, body="", headers=response.headers,
                             **exchange.details()) from exc
    return bytes(body)


def _discard(response: Answer, exchange: _Exchange) -> None:
    """Read at most :data:`_DRAIN_BYTES` of an unwanted answer for at most :data:`_DRAIN_SECONDS`
    (and not past the deadline), then give its connection back: open if that was all, else closed."""
    exchange.attempt_ends = min(time.monotonic() + _DRAIN_SECONDS, exchange.ends)
    with contextlib.suppress(*_TRANSPORT_ERRORS, OpenApiException, RuntimeError), exchange:
        while response.tell() < _DRAIN_BYTES and response.read(_CHUNK, decode_content=False):
            pass
    response.close()  # drops the connection unless it was all read (then it is in the pool already)
    response.release_conn()


class RESTClientObject:
    """Sends requests through one pooled urllib3 manager; safe to share between threads."""

    def __init__(self, configuration: Configuration) -> None:
        config, proxy = configuration, configuration.proxy
        if proxy and urlsplit(proxy).scheme.lower().startswith("socks"):
            raise ApiValueError("SOCKS proxies are not supported; use an http:// or https:// proxy")
        check_seconds("max_retry_wait", config.max_retry_wait, zero_ok=True)
        check_seconds("deadline", config.deadline, optional=True)
        check_int("max_response_bytes", config.max_response_bytes, 1)
        self.timeout, self.deadline = check_timeout(config.timeout), config.deadline
        self.max_response_bytes, self.max_retry_wait = config.max_response_bytes, config.max_retry_wait
        self._secret_headers = frozenset(name.lower() for name in config.api_key)
        self.retries = make_retry(config.retries, max_retry_wait=config.max_retry_wait,
                                  secret_headers=self._secret_headers)
        settings = {"ca_certs": config.ssl_ca_cert, "ca_cert_data": config.ca_cert_data,
                    "cert_file": config.cert_file, "key_file": config.key_file,
                    "assert_hostname": config.assert_hostname, "server_hostname": config.tls_server_name,
                    "socket_options": config.socket_options,
                    "cert_reqs": ssl.CERT_REQUIRED if config.verify_ssl else ssl.CERT_NONE}
        # Only what is set: urllib3 hands these to plain-HTTP pools too, and some refuse them.
        pool_args: Dict[str, Any] = {name: value for name, value in settings.items() if value is not None}
        pool_args.update(num_pools=10, maxsize=config.connection_pool_maxsize)
        #: The one manager every request goes through: a ProxyManager when a proxy is set and the
        #: host is not in ``no_proxy``. It may be replaced (generated clients' users do, to add a
        #: proxy); the pools of the one in place are made to report to each call.
        self.pool_manager: urllib3.PoolManager = urllib3.PoolManager(**pool_args)
        if proxy and not _bypasses_proxy(config.host, config.no_proxy):
            headers = _proxy_headers(proxy, config.proxy_headers)
            self.pool_manager = urllib3.ProxyManager(proxy_url=proxy, proxy_headers=headers, **pool_args)

    def request(self, method: str, url: str, headers: Optional[Mapping[str, str]] = None, body: Any = None,
                post_params: Any = None, _request_timeout: TimeoutSpec = None, *, retries: RetriesSpec = None,
                deadline: Optional[float] = None, preload_content: bool = True,
                request_id: Optional[str] = None, secret_headers: Collection[str] = (),
                secrets: Callable[[], Collection[str]] = tuple) -> RESTResponse:
        """Send one request, retrying as the policy says; the answer, its body unread with
        ``preload_content=False``. ``request_id`` is named in errors, ``secret_headers`` do not
        follow a redirect to another host, and errors hide what ``secrets()`` gives."""
        if body is not None or post_params:
            raise ApiValueError("this API's operations take no request body")
        check_seconds("deadline", deadline, optional=True)
        limits = self.timeout if _request_timeout is None else check_timeout(_request_timeout)
        policy = make_retry(self.retries if retries is None else retries, like=self.retries,
                            secret_headers=self._secret_headers.union(secret_headers))
        exchange = _Exchange(self.deadline if deadline is None else deadline, self.max_response_bytes,
                             request_id, secrets)
        try:
            answer, data = self._send(exchange, method, url, dict(headers or {}), policy, limits,
                                      preload_content)
        except _TRANSPORT_ERRORS as exc:
            raise _translate(exc, exchange, url) from exc
        return RESTResponse(answer, url=url, exchange=exchange, data=data)

    def _send(self, exchange: _Exchange, method: str, url: str, headers: Dict[str, str], policy: Retry,
              limits: Tuple[Optional[float], ...], preload: bool) -> Tuple[Answer, Optional[bytes]]:
        """Attempt after attempt until an answer the policy takes, or no retries or time are left
        (then the last answer, or the last error raised)."""
        retried = 0
        while True:
            sent = exchange.sent
            answer, data, error = self._attempt(exchange, method, url, headers, policy, limits, preload)
            if error is not None and exchange.may_resend(error):
                continue
            policy, wait = next_try(policy, method, url, answer, error, self.max_retry_wait,
                                    redirects=exchange.sent - sent - 1)  # the requests after the first
            if wait is None or not exchange.has_time_for(wait):
                if answer is None:
                    raise error  # type: ignore[misc]
                return answer, data
            retried += 1
            reason = _describe_error(error) if answer is None else f"status {answer.status}"
            _log.info("Retrying %s %s after %s (retry %d, waiting %.2fs)",
                      method, redact_url(url, query=False), reason, retried, wait)
            if answer is not None and data is None:
                _discard(answer, exchange)
            headers["svix-retry-count"] = str(retried)
            time.sleep(max(0.0, min(wait, exchange.ends - time.monotonic())))

    def _attempt(self, exchange: _Exchange, method: str, url: str, headers: Mapping[str, str], policy: Retry,
                 limits: Tuple[Optional[float], ...], preload: bool,
                 ) -> Tuple[Optional[Answer], Optional[bytes], Optional[BaseException]]:
        """One request, urllib3 following redirects: its answer (and body), or what ended it."""
        connect, read, whole = limits
        manager = self.pool_manager
        if manager.pool_classes_by_scheme is not _REPORTING_POOLS:  # a manager put in its place
            manager.pool_classes_by_scheme = _REPORTING_POOLS
            manager.clear()  # its pools so far are of other classes
        try:
            timeout = urllib3.Timeout(connect=exchange.begin_attempt(whole, connect), read=read)
            with exchange:
                answer = manager.urlopen(method, url, headers=headers, retries=redirects_only(policy),
                                         timeout=timeout, preload_content=False)
                return answer, (_read_body(answer, exchange) if preload else None), None
        except MaxRetryError as exc:  # urllib3's "gave up": what it gave up on
            return None, None, exc.reason or exc
        except _TRANSPORT_ERRORS as exc:
            return None, None, exc

    def clear(self) -> None:
        """Close every pooled connection."""
        self.pool_manager.clear()


#: What a failure was, by the innermost error's type, and the exception that says so.
_FAILURES = (
    # NewConnectionError first: urllib3 derives it from ConnectTimeoutError.
    (NewConnectionError, ApiConnectionError, "could not connect to {where}: {cause}"),
    ((urllib3.exceptions.TimeoutError, socket.timeout, TimeoutError), ApiTimeoutError,
     "timed out talking to {where}: {cause}"),
    (SSLError, ApiConnectionError, "TLS handshake with {where} failed: {cause}"),
    (ProxyError, ApiConnectionError, "the proxy failed for {where}: {cause}"),
    (BaseException, ApiConnectionError, "the connection to {where} failed: {cause}"),
)


def _translate(error: BaseException, exchange: _Exchange, url: str) -> OpenApiException:
    """The error boundary: what urllib3 and everything below it raised, as the package's own
    exception (the caller chains ``error`` as its cause)."""
    details = exchange.details()
    where, cause = origin(url), _describe_error(error)
    if not exchange.has_time_for(0):
        return ApiTimeoutError(f"the call to {where} ran out of its {exchange.deadline:g}s deadline",
                               **details)
    if exchange.cut:
        return ApiTimeoutError(f"{where} did not answer within the time an attempt has", **details)
    kind, message = next((kind, message) for types, kind, message in _FAILURES if isinstance(error, types))
    return kind(message.format(where=where, cause=cause), **details)


def _innermost(error: BaseException) -> BaseException:
    """The error urllib3's wrappers (MaxRetryError, ProtocolError, ...) were raised for."""
    for _ in range(10):  # a bound, not a set of the errors seen: a cycle is harmless
        nested = next((arg for arg in reversed(error.args) if isinstance(arg, BaseException)), None)
        nested = nested or getattr(error, "original_error", None) or getattr(error, "reason", None)
        if not isinstance(nested or error.__cause__, BaseException):
            return error
        error = nested or error.__cause__  # type: ignore[assignment]
    return error


def _describe_error(error: Optional[BaseException]) -> str:
    """The innermost cause of a failure as ``"Type: text"`` (``"ConnectionRefusedError: ..."``)."""
    inner = _innermost(error) if error is not None else None
    text = str(inner or "").split(">: ", 1)[-1]  # urllib3's wrappers start with their repr
    name = type(inner).__name__ if inner is not None else "an unknown error"
    return f"{name}: {text}"[:500] if text else name


def _proxy_headers(proxy: str, headers: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """The proxy's headers, with ``user:password@`` from its URL as basic auth (urllib3 ignores it)."""
    merged = urllib3.HTTPHeaderDict(headers or {})
    auth = urllib3.util.parse_url(proxy).auth
    if auth and "proxy-authorization" not in merged:
        merged.update(urllib3.util.make_headers(proxy_basic_auth=unquote(auth)))
    return dict(merged)


def _bypasses_proxy(url: str, no_proxy: Optional[str]) -> bool:
    """Whether ``url``'s host matches ``no_proxy`` (``"*"``, names with their subdomains, CIDRs)."""
    host = (urlsplit(url).hostname or "").lower()
    for pattern in (item.strip().lower().lstrip(".") for item in (no_proxy or "").split(",")):
        if pattern and (pattern == "*" or host == pattern or host.endswith("." + pattern)):
            return True
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False):
                return True
    return False
