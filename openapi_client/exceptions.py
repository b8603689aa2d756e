"""Every exception the package raises.

The tree::

    OpenApiException
    ├── ApiTypeError (also TypeError)           bad argument type, refused before sending
    ├── ApiValueError (also ValueError)         bad argument value, refused before sending
    ├── ApiKeyError (also KeyError)
    ├── ApiAttributeError (also AttributeError)
    ├── ApiConnectionError                      the server could not be reached or talked to
    │   ├── ApiTimeoutError (also TimeoutError) a connect/read timeout or the call's deadline
    │   │   └── TaskWaitTimeoutError            ``wait()`` ran out of time (carries the task)
    │   └── ResponseTooLargeError               the answer outgrew ``max_response_bytes``
    ├── PaginationError                         the server's cursors would loop forever
    ├── TaskFailedError                         ``wait()`` saw the task end ``failed``
    └── ApiException                            the server answered with a status we cannot use
        ├── ApiDecodeError                      a 2xx whose body is not the documented shape
        ├── BadRequestException             400
        ├── UnauthorizedException           401
        ├── ForbiddenException              403
        ├── NotFoundException               404
        ├── ConflictException               409
        ├── UnprocessableEntityException    422
        ├── TooManyRequestsException        429
        └── ServiceException                5xx

Every exception raised because of another one chains it as ``__cause__``. The failures of a
request carry ``request_id`` (the ``svix-req-id`` it was sent with), shown in their message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Type, Union

from openapi_client._redact import hide_secrets, redact_credentials

if TYPE_CHECKING:
    from openapi_client.models import BackgroundTaskOut, HttpErrorOut, HTTPValidationError

__all__ = [
    "OpenApiException", "ApiTypeError", "ApiValueError", "ApiKeyError", "ApiAttributeError",
    "ApiConnectionError", "ApiTimeoutError", "ResponseTooLargeError", "TaskWaitTimeoutError",
    "PaginationError", "TaskFailedError", "ApiException", "ApiDecodeError", "BadRequestException",
    "UnauthorizedException", "ForbiddenException", "NotFoundException", "ConflictException",
    "UnprocessableEntityException", "TooManyRequestsException", "ServiceException",
    "exception_class_for_status",
]

PathToItem = Optional[Sequence[Union[str, int]]]
#: The parsed body of an error answer, when it has one of the service's error shapes.
ErrorData = Optional[Union["HttpErrorOut", "HTTPValidationError"]]


class OpenApiException(Exception):
    """The base class of everything :mod:`openapi_client` raises; each pickles with its attributes."""

    def __reduce__(self) -> Tuple[Any, ...]:
        # Exception's own reduce calls cls(*self.args), which cannot rebuild a subclass whose
        # constructor takes keyword-only or differently shaped arguments: skip the constructor.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: Type[OpenApiException], args: Tuple[Any, ...], state: Dict[str, Any]) -> OpenApiException:
    error = cls.__new__(cls)
    # Set after __new__: OSError's __new__ (TimeoutError's) ignores args when __init__ is overridden.
    error.args = args
    error.__dict__.update(state)
    return error


class _ArgumentError(OpenApiException):
    """An argument refused before anything was sent; ``path_to_item`` says which (and where in
    it, if nested: only then does the message say so, the argument's name being in it already)."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = path_to_item
        if path_to_item is not None and len(path_to_item) > 1:
            msg += " at " + "".join(f"[{part!r}]" for part in path_to_item)
        super().__init__(msg)


class ApiTypeError(_ArgumentError, TypeError):
    """An argument has the wrong type; nothing was sent."""

    def __init__(self, msg: str, path_to_item: PathToItem = None,
                 valid_classes: Optional[Sequence[type]] = None, key_type: Optional[bool] = None) -> None:
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(msg, path_to_item)


class ApiValueError(_ArgumentError, ValueError):
    """An argument has a value the API refuses; nothing was sent."""


class ApiAttributeError(_ArgumentError, AttributeError):
    """An attribute that does not exist was asked for."""


class ApiKeyError(_ArgumentError, KeyError):
    """A key that does not exist was asked for."""


class ApiConnectionError(OpenApiException):
    """The server could not be reached, or the connection broke (refused, reset, TLS, framing);
    ``attempts`` is how many requests were sent, ``request_id`` the call's ``svix-req-id``."""

    def __init__(self, msg: str, *, attempts: int = 1, request_id: Optional[str] = None,
                 secrets: Iterable[str] = ()) -> None:
        self.attempts = attempts
        self.request_id = request_id
        super().__init__(hide_secrets(msg + _trailer(attempts, request_id), secrets))


class ApiTimeoutError(ApiConnectionError, TimeoutError):
    """A connect or read timeout, or the call's overall deadline, ran out."""


class ResponseTooLargeError(ApiConnectionError):
    """The answer was larger than ``max_response_bytes`` (``limit``); the connection was dropped."""

    def __init__(self, msg: str, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(msg, **kwargs)


class _AboutTask(OpenApiException):
    def __init__(self, msg: str, *, task: Optional[BackgroundTaskOut]) -> None:
        self.task = task
        super().__init__(msg)


class TaskWaitTimeoutError(_AboutTask, ApiTimeoutError):
    """:meth:`BackgroundTasksApi.wait` reached its timeout; ``task`` is the last one seen."""


class TaskFailedError(_AboutTask):
    """:meth:`BackgroundTasksApi.wait` saw the task end ``failed``; ``task`` holds it."""


class PaginationError(OpenApiException):
    """The server handed back a cursor it already gave, or an empty page that is not done."""


class ApiException(OpenApiException):
    """The server answered with a status the call cannot turn into a result.

    ``status``/``reason`` are the HTTP status line, ``headers`` the response headers, ``body``
    the response text, and ``data`` the parsed error (:class:`HttpErrorOut` or
    :class:`HTTPValidationError`) when the body has that shape, else ``None``. ``retry_after``
    is the wait the server asked for, in seconds, when it sent one; ``attempts`` is how many
    requests were sent; ``request_id`` the call's ``svix-req-id``.

    ``str()`` and ``repr()`` show the status, the error and excerpts of the headers and body,
    with every credential the client sent (and cookies the server set) as ``***``;
    ``body`` and ``headers`` keep the answer as it came, for code that needs it.
    """

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None, http_resp: Any = None, *,
                 body: Optional[str] = None, data: ErrorData = None,
                 headers: Optional[Mapping[str, str]] = None, retry_after: Optional[float] = None,
                 attempts: int = 1, request_id: Optional[str] = None, secrets: Iterable[str] = ()) -> None:
        if http_resp is not None:  # the generated client's way: the rest from the answer
            status = http_resp.status if status is None else status
            reason = http_resp.reason if reason is None else reason
            if body is None:
                raw = http_resp.read() if hasattr(http_resp, "read") else http_resp.data
                is_bytes = isinstance(raw, (bytes, bytearray))
                body = bytes(raw).decode("utf-8", errors="replace") if is_bytes else raw
            headers = http_resp.headers if headers is None else headers
        self.status: Optional[int] = status
        self.reason: Optional[str] = reason
        self.body: Optional[str] = body
        self.data: ErrorData = data
        self.headers: Optional[Mapping[str, str]] = headers
        self.retry_after: Optional[float] = retry_after
        self.attempts: int = attempts
        self.request_id: Optional[str] = request_id
        secrets = tuple(secrets)
        super().__init__(hide_secrets(self._summary(), secrets))
        answer = f"\nHTTP response headers: {redact_credentials(headers)}" if headers else ""
        if body:
            answer += f"\nHTTP response body: {_shorten(body)}"
        self._excerpts = hide_secrets(answer, secrets)

    @classmethod
    def from_response(cls, *, http_resp: Any, body: Optional[str], data: ErrorData,
                      **details: Any) -> ApiException:
        """The exception that matches ``http_resp.status`` (see :func:`exception_class_for_status`)."""
        kind = exception_class_for_status(http_resp.status)
        return kind(http_resp=http_resp, body=body, data=data, **details)

    def _summary(self) -> str:
        head = f"({self.status})" if self.status is not None else "(no status)"
        if self.reason:
            head += f" {self.reason}"
        detail = _describe(self.data)
        if detail:
            head += f": {detail}"
        if self.retry_after is not None:
            head += f" (server asked to retry after {self.retry_after:g}s)"
        return head + _trailer(self.attempts, self.request_id)

    def __str__(self) -> str:
        return f"{self.args[0] if self.args else ''}{self.__dict__.get('_excerpts', '')}"


class ApiDecodeError(ApiException):
    """A successful answer whose body is not the documented shape (``body`` holds it)."""

    def __init__(self, msg: str, *, status: int, body: str, headers: Mapping[str, str],
                 **details: Any) -> None:
        super().__init__(status=status, reason=msg, body=body, headers=headers, **details)


class BadRequestException(ApiException):
    """400 Bad Request."""


class UnauthorizedException(ApiException):
    """401 Unauthorized: the token is missing or wrong."""


class ForbiddenException(ApiException):
    """403 Forbidden."""


class NotFoundException(ApiException):
    """404 Not Found."""


class ConflictException(ApiException):
    """409 Conflict."""


class UnprocessableEntityException(ApiException):
    """422 Unprocessable Entity: the server refused a parameter (``data`` says which)."""


class TooManyRequestsException(ApiException):
    """429 Too Many Requests; ``retry_after`` is the wait the server asked for, if any."""


class ServiceException(ApiException):
    """Any 5xx answer."""


STATUS_EXCEPTIONS: Dict[int, Type[ApiException]] = {
    400: BadRequestException, 401: UnauthorizedException, 403: ForbiddenException, 404: NotFoundException,
    409: ConflictException, 422: UnprocessableEntityException, 429: TooManyRequestsException,
}


def exception_class_for_status(status: int) -> Type[ApiException]:
    """The exception class for an HTTP status: the table above, 5xx, else :class:`ApiException`."""
    return STATUS_EXCEPTIONS.get(status, ServiceException if 500 <= status <= 599 else ApiException)


def _trailer(attempts: int, request_id: Optional[str]) -> str:
    text = f" (after {attempts} attempts)" if attempts > 1 else ""
    return text + (f" (request id {request_id})" if request_id else "")


def _describe(data: Any) -> str:
    code = getattr(data, "code", None)
    detail = getattr(data, "detail", None)
    if code is not None:
        return f"{code}: {detail}"
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(part) for part in getattr(item, 'loc', []))}: {getattr(item, 'msg', '')}"
            for item in detail
        )
    return ""


def _shorten(body: str, limit: int = 2000) -> str:
    return body if len(body) <= limit else body[:limit] + f"... ({len(body)} characters)"
