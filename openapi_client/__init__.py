"""openapi_client: a synchronous Python client for the Svix background-task API.

Quick start::

    import openapi_client

    configuration = openapi_client.Configuration(access_token="...")  # https://api.svix.com
    with openapi_client.ApiClient(configuration) as api_client:
        tasks = openapi_client.BackgroundTasksApi(api_client)
        page = tasks.list(limit=10)
"""

from openapi_client._version import __version__
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
    ResponseTooLargeError,
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
    "__version__", "ApiAttributeError", "ApiClient", "ApiConnectionError", "ApiDecodeError", "ApiException",
    "ApiKeyError", "ApiResponse", "ApiTimeoutError", "ApiTypeError", "ApiValueError", "ApplicationStats",
    "BackgroundTaskData", "BackgroundTaskOut", "BackgroundTaskStatus", "BackgroundTaskType",
    "BackgroundTasksApi", "BadRequestException", "Configuration", "ConflictException", "ForbiddenException",
    "HTTPValidationError", "HttpErrorOut", "ListResponseBackgroundTaskOut", "NotFoundException",
    "OpenApiException", "Ordering", "PaginationError", "ResponseTooLargeError", "RetryPolicy",
    "ServiceException", "TaskFailedError", "TaskWaitTimeoutError", "TooManyRequestsException",
    "UnauthorizedException", "UnprocessableEntityException", "ValidationError"
]
