"""The public surface issue 2 names as the contract: names, ``__all__``, signatures, packaging."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import urllib3

import openapi_client
from openapi_client import ApiClient, ApiResponse, BackgroundTasksApi, Configuration
from openapi_client.rest import RESTResponse

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(openapi_client.__file__).parent

MODELS = [
    "BackgroundTaskOut",
    "BackgroundTaskData",
    "ApplicationStats",
    "BackgroundTaskStatus",
    "BackgroundTaskType",
    "ListResponseBackgroundTaskOut",
    "Ordering",
    "HttpErrorOut",
    "HTTPValidationError",
    "ValidationError",
]
EXCEPTIONS = [
    "OpenApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiException",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "ConflictException",
    "UnprocessableEntityException",
    "TooManyRequestsException",
    "ServiceException",
    "ApiConnectionError",
    "ApiTimeoutError",
]
SETTINGS = [
    "host", "access_token", "api_key", "api_key_prefix", "username", "password", "verify_ssl",
    "ssl_ca_cert", "cert_file", "key_file", "assert_hostname", "tls_server_name", "proxy",
    "proxy_headers", "no_proxy", "connection_pool_maxsize", "retries", "socket_options", "logger",
    "debug", "client_side_validation",
]
CORE = ["Configuration", "ApiClient", "ApiResponse", "BackgroundTasksApi"]
GET = "get_background_task_api_v1_background_task_task_id_get"
LIST = "list_background_tasks_api_v1_background_task_get"


def _public_modules() -> List[str]:
    names = ["openapi_client"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="openapi_client."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts[1:]):
            continue  # private modules, and __main__ (importing it would run the CLI)
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", CORE + MODELS + EXCEPTIONS)
def test_issue_names_are_exported_at_the_top_level(name: str) -> None:
    assert name in openapi_client.__all__
    assert getattr(openapi_client, name).__name__ == name


@pytest.mark.parametrize("name", MODELS)
def test_models_live_in_openapi_client_models(name: str) -> None:
    models = importlib.import_module("openapi_client.models")
    assert name in models.__all__
    assert getattr(models, name) is getattr(openapi_client, name)


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_exceptions_live_in_openapi_client_exceptions(name: str) -> None:
    exceptions = importlib.import_module("openapi_client.exceptions")
    assert name in exceptions.__all__
    assert getattr(exceptions, name) is getattr(openapi_client, name)


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_public_module_has_an_all_that_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []


def test_star_import_gives_exactly_the_public_names() -> None:
    namespace: dict = {}
    exec("from openapi_client import *", namespace)
    assert set(openapi_client.__all__) <= set(namespace)


def test_rest_module_exposes_the_transport() -> None:
    rest = importlib.import_module("openapi_client.rest")
    assert rest.ApiException is openapi_client.ApiException  # the seed examples import it from here
    response = RESTResponse(urllib3.HTTPResponse(body=b"{}", status=200, reason="OK", headers={"A": "b"}))
    assert (response.status, response.reason, response.data) == (200, "OK", None)
    assert response.read() == b"{}" and response.data == b"{}"
    assert response.headers["a"] == "b" and response.getheaders()["A"] == "b"
    assert response.getheader("a") == "b" and response.getheader("x", "d") == "d"
    assert {"request", "clear"} <= set(dir(rest.RESTClientObject))


def test_configuration_has_every_setting_the_issue_names() -> None:
    configuration = Configuration()
    for name in SETTINGS:
        assert hasattr(configuration, name), name
    for name in ("get_default", "set_default", "to_debug_report"):
        assert callable(getattr(Configuration, name))


def test_api_client_signature_and_methods() -> None:
    parameters = list(inspect.signature(ApiClient).parameters)
    assert parameters == ["configuration", "header_name", "header_value", "cookie"]
    api_client = ApiClient(Configuration())
    for name in (
        "default_headers",
        "user_agent",
        "set_default_header",
        "param_serialize",
        "call_api",
        "response_deserialize",
        "sanitize_for_serialization",
        "deserialize",
        "close",
        "__enter__",
        "__exit__",
    ):
        assert hasattr(api_client, name), name


def test_api_response_fields() -> None:
    response = ApiResponse(status_code=200, headers={"a": "b"}, data=1, raw_data=b"1")
    assert (response.status_code, response.headers, response.data, response.raw_data) == (
        200,
        {"a": "b"},
        1,
        b"1",
    )


def test_operations_have_the_generated_signatures() -> None:
    get = inspect.signature(getattr(BackgroundTasksApi, GET))
    assert list(get.parameters)[:3] == ["self", "task_id", "idempotency_key"]
    assert get.parameters["idempotency_key"].default is None
    listing = inspect.signature(getattr(BackgroundTasksApi, LIST))
    assert list(listing.parameters)[:5] == ["self", "iterator", "limit", "order", "idempotency_key"]
    assert all(listing.parameters[name].default is None for name in ("iterator", "limit", "order"))
    assert "_request_timeout" in (getattr(BackgroundTasksApi, GET).__doc__ or "")


@pytest.mark.parametrize("operation", [GET, LIST])
def test_the_three_variants_are_views_of_one_implementation(operation: str) -> None:
    plain = getattr(BackgroundTasksApi, operation)
    with_info = getattr(BackgroundTasksApi, operation + "_with_http_info")
    raw = getattr(BackgroundTasksApi, operation + "_without_preload_content")
    assert plain.__wrapped__ is with_info.__wrapped__ is raw.__wrapped__
    assert plain.__name__ == operation
    assert inspect.signature(raw).return_annotation == "RESTResponse"
    assert str(inspect.signature(with_info).return_annotation).startswith("ApiResponse[")


def test_api_module_stays_short() -> None:
    # A generated client spends ~650 lines on these two GETs; the variants here are one line each.
    source = (PACKAGE / "api" / "background_tasks_api.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 200
    for operation in (GET, LIST):
        for suffix in ("", "_with_http_info", "_without_preload_content"):
            assert re.search(rf"^    {operation}{suffix} = returns_\w+\(_\w+\)$", source, re.MULTILINE)


def test_runtime_dependencies_are_only_the_four_allowed() -> None:
    requirements = importlib.metadata.requires("openapi_client") or []
    runtime = {
        re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        for requirement in requirements
        if "extra ==" not in requirement
    }
    assert runtime == {"urllib3", "pydantic", "python-dateutil", "typing-extensions"}
    assert importlib.metadata.metadata("openapi_client")["Requires-Python"] == ">=3.9"


def test_py_typed_is_in_the_package() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_py_typed_is_packed_by_the_build(tmp_path: Path) -> None:
    # ``build_py`` is the step that lays out what a wheel contains; running it alone needs no
    # network and no ``wheel`` package.
    # The test extra asks for setuptools >= 61, the first that reads [project] in pyproject.toml.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.cfg"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "openapi_client", ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "-d", "out"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    packed = source / "out" / "openapi_client"
    assert (packed / "py.typed").is_file()
    assert (packed / "models" / "background_task_out.py").is_file()
    assert not (source / "out" / "test").exists()
