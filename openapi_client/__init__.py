"""openapi_client: a synchronous Python client for the Svix background-task API.

Quick start::

    import openapi_client

    configuration = openapi_client.Configuration(host="https://api.example.com", access_token="...")
    with openapi_client.ApiClient(configuration) as api_client:
        tasks = openapi_client.BackgroundTasksApi(api_client)
        page = tasks.list(limit=10)
"""

# The public names are imported on first use (PEP 562), so importing a submodule that needs none
# of them, such as the pytest plugin that pytest loads in every project where this package is
# installed, does not pay for urllib3, pydantic and the models.

import importlib
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from openapi_client._version import __version__

if TYPE_CHECKING:
    from openapi_client.api.background_tasks_api import BackgroundTasksApi
    from openapi_client.api_client import ApiClient
    from openapi_client.api_response import ApiResponse
    from openapi_client.configuration import Configuration
    from openapi_client.exceptions import (
        ApiAttributeError,
        ApiConnectionError,
        ApiDecodeError,
        ApiException,
        ApiKeyError,
        ApiTimeoutError,
        ApiTypeError,
        ApiValueError,
        BadRequestException,
        ConflictException,
        ForbiddenException,
        NotFoundException,
        OpenApiException,
        PaginationError,
        ServiceException,
        TaskFailedError,
        TaskWaitTimeoutError,
        TooManyRequestsException,
        UnauthorizedException,
        UnprocessableEntityException,
    )
    from openapi_client.models import (
        ApplicationStats,
        BackgroundTaskData,
        BackgroundTaskOut,
        BackgroundTaskStatus,
        BackgroundTaskType,
        HttpErrorOut,
        HTTPValidationError,
        ListResponseBackgroundTaskOut,
        Ordering,
        ValidationError,
    )
    from openapi_client.retry import RetryPolicy

__all__ = [
    "__version__",
    "ApiAttributeError",
    "ApiClient",
    "ApiConnectionError",
    "ApiDecodeError",
    "ApiException",
    "ApiKeyError",
    "ApiResponse",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "ApplicationStats",
    "BackgroundTaskData",
    "BackgroundTaskOut",
    "BackgroundTaskStatus",
    "BackgroundTaskType",
    "BackgroundTasksApi",
    "BadRequestException",
    "Configuration",
    "ConflictException",
    "ForbiddenException",
    "HTTPValidationError",
    "HttpErrorOut",
    "ListResponseBackgroundTaskOut",
    "NotFoundException",
    "OpenApiException",
    "Ordering",
    "PaginationError",
    "RetryPolicy",
    "ServiceException",
    "TaskFailedError",
    "TaskWaitTimeoutError",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnprocessableEntityException",
    "ValidationError",
]

_SOURCES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("openapi_client.api.background_tasks_api", ("BackgroundTasksApi",)),
    ("openapi_client.api_client", ("ApiClient",)),
    ("openapi_client.api_response", ("ApiResponse",)),
    ("openapi_client.configuration", ("Configuration",)),
    ("openapi_client.retry", ("RetryPolicy",)),
    ("openapi_client.models", (
        "ApplicationStats", "BackgroundTaskData", "BackgroundTaskOut", "BackgroundTaskStatus",
        "BackgroundTaskType", "HttpErrorOut", "HTTPValidationError", "ListResponseBackgroundTaskOut",
        "Ordering", "ValidationError",
    )),
)
#: Public name -> the module that defines it; every other name in ``__all__`` is an exception.
_MODULE_OF: Dict[str, str] = {name: module for module, names in _SOURCES for name in names}
_SUBMODULES = frozenset({"api", "api_client", "api_response", "configuration", "exceptions", "models",
                         "rest", "retry"})


# Hidden from type checkers, which see the imports above instead: with a module __getattr__ in
# view, they would accept any misspelt name as Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name in _SUBMODULES:
            return importlib.import_module(f"{__name__}.{name}")
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module = importlib.import_module(_MODULE_OF.get(name, "openapi_client.exceptions"))
        value = getattr(module, name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> List[str]:
        return sorted(set(globals()) | set(__all__))
