"""Every exception the package raises.

The tree::

    OpenApiException
    ├── ApiTypeError (also TypeError)          bad argument type, refused before sending
    ├── ApiValueError (also ValueError)        bad argument value, refused before sending
    ├── ApiKeyError (also KeyError)
    ├── ApiAttributeError (also AttributeError)
    ├── ApiConnectionError                     the server could not be reached or talked to
    │   └── ApiTimeoutError (also TimeoutError) connect/read timeout or the call's deadline
    │       └── TaskWaitTimeoutError           ``wait()`` ran out of time (carries the task)
    ├── PaginationError                        the server's cursors would loop forever
    ├── TaskFailedError                        ``wait()`` saw the task end ``failed``
    └── ApiException                           the server answered with a status we cannot use
        ├── ApiDecodeError                     a 2xx whose body is not the documented shape
        ├── BadRequestException             400
        ├── UnauthorizedException           401
        ├── ForbiddenException              403
        ├── NotFoundException               404
        ├── ConflictException               409
        ├── UnprocessableEntityException    422
        ├── TooManyRequestsException        429
        └── ServiceException                5xx

Every exception raised because of another one chains it as ``__cause__``.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Type, Union

from openapi_client._redact import redact_credentials

__all__ = [
    "OpenApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "TaskWaitTimeoutError",
    "PaginationError",
    "TaskFailedError",
    "ApiException",
    "ApiDecodeError",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "ConflictException",
    "UnprocessableEntityException",
    "TooManyRequestsException",
    "ServiceException",
    "exception_class_for_status",
]

PathToItem = Optional[Sequence[Union[str, int]]]


class OpenApiException(Exception):
    """The base class of everything :mod:`openapi_client` raises.

    Every subclass pickles with all its attributes (so it can cross a process pool).
    """

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
    """An argument refused before anything was sent; ``path_to_item`` says where, if nested."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = path_to_item
        super().__init__(f"{msg} at {render_path(path_to_item)}" if path_to_item else msg)


class ApiTypeError(_ArgumentError, TypeError):
    """An argument has the wrong type; nothing was sent."""

    def __init__(
        self,
        msg: str,
        path_to_item: PathToItem = None,
        valid_classes: Optional[Sequence[type]] = None,
        key_type: Optional[bool] = None,
    ) -> None:
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
    """The server could not be reached, or the connection broke (refused, reset, TLS).

    ``attempts`` says how many attempts were made before giving up.
    """

    def __init__(self, msg: str, *, attempts: int = 1) -> None:
        self.attempts = attempts
        super().__init__(msg if attempts <= 1 else f"{msg} (after {attempts} attempts)")


class ApiTimeoutError(ApiConnectionError, TimeoutError):
    """A connect or read timeout, or the call's overall deadline, ran out."""


class TaskWaitTimeoutError(ApiTimeoutError):
    """:meth:`BackgroundTasksApi.wait` reached its deadline; ``task`` is the last one seen."""

    def __init__(self, msg: str, *, task: Any) -> None:
        self.task = task
        super().__init__(msg)


class TaskFailedError(OpenApiException):
    """:meth:`BackgroundTasksApi.wait` saw the task end ``failed``; ``task`` holds it."""

    def __init__(self, msg: str, *, task: Any) -> None:
        self.task = task
        super().__init__(msg)


class PaginationError(OpenApiException):
    """The server handed back a cursor it already gave, or an empty page that is not done."""


class ApiException(OpenApiException):
    """The server answered with a status the call cannot turn into a result.

    ``status``/``reason`` are the HTTP status line, ``headers`` the response headers, ``body``
    the response text, and ``data`` the parsed error (:class:`HttpErrorOut` or
    :class:`HTTPValidationError`) when the body has that shape, else ``None``. ``retry_after``
    is the wait the server asked for, in seconds, when it sent one; ``attempts`` is how many
    requests were made.
    """

    def __init__(
        self,
        status: Optional[int] = None,
        reason: Optional[str] = None,
        http_resp: Any = None,
        *,
        body: Optional[str] = None,
        data: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        retry_after: Optional[float] = None,
        attempts: int = 1,
    ) -> None:
        self.status = status
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = headers
        self.retry_after = retry_after
        self.attempts = attempts
        if http_resp is not None:
            self.status = http_resp.status if status is None else status
            self.reason = http_resp.reason if reason is None else reason
            if self.body is None:
                raw = http_resp.read() if hasattr(http_resp, "read") else http_resp.data
                self.body = _text(raw)
            if self.headers is None:
                self.headers = http_resp.headers
        super().__init__(self._summary())

    @classmethod
    def from_response(
        cls,
        *,
        http_resp: Any,
        body: Optional[str],
        data: Any,
        retry_after: Optional[float] = None,
        attempts: int = 1,
    ) -> ApiException:
        """Build the exception that matches ``http_resp.status`` (see :data:`STATUS_EXCEPTIONS`)."""
        exc_class = exception_class_for_status(http_resp.status)
        return exc_class(
            http_resp=http_resp,
            body=body,
            data=data,
            retry_after=retry_after,
            attempts=attempts,
        )

    def _summary(self) -> str:
        head = f"({self.status})" if self.status is not None else "(no status)"
        if self.reason:
            head += f" {self.reason}"
        detail = _describe(self.data)
        if detail:
            head += f": {detail}"
        if self.retry_after is not None:
            head += f" (server asked to retry after {self.retry_after:g}s)"
        if self.attempts > 1:
            head += f" (after {self.attempts} attempts)"
        return head

    def __str__(self) -> str:
        text = self._summary()
        if self.headers:
            text += f"\nHTTP response headers: {redact_credentials(self.headers)}"
        if self.body:
            text += f"\nHTTP response body: {_shorten(self.body)}"
        return text


class ApiDecodeError(ApiException):
    """A successful answer whose body is not the documented shape (``body`` holds it)."""

    def __init__(self, msg: str, *, status: int, body: str, headers: Mapping[str, str]) -> None:
        super().__init__(status=status, reason=msg, body=body, headers=headers)


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
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: TooManyRequestsException,
}


def exception_class_for_status(status: int) -> Type[ApiException]:
    """The exception class for an HTTP status: the table above, 5xx, else :class:`ApiException`."""
    found = STATUS_EXCEPTIONS.get(status)
    if found is not None:
        return found
    if 500 <= status <= 599:
        return ServiceException
    return ApiException


def render_path(path_to_item: Sequence[Union[str, int]]) -> str:
    """``['a', 0, 'b']`` as ``['a'][0]['b']``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f"['{part}']" for part in path_to_item)


def _text(raw: Any) -> Optional[str]:
    if raw is None:
        return None
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw).decode("utf-8", errors="replace")
    return str(raw)


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
