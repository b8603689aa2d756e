"""Test helpers: :class:`MockServer`, a real HTTP server that speaks the background-task API.

::

    from openapi_client.testing import MockServer

    with MockServer() as server:
        configuration = openapi_client.Configuration(host=server.url)
        ...
        assert server.requests[-1].path == "/api/v1/background-task/"

With pytest, the ``mock_server``, ``api_client`` and ``background_tasks_api`` fixtures of
:mod:`openapi_client.testing.pytest_plugin` are available without any set-up (see
docs/testing.md); ``python -m openapi_client.testing`` runs a server in the foreground.
"""

# The names are imported on first use (PEP 562): pytest imports the plugin in this package in
# every project where openapi_client is installed, and should not pay for the server there.

import importlib
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from openapi_client.testing._server import SAMPLE_TASK_ID, Headers, MockServer, RecordedRequest

__all__ = ["MockServer", "RecordedRequest", "Headers", "SAMPLE_TASK_ID"]


# Hidden from type checkers, which see the import above instead (and so reject misspelt names).
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module("openapi_client.testing._server"), name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> List[str]:
        return sorted(set(globals()) | set(__all__))
