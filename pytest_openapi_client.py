"""pytest fixtures on the embedded :class:`~openapi_client.testing.MockServer`.

Installing openapi_client registers this module with pytest (the ``pytest11`` entry point), so
any test can ask for, with no conftest:

* ``mock_server``: a started :class:`~openapi_client.testing.MockServer` with the sample tasks,
  a new one for each test, stopped after it;
* ``api_client``: an :class:`~openapi_client.ApiClient` configured for that server (its URL and,
  if it has one, its token), closed after the test;
* ``background_tasks_api``: a :class:`~openapi_client.BackgroundTasksApi` on that client.

``@pytest.mark.mock_server(sample_tasks=0, token="t")`` on a test, a class, or a module (as
``pytestmark``) passes those options to the server's constructor; the closest marker wins.
See docs/testing.md.

Nothing but pytest is imported until a fixture runs: projects that never use the fixtures do
not pay for urllib3, pydantic or the server when pytest starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

if TYPE_CHECKING:
    import openapi_client
    from openapi_client.testing import MockServer

__all__ = [
    "mock_server",
    "api_client",
    "background_tasks_api",
    "MARKER",
    "MARKER_OPTIONS",
    "FIXTURE_BACKOFF_BASE",
]

#: The marker that sets the ``mock_server`` fixture's options.
MARKER = "mock_server"
#: The keyword arguments the marker accepts (those of ``MockServer(...)``).
MARKER_OPTIONS = ("sample_tasks", "token")
#: The ``api_client`` fixture retries as the default policy does, but its own backoff before the
#: first retry is this many seconds, so a test with faults does not sleep (a ``Retry-After``
#: the server sends is still honoured: see docs/testing.md).
FIXTURE_BACKOFF_BASE = 0.001


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(sample_tasks=5, token=None): options for the openapi_client mock_server fixture",
    )


@pytest.fixture
def mock_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A started MockServer with fresh state for this test (options from ``@pytest.mark.mock_server``)."""
    from openapi_client.testing import MockServer

    with MockServer(**_marker_options(request.node)) as server:
        yield server


@pytest.fixture
def api_client(mock_server: MockServer) -> Iterator[openapi_client.ApiClient]:
    """An ApiClient for ``mock_server`` (its URL, its token if any, fast backoff), closed after the test."""
    import openapi_client
    from openapi_client.configuration import DEFAULT_RETRIES

    configuration = openapi_client.Configuration(
        host=mock_server.url,
        access_token=mock_server.token,
        retries=openapi_client.RetryPolicy(DEFAULT_RETRIES, backoff_base=FIXTURE_BACKOFF_BASE),
    )
    with openapi_client.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def background_tasks_api(api_client: openapi_client.ApiClient) -> openapi_client.BackgroundTasksApi:
    """A BackgroundTasksApi on the ``api_client`` fixture."""
    import openapi_client

    return openapi_client.BackgroundTasksApi(api_client)


def _marker_options(node: pytest.Item) -> Dict[str, Any]:
    options: Dict[str, Any] = {}
    # iter_markers() yields the closest first (test, class, module): apply the farthest first.
    for marker in reversed(list(node.iter_markers(MARKER))):
        unknown = sorted(set(marker.kwargs) - set(MARKER_OPTIONS))
        if marker.args or unknown:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes only keyword arguments among {', '.join(MARKER_OPTIONS)};"
                f" got {', '.join([repr(arg) for arg in marker.args] + unknown)}",
                pytrace=False,
            )
        options.update(marker.kwargs)
    return options
