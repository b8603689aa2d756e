"""Argument checks shared by the API, the CLI and MockServer.

Each check refuses a bad value before anything is sent, with :class:`ApiTypeError` (wrong type)
or :class:`ApiValueError` (wrong value) naming the argument.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Dict, Mapping, Optional, Tuple, Type, TypeVar

from openapi_client.exceptions import ApiTypeError, ApiValueError

E = TypeVar("E")

#: An RFC 9110 token: what an HTTP header name may be made of.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: What a header value cannot carry: control characters (CR and LF would split the request),
#: and anything beyond Latin-1.
_UNSENDABLE_IN_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")


def check_str(name: str, value: Any, *, optional: bool = False) -> None:
    """Refuse anything but a ``str`` (or ``None`` when ``optional``)."""
    if isinstance(value, str) or (value is None and optional):
        return
    wanted = "a str or None" if optional else "a str"
    raise ApiTypeError(f"{name} must be {wanted}, not {type(value).__name__}", [name])


def check_int(name: str, value: Any, low: Optional[int] = None, high: Optional[int] = None, *,
              optional: bool = False) -> None:
    """Refuse anything but an ``int`` (not a ``bool``) from ``low`` to ``high`` (either may be open)."""
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiTypeError(f"{name} must be a whole number, not {type(value).__name__}", [name])
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ApiValueError(f"{name} must be {bounds}, not {value}", [name])


def check_seconds(name: str, value: Any, *, zero_ok: bool = False, optional: bool = False) -> None:
    """Refuse anything but a finite number of seconds above 0 (or at least 0 with ``zero_ok``;
    or ``None`` with ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ApiTypeError(f"{name} must be a number of seconds, not {type(value).__name__}", [name])
    if not 0 <= value <= threading.TIMEOUT_MAX or (value == 0 and not zero_ok):  # NaN fails it too
        least = "0 or more" if zero_ok else "above 0"
        raise ApiValueError(f"{name} must be a finite number of seconds {least}, not {value!r}", [name])


def check_timeout(spec: Any) -> Tuple[Optional[float], Optional[float], Optional[float]]:
    """A timeout setting as ``(connect, read, whole attempt)`` seconds: ``5`` bounds each of the
    three; ``(3, 30)`` is 3 s to connect and 30 s for each read; ``None``, no timeouts."""
    if spec is None:
        return None, None, None
    if isinstance(spec, tuple) and len(spec) == 2:
        for part in spec:
            if part is not None:
                check_seconds("timeout", part)
        return spec[0], spec[1], None
    if not isinstance(spec, (int, float)) or isinstance(spec, bool):
        raise ApiTypeError(f"timeout must be seconds or a (connect, read) pair, not {type(spec).__name__}")
    check_seconds("timeout", spec)
    return float(spec), float(spec), float(spec)


def check_enum(name: str, value: Any, enum_type: Type[E], *, closed: bool) -> Optional[E]:
    """``value`` (a member of ``enum_type`` or its string) as a member; ``None`` stays ``None``.

    The API's enums keep values they do not know (a newer server's); ``closed`` refuses those.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        wanted = f"a {enum_type.__name__} or str"
        raise ApiTypeError(f"{name} must be {wanted}, not {type(value).__name__}", [name])
    member = enum_type(value)  # type: ignore[call-arg]
    if closed and not getattr(member, "is_known", True):
        allowed = ", ".join(repr(getattr(item, "value", item)) for item in enum_type)  # type: ignore[attr-defined]
        raise ApiValueError(f"{name} must be one of {allowed}, not {value!r}", [name])
    return member


def check_header(name: Any, value: Any) -> None:
    """Refuse a header that http.client would refuse or that would split the request."""
    if not isinstance(name, str) or not isinstance(value, str):
        raise ApiTypeError(f"header {name!r} must be a str name with a str value, not {type(value).__name__}")
    if not _HEADER_NAME.fullmatch(name):
        raise ApiValueError(f"header name {name!r} is not a valid HTTP header name; nothing was sent")
    if _UNSENDABLE_IN_VALUE.search(value):
        raise ApiValueError(
            f"header {name!r} holds a line break, a control character or one beyond Latin-1, which "
            "an HTTP header cannot carry; nothing was sent"
        )


def check_headers(headers: Mapping[Any, Any]) -> None:
    """:func:`check_header` on every header."""
    for name, value in headers.items():
        check_header(name, value)


def check_str_map(name: str, value: Any) -> Dict[str, str]:
    """A copy of ``value``, a mapping of ``str`` to ``str`` (``None`` gives an empty dict)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ApiTypeError(f"{name} must be a mapping of str to str, not {type(value).__name__}", [name])
    return dict(value)
