"""What every API class shares: its client, and the three views of one operation.

An operation is written once, as a method that checks its arguments and returns a
:class:`Call` (which endpoint, with which parameters). :func:`returns_data`,
:func:`returns_http_info` and :func:`returns_raw` turn it into the generated-style methods
``x``, ``x_with_http_info`` and ``x_without_preload_content``, one line each, all typed with the
operation's own signature.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar

from typing_extensions import Concatenate, ParamSpec

from openapi_client.api_client import ApiClient, Call, _decoded
from openapi_client.api_response import ApiResponse
from openapi_client.exceptions import ApiTypeError
from openapi_client.rest import RESTResponse

T = TypeVar("T")
P = ParamSpec("P")
ApiT = TypeVar("ApiT", bound="BaseApi")


class BaseApi:
    """Holds the :class:`ApiClient` an API class sends through."""

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        if api_client is not None and not isinstance(api_client, ApiClient):
            raise ApiTypeError(f"api_client must be an ApiClient, not {type(api_client).__name__}")
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A view is made before it is bound to its name; name it after the attribute.
        for name, member in vars(cls).items():
            if getattr(member, "__operation_view__", False):
                member.__name__ = name
                member.__qualname__ = f"{cls.__qualname__}.{name}"

    def _send(self, call: Call[T]) -> ApiResponse[T]:
        """The answer to ``call``, decoded (the exception for its status if it is not a 2xx)."""
        return _decoded(self.api_client._exchange(call), call.endpoint.response_type)


def _as_view(operation: Any, build: Any, returns: str, doc: Optional[str]) -> None:
    """Make ``operation`` read like ``build`` in ``help()``: its signature, what it returns."""
    functools.update_wrapper(operation, build)
    declared = str(build.__annotations__.get("return", ""))
    model = declared[len("Call[") : -1] if declared.startswith("Call[") else "Any"
    operation.__annotations__ = {**build.__annotations__, "return": returns.format(model)}
    operation.__signature__ = inspect.signature(build).replace(return_annotation=returns.format(model))
    if doc is not None:
        operation.__doc__ = doc
    operation.__operation_view__ = True


def returns_data(
    build: Callable[Concatenate[ApiT, P], Call[T]],
) -> Callable[Concatenate[ApiT, P], T]:
    """The operation returning the decoded model."""

    def operation(self: ApiT, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._send(build(self, *args, **kwargs)).data

    _as_view(operation, build, "{}", None)
    return operation


def returns_http_info(
    build: Callable[Concatenate[ApiT, P], Call[T]],
) -> Callable[Concatenate[ApiT, P], ApiResponse[T]]:
    """The operation returning :class:`ApiResponse` (status, headers, model, raw bytes)."""

    def operation(self: ApiT, /, *args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
        return self._send(build(self, *args, **kwargs))

    _as_view(operation, build, "ApiResponse[{}]", "Like the operation without the suffix, but returns an "
             ":class:`ApiResponse` with the status code, headers, decoded data and raw body.")
    return operation


def returns_raw(
    build: Callable[Concatenate[ApiT, P], Call[T]],
) -> Callable[Concatenate[ApiT, P], RESTResponse]:
    """The operation returning the unread, undecoded :class:`RESTResponse`."""

    def operation(self: ApiT, /, *args: P.args, **kwargs: P.kwargs) -> RESTResponse:
        return self.api_client._exchange(build(self, *args, **kwargs), preload=False)

    _as_view(operation, build, "RESTResponse", "Like the operation without the suffix, but returns the "
             ":class:`RESTResponse` unread and undecoded, whatever its status (no exception for errors).")
    return operation
