"""The package as installed: its public names, every public module's ``__all__``, the settings and
methods code written against a generated client uses, and the distribution's metadata."""

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

import openapi_client
from openapi_client import ApiClient, Configuration

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(openapi_client.__file__).parent
DISTRIBUTION = "openapi-client-svix-tasks"

#: The names the contract promises at the top level, and the module each lives in.
CONTRACT = {
    "openapi_client.models": [
        "ApplicationStats",
        "BackgroundTaskData",
        "BackgroundTaskOut",
        "BackgroundTaskStatus",
        "BackgroundTaskType",
        "HTTPValidationError",
        "HttpErrorOut",
        "ListResponseBackgroundTaskOut",
        "Ordering",
        "ValidationError",
    ],
    "openapi_client.exceptions": [
        "OpenApiException",
        "ApiTypeError",
        "ApiValueError",
        "ApiKeyError",
        "ApiAttributeError",
        "ApiConnectionError",
        "ApiTimeoutError",
        "ResponseTooLargeError",
        "ApiException",
        "ApiDecodeError",
        "BadRequestException",
        "UnauthorizedException",
        "ForbiddenException",
        "NotFoundException",
        "ConflictException",
        "UnprocessableEntityException",
        "TooManyRequestsException",
        "ServiceException",
        "PaginationError",
        "TaskFailedError",
        "TaskWaitTimeoutError",
    ],
    "openapi_client.configuration": ["Configuration"],
    "openapi_client.api_client": ["ApiClient"],
    "openapi_client.api_response": ["ApiResponse"],
    "openapi_client.api": ["BackgroundTasksApi"],
    "openapi_client.retry": ["RetryPolicy"],
}
#: The settings a generated client's Configuration has, which user code sets.
GENERATED_SETTINGS = [
    "host",
    "access_token",
    "api_key",
    "api_key_prefix",
    "username",
    "password",
    "verify_ssl",
    "ssl_ca_cert",
    "cert_file",
    "key_file",
    "assert_hostname",
    "tls_server_name",
    "proxy",
    "proxy_headers",
    "no_proxy",
    "connection_pool_maxsize",
    "retries",
    "socket_options",
    "logger",
    "debug",
    "client_side_validation",
]
#: The methods a generated client's ApiClient has, which user code calls.
GENERATED_CLIENT_METHODS = [
    "set_default_header",
    "param_serialize",
    "call_api",
    "response_deserialize",
    "sanitize_for_serialization",
    "deserialize",
    "close",
    "get_default",
    "set_default",
]


def public_modules() -> List[str]:
    names = ["openapi_client", "pytest_openapi_client"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="openapi_client."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):  # also skips __main__
            names.append(info.name)
    return names


@pytest.mark.parametrize(
    ("module", "name"), [(module, name) for module, names in CONTRACT.items() for name in names]
)
def test_each_contract_name_is_exported_at_the_top_level_from_its_module(module: str, name: str) -> None:
    assert name in openapi_client.__all__
    assert getattr(openapi_client, name) is getattr(importlib.import_module(module), name)
    assert name in importlib.import_module(module).__all__


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_module_exports_exactly_what_it_defines_in_public(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    assert [name for name in exported if not hasattr(module, name)] == []
    defined = [
        name
        for name, value in vars(module).items()
        if (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module_name
        and not name.startswith(("_", "pytest_"))  # pytest_* are hooks pytest finds by name
    ]
    assert [name for name in defined if name not in exported] == []


def test_generated_code_finds_api_exception_in_the_rest_module() -> None:
    rest = importlib.import_module("openapi_client.rest")
    assert rest.ApiException is openapi_client.ApiException


def test_configuration_has_every_setting_of_a_generated_client() -> None:
    configuration = Configuration()
    assert [name for name in GENERATED_SETTINGS if not hasattr(configuration, name)] == []


def test_api_client_takes_and_offers_what_a_generated_client_does() -> None:
    assert list(inspect.signature(ApiClient).parameters) == [
        "configuration",
        "header_name",
        "header_value",
        "cookie",
    ]
    assert [name for name in GENERATED_CLIENT_METHODS if not callable(getattr(ApiClient, name, None))] == []
    with ApiClient(Configuration()) as api_client:
        assert api_client.default_headers["User-Agent"] == api_client.user_agent


# -- the distribution -------------------------------------------------------------------------------


def test_the_distribution_is_named_and_versioned_as_the_package() -> None:
    assert importlib.metadata.version(DISTRIBUTION) == openapi_client.__version__
    assert importlib.metadata.metadata(DISTRIBUTION)["Requires-Python"] == ">=3.9"


def test_the_runtime_dependencies_are_only_the_four_allowed() -> None:
    runtime = {
        re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        for requirement in importlib.metadata.requires(DISTRIBUTION) or []
        if "extra ==" not in requirement
    }
    assert runtime == {"urllib3", "pydantic", "python-dateutil", "typing-extensions"}


def test_py_typed_is_packed_by_the_build(tmp_path: Path) -> None:
    # build_py lays out what a wheel contains; run alone it needs no network and no wheel package.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "pytest_openapi_client.py"):
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
    assert (source / "out" / "pytest_openapi_client.py").is_file()
    assert not (source / "out" / "test").exists()
