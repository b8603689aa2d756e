"""pytest fixtures on openapi_client's embedded :class:`~openapi_client.testing.MockServer`.

Installing openapi_client registers this module with pytest (``pytest11``), so any test can ask,
with no conftest, for ``mock_server`` (a started MockServer with the sample tasks, new for each
test), ``api_client`` (an ``ApiClient`` for it, closed after the test) and
``background_tasks_api`` (a ``BackgroundTasksApi`` on that client). Each is an alias of a
namespaced fixture (``openapi_client_mock_server``, ...) and the namespaced ones depend only on
each other, so a project's own ``api_client`` (Django REST framework's, say) replaces that name
and nothing else; override ``openapi_client_mock_server`` to give all of them another server.
``@pytest.mark.mock_server(sample_tasks=0, token="t")`` on a test, class or module passes options
to the server; the closest marker wins. See docs/testing.md.

The module lives outside the package and imports nothing but pytest until a fixture runs:
pytest imports it in every project where openapi_client is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

if TYPE_CHECKING:
    import openapi_client
    from openapi_client.testing import MockServer

__all__ = ["mock_server", "api_client", "background_tasks_api", "openapi_client_mock_server",
           "openapi_client_api_client", "openapi_client_background_tasks_api", "MARKER", "MARKER_OPTIONS",
           "FIXTURE_BACKOFF_BASE"]

#: The marker that sets the server's options.
MARKER = "mock_server"
#: The keyword arguments the marker accepts (those of ``MockServer(...)``).
MARKER_OPTIONS = ("sample_tasks", "token")
#: The client fixture retries as the default policy does, but its own backoff before the first
#: retry is this many seconds, so a test with faults does not sleep (a ``Retry-After`` the
#: server sends is still honoured: see docs/testing.md).
FIXTURE_BACKOFF_BASE = 0.001


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(sample_tasks=5, token=None): options for openapi_client's mock_server fixture"
    )


@pytest.fixture
def openapi_client_mock_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A started MockServer with fresh state for this test (options from ``@pytest.mark.mock_server``)."""
    from openapi_client.testing import MockServer

    with MockServer(**_marker_options(request.node)) as server:
        yield server


@pytest.fixture
def openapi_client_api_client(openapi_client_mock_server: MockServer) -> Iterator[openapi_client.ApiClient]:
    """An ApiClient for the server (its URL, its token if any, fast backoff), closed after the test."""
    import openapi_client
    from openapi_client.configuration import DEFAULT_RETRIES

    configuration = openapi_client.Configuration(
        host=openapi_client_mock_server.url,
        access_token=openapi_client_mock_server.token,
        retries=openapi_client.RetryPolicy(DEFAULT_RETRIES, backoff_base=FIXTURE_BACKOFF_BASE),
    )
    with openapi_client.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def openapi_client_background_tasks_api(
    openapi_client_api_client: openapi_client.ApiClient,
) -> openapi_client.BackgroundTasksApi:
    """A BackgroundTasksApi on the client fixture."""
    import openapi_client

    return openapi_client.BackgroundTasksApi(openapi_client_api_client)


@pytest.fixture
def mock_server(openapi_client_mock_server: MockServer) -> MockServer:
    """``openapi_client_mock_server``, by a shorter name."""
    return openapi_client_mock_server


@pytest.fixture
def api_client(openapi_client_api_client: openapi_client.ApiClient) -> openapi_client.ApiClient:
    """``openapi_client_api_client``, by a shorter name."""
    return openapi_client_api_client


@pytest.fixture
def background_tasks_api(
    openapi_client_background_tasks_api: openapi_client.BackgroundTasksApi,
) -> openapi_client.BackgroundTasksApi:
    """``openapi_client_background_tasks_api``, by a shorter name."""
    return openapi_client_background_tasks_api


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
