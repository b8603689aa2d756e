"""Configuration, without sockets but for one setting the transport must honour: the settings in
force, the host a token leads to, refused hosts, secrets kept out of every text, auth, the
process-wide default, and the debug switch."""

from __future__ import annotations

import copy
import http.client
import logging
from typing import Any, Callable, Iterator, Optional

import pytest

import openapi_client
from openapi_client import ApiClient, BackgroundTasksApi, Configuration, RetryPolicy
from openapi_client.configuration import (
    DEFAULT_HOST,
    DEFAULT_MAX_RESPONSE_BYTES,
    SERVICE_HOST,
    host_for_token,
)
from openapi_client.testing import MockServer

TOKEN, PASSWORD, API_KEY, PROXY_PASSWORD = "tok-ABC123", "pw-hunter2", "key-XYZ789", "proxy-pw-42"


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    logger = logging.getLogger("openapi_client")
    level = logger.level
    yield
    Configuration.set_default(None)
    ApiClient.set_default(None)
    logger.setLevel(level)


def configuration_with_secrets() -> Configuration:
    configuration = Configuration(
        host="https://api.example.test/",
        access_token=TOKEN,
        username="alice",
        password=PASSWORD,
        api_key={"X-Api-Key": API_KEY},
        api_key_prefix={"X-Api-Key": "Key"},
    )
    configuration.proxy = f"http://proxyuser:{PROXY_PASSWORD}@proxy.example.test:3128"
    return configuration


# -- the settings in force --------------------------------------------------------------------------


def test_every_default_is_visible_in_the_attributes() -> None:
    configuration = Configuration()
    assert configuration.host == "http://localhost"
    assert configuration.retries == 2
    assert configuration.timeout == (5.0, 30.0)
    assert configuration.deadline == 60.0
    assert configuration.max_retry_wait == 60.0
    assert configuration.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024
    assert configuration.verify_ssl is True and configuration.client_side_validation is True
    assert configuration.proxy is None and configuration.debug is False


def test_repr_shows_the_settings_in_force() -> None:
    assert repr(Configuration()) == (
        "Configuration(host='http://localhost', timeout=(5.0, 30.0), deadline=60.0, retries=2, "
        "max_retry_wait=60.0, max_response_bytes=67108864, verify_ssl=True)"
    )


def test_settings_given_are_the_settings_in_force() -> None:
    policy = RetryPolicy(4, backoff_base=0.01)
    configuration = Configuration(
        retries=policy, timeout=3, deadline=None, max_retry_wait=5, max_response_bytes=1024
    )
    assert configuration.retries is policy
    assert (configuration.timeout, configuration.deadline) == (3, None)
    assert (configuration.max_retry_wait, configuration.max_response_bytes) == (5, 1024)
    assert "deadline=None" in repr(configuration) and "max_response_bytes=1024" in repr(configuration)
    assert Configuration(retries=0).retries == 0


def test_max_retry_wait_is_honoured_with_the_default_retries(mock_server: MockServer) -> None:
    # A wait longer than max_retry_wait ends the call at once with the answer's exception.
    mock_server.fail_next(503, headers={"Retry-After": "2"})
    configuration = Configuration(host=mock_server.url, max_retry_wait=1)
    with ApiClient(configuration) as api_client, pytest.raises(openapi_client.ServiceException) as caught:
        BackgroundTasksApi(api_client).list()
    assert caught.value.retry_after == 2.0
    assert len(mock_server.requests) == 1


# -- the host ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "host"),
    [
        ("testsk_abc.us", "https://api.us.svix.com"),
        ("testsk_abc.eu", "https://api.eu.svix.com"),
        ("testsk_abc.in", "https://api.in.svix.com"),
        ("testsk_abc.ca", "https://api.ca.svix.com"),
        ("testsk_abc.au", "https://api.au.svix.com"),
        ("testsk_abc.de", SERVICE_HOST),
        ("testsk_abc", SERVICE_HOST),
        (None, DEFAULT_HOST),
    ],
)
def test_the_host_follows_the_tokens_region(token: Optional[str], host: str) -> None:
    assert Configuration(access_token=token).host == host
    assert host_for_token(token) == host


def test_an_explicit_host_wins_over_the_token() -> None:
    assert Configuration(host="http://127.0.0.1:9", access_token="testsk_abc.eu").host == "http://127.0.0.1:9"


def test_a_later_token_or_host_change_is_reflected() -> None:
    configuration = Configuration()
    configuration.access_token = "testsk_abc.eu"
    assert configuration.host == "https://api.eu.svix.com"
    configuration.host = "http://127.0.0.1:9"
    assert configuration.host == "http://127.0.0.1:9"
    configuration.host = None  # type: ignore[assignment]
    assert configuration.host == "https://api.eu.svix.com"


def test_the_host_loses_its_trailing_slash() -> None:
    assert Configuration(host="https://api.example.test/").host == "https://api.example.test"


@pytest.mark.parametrize(
    "host",
    [
        "https://user:hunter2@api.svix.com",
        "https://:hunter2@api.svix.com/",
        "http://user:hunter2@127.0.0.1:8000",
    ],
)
def test_a_host_with_credentials_is_refused_without_showing_the_password(host: str) -> None:
    refused = r"must not carry credentials .* access_token="
    with pytest.raises(openapi_client.ApiValueError, match=refused) as caught:
        Configuration(host=host)
    assert "hunter2" not in str(caught.value)
    configuration = Configuration(host="http://127.0.0.1:9")
    with pytest.raises(openapi_client.ApiValueError) as caught:
        configuration.host = host
    assert "hunter2" not in str(caught.value)
    assert configuration.host == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    "host",
    [
        "api.svix.com",
        "ftp://api.svix.com",
        "https://",
        "https://api svix.com",
        "https://api.svix.com\r\nX-Injected: 1",
        "https://api.svix.com?region=eu",
        "https://api.svix.com/#top",
        "http://127.0.0.1:99999",
        "https://[::1",
        "",
    ],
)
def test_a_host_that_is_no_base_url_is_refused(host: str) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="host"):
        Configuration(host=host)


def test_a_host_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match="host must be a URL string, not int"):
        Configuration(host=8000)  # type: ignore[arg-type]


def test_host_settings_name_the_one_server_of_the_api_document() -> None:
    configuration = Configuration(host="http://127.0.0.1:9")
    assert [server["url"] for server in configuration.get_host_settings()] == ["http://localhost"]
    assert configuration.get_host_from_settings(None) == "http://127.0.0.1:9"
    assert configuration.get_host_from_settings(0) == "http://localhost"
    servers = [{"url": "http://a.test"}, {"url": "http://b.test"}]
    assert configuration.get_host_from_settings(1, servers=servers) == "http://b.test"


@pytest.mark.parametrize(
    ("index", "error", "message"),
    [
        (3, openapi_client.ApiValueError, "server index 3 is out of range; 1 server"),
        (-1, openapi_client.ApiValueError, "server index -1 is out of range"),
        ("0", openapi_client.ApiTypeError, "must be an int, not str"),
        (True, openapi_client.ApiTypeError, "must be an int, not bool"),
    ],
)
def test_a_server_index_that_names_no_server_is_refused(index: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Configuration().get_host_from_settings(index)


# -- secrets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "render", [repr, str, Configuration.to_debug_report], ids=["repr", "str", "debug-report"]
)
def test_secrets_never_appear_in_repr_str_or_the_debug_report(render: Callable[[Configuration], str]) -> None:
    text = render(configuration_with_secrets())
    for secret in (TOKEN, PASSWORD, API_KEY, PROXY_PASSWORD):
        assert secret not in text


def test_repr_says_which_secrets_are_set_and_where_requests_go() -> None:
    text = repr(configuration_with_secrets())
    assert "host='https://api.example.test'" in text
    assert "access_token='***'" in text and "password='***'" in text and "api_key='***'" in text
    assert "username='alice'" in text
    assert "proxy='http://proxy.example.test:3128'" in text


def test_the_debug_report_names_the_versions_involved() -> None:
    report = Configuration().to_debug_report()
    assert f"SDK Package Version: {openapi_client.__version__}" in report
    assert "urllib3 Version: " in report and "pydantic Version: " in report and "Python Version: " in report


# -- auth -------------------------------------------------------------------------------------------


def test_an_access_token_is_sent_as_bearer() -> None:
    assert Configuration(access_token="t0k").auth_settings() == {
        "HTTPBearer": {"type": "bearer", "in": "header", "key": "Authorization", "value": "Bearer t0k"}
    }


def test_a_username_and_password_are_sent_as_basic_auth_unless_there_is_a_token() -> None:
    basic = Configuration(username="u", password="p")
    assert basic.get_basic_auth_token() == "Basic dTpw"
    assert basic.auth_settings() == {
        "HTTPBasic": {"type": "basic", "in": "header", "key": "Authorization", "value": "Basic dTpw"}
    }
    assert list(Configuration(username="u", password="p", access_token="t").auth_settings()) == ["HTTPBearer"]


@pytest.mark.parametrize(
    ("username", "password", "token"),
    [(None, None, None), ("u", None, "Basic dTo="), (None, "p", "Basic OnA=")],
)
def test_the_basic_auth_token_needs_a_username_or_a_password(
    username: Optional[str], password: Optional[str], token: Optional[str]
) -> None:
    assert Configuration(username=username, password=password).get_basic_auth_token() == token


def test_api_keys_are_sent_in_their_headers_with_their_prefix() -> None:
    configuration = Configuration(
        api_key={"X-Api-Key": "k", "X-Other": "o"}, api_key_prefix={"X-Api-Key": "Key"}
    )
    assert configuration.get_api_key_with_prefix("X-Api-Key") == "Key k"
    assert configuration.get_api_key_with_prefix("X-Other") == "o"
    assert configuration.get_api_key_with_prefix("X-Missing") is None
    assert configuration.get_api_key_with_prefix("X-Missing", alias="X-Other") == "o"
    settings = configuration.auth_settings()
    assert settings["ApiKey:X-Api-Key"] == {
        "type": "api_key",
        "in": "header",
        "key": "X-Api-Key",
        "value": "Key k",
    }
    assert settings["ApiKey:X-Other"]["value"] == "o"


def test_no_credentials_means_no_auth_settings() -> None:
    assert Configuration().auth_settings() == {}


def test_api_keys_that_are_not_strings_are_refused() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match="api_key must be a mapping of str to str"):
        Configuration(api_key={"X-Api-Key": 5})  # type: ignore[dict-item]


# -- the process-wide default -----------------------------------------------------------------------


def test_set_default_then_get_default_gives_a_copy_taken_at_that_time() -> None:
    mine = Configuration(host="http://127.0.0.1:9", access_token="t")
    Configuration.set_default(mine)
    default = Configuration.get_default()
    assert (default.host, default.access_token) == ("http://127.0.0.1:9", "t")
    mine.host = "http://elsewhere.test"
    assert Configuration.get_default().host == "http://127.0.0.1:9"
    assert Configuration.get_default() is default


def test_get_default_copy_is_a_copy() -> None:
    copied = Configuration.get_default_copy()
    copied.host = "http://elsewhere.test"
    assert Configuration.get_default().host == "http://localhost"


def test_without_set_default_the_default_is_a_plain_configuration() -> None:
    Configuration.set_default(None)
    assert Configuration.get_default().host == "http://localhost"
    assert Configuration.get_default() is Configuration.get_default()


def test_a_client_and_an_api_made_without_settings_use_the_defaults() -> None:
    Configuration.set_default(Configuration(host="http://127.0.0.1:9"))
    with ApiClient() as api_client:
        assert api_client.configuration.host == "http://127.0.0.1:9"
    assert BackgroundTasksApi().api_client is ApiClient.get_default()


def test_a_deep_copy_copies_the_settings_and_shares_the_logger() -> None:
    configuration = configuration_with_secrets()
    clone = copy.deepcopy(configuration)
    assert clone.access_token == TOKEN
    assert clone.api_key == configuration.api_key and clone.api_key is not configuration.api_key
    assert clone.logger is configuration.logger


# -- ApiClient's own settings -----------------------------------------------------------------------


def test_an_api_client_needs_a_configuration_and_an_api_a_client() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match="configuration must be a Configuration, not str"):
        ApiClient("http://localhost")  # type: ignore[arg-type]
    with pytest.raises(openapi_client.ApiTypeError, match="api_client must be an ApiClient, not str"):
        BackgroundTasksApi("not a client")  # type: ignore[arg-type]


def test_a_socks_proxy_is_refused() -> None:
    configuration = Configuration()
    configuration.proxy = "socks5://127.0.0.1:1080"
    with pytest.raises(openapi_client.ApiValueError, match="SOCKS proxies are not supported"):
        ApiClient(configuration)


# -- debug ------------------------------------------------------------------------------------------


def test_debug_turns_the_package_logger_to_debug_and_back_to_its_level() -> None:
    logger = logging.getLogger("openapi_client")
    logger.setLevel(logging.WARNING)
    configuration = Configuration(debug=True)
    assert configuration.debug is True and logger.level == logging.DEBUG
    configuration.debug = True  # turning it on twice must not forget the level before
    configuration.debug = False
    assert configuration.debug is False and logger.level == logging.WARNING


def test_debug_never_turns_on_http_client_debug_output() -> None:
    configuration = Configuration(debug=True)
    assert http.client.HTTPConnection.debuglevel == 0
    configuration.debug = False
    assert http.client.HTTPConnection.debuglevel == 0
