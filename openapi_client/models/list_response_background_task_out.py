"""One page of background tasks."""

from typing import List, Optional

from openapi_client.models._base import BaseApiModel
from openapi_client.models.background_task_out import BackgroundTaskOut

__all__ = ["ListResponseBackgroundTaskOut"]


class ListResponseBackgroundTaskOut(BaseApiModel):
    """A page: ``data``, ``done`` (last page), ``iterator`` (next) and ``prev_iterator``."""

    data: List[BackgroundTaskOut]
    done: bool
    iterator: Optional[str] = None
    prev_iterator: Optional[str] = None
