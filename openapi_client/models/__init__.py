"""The API's data types: pydantic models with snake_case attributes and camelCase wire names."""

# Each model is imported on first use (PEP 562), as the top-level package does: defining the
# first pydantic model class imports pydantic's field machinery (pydantic.fields, pydantic.types,
# annotated_types), about as long again as importing pydantic.BaseModel, so a program pays for
# it only when it first decodes an answer, and only for the models that answer needs.

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
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
    "ApplicationStats",
    "BackgroundTaskData",
    "BackgroundTaskOut",
    "BackgroundTaskStatus",
    "BackgroundTaskType",
    "BaseApiModel",
    "HTTPValidationError",
    "HttpErrorOut",
    "ListResponseBackgroundTaskOut",
    "OpenEnum",
    "Ordering",
    "ValidationError",
]

#: Public name -> the module (under this package) that defines it.
_MODULE_OF: Dict[str, str] = {
    "ApplicationStats": "application_stats",
    "BackgroundTaskData": "background_task_data",
    "BackgroundTaskOut": "background_task_out",
    "BackgroundTaskStatus": "background_task_status",
    "BackgroundTaskType": "background_task_type",
    "BaseApiModel": "_base",
    "HTTPValidationError": "http_validation_error",
    "HttpErrorOut": "http_error_out",
    "ListResponseBackgroundTaskOut": "list_response_background_task_out",
    "OpenEnum": "_enum",
    "Ordering": "ordering",
    "ValidationError": "validation_error",
}

# Hidden from type checkers, which see the imports above instead.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> List[str]:
        return sorted(set(globals()) | set(__all__))
