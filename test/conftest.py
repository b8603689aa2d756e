"""Fixtures for the project's own tests: a fresh MockServer and a client for it per test."""

from __future__ import annotations

from typing import Iterator

import pytest

import openapi_client
from openapi_client.testing import MockServer

#: Retries as the default policy, but with millisecond backoff so tests do not sleep.
FAST_RETRIES = openapi_client.RetryPolicy(2, backoff_base=0.001)


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


@pytest.fixture
def other_server() -> Iterator[MockServer]:
    """A second host, for redirects that leave the first."""
    with MockServer() as mock:
        yield mock


@pytest.fixture
def configuration(server: MockServer) -> openapi_client.Configuration:
    return openapi_client.Configuration(host=server.url, retries=FAST_RETRIES)


@pytest.fixture
def client(configuration: openapi_client.Configuration) -> Iterator[openapi_client.ApiClient]:
    with openapi_client.ApiClient(configuration) as api_client:
        yield api_client


@pytest.fixture
def api(client: openapi_client.ApiClient) -> openapi_client.BackgroundTasksApi:
    return openapi_client.BackgroundTasksApi(client)
