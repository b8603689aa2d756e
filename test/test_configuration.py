"""Configuration and ApiClient settings, without sockets: defaults, auth, secrets kept out of
every text, the process-wide default, and refused header values."""

from __future__ import annotations

import copy
import http.client
import logging
from typing import Iterator

import pytest

import openapi_client
from openapi_client import ApiClient, Configuration

SECRETS = {"access_token": "tok-ABC123", "password": "pw-hunter2", "api_key": "key-XYZ789"}


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    logger = logging.getLogger("openapi_client")
    level = logger.level
    yield
    Configuration.set_default(None)
    ApiClient.set_default(None)
    logger.setLevel(level)


def _secret_configuration() -> Configuration:
    configuration = Configuration(
        host="https://api.example.test/",
        access_token=SECRETS["access_token"],
        username="alice",
        password=SECRETS["password"],
        api_key={"X-Api-Key": SECRETS["api_key"]},
        api_key_prefix={"X-Api-Key": "Key"},
    )
    configuration.proxy = "http://proxyuser:proxy-pw-42@proxy.example.test:3128"
    return configuration


def test_defaults_match_the_generated_client() -> None:
    configuration = Configuration()
    assert configuration.host == "http://localhost"
    assert configuration.verify_ssl is True
    assert configuration.ssl_ca_cert is None
    assert configuration.proxy is None and configuration.no_proxy is None
    assert configuration.client_side_validation is True
    assert configuration.debug is False
    assert configuration.logger is logging.getLogger("openapi_client")
    assert configuration.connection_pool_maxsize > 0


def test_host_drops_a_trailing_slash() -> None:
    assert Configuration(host="https://api.example.test/").host == "https://api.example.test"
    configuration = Configuration()
    configuration.host = "http://127.0.0.1:8000/"
    assert configuration.host == "http://127.0.0.1:8000"


def test_access_token_is_sent_as_bearer() -> None:
    settings = Configuration(access_token="t0k").auth_settings()
    assert settings["HTTPBearer"]["key"] == "Authorization"
    assert settings["HTTPBearer"]["value"] == "Bearer t0k"


def test_api_key_with_prefix_and_basic_auth() -> None:
    configuration = Configuration(
        api_key={"X-Api-Key": "k"}, api_key_prefix={"X-Api-Key": "Key"}, username="u", password="p"
    )
    assert configuration.get_api_key_with_prefix("X-Api-Key") == "Key k"
    assert configuration.get_basic_auth_token() == "Basic dTpw"
    settings = configuration.auth_settings()
    assert settings["HTTPBasic"]["value"] == "Basic dTpw"
    assert settings["ApiKey:X-Api-Key"] == {
        "type": "api_key",
        "in": "header",
        "key": "X-Api-Key",
        "value": "Key k",
    }


@pytest.mark.parametrize("render", [repr, str, lambda c: c.to_debug_report()], ids=["repr", "str", "report"])
def test_secrets_never_appear_in_repr_str_or_debug_report(render: object) -> None:
    configuration = _secret_configuration()
    text = render(configuration)  # type: ignore[operator]
    for secret in [*SECRETS.values(), "proxy-pw-42"]:
        assert secret not in text


def test_repr_still_says_what_is_configured() -> None:
    text = repr(_secret_configuration())
    assert "https://api.example.test" in text
    assert "access_token='***'" in text
    assert "proxy.example.test:3128" in text


def test_debug_report_names_the_versions_involved() -> None:
    report = Configuration().to_debug_report()
    assert openapi_client.__version__ in report
    assert "urllib3" in report and "pydantic" in report and "Python" in report


def test_set_default_then_get_default_returns_a_copy_of_it() -> None:
    mine = Configuration(host="http://127.0.0.1:9", access_token="t")
    Configuration.set_default(mine)
    default = Configuration.get_default()
    assert default.host == "http://127.0.0.1:9" and default.access_token == "t"
    assert default is not mine
    mine.host = "http://elsewhere"
    assert Configuration.get_default().host == "http://127.0.0.1:9"
    assert Configuration.get_default_copy() is not Configuration.get_default()


def test_get_default_without_set_default_is_a_plain_configuration() -> None:
    Configuration.set_default(None)
    assert Configuration.get_default().host == "http://localhost"
    assert Configuration.get_default() is Configuration.get_default()


def test_api_client_without_configuration_uses_the_default() -> None:
    Configuration.set_default(Configuration(host="http://127.0.0.1:9"))
    with ApiClient() as api_client:
        assert api_client.configuration.host == "http://127.0.0.1:9"
    assert openapi_client.BackgroundTasksApi().api_client is ApiClient.get_default()


def test_deepcopy_copies_settings_and_keeps_the_shared_logger() -> None:
    configuration = _secret_configuration()
    clone = copy.deepcopy(configuration)
    assert clone.access_token == SECRETS["access_token"]
    assert clone.api_key == configuration.api_key and clone.api_key is not configuration.api_key
    assert clone.logger is configuration.logger


def test_debug_sets_the_package_logger_and_never_http_client_debugging() -> None:
    configuration = Configuration(debug=True)
    assert configuration.debug is True
    assert logging.getLogger("openapi_client").isEnabledFor(logging.DEBUG)
    assert http.client.HTTPConnection.debuglevel == 0
    configuration.debug = False
    assert not logging.getLogger("openapi_client").isEnabledFor(logging.DEBUG)
    assert http.client.HTTPConnection.debuglevel == 0


def test_unknown_server_index_raises_api_value_error() -> None:
    with pytest.raises(openapi_client.ApiValueError, match="server index 3"):
        Configuration().get_host_from_settings(3)
    assert Configuration().get_host_from_settings(0) == "http://localhost"


# -- ApiClient settings (no request is made) --------------------------------------------------


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_set_default_header_refuses_cr_lf_and_nul(value: str) -> None:
    with ApiClient(Configuration()) as api_client:
        with pytest.raises(openapi_client.ApiValueError, match="line break"):
            api_client.set_default_header("X-Trace", value)
        assert "X-Trace" not in api_client.default_headers
        with pytest.raises(openapi_client.ApiValueError):
            api_client.set_default_header("X-Bad\r\nName", "ok")


def test_header_given_to_the_constructor_is_checked_too() -> None:
    with pytest.raises(openapi_client.ApiValueError):
        ApiClient(Configuration(), header_name="X-Trace", header_value="a\r\nb")


def test_default_headers_and_user_agent() -> None:
    with ApiClient(Configuration(), header_name="X-Trace", header_value="t1") as api_client:
        assert api_client.default_headers["X-Trace"] == "t1"
        assert api_client.user_agent.startswith("openapi-client-python/")
        api_client.user_agent = "my-app/2"
        assert api_client.default_headers["User-Agent"] == "my-app/2"
        with pytest.raises(openapi_client.ApiValueError):
            api_client.user_agent = "my-app\r\n"


def test_api_client_refuses_something_that_is_not_a_configuration() -> None:
    with pytest.raises(openapi_client.ApiTypeError):
        ApiClient("http://localhost")  # type: ignore[arg-type]
    with pytest.raises(openapi_client.ApiTypeError):
        openapi_client.BackgroundTasksApi("not a client")  # type: ignore[arg-type]


def test_socks_proxy_is_refused_with_api_value_error() -> None:
    configuration = Configuration()
    configuration.proxy = "socks5://127.0.0.1:1080"
    with pytest.raises(openapi_client.ApiValueError, match="SOCKS"):
        ApiClient(configuration)


def test_param_serialize_builds_url_headers_and_auth() -> None:
    configuration = Configuration(host="http://api.example.test", access_token="t0k")
    with ApiClient(configuration, cookie="session=1") as api_client:
        method, url, headers, body, post = api_client.param_serialize(
            "GET",
            "/api/v1/background-task/{task_id}/",
            path_params={"task_id": "a/b"},
            query_params=[("limit", 5), ("iterator", None), ("order", openapi_client.Ordering.ASCENDING)],
            header_params={"idempotency-key": "k1"},
        )
    assert method == "GET"
    assert url == "http://api.example.test/api/v1/background-task/a%2Fb/?limit=5&order=ascending"
    assert headers["Authorization"] == "Bearer t0k"
    assert headers["Cookie"] == "session=1"
    assert headers["idempotency-key"] == "k1"
    assert headers["Accept"] == "application/json"
    assert (body, post) == (None, [])


def test_sanitize_and_deserialize_use_wire_names() -> None:
    with ApiClient(Configuration()) as api_client:
        stats = openapi_client.ApplicationStats(app_id="a", message_destinations=1)
        assert api_client.sanitize_for_serialization([stats, openapi_client.Ordering.ASCENDING]) == [
            {"appId": "a", "messageDestinations": 1},
            "ascending",
        ]
        decoded = api_client.deserialize(b'{"code": "c", "detail": "d"}', "HttpErrorOut")
        assert decoded == openapi_client.HttpErrorOut(code="c", detail="d")
        with pytest.raises(openapi_client.ApiValueError):
            api_client.deserialize("{not json", "HttpErrorOut")
