"""The core every operation goes through: build the request, send it, decode the answer."""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import (
    Any,
    ClassVar,
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

from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticSerializationError, to_jsonable_python
from typing_extensions import TypedDict

from openapi_client._checks import check_header, check_headers
from openapi_client._redact import SHOWN_HEADERS, redact_headers, redact_url
from openapi_client._serialization import (
    apply_auth,
    decode_json,
    is_json_type,
    parse_error_body,
    path_segment,
    query_value,
    resolve_type,
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
from openapi_client.models._base import describe_validation_error
from openapi_client.rest import ACCEPT_ENCODING, RESTClientObject, RESTResponse, RetriesSpec

__all__ = ["ApiClient", "Call", "Endpoint", "RequestOptions", "RequestSerialized"]

T = TypeVar("T")
RequestSerialized = Tuple[str, str, Dict[str, str], Any, List[Tuple[str, Any]]]

_log = logging.getLogger("openapi_client")
#: The header that names a call to the service's support, the same on all its retries.
REQUEST_ID_HEADER = "svix-req-id"


class RequestOptions(TypedDict, total=False):
    """Per-call options every operation takes, all keyword-only.

    ``_request_timeout``: seconds or ``(connect, read)``; ``_request_retries``: an int or a
    urllib3 ``Retry``; ``_request_deadline``: seconds for the whole call; ``_request_auth``: an
    auth setting (``{"in": "header", "key": ..., "value": ...}``) replacing the configured one;
    ``_headers``: extra headers (they win over the operation's own, ``svix-req-id`` included);
    ``_host_index``: which configured server to use; ``_content_type``: accepted for
    compatibility (these GETs send no body).
    """

    _request_timeout: TimeoutSpec
    _request_retries: RetriesSpec
    _request_deadline: Optional[float]
    _request_auth: Optional[Dict[str, Any]]
    _content_type: Optional[str]
    _headers: Optional[Mapping[str, str]]
    _host_index: Optional[int]


_OPTION_NAMES = frozenset(RequestOptions.__annotations__)


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One operation: HTTP method, path template and the model a 2xx body decodes into."""

    method: str
    path: str
    response_type: Type[T]


# Not frozen: a frozen dataclass pays an object.__setattr__ per field, and one is made per call.
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

    def __init__(self, configuration: Optional[Configuration] = None, header_name: Optional[str] = None,
                 header_value: Optional[str] = None, cookie: Optional[str] = None) -> None:
        if configuration is not None and not isinstance(configuration, Configuration):
            raise ApiTypeError(f"configuration must be a Configuration, not {type(configuration).__name__}")
        self.configuration = configuration if configuration is not None else Configuration.get_default()
        self.rest_client = RESTClientObject(self.configuration)
        self.default_headers: Dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self.cookie = cookie
        self.user_agent = f"openapi-client-python/{__version__}"

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
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

    # -- the one request path: every operation, variant and helper comes through _exchange ------

    def _exchange(self, call: Call[Any], *, preload: bool = True) -> RESTResponse:
        """Send one operation call; the answer comes back undecoded, whatever its status."""
        options = call.options
        if options:
            _check_options(options)
        base = self.configuration.host
        if options.get("_host_index") is not None:
            base = self.configuration.get_host_from_settings(options["_host_index"])
        auth, extra = options.get("_request_auth"), options.get("_headers")
        headers, request_id = self._headers(call.header_params, extra, auth)
        url = _url(base, call.endpoint.path, call.path_params, call.query_params)
        return self._send(call.endpoint.method, url, headers, request_id, options, preload)

    def _headers(self, params: Optional[Mapping[str, Any]], extra: Optional[Mapping[str, Any]],
                 request_auth: Optional[Mapping[str, Any]]) -> Tuple[Dict[str, str], str]:
        """The headers (defaults, credentials, then ``params`` and ``extra``, which win) and request id."""
        given = dict(self.default_headers)
        if self.cookie:
            given["Cookie"] = self.cookie
        settings = [request_auth] if request_auth is not None else self.configuration.auth_settings().values()
        for setting in settings:
            apply_auth(given, setting)
        for name, value in [*(params or {}).items(), *(extra or {}).items()]:
            if value is not None:
                given[name] = value if isinstance(value, str) else query_value(value)
        check_headers(given)  # the rest are this module's own
        request_id = _request_id(given)
        if request_id is None:
            request_id = given[REQUEST_ID_HEADER] = str(random.getrandbits(64))
        return {"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING, **given}, request_id

    def _send(self, method: str, url: str, headers: Dict[str, str], request_id: Optional[str],
              options: Mapping[str, Any], preload: bool, body: Any = None,
              post_params: Any = None) -> RESTResponse:
        """Hand a built request to the transport; with DEBUG on, log one line for it, answered or failed."""
        auth = options.get("_request_auth")
        debug = _log.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug else 0.0
        try:
            response = self.rest_client.request(
                method, url, headers, body, post_params, _request_timeout=options.get("_request_timeout"),
                retries=options.get("_request_retries"), deadline=options.get("_request_deadline"),
                preload_content=preload, request_id=request_id, secret_headers=(auth["key"],) if auth else (),
                secrets=functools.partial(_secrets, self.configuration, headers),
            )
        except OpenApiException as error:
            if debug:
                _log_exchange(method, url, headers, started, f"failed: {error}")
            raise
        if debug:
            outcome = f"{response.status} {response.reason or ''} (attempts: {response.attempts})"
            _log_exchange(method, url, headers, started, outcome)
        return response

    # -- the generated client's public steps, for code written against one ------------------------

    def param_serialize(
        self, method: str, resource_path: str, path_params: Optional[Mapping[str, Any]] = None,
        query_params: Optional[Sequence[Tuple[str, Any]]] = None,
        header_params: Optional[Mapping[str, Any]] = None, body: Any = None,
        post_params: Optional[List[Tuple[str, Any]]] = None, files: Optional[Mapping[str, Any]] = None,
        auth_settings: Optional[Sequence[str]] = None, collection_formats: Optional[Mapping[str, str]] = None,
        _host: Optional[str] = None, _request_auth: Optional[Mapping[str, Any]] = None,
    ) -> RequestSerialized:
        """Build ``(method, url, headers, body, post_params)`` for one request: each path parameter
        escaped as one segment, ``None`` query parameters left out, headers with CR/LF/NUL refused,
        and a new random ``svix-req-id`` unless ``header_params`` carries one."""
        if body is not None or files or post_params:
            raise ApiValueError("this API's operations take no request body")
        base = self.configuration.host if _host is None else _host
        url = _url(base, resource_path, path_params, query_params)
        return method, url, self._headers(header_params, None, _request_auth)[0], None, []

    def call_api(
        self, method: str, url: str, header_params: Optional[Dict[str, str]] = None, body: Any = None,
        post_params: Optional[List[Tuple[str, Any]]] = None, _request_timeout: TimeoutSpec = None, *,
        _request_retries: RetriesSpec = None, _request_deadline: Optional[float] = None,
        _preload_content: bool = True, _request_auth: Optional[Mapping[str, Any]] = None,
    ) -> RESTResponse:
        """Send a serialized request; the answer comes back undecoded, whatever its status."""
        headers = dict(header_params or {})
        check_headers(headers)
        if _request_auth is not None:
            apply_auth({}, _request_auth)  # refuses a malformed one
        options = {"_request_timeout": _request_timeout, "_request_retries": _request_retries,
                   "_request_deadline": _request_deadline, "_request_auth": _request_auth}
        return self._send(method, url, headers, _request_id(headers), options, _preload_content,
                          body, post_params)

    def response_deserialize(self, response_data: RESTResponse,
                             response_types_map: Optional[Mapping[str, Any]] = None) -> ApiResponse[Any]:
        """Decode a 2xx answer into its model, or raise the exception for its status.
        ``response_types_map`` maps a status (``"200"``, ``"2XX"``) to a model class or name."""
        types = response_types_map or {}
        wanted = types.get(str(response_data.status)) or types.get("2XX")
        return _decoded(response_data, None if wanted is None else resolve_type(wanted))

    def deserialize(self, response_text: Union[str, bytes], response_type: Any,
                    content_type: Optional[str] = None) -> Any:
        """Decode ``response_text`` as ``response_type`` (a model class, a typing form, or a
        model's name); JSON unless ``content_type`` says text. Bad input raises ApiValueError."""
        if content_type is not None and not is_json_type(content_type):
            if not content_type.startswith("text/"):
                raise ApiValueError(f"cannot decode content type {content_type!r}")
            try:
                return response_text if isinstance(response_text, str) else response_text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ApiValueError(f"the text is not UTF-8: {exc.reason}") from exc
        try:
            return decode_json(resolve_type(response_type), response_text)
        except PydanticValidationError as exc:
            problem = describe_validation_error(exc, most=1)
            raise ApiValueError(f"cannot decode as {response_type}: {problem}") from exc

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """``obj`` as plain JSON-ready data: models by wire name, enums by value, dates ISO."""
        try:
            return to_jsonable_python(obj, by_alias=True, exclude_none=True)
        except PydanticSerializationError as exc:
            raise ApiTypeError(f"cannot serialize a {type(obj).__name__}") from exc


def _decoded(response: RESTResponse, wanted: Optional[Type[Any]]) -> ApiResponse[Any]:
    """A 2xx ``response`` decoded into ``wanted`` (``None``: no data); else the exception for its status."""
    body = response.read()
    if not 200 <= response.status <= 299:
        raise ApiException.from_response(http_resp=response, body=body.decode("utf-8", errors="replace"),
                                         data=parse_error_body(body), retry_after=response.retry_after,
                                         **response.error_details())
    try:
        data = None if wanted is None else decode_json(wanted, body)
    except PydanticValidationError as exc:
        is_json = any(err["type"] == "json_invalid" for err in exc.errors(include_url=False))
        kind = "is not valid JSON" if is_json else f"does not match {getattr(wanted, '__name__', wanted)}"
        raise ApiDecodeError(f"the answer {kind}: {describe_validation_error(exc, most=1)}",
                             status=response.status, body=body.decode("utf-8", errors="replace"),
                             headers=response.headers, **response.error_details()) from exc
    return ApiResponse(status_code=response.status, headers=response.headers, data=data, raw_data=body)


def _secrets(configuration: Configuration, headers: Mapping[str, str]) -> List[str]:
    """What an exception must not show: header values sent (but harmless ones), token, password, keys."""
    found: List[Optional[str]] = [value for name, value in headers.items()
                                  if name.lower() not in SHOWN_HEADERS]
    found += [configuration.access_token, configuration.password, *configuration.api_key.values()]
    return [secret for secret in found if isinstance(secret, str) and secret]


def _check_options(options: Mapping[str, Any]) -> None:
    unknown = options.keys() - _OPTION_NAMES
    if unknown:
        raise ApiTypeError(f"got unexpected keyword argument(s) {', '.join(sorted(unknown))}; "
                           f"per-call options are {', '.join(sorted(_OPTION_NAMES))}")
    extra = options.get("_headers")
    if extra is not None and not isinstance(extra, Mapping):
        raise ApiTypeError(f"_headers must be a mapping, not {type(extra).__name__}")


def _request_id(headers: Mapping[str, str]) -> Optional[str]:
    return next((value for name, value in headers.items() if name.lower() == REQUEST_ID_HEADER), None)


def _url(base: str, path: str, path_params: Optional[Mapping[str, Any]],
         query_params: Optional[Sequence[Tuple[str, Any]]]) -> str:
    """``base`` + ``path`` with each path parameter one escaped segment, then the non-``None`` query."""
    segments = {name: path_segment(name, value) for name, value in (path_params or {}).items()}
    pairs = [(name, query_value(value)) for name, value in query_params or () if value is not None]
    try:
        return base + path.format_map(segments) + ("?" + urlencode(pairs, quote_via=quote) if pairs else "")
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
        raise ApiValueError(f"a query value is not valid Unicode text: {exc.reason}") from exc


def _log_exchange(method: str, url: str, headers: Mapping[str, str], started: float, outcome: str) -> None:
    _log.debug("%s %s -> %s in %.1f ms; request headers: %s", method, redact_url(url), outcome,
               (time.perf_counter() - started) * 1000.0, redact_headers(headers))
