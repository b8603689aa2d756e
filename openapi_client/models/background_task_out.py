"""A background task."""

from datetime import datetime
from typing import Optional

from openapi_client.models._base import BaseApiModel
from openapi_client.models.background_task_data import BackgroundTaskData
from openapi_client.models.background_task_status import BackgroundTaskStatus
from openapi_client.models.background_task_type import BackgroundTaskType

__all__ = ["BackgroundTaskOut"]


class BackgroundTaskOut(BaseApiModel):
    """A background task: ``id``, ``status``, ``task`` (its kind), ``data`` and ``updated_at``.

    ``data`` is free-form JSON on today's service: its known fields are attributes of
    :class:`BackgroundTaskData`, and any others are kept on it as extra fields.
    """

    id: str
    status: BackgroundTaskStatus
    task: BackgroundTaskType
    data: BackgroundTaskData
    updated_at: Optional[datetime] = None
