"""The transport: the one module that talks to urllib3.

:class:`RESTClientObject` owns one urllib3 ``PoolManager`` (a ``ProxyManager`` for proxied
hosts), hands every request the retry policy and timeout, and is the single error boundary:
every urllib3 failure leaves here as an :class:`~openapi_client.exceptions.ApiConnectionError`
or :class:`~openapi_client.exceptions.ApiTimeoutError` with the urllib3 error as its cause.
"""

from __future__ import annotations

import io
import ipaddress
import re
import ssl
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Collection,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)
from urllib.parse import unquote, urljoin, urlsplit

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import (
    TimeoutError as Urllib3TimeoutError,
)
from urllib3.poolmanager import PoolKey
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from openapi_client._checks import check_seconds
from openapi_client._redact import origin
from openapi_client.configuration import DEFAULT_RETRIES, TimeoutSpec
from openapi_client.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
)
from openapi_client.retry import (
    RetriesExhausted,
    RetryPolicy,
    attempts_made,
    describe_error,
    requested_wait,
)

if TYPE_CHECKING:
    from openapi_client.configuration import Configuration

__all__ = ["RESTClientObject", "RESTResponse", "ApiException", "is_socks_proxy_url"]

RetriesSpec = Union[None, bool, int, Retry]

#: An origin whose pool key can be worked out once and kept: scheme, plain host name or IPv4,
#: a port without leading zeros (urllib3 versions differ on port 0).
_PLAIN_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[1-9][0-9]{0,4})?")
#: A request target urllib3's URL parser leaves exactly as it is: no dot segments (no dot in
#: the path at all), no fragment, only characters it keeps; and (_LOOSE_ESCAPE) no percent
#: sign but in an escape in upper case. Both linear in the target's length.
_PLAIN_TARGET = re.compile(r"/[A-Za-z0-9_~!$&'()*+,;=:@/%-]*(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?")
_LOOSE_ESCAPE = re.compile(r"%(?![0-9A-F]{2})")
#: Headers that describe a body: a 303 answer turns the request into a GET without one.
_CONTENT_HEADERS = frozenset(
    {
        "transfer-encoding",
        "content-encoding",
        "content-language",
        "content-location",
        "content-type",
        "content-length",
        "digest",
        "last-modified",
    }
)
#: Origins whose pool key is kept at once, at most (a client talks to one host, or a few).
_MAX_KEPT_ORIGINS = 16
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_socks_proxy_url(url: Optional[str]) -> bool:
    """Whether ``url`` names a SOCKS proxy (which needs an extra package, so is refused)."""
    return bool(url) and urlsplit(str(url)).scheme.lower().startswith("socks")


class RESTResponse(io.IOBase):
    """An HTTP answer: ``status``, ``reason``, ``headers`` and, once read, ``data`` (bytes)."""

    def __init__(self, resp: urllib3.BaseHTTPResponse, *, url: str = "") -> None:
        self.response = resp
        self._url = url
        self.status: int = resp.status
        self.reason: Optional[str] = resp.reason
        self.data: Optional[bytes] = None

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (case-insensitive)."""
        return self.response.headers

    def read(self) -> bytes:
        """The whole body; read once, then kept in ``data``.

        :raises ApiConnectionError: the connection broke before the body was complete (an
            unread answer, from a ``..._without_preload_content`` call, is not retried).
        """
        if self.data is None:
            try:
                self.data = self.response.data
            except (HTTPError, OSError) as exc:
                raise _connection_error(exc, self._url, attempts=self.attempts) from exc
        return self.data

    def getheaders(self) -> Mapping[str, str]:
        """The response headers (case-insensitive)."""
        return self.response.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """One response header, or ``default``."""
        return self.response.headers.get(name, default)

    @property
    def attempts(self) -> int:
        """How many requests this answer took (1 when nothing was retried)."""
        retries = getattr(self.response, "retries", None)
        return attempts_made(retries) if isinstance(retries, Retry) else 1

    @property
    def retry_after(self) -> Optional[float]:
        """The wait the answer asks for (``retry-after-ms`` or ``Retry-After``), in seconds."""
        return requested_wait(self.response.headers)

    def release_conn(self) -> None:
        """Give the connection back to the pool (for unread, streamed answers)."""
        self.response.release_conn()

    def close(self) -> None:
        """Finish with the answer: what is unread is drained so the connection can be reused."""
        if not self.closed:
            try:
                if self.data is None:  # unread (a streamed answer): the connection is still ours
                    self.response.drain_conn()
                    self.response.release_conn()
            finally:
                super().close()

    def __iter__(self) -> Iterator[bytes]:
        """The body's lines (reads the whole body first)."""
        return iter(self.read().splitlines(keepends=True))


class _DeadlineTimeout(Timeout):
    """A urllib3 ``Timeout`` whose connect and read limits never reach past a deadline."""

    def __init__(self, *, deadline: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline = deadline

    def clone(self) -> _DeadlineTimeout:
        return _DeadlineTimeout(
            deadline=self.deadline, connect=self._connect, read=self._read, total=self.total
        )

    def _remaining(self) -> float:
        # Never 0: a zero socket timeout means non-blocking, not "already late".
        return max(self.deadline - time.monotonic(), 0.001)

    @property
    def connect_timeout(self) -> Any:
        limit = super().connect_timeout
        remaining = self._remaining()
        return remaining if not isinstance(limit, (int, float)) else min(limit, remaining)

    @property
    def read_timeout(self) -> Optional[float]:
        limit = super().read_timeout
        remaining = self._remaining()
        return remaining if not isinstance(limit, (int, float)) else min(limit, remaining)


def make_timeout(spec: TimeoutSpec) -> Timeout:
    """``5`` → 5 s for the whole attempt; ``(3, 30)`` → 3 s to connect, 30 s per read."""
    if isinstance(spec, Timeout):
        return spec
    if spec is None:
        return Timeout(connect=None, read=None)
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        check_seconds("timeout", spec)
        return Timeout(total=float(spec))
    if isinstance(spec, tuple) and len(spec) == 2:
        connect, read = spec
        for part in spec:
            if part is not None:
                check_seconds("timeout", part)
        return Timeout(connect=connect, read=read)
    raise ApiTypeError(
        f"timeout must be seconds or a (connect, read) pair, not {type(spec).__name__}: {spec!r}"
    )


def make_retry(spec: RetriesSpec, *, max_retry_wait: float, like: Optional[Retry] = None) -> Retry:
    """``None`` → the default policy; an int → that many retries; a ``Retry`` as given.

    An int with ``like`` (the configured :class:`RetryPolicy`) keeps that policy's other settings.
    """
    if isinstance(spec, Retry):
        # The caller gets the last answer's own exception (ServiceException, ...) when retries
        # run out, whatever Retry it is; urllib3's default would drop that answer.
        return spec.new(raise_on_status=False) if spec.raise_on_status else spec
    if spec is None:
        spec = DEFAULT_RETRIES
    if spec is False:
        spec = 0
    if not isinstance(spec, int) or isinstance(spec, bool):
        raise ApiTypeError(f"retries must be an int or a urllib3 Retry, not {type(spec).__name__}")
    if spec < 0:
        raise ApiValueError(f"retries must be 0 or more, not {spec}")
    if isinstance(like, RetryPolicy):
        return like.new(total=spec)
    return RetryPolicy(spec, max_retry_wait=max_retry_wait)


class RESTClientObject:
    """Sends requests through one pooled urllib3 manager; safe to share between threads."""

    def __init__(self, configuration: Configuration) -> None:
        if is_socks_proxy_url(configuration.proxy):
            raise ApiValueError("SOCKS proxies are not supported; use an http:// or https:// proxy")
        max_retry_wait = configuration.max_retry_wait
        check_seconds("max_retry_wait", max_retry_wait, zero_ok=True)
        self.timeout = make_timeout(configuration.timeout)
        self.deadline = configuration.deadline
        if self.deadline is not None:
            check_seconds("deadline", self.deadline)
        self._max_retry_wait = max_retry_wait
        self._no_proxy = _parse_no_proxy(configuration.no_proxy)
        # urllib3 drops Authorization and Cookie on a redirect to another host; API keys travel
        # in headers of the user's choosing, so they must be dropped too.
        self._secret_headers = frozenset(name.lower() for name in configuration.api_key)
        self.retries = self._dropping_secrets_on_redirect(
            make_retry(configuration.retries, max_retry_wait=max_retry_wait)
        )
        pool_args: Dict[str, Any] = {
            "num_pools": 10,
            "maxsize": configuration.connection_pool_maxsize,
            "cert_reqs": ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE,
            "ca_certs": configuration.ssl_ca_cert,
            "cert_file": configuration.cert_file,
            "key_file": configuration.key_file,
            "retries": self.retries,
            "timeout": self.timeout,
        }
        if configuration.ca_cert_data is not None:  # urllib3 before 2.1 has no such pool key
            pool_args["ca_cert_data"] = configuration.ca_cert_data
        if configuration.assert_hostname is not None:
            pool_args["assert_hostname"] = configuration.assert_hostname
        if configuration.tls_server_name:
            pool_args["server_hostname"] = configuration.tls_server_name
        if configuration.socket_options is not None:
            pool_args["socket_options"] = configuration.socket_options
        self.pool_manager: urllib3.PoolManager = urllib3.PoolManager(**pool_args)
        # Each origin's pool key, so a request need not parse its URL to find the pool; worked
        # out with the manager and settings in _routed_by (replacing either starts afresh).
        self._origins: Dict[str, Tuple[PoolKey, Dict[str, Any]]] = {}
        self._routed_by: Tuple[Any, Dict[str, Any]] = (None, {})
        self.proxy_manager: Optional[urllib3.ProxyManager] = None
        if configuration.proxy:
            self.proxy_manager = urllib3.ProxyManager(
                proxy_url=configuration.proxy,
                proxy_headers=_proxy_headers(configuration.proxy, configuration.proxy_headers),
                **pool_args,
            )

    def _dropping_secrets_on_redirect(self, policy: Retry) -> Retry:
        return _dropping_on_redirect(policy, self._secret_headers)

    def _manager_for(self, url: str) -> urllib3.PoolManager:
        if self.proxy_manager is None:
            return self.pool_manager
        host = (urlsplit(url).hostname or "").lower()
        if _bypasses_proxy(host, self._no_proxy):
            return self.pool_manager
        return self.proxy_manager

    def request(
        self,
        method: str,
        url: str,
        headers: Optional[Mapping[str, str]] = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: TimeoutSpec = None,
        *,
        retries: RetriesSpec = None,
        deadline: Optional[float] = None,
        preload_content: bool = True,
        secret_headers: Collection[str] = (),
    ) -> RESTResponse:
        """Send one request (retrying as the policy says) and return the answer.

        :param _request_timeout: Overrides the configured timeout for this call.
        :param retries: Overrides the configured retries for this call.
        :param deadline: Seconds this call may take in all, overriding the configured one.
        :param secret_headers: Headers of this call, beyond the configured credentials, that
            must not follow a redirect to another host.
        :raises ApiTimeoutError: a timeout or the deadline ran out.
        :raises ApiConnectionError: the server could not be reached or the connection broke.
        """
        if body is not None or post_params:
            raise ApiValueError("this API's operations take no request body")
        timeout = self.timeout if _request_timeout is None else make_timeout(_request_timeout)
        policy = self.retries
        if retries is not None:
            policy = self._dropping_secrets_on_redirect(
                make_retry(retries, max_retry_wait=self._max_retry_wait, like=self.retries)
            )
        policy = _dropping_on_redirect(policy, secret_headers)
        budget = self.deadline if deadline is None else deadline
        if budget is not None:
            check_seconds("deadline", budget)
            ends = time.monotonic() + budget
            timeout = _DeadlineTimeout(
                deadline=ends, connect=timeout._connect, read=timeout._read, total=timeout.total
            )
            if isinstance(policy, RetryPolicy):
                policy = policy.with_deadline(ends)
        try:
            raw = self._open(method, url, headers or {}, policy, timeout, preload_content)
        except RetriesExhausted as exc:
            raise _connection_error(exc.reason or exc, url, attempts=exc.attempts) from (exc.reason or exc)
        except MaxRetryError as exc:
            raise _connection_error(exc.reason or exc, url, attempts=1) from (exc.reason or exc)
        except (HTTPError, OSError) as exc:
            raise _connection_error(exc, url, attempts=1) from exc
        except ValueError as exc:  # http.client refusing a header or URL it cannot encode
            if isinstance(exc, ApiValueError):
                raise
            raise ApiValueError(f"cannot send this request to {origin(url)}: {exc}") from exc
        return RESTResponse(raw, url=url)

    def _open(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        policy: Retry,
        timeout: Timeout,
        preload_content: bool,
    ) -> urllib3.BaseHTTPResponse:
        """Send through urllib3, retrying and following redirects as ``policy`` says.

        ``PoolManager.urlopen`` parses the URL to find its origin's pool, then hands the pool
        the request target, with redirects off, and follows any redirect itself. For a URL whose
        target its parser would leave as it is (the URLs this package builds), sent through the
        client's own plain PoolManager, the request goes straight to the origin's pool, found by
        a key worked out once per origin: the same pool, target and retries, and the same
        redirect handling (below), without parsing the URL on every call.
        """
        manager = self._manager_for(url)
        # Only the client's own manager, and only a plain PoolManager: a subclass (a
        # ProxyManager put in its place) finds pools its own way.
        plain = manager is self.pool_manager and type(manager) is urllib3.PoolManager
        route = self._route(url) if plain else None
        if route is not None:
            pool, target = route
            response = pool.urlopen(
                method,
                target,
                headers=headers,
                retries=policy,
                timeout=timeout,
                preload_content=preload_content,
                redirect=False,
                assert_same_host=False,
            )
            location = response.get_redirect_location()
            if not location:
                return response
            # A redirect: the first step as PoolManager.urlopen takes it, then it takes the rest.
            location = urljoin(url, location)
            if response.status == 303:  # see other: a GET without a body
                method = "GET"
                headers = _without(headers, _CONTENT_HEADERS)
            if policy.remove_headers_on_redirect and not pool.is_same_host(location):
                headers = _without(headers, policy.remove_headers_on_redirect)
            try:
                policy = policy.increment(method, url, response=response, _pool=pool)
            except MaxRetryError:
                if policy.raise_on_redirect:
                    response.drain_conn()
                    raise
                return response
            response.drain_conn()
            url = location
        return manager.urlopen(
            method,
            url,
            headers=headers,
            retries=policy,
            timeout=timeout,
            preload_content=preload_content,
            redirect=True,
        )

    def _route(self, url: str) -> Optional[Tuple[HTTPConnectionPool, str]]:
        """The pool for ``url``'s origin and its request target, or ``None`` when ``url`` must
        go through ``PoolManager.urlopen`` (an unusual origin or target).

        The pool comes from the ``PoolManager`` by its key, as ``urlopen`` gets it (a pool it
        has let go of is replaced); only the parsing that finds the key is done once per origin.
        """
        split = url.find("/", 8)  # the path's slash comes after "http://h" or "https://"
        if split < 0:
            return None
        origin, target = url[:split], url[split:]
        if not _PLAIN_TARGET.fullmatch(target) or ("%" in target and _LOOSE_ESCAPE.search(target)):
            return None
        manager = self.pool_manager
        routed_by, settings = self._routed_by
        if manager is not routed_by or manager.connection_pool_kw != settings:
            # Another manager, or its settings changed (TLS, timeouts, ...): keys made with the
            # old ones would find or make pools with them.
            self._origins = {}
            self._routed_by = (manager, dict(manager.connection_pool_kw))
        found = self._origins.get(origin)
        if found is None:
            if not _PLAIN_ORIGIN.fullmatch(origin):
                return None
            if len(self._origins) >= _MAX_KEPT_ORIGINS:
                self._origins.clear()
            found = self._origins[origin] = _pool_key(manager, origin)
        # A copy: making a new pool takes the scheme, host and port out of the settings.
        return manager.connection_from_pool_key(found[0], dict(found[1])), target

    def clear(self) -> None:
        """Close every pooled connection."""
        self.pool_manager.clear()
        if self.proxy_manager is not None:
            self.proxy_manager.clear()


def _connection_error(error: BaseException, url: str, *, attempts: int) -> ApiConnectionError:
    """The package's exception for a urllib3 failure talking to ``url``: the one mapping."""
    where = origin(url)
    cause = describe_error(error)
    timeout: Optional[str] = None
    if isinstance(error, NewConnectionError):  # before timeouts: urllib3 derives it from one
        message = f"could not connect to {where}: {cause}"
    elif isinstance(error, ReadTimeoutError):
        timeout = f"timed out waiting for {where} to answer"
    elif isinstance(error, ConnectTimeoutError):
        timeout = f"timed out connecting to {where}"
    elif isinstance(error, (Urllib3TimeoutError, TimeoutError)):
        timeout = f"timed out talking to {where}"
    elif isinstance(error, urllib3.exceptions.SSLError):
        message = f"TLS handshake with {where} failed: {cause}"
    elif isinstance(error, urllib3.exceptions.ProxyError):
        message = f"the proxy failed for {where}: {cause}"
    elif isinstance(error, urllib3.exceptions.ResponseError):
        # Only a caller's own urllib3 Retry with raise_on_status=True gets here; it drops the answer.
        message = f"gave up on {where}: {error} (a Retry with raise_on_status=False returns the last answer)"
    elif isinstance(error, urllib3.exceptions.LocationValueError):
        message = f"cannot send to {where}: {error}"
    else:
        message = f"connection to {where} failed: {cause}"
    if timeout is not None:
        return ApiTimeoutError(timeout, attempts=attempts)
    return ApiConnectionError(message, attempts=attempts)


def _dropping_on_redirect(policy: Retry, names: Collection[str]) -> Retry:
    """``policy``, also dropping the headers ``names`` on a redirect to another host."""
    if not names:
        return policy
    dropped = policy.remove_headers_on_redirect | {name.lower() for name in names}
    return policy.new(remove_headers_on_redirect=dropped)


def _pool_key(manager: urllib3.PoolManager, origin: str) -> Tuple[PoolKey, Dict[str, Any]]:
    """The key ``manager`` files the pool for ``origin`` under, and the settings it makes one
    with: what ``connection_from_host`` works out for every URL of that origin."""
    parsed = urllib3.util.parse_url(origin)
    scheme = parsed.scheme or "http"
    context = dict(manager.connection_pool_kw)
    port = _DEFAULT_PORTS[scheme] if parsed.port is None else parsed.port
    context.update(scheme=scheme, host=parsed.host, port=port)
    return manager.key_fn_by_scheme[scheme](context), context


def _without(headers: Mapping[str, str], names: Collection[str]) -> Dict[str, str]:
    """``headers`` without those named in ``names`` (lower case), whatever their case."""
    return {name: value for name, value in headers.items() if name.lower() not in names}


def _proxy_headers(proxy: str, headers: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """The proxy's headers, with ``user:password@`` from its URL as basic auth (urllib3 ignores it)."""
    merged = dict(headers or {})
    auth = urllib3.util.parse_url(proxy).auth
    if auth and not any(name.lower() == "proxy-authorization" for name in merged):
        merged.update(urllib3.util.make_headers(proxy_basic_auth=unquote(auth)))
    return merged


def _parse_no_proxy(value: Optional[str]) -> List[str]:
    return [item.strip().lower().lstrip(".") for item in (value or "").split(",") if item.strip()]


def _bypasses_proxy(host: str, patterns: List[str]) -> bool:
    for pattern in patterns:
        if pattern == "*" or host == pattern or host.endswith("." + pattern):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False):
                return True
        except ValueError:
            continue
    return False


