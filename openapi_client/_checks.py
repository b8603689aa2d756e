"""Checks of plain argument values shared by the layers (a leaf: it imports only exceptions)."""

from __future__ import annotations

import math
from typing import Any

from openapi_client.exceptions import ApiTypeError, ApiValueError

__all__ = ["check_seconds"]


def check_seconds(value: Any, name: str, *, zero_ok: bool = False) -> None:
    """Refuse anything but a finite number of seconds above 0 (or at least 0 with ``zero_ok``)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ApiTypeError(f"{name} must be a number of seconds, not {type(value).__name__}", [name])
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        least = "0 or more" if zero_ok else "above 0"
        raise ApiValueError(f"{name} must be a finite number of seconds {least}, not {value!r}", [name])
