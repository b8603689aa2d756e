"""The core every operation goes through: build the request, send it, decode the answer."""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Collection,
    Dict,
    Generic,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)
from urllib.parse import quote, urlencode

from typing_extensions import TypedDict

from openapi_client._redact import redact_headers, redact_url
from openapi_client._serialization import (
    apply_auth,
    check_header,
    check_headers,
    decode_json,
    first_error,
    is_json_error,
    is_json_type,
    is_validation_error,
    parse_error_body,
    path_segment,
    query_value,
    resolve_type,
    to_plain,
)
from openapi_client._version import __version__
from openapi_client.api_response import ApiResponse
from openapi_client.configuration import Configuration, TimeoutSpec
from openapi_client.exceptions import (
    ApiDecodeError,
    ApiException,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
)
from openapi_client.rest import RESTClientObject, RESTResponse, RetriesSpec

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["ApiClient", "Call", "Endpoint", "RequestOptions", "RequestSerialized"]

T = TypeVar("T")
RequestSerialized = Tuple[str, str, Dict[str, str], Any, List[Tuple[str, Any]]]

_log = logging.getLogger("openapi_client")
_OPTION_NAMES = frozenset(
    {
        "_request_timeout",
        "_request_auth",
        "_content_type",
        "_headers",
        "_host_index",
        "_request_retries",
        "_request_deadline",
    }
)


class RequestOptions(TypedDict, total=False):
    """Per-call options every operation takes, all keyword-only.

    ``_request_timeout``: seconds or ``(connect, read)``; ``_request_retries``: an int or a
    urllib3 ``Retry``; ``_request_deadline``: seconds for the whole call; ``_request_auth``: an
    auth setting (``{"in": "header", "key": ..., "value": ...}``) replacing the configured one;
    ``_headers``: extra headers; ``_host_index``: which configured server to use;
    ``_content_type``: accepted for compatibility (these GETs send no body).
    """

    _request_timeout: TimeoutSpec
    _request_retries: RetriesSpec
    _request_deadline: Optional[float]
    _request_auth: Optional[Dict[str, Any]]
    _content_type: Optional[str]
    _headers: Optional[Mapping[str, str]]
    _host_index: Optional[int]


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One operation: HTTP method, path template and the model a 2xx body decodes into.

    ``response_type`` is a model class or its name in :mod:`openapi_client.models`; a name is
    resolved on the first call, so defining operations does not import the models.
    """

    method: str
    path: str
    response_type: Union[Type[T], str]

    # Cached in the instance's __dict__ (which a frozen dataclass still has): one look-up per call.
    @functools.cached_property
    def response_model(self) -> Type[T]:
        """The class a 2xx body decodes into (``response_type`` resolved)."""
        resolved: Type[T] = resolve_type(self.response_type)
        return resolved


# Not frozen: a frozen dataclass pays an object.__setattr__ per field on every call. Nothing
# mutates a Call; variants of one are made with dataclasses.replace.
@dataclass
class Call(Generic[T]):
    """One operation call: the endpoint, its path, query and header parameters, and options."""

    endpoint: Endpoint[T]
    options: Mapping[str, Any]
    path_params: Mapping[str, Any] = field(default_factory=dict)
    query_params: Sequence[Tuple[str, Any]] = ()
    header_params: Mapping[str, Any] = field(default_factory=dict)


class ApiClient:
    """Sends the API's requests and decodes its answers; safe to share between threads.

    Use it as a context manager (or call :meth:`close`) so its pooled connections are released.

    :param configuration: Settings; ``Configuration.get_default()`` when omitted.
    :param header_name: A header sent with every request, with ``header_value``.
    :param cookie: A ``Cookie`` header sent with every request.
    """

    _default: ClassVar[Optional[ApiClient]] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
    ) -> None:
        if configuration is not None and not isinstance(configuration, Configuration):
            raise ApiTypeError(
                f"configuration must be a Configuration, not {type(configuration).__name__}"
            )
        self.configuration = configuration if configuration is not None else Configuration.get_default()
        self.rest_client = RESTClientObject(self.configuration)
        self.default_headers: Dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self.cookie = cookie
        self.user_agent = f"openapi-client-python/{__version__}"

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release every pooled connection. The client can still be used; it reconnects."""
        self.rest_client.clear()

    @classmethod
    def get_default(cls) -> ApiClient:
        """The shared client used by APIs created without one."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = ApiClient()
            return cls._default

    @classmethod
    def set_default(cls, default: Optional[ApiClient]) -> None:
        """Make ``default`` the client APIs created without one use."""
        with cls._default_lock:
            cls._default = default

    # -- headers ---------------------------------------------------------------------------

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header sent with every request."""
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.set_default_header("User-Agent", value)

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send ``header_name: header_value`` with every request; CR/LF are refused."""
        check_header(header_name, header_value)
        self.default_headers[header_name] = header_value

    # -- the one request path ----------------------------------------------------------------

    def param_serialize(
        self,
        method: str,
        resource_path: str,
        path_params: Optional[Mapping[str, Any]] = None,
        query_params: Optional[Sequence[Tuple[str, Any]]] = None,
        header_params: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        post_params: Optional[List[Tuple[str, Any]]] = None,
        files: Optional[Mapping[str, Any]] = None,
        auth_settings: Optional[Sequence[str]] = None,
        collection_formats: Optional[Mapping[str, str]] = None,
        _host: Optional[str] = None,
        _request_auth: Optional[Mapping[str, Any]] = None,
    ) -> RequestSerialized:
        """Build ``(method, url, headers, body, post_params)`` for one request.

        Each path parameter is percent-encoded as exactly one segment; query parameters skip
        ``None``; header values with CR, LF or NUL are refused with :class:`ApiValueError`.
        """
        if body is not None or files or post_params:
            raise ApiValueError("this API's operations take no request body")
        path = resource_path
        if path_params:
            path = resource_path.format_map(
                {name: path_segment(name, value) for name, value in path_params.items()}
            )
        url = (_host if _host is not None else self.configuration.host) + path
        if query_params:
            pairs = [
                (name, query_value(value)) for name, value in query_params if value is not None
            ]
            if pairs:
                try:
                    url += "?" + urlencode(pairs, quote_via=quote)
                except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
                    raise ApiValueError(f"a query value is not valid Unicode text: {exc.reason}") from exc

        headers = {"Accept": "application/json", **self.default_headers}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if _request_auth is not None:
            apply_auth(headers, _request_auth)
        else:
            for setting in self.configuration.auth_settings().values():
                apply_auth(headers, setting)
        if header_params:
            for name, value in header_params.items():
                if value is not None:
                    headers[name] = value if isinstance(value, str) else query_value(value)
        check_headers(headers)
        return method, url, headers, None, []

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Optional[Dict[str, str]] = None,
        body: Any = None,
        post_params: Optional[List[Tuple[str, Any]]] = None,
        _request_timeout: TimeoutSpec = None,
        *,
        _request_retries: RetriesSpec = None,
        _request_deadline: Optional[float] = None,
        _preload_content: bool = True,
        _secret_headers: Collection[str] = (),
    ) -> RESTResponse:
        """Send a serialized request; the answer comes back undecoded, whatever its status.

        With DEBUG on for the ``openapi_client`` logger, one line is logged per call, answered
        or failed: method, URL and headers (credentials and custom header values shown as
        ``***``), status or error, time taken.
        """
        debug = _log.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug else 0.0
        try:
            response = self.rest_client.request(
                method,
                url,
                headers=header_params,
                body=body,
                post_params=post_params,
                _request_timeout=_request_timeout,
                retries=_request_retries,
                deadline=_request_deadline,
                preload_content=_preload_content,
                secret_headers=_secret_headers,
            )
        except OpenApiException as error:
            if debug:
                _log_exchange(method, url, header_params, started, f"failed: {error}")
            raise
        if debug:
            outcome = f"{response.status} {response.reason or ''} (attempts: {response.attempts})"
            _log_exchange(method, url, header_params, started, outcome)
        return response

    def response_deserialize(
        self,
        response_data: RESTResponse,
        response_types_map: Optional[Mapping[str, Any]] = None,
    ) -> ApiResponse[Any]:
        """Decode a 2xx answer into its model, or raise the exception for its status.

        ``response_types_map`` maps a status (``"200"``, ``"2XX"``) to a model class or name.
        """
        types = response_types_map or {}
        wanted = types.get(str(response_data.status)) or types.get("2XX")
        return self._result(response_data, None if wanted is None else resolve_type(wanted))

    def send(self, call: Call[T]) -> ApiResponse[T]:
        """Send one operation call and decode its answer; the path every API method takes.

        :raises ApiException: (the subclass for the status) when the answer is not a 2xx.
        """
        return self._result(
            self.send_without_preload(call, preload_content=True), call.endpoint.response_model
        )

    def send_without_preload(self, call: Call[Any], *, preload_content: bool = False) -> RESTResponse:
        """Send one operation call; the answer comes back unread and undecoded, whatever its status."""
        endpoint, options = call.endpoint, call.options
        if not options:  # the usual call: no per-call option to check or apply
            method, url, headers, _, _ = self.param_serialize(
                endpoint.method, endpoint.path, call.path_params, call.query_params, call.header_params
            )
            return self.call_api(method, url, headers, _preload_content=preload_content)
        unknown = options.keys() - _OPTION_NAMES
        if unknown:
            raise ApiTypeError(
                f"got unexpected keyword argument(s) {', '.join(sorted(unknown))}; "
                f"per-call options are {', '.join(sorted(_OPTION_NAMES))}"
            )
        header_params = call.header_params
        extra = options.get("_headers")
        if extra:
            if not isinstance(extra, Mapping):
                raise ApiTypeError(f"_headers must be a mapping, not {type(extra).__name__}")
            header_params = {**header_params, **extra}
        host_index = options.get("_host_index")
        request_auth = options.get("_request_auth")
        method, url, headers, _, _ = self.param_serialize(
            endpoint.method,
            endpoint.path,
            call.path_params,
            call.query_params,
            header_params,
            _host=None if host_index is None else self.configuration.get_host_from_settings(host_index),
            _request_auth=request_auth,
        )
        return self.call_api(
            method,
            url,
            headers,
            _request_timeout=options.get("_request_timeout"),
            _request_retries=options.get("_request_retries"),
            _request_deadline=options.get("_request_deadline"),
            _preload_content=preload_content,
            _secret_headers=(request_auth["key"],) if request_auth else (),
        )

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, body: bytes, wanted: Any, response: RESTResponse) -> Any:
        try:
            return decode_json(wanted, body)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            if not is_validation_error(exc):
                raise
            text = body.decode("utf-8", errors="replace")
            name = getattr(wanted, "__name__", str(wanted))
            kind = "is not valid JSON" if is_json_error(exc) else f"does not match {name}"
            raise ApiDecodeError(
                f"the answer {kind}: {first_error(exc)}",
                status=response.status,
                body=text,
                headers=response.headers,
            ) from exc

    def _result(self, response: RESTResponse, wanted: Any) -> ApiResponse[Any]:
        """A 2xx decoded into ``wanted`` (``None``: no data), or the exception for the status."""
        body = response.read()
        if 200 <= response.status <= 299:
            data = None if wanted is None else self._decode(body, wanted, response)
            return ApiResponse(
                status_code=response.status, headers=response.headers, data=data, raw_data=body
            )
        raise ApiException.from_response(
            http_resp=response,
            body=body.decode("utf-8", errors="replace"),
            data=parse_error_body(body),
            retry_after=response.retry_after,
            attempts=response.attempts,
        )

    def deserialize(
        self, response_text: Union[str, bytes], response_type: Any, content_type: Optional[str] = None
    ) -> Any:
        """Decode ``response_text`` as ``response_type`` (a model class, a typing form, or a
        model's name); JSON unless ``content_type`` says text. Bad input raises ApiValueError."""
        if content_type is not None and not is_json_type(content_type):
            if content_type.startswith("text/"):
                if isinstance(response_text, str):
                    return response_text
                try:
                    return response_text.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ApiValueError(f"the text is not UTF-8: {exc.reason}") from exc
            raise ApiValueError(f"cannot decode content type {content_type!r}")
        target = resolve_type(response_type)
        try:
            return decode_json(target, response_text)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            if not is_validation_error(exc):
                raise
            raise ApiValueError(f"cannot decode as {response_type}: {first_error(exc)}") from exc

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """``obj`` as plain JSON-ready data: models by wire name, enums by value, dates ISO."""
        return to_plain(obj)


def _log_exchange(
    method: str, url: str, headers: Optional[Mapping[str, str]], started: float, outcome: str
) -> None:
    _log.debug(
        "%s %s -> %s in %.1f ms; request headers: %s",
        method,
        redact_url(url),
        outcome,
        (time.perf_counter() - started) * 1000.0,
        redact_headers(headers or {}),
    )
