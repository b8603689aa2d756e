"""The API classes, one per tag of the API document."""

from openapi_client.api.background_tasks_api import BackgroundTasksApi

__all__ = ["BackgroundTasksApi"]
