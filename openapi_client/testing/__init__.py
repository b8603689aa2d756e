"""Test helpers: :class:`MockServer`, a real HTTP server that speaks the background-task API.

::

    from openapi_client.testing import MockServer

    with MockServer() as server:
        configuration = openapi_client.Configuration(host=server.url)
        ...
        assert server.requests[-1].path == "/api/v1/background-task/"
"""

from openapi_client.testing._server import SAMPLE_TASK_ID, Headers, MockServer, RecordedRequest

__all__ = ["MockServer", "RecordedRequest", "Headers", "SAMPLE_TASK_ID"]
