"""TLS over real sockets with a private CA made by ``trustme`` (issue 2, points 4 and 6).

Certificates are verified by default; ``ssl_ca_cert``/``ca_cert_data`` trust a private CA; an
untrusted, self-signed or wrongly named certificate fails with ApiConnectionError whose cause is
urllib3's SSLError, and nothing reaches the server.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Iterator

import pytest
import trustme
import urllib3

import openapi_client
from openapi_client import BackgroundTasksApi, Configuration
from openapi_client.testing import SAMPLE_TASK_ID, MockServer


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[MockServer]:
    with MockServer(ssl_context=_server_context(ca.issue_cert("127.0.0.1"))) as server:
        yield server


def _get(configuration: Configuration) -> openapi_client.BackgroundTaskOut:
    with openapi_client.ApiClient(configuration) as api_client:
        return BackgroundTasksApi(api_client).get(SAMPLE_TASK_ID)


def _refused(configuration: Configuration) -> openapi_client.ApiConnectionError:
    configuration.retries = 0
    with pytest.raises(openapi_client.ApiConnectionError) as caught:
        _get(configuration)
    assert not isinstance(caught.value, openapi_client.ApiTimeoutError)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.SSLError)
    assert "TLS handshake" in str(caught.value)
    return caught.value


def test_point6_private_ca_is_trusted_through_ssl_ca_cert(https_server: MockServer, ca_file: str) -> None:
    assert https_server.url.startswith("https://")
    task = _get(Configuration(host=https_server.url, ssl_ca_cert=ca_file))
    assert task.id == SAMPLE_TASK_ID
    assert https_server.requests[-1].path.endswith(f"/{SAMPLE_TASK_ID}/")


def test_point6_private_ca_is_trusted_through_ca_cert_data(https_server: MockServer, ca: trustme.CA) -> None:
    configuration = Configuration(host=https_server.url, ca_cert_data=ca.cert_pem.bytes().decode())
    assert _get(configuration).id == SAMPLE_TASK_ID


def test_point6_tls_is_verified_by_default(https_server: MockServer) -> None:
    configuration = Configuration(host=https_server.url)
    assert configuration.verify_ssl is True
    error = _refused(configuration)
    assert "certificate verify failed" in str(error)
    assert https_server.requests == []


def test_point6_self_signed_server_is_refused(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    # The CA's own certificate is self-signed; serve it as the leaf, and trust another CA.
    cert, key = tmp_path / "self-signed.pem", tmp_path / "self-signed.key"
    ca.cert_pem.write_to_path(str(cert))
    ca.private_key_pem.write_to_path(str(key))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with MockServer(ssl_context=context) as server:
        _refused(Configuration(host=server.url))
        _refused(Configuration(host=server.url, ssl_ca_cert=str(other_ca)))
        assert server.requests == []


def test_point6_certificate_for_another_name_is_refused(ca: trustme.CA, ca_file: str) -> None:
    with MockServer(ssl_context=_server_context(ca.issue_cert("api.example.test"))) as server:
        error = _refused(Configuration(host=server.url, ssl_ca_cert=ca_file))
        assert "127.0.0.1" in str(error)
        assert server.requests == []

        pinned = Configuration(host=server.url, ssl_ca_cert=ca_file)
        pinned.assert_hostname = "api.example.test"
        assert _get(pinned).id == SAMPLE_TASK_ID

        by_sni = Configuration(host=server.url, ssl_ca_cert=ca_file)
        by_sni.tls_server_name = "api.example.test"
        assert _get(by_sni).id == SAMPLE_TASK_ID


def test_verify_ssl_false_accepts_an_untrusted_certificate_with_urllib3_warning(
    https_server: MockServer,
) -> None:
    configuration = Configuration(host=https_server.url)
    configuration.verify_ssl = False
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        assert _get(configuration).id == SAMPLE_TASK_ID


def test_client_certificate_from_cert_file_and_key_file(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    context = _server_context(ca.issue_cert("127.0.0.1"))
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    client_cert = ca.issue_cert("client@example.test")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    for blob in client_cert.cert_chain_pems:
        blob.write_to_path(str(cert_file), append=True)
    client_cert.private_key_pem.write_to_path(str(key_file))
    with MockServer(ssl_context=context) as server:
        with_cert = Configuration(host=server.url, ssl_ca_cert=ca_file)
        with_cert.cert_file, with_cert.key_file = str(cert_file), str(key_file)
        assert _get(with_cert).id == SAMPLE_TASK_ID

        without = Configuration(host=server.url, ssl_ca_cert=ca_file, retries=0)
        with pytest.raises(openapi_client.ApiConnectionError) as caught:
            _get(without)
        assert isinstance(caught.value.__cause__, urllib3.exceptions.HTTPError)
        assert len(server.requests) == 1  # only the call that showed a certificate got through


@pytest.mark.parametrize("how", ["a new PoolManager", "its settings edited"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_pool_manager_replaced_or_reconfigured_after_calls_is_used_as_it_is_now(
    https_server: MockServer, how: str
) -> None:
    # The transport remembers how urllib3 files each host's pool; a manager put in place of
    # the client's own, or its settings changed, must not be served by what it remembered.
    configuration = Configuration(host=https_server.url, retries=0)
    configuration.verify_ssl = False
    with openapi_client.ApiClient(configuration) as api_client:
        tasks = BackgroundTasksApi(api_client)
        assert tasks.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID  # unverified, as configured
        rest = api_client.rest_client
        if how == "a new PoolManager":
            rest.pool_manager = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
        else:
            rest.pool_manager.connection_pool_kw["cert_reqs"] = ssl.CERT_REQUIRED
            rest.pool_manager.clear()
        with pytest.raises(openapi_client.ApiConnectionError, match="TLS handshake") as caught:
            tasks.get(SAMPLE_TASK_ID)
    assert isinstance(caught.value.__cause__, urllib3.exceptions.SSLError)
