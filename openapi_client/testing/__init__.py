"""Test helpers: :class:`MockServer`, a real HTTP server that speaks the background-task API.

docs/testing.md describes it, its pytest fixtures (the ``pytest_openapi_client`` plugin) and
``python -m openapi_client.testing``."""

from openapi_client.testing._http import Headers, RecordedRequest
from openapi_client.testing._server import MockServer
from openapi_client.testing._store import SAMPLE_TASK_ID

__all__ = ["MockServer", "RecordedRequest", "Headers", "SAMPLE_TASK_ID"]
