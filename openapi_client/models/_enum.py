"""The shared base of every enum: a ``str`` enum that keeps values it does not know.

Apart from the models so that the operations can check enum arguments without importing
pydantic's field machinery, which the first model class definition costs.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from openapi_client.exceptions import ApiTypeError, ApiValueError

__all__ = ["OpenEnum"]

_NO_VALUE: Any = object()


class _OpenEnumMeta(enum.EnumMeta):
    """Lets ``Ordering()`` mean the API's default, and refuses other bare calls cleanly."""

    def __call__(cls, value: Any = _NO_VALUE, *args: Any, **kwargs: Any) -> Any:
        if value is _NO_VALUE and not args and not kwargs:
            default = cls.__dict__.get("__api_default__")
            if default is None:
                example: Any = next(iter(cls.__members__.values())).value
                raise ApiTypeError(f"{cls.__name__}() needs a value, e.g. {cls.__name__}({example!r})")
            return cls[default]
        try:
            return super().__call__(value, *args, **kwargs)
        except ValueError as exc:
            if isinstance(exc, ApiValueError):
                raise
            # Only non-strings get here (unknown strings are kept); say so in our own type.
            raise ApiValueError(f"{cls.__name__} takes a str, not {type(value).__name__}: {value!r}") from exc


class OpenEnum(str, enum.Enum, metaclass=_OpenEnumMeta):
    """A string enum that keeps values it does not know.

    Known values are members; an unknown value (from a newer server) becomes a pseudo-member
    that equals its string, so decoding never fails on it and it round-trips unchanged.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return pseudo

    @property
    def is_known(self) -> bool:
        """Whether this value is one this version of the client was built with."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

    def to_json(self) -> str:
        """The value as a JSON string."""
        return json.dumps(self.value)

    @classmethod
    def from_json(cls, json_str: str) -> Any:
        """Decode a JSON string into a member (or a pseudo-member for an unknown value)."""
        try:
            return cls(json.loads(json_str))
        except (ValueError, TypeError) as exc:
            raise ApiValueError(f"invalid {cls.__name__}: {json_str!r}") from exc
