"""The result data of a background task."""

from typing import List, Optional

from openapi_client.models._base import BaseApiModel
from openapi_client.models.application_stats import ApplicationStats

__all__ = ["BackgroundTaskData"]


class BackgroundTaskData(BaseApiModel):
    """What the task produced; the service now sends free-form JSON, kept as extra fields."""

    app_stats: Optional[List[ApplicationStats]] = None
    messages_sent: Optional[int] = None
