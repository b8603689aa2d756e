"""A background task."""

from datetime import datetime
from typing import Any, Dict, Optional, Union

from pydantic import Field

from openapi_client.models._base import BaseApiModel
from openapi_client.models.background_task_data import BackgroundTaskData
from openapi_client.models.background_task_status import BackgroundTaskStatus
from openapi_client.models.background_task_type import BackgroundTaskType

__all__ = ["BackgroundTaskOut"]


class BackgroundTaskOut(BaseApiModel):
    """A background task: ``id``, ``status``, ``task`` (its kind), ``data`` and ``updated_at``.

    ``data`` is a :class:`BackgroundTaskData` when it has that shape; any other JSON the service
    sends there is kept as it came.
    """

    id: str
    status: BackgroundTaskStatus
    task: BackgroundTaskType
    data: Union[BackgroundTaskData, Dict[str, Any], Any] = Field(union_mode="left_to_right")
    updated_at: Optional[datetime] = None
