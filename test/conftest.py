"""What the project's tests need beyond the plugin's fixtures (``mock_server``, ``api_client``,
``background_tasks_api``, from pytest_openapi_client): a second server, a port that refuses
connections, and clients configured otherwise than the plugin's."""

from __future__ import annotations

import socket
from typing import Any, Callable, Iterator, List, Optional

import pytest

from openapi_client import ApiClient, BackgroundTasksApi, Configuration
from openapi_client.testing import MockServer


@pytest.fixture
def other_server() -> Iterator[MockServer]:
    """A second MockServer: another host, for redirects and proxies."""
    with MockServer() as server:
        yield server


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused, and no other socket can take it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


@pytest.fixture
def make_api(mock_server: MockServer, api_client: ApiClient) -> Iterator[Callable[..., BackgroundTasksApi]]:
    """``make_api(host=None, *, cookie=None, **settings)``: a BackgroundTasksApi on a new client
    for ``host`` (the mock_server by default) whose Configuration has the plugin client's retries
    (fast backoff) and then ``settings`` (Configuration attributes); closed after the test."""
    clients: List[ApiClient] = []

    def make(
        host: Optional[str] = None, *, cookie: Optional[str] = None, **settings: Any
    ) -> BackgroundTasksApi:
        configuration = Configuration(host=host or mock_server.url, retries=api_client.configuration.retries)
        for name, value in settings.items():
            if not hasattr(configuration, name):
                raise TypeError(f"Configuration has no setting {name!r}")
            setattr(configuration, name, value)
        client = ApiClient(configuration, cookie=cookie)
        clients.append(client)
        return BackgroundTasksApi(client)

    yield make
    for client in clients:
        client.close()
