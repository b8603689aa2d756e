"""Settings for an :class:`~openapi_client.ApiClient`: where, who, how securely and how patiently."""

from __future__ import annotations

import base64
import copy
import logging
import platform
import re
import sys
import threading
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from openapi_client._checks import check_str_map
from openapi_client._redact import REDACTED, redact_url
from openapi_client._version import __version__
from openapi_client.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    from urllib3.util.retry import Retry

__all__ = [
    "Configuration", "DEFAULT_DEADLINE", "DEFAULT_HOST", "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT", "MAX_RETRY_WAIT", "REGION_HOSTS", "SERVICE_HOST", "TimeoutSpec", "host_for_token"
]

#: Where requests go with neither a host nor a token (the API document's server).
DEFAULT_HOST = "http://localhost"
#: The service, for a token without a region suffix.
SERVICE_HOST = "https://api.svix.com"
#: The service's regions, by the suffix of a token (``....eu``), as the service's own SDKs pick them.
REGION_HOSTS = {region: f"https://api.{region}.svix.com" for region in ("us", "eu", "in", "ca", "au")}
#: Seconds to connect, and to wait for each read, when nothing else is set.
DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 30.0)
#: Seconds one call may take in all: every attempt, every wait between them, reading the answer.
DEFAULT_DEADLINE = 60.0
#: Retries after the first attempt (redirects followed count too), for the idempotent GETs this API has.
DEFAULT_RETRIES = 2
#: A server-requested wait (``Retry-After``) longer than this many seconds is not slept.
MAX_RETRY_WAIT = 60.0
#: The largest answer read, in decoded bytes: far above a full page of 250 tasks (~100 KiB).
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

TimeoutSpec = Union[None, float, int, Tuple[Optional[float], Optional[float]]]

_DEBUG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SECRET_FIELDS = ("access_token", "api_key", "password")
#: What a host name cannot hold (urlsplit lets these through; urllib3 would refuse them later).
_BAD_IN_HOST = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")


def host_for_token(token: Optional[str]) -> str:
    """The service's URL for ``token``: its region's (suffix ``.eu``, ...), else :data:`SERVICE_HOST`;
    :data:`DEFAULT_HOST` without a token."""
    if token is None:
        return DEFAULT_HOST
    return REGION_HOSTS.get(token.rsplit(".", 1)[-1], SERVICE_HOST)


class Configuration:
    """Everything an :class:`~openapi_client.ApiClient` needs to know.

    :param host: Base URL of the API. Without it, the service's URL for ``access_token``'s
        region (``https://api.svix.com``, or ``https://api.eu.svix.com`` for a token ending in
        ``.eu``, ...), or ``http://localhost`` without a token.
    :param access_token: Sent as ``Authorization: Bearer <token>``.
    :param api_key: ``{"X-Api-Key": "key"}``-style dict of header name to key.
    :param api_key_prefix: Optional prefix per key (for example ``"Bearer"``).
    :param username: For HTTP basic auth, with ``password``.
    :param retries: Retries after the first attempt (0 disables), or a urllib3 ``Retry``.
    :param timeout: Seconds for each attempt, or a ``(connect, read)`` pair.
    :param deadline: Seconds one call may take in all (``None``: no bound).
    :param max_retry_wait: Longest server-requested wait (``Retry-After``) slept before a retry.
    :param max_response_bytes: The largest answer read, in decoded bytes.
    :param debug: Log each request and response on the ``openapi_client`` logger.

    Every attribute shows the setting in force. Secrets (``access_token``, ``api_key``,
    ``password``) never appear in ``repr``/``str``, the debug report or a log line.
    """

    _default: ClassVar[Optional[Configuration]] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, host: Optional[str] = None, api_key: Optional[Dict[str, str]] = None,
                 api_key_prefix: Optional[Dict[str, str]] = None, username: Optional[str] = None,
                 password: Optional[str] = None, access_token: Optional[str] = None,
                 server_index: Optional[int] = None, server_variables: Optional[Dict[str, str]] = None,
                 server_operation_index: Optional[Dict[str, int]] = None,
                 server_operation_variables: Optional[Dict[str, Dict[str, str]]] = None,
                 ignore_operation_servers: bool = False, ssl_ca_cert: Optional[str] = None,
                 retries: Union[int, Retry, None] = None, ca_cert_data: Optional[Union[str, bytes]] = None, *,
                 debug: Optional[bool] = None, timeout: TimeoutSpec = DEFAULT_TIMEOUT,
                 deadline: Optional[float] = DEFAULT_DEADLINE, max_retry_wait: float = MAX_RETRY_WAIT,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        self.host = host  # None: derived from the token
        # Accepted for code written against generated clients; this API has one server.
        self.server_index = server_index
        self.server_operation_index = server_operation_index or {}
        self.server_variables = server_variables or {}
        self.server_operation_variables = server_operation_variables or {}
        self.ignore_operation_servers = ignore_operation_servers
        self.api_key: Dict[str, str] = check_str_map("api_key", api_key)
        self.api_key_prefix: Dict[str, str] = check_str_map("api_key_prefix", api_key_prefix)
        self.username = username
        self.password = password
        self.access_token = access_token
        self.logger = logging.getLogger("openapi_client")
        self._debug = False
        self._debug_handler: Optional[logging.Handler] = None
        self._level_before_debug = logging.NOTSET
        self.verify_ssl = True
        self.ssl_ca_cert = ssl_ca_cert
        self.ca_cert_data = ca_cert_data
        self.cert_file: Optional[str] = None
        self.key_file: Optional[str] = None
        self.assert_hostname: Union[bool, str, None] = None
        self.tls_server_name: Optional[str] = None
        self.connection_pool_maxsize = 10
        self.proxy: Optional[str] = None
        self.proxy_headers: Optional[Dict[str, str]] = None
        self.no_proxy: Optional[str] = None
        self.retries: Union[int, Retry] = DEFAULT_RETRIES if retries is None else retries
        self.timeout = timeout
        self.deadline = deadline
        self.max_retry_wait = max_retry_wait
        self.max_response_bytes = max_response_bytes
        self.socket_options: Optional[List[Tuple[int, int, Union[int, bytes]]]] = None
        self.client_side_validation = True
        if debug is not None:
            self.debug = debug

    @property
    def host(self) -> str:
        """The base URL every request path is appended to (see the class docstring)."""
        return self._host if self._host is not None else host_for_token(self.access_token)

    @host.setter
    def host(self, value: Optional[str]) -> None:
        self._host = None if value is None else _checked_base_url(value)

    def get_host_settings(self) -> List[Dict[str, Any]]:
        """The servers the API document names (one: ``http://localhost``)."""
        return [{"url": DEFAULT_HOST, "description": "No description provided"}]

    def get_host_from_settings(self, index: Optional[int], variables: Optional[Dict[str, str]] = None,
                               servers: Optional[Sequence[Dict[str, Any]]] = None) -> str:
        """The URL of server ``index`` (``None``: :attr:`host`)."""
        if index is None:
            return self.host
        if not isinstance(index, int) or isinstance(index, bool):
            raise ApiTypeError(f"the server index must be an int, not {type(index).__name__}")
        servers = list(servers) if servers is not None else self.get_host_settings()
        if not 0 <= index < len(servers):
            raise ApiValueError(f"server index {index} is out of range; {len(servers)} server(s) are defined")
        return str(servers[index]["url"])

    def get_api_key_with_prefix(self, identifier: str, alias: Optional[str] = None) -> Optional[str]:
        """The key for ``identifier`` (or ``alias``) with its prefix, or ``None``."""
        key = self.api_key.get(identifier)
        if key is None and alias is not None:
            key = self.api_key.get(alias)
        if key is None:
            return None
        prefix = self.api_key_prefix.get(identifier)
        return f"{prefix} {key}" if prefix else key

    def get_basic_auth_token(self) -> Optional[str]:
        """The ``Authorization`` value for basic auth, or ``None`` without a username or password."""
        if self.username is None and self.password is None:
            return None
        raw = f"{self.username or ''}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def auth_settings(self) -> Dict[str, Dict[str, str]]:
        """The auth headers this configuration sends, by scheme name."""
        settings: Dict[str, Dict[str, str]] = {}
        basic = self.get_basic_auth_token()
        if self.access_token is not None:
            settings["HTTPBearer"] = _header_auth("bearer", "Authorization", f"Bearer {self.access_token}")
        elif basic is not None:
            settings["HTTPBasic"] = _header_auth("basic", "Authorization", basic)
        for name in self.api_key:
            value = self.get_api_key_with_prefix(name)
            if value is not None:
                settings[f"ApiKey:{name}"] = _header_auth("api_key", name, value)
        return settings

    @property
    def debug(self) -> bool:
        """Log every request and response at DEBUG: turning it on sets the ``openapi_client``
        logger to DEBUG (with a handler to stderr if no logging is configured at all), turning it
        off puts back the level there was. ``http.client``'s process-wide debug output is untouched."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        if bool(value) == self._debug:
            return
        self._debug = bool(value)
        if self._debug:
            self._level_before_debug = self.logger.level
            self.logger.setLevel(logging.DEBUG)
            if not self.logger.handlers and not logging.getLogger().handlers:
                self._debug_handler = logging.StreamHandler(sys.stderr)
                self._debug_handler.setFormatter(logging.Formatter(_DEBUG_FORMAT))
                self.logger.addHandler(self._debug_handler)
            return
        self.logger.setLevel(self._level_before_debug)
        if self._debug_handler is not None:
            self.logger.removeHandler(self._debug_handler)
            self._debug_handler = None

    @classmethod
    def set_default(cls, default: Optional[Configuration]) -> None:
        """Make ``default`` (a copy of it) what ``Configuration.get_default()`` returns."""
        with cls._default_lock:
            cls._default = copy.copy(default) if default is not None else None

    @classmethod
    def get_default_copy(cls) -> Configuration:
        """A copy of the default configuration."""
        return copy.copy(cls.get_default())

    @classmethod
    def get_default(cls) -> Configuration:
        """The default configuration: the one given to :meth:`set_default`, else a new one."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = Configuration()
            return cls._default

    def to_debug_report(self) -> str:
        """Versions of everything involved, for a bug report. Holds no setting and no secret."""
        from importlib.metadata import version

        return (f"Python SDK Debug Report:\nOS: {platform.system()} {platform.release()}\n"
                f"Python Version: {sys.version.split()[0]}\nVersion of the API: 1.4\n"
                f"SDK Package Version: {__version__}\nurllib3 Version: {version('urllib3')}\n"
                f"pydantic Version: {version('pydantic')}")

    def __repr__(self) -> str:
        shown: Dict[str, Any] = {"host": redact_url(self.host), "timeout": self.timeout,
                                 "deadline": self.deadline, "retries": self.retries,
                                 "max_retry_wait": self.max_retry_wait,
                                 "max_response_bytes": self.max_response_bytes, "verify_ssl": self.verify_ssl}
        if self.proxy:
            shown["proxy"] = redact_url(self.proxy)
        shown.update((name, REDACTED) for name in _SECRET_FIELDS if getattr(self, name))
        if self.username is not None:
            shown["username"] = self.username
        return "Configuration(" + ", ".join(f"{key}={value!r}" for key, value in shown.items()) + ")"

    __str__ = __repr__

    def __deepcopy__(self, memo: Dict[int, Any]) -> Configuration:
        clone = copy.copy(self)
        for name, value in vars(self).items():
            if name not in ("logger", "_debug_handler"):
                setattr(clone, name, copy.deepcopy(value, memo))
        return clone


def _header_auth(kind: str, header: str, value: str) -> Dict[str, str]:
    return {"type": kind, "in": "header", "key": header, "value": value}


def _checked_base_url(value: Any) -> str:
    """``value`` as a base URL without a trailing slash; ApiTypeError/ApiValueError if it cannot be one."""
    if not isinstance(value, str):
        raise ApiTypeError(f"host must be a URL string, not {type(value).__name__}")
    shown = redact_url(value)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- parsing the port is the check (out of range raises)
    except ValueError as exc:
        raise ApiValueError(f"host {shown!r} is not a valid URL: {exc}") from exc
    if parts.username is not None or parts.password is not None:
        raise ApiValueError(f"host {shown!r} must not carry credentials (user:password@): give them to "
                            "Configuration as username= and password=, or access_token=")
    if parts.scheme not in ("http", "https") or not parts.hostname or _BAD_IN_HOST.search(value):
        raise ApiValueError(f"host {shown!r} must be an http:// or https:// URL with a valid host name")
    if parts.query or parts.fragment:
        raise ApiValueError(f"host {shown!r} must not have a query or fragment")
    return value.rstrip("/")
