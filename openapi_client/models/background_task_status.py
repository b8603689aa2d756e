"""Status of a background task."""

from openapi_client.models._base import OpenEnum

__all__ = ["BackgroundTaskStatus"]


class BackgroundTaskStatus(OpenEnum):
    """Where a task stands; a status unknown to this client is kept as its string."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
