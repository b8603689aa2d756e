"""The API's data types: pydantic models with snake_case attributes and camelCase wire names."""

from openapi_client.models._base import BaseApiModel, OpenEnum
from openapi_client.models.application_stats import ApplicationStats
from openapi_client.models.background_task_data import BackgroundTaskData
from openapi_client.models.background_task_out import BackgroundTaskOut
from openapi_client.models.background_task_status import BackgroundTaskStatus
from openapi_client.models.background_task_type import BackgroundTaskType
from openapi_client.models.http_error_out import HttpErrorOut
from openapi_client.models.http_validation_error import HTTPValidationError
from openapi_client.models.list_response_background_task_out import ListResponseBackgroundTaskOut
from openapi_client.models.ordering import Ordering
from openapi_client.models.validation_error import ValidationError

__all__ = [
    "ApplicationStats", "BackgroundTaskData", "BackgroundTaskOut", "BackgroundTaskStatus",
    "BackgroundTaskType", "BaseApiModel", "HTTPValidationError", "HttpErrorOut",
    "ListResponseBackgroundTaskOut", "OpenEnum", "Ordering", "ValidationError"
]
