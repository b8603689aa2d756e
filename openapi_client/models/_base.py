"""The shared bases: :class:`BaseApiModel` for every model, :class:`OpenEnum` for every enum.

Models are declarative: fields, aliases and ``model_config`` only; this base implements the
conversions once. Unknown fields sent by a newer server are kept (``extra="allow"``) and come
back out of :meth:`BaseApiModel.to_dict` and :meth:`BaseApiModel.to_json`; unknown enum values
are kept too (see :class:`OpenEnum`).
"""

from __future__ import annotations

import enum
import json
import pprint
from typing import Any, Dict, Optional, Type, TypeVar, Union, overload

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from openapi_client.exceptions import ApiTypeError, ApiValueError

ModelT = TypeVar("ModelT", bound="BaseApiModel")
_NO_VALUE: Any = object()


class BaseApiModel(BaseModel):
    """Snake_case attributes, camelCase on the wire; either name is accepted on input."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        # Cache field names only: pydantic's default also caches every short string value
        # (ids, timestamps) in a process-wide table, so walking many pages would hold ~1.5 MB
        # of stale values, and decoding is no faster for unique strings.
        cache_strings="keys",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ApiValueError(_explain(type(self), exc)) from exc

    # Without this mark pydantic treats the __init__ above as custom and routes every
    # validation through it: JSON bytes would be parsed to a dict, then validated again.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def to_str(self) -> str:
        """The model as a pretty-printed dict of wire names."""
        return pprint.pformat(self.to_dict())

    def to_json(self) -> str:
        """The model as a JSON string with wire names, unknown fields included."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    def to_dict(self) -> Dict[str, Any]:
        """The model as a dict with wire names, unknown fields included, ``None`` left out."""
        return self.model_dump(by_alias=True, exclude_none=True)

    @overload
    @classmethod
    def from_json(cls: Type[ModelT], json_str: Union[str, bytes, bytearray]) -> ModelT: ...

    @overload
    @classmethod
    def from_json(cls: Type[ModelT], json_str: None) -> None: ...

    @classmethod
    def from_json(cls: Type[ModelT], json_str: Union[str, bytes, bytearray, None]) -> Optional[ModelT]:
        """Decode JSON text or bytes; ``None`` gives ``None``; bad input raises ApiValueError."""
        if json_str is None:
            return None
        if not isinstance(json_str, (str, bytes, bytearray)):
            raise ApiTypeError(f"{cls.__name__}.from_json takes str or bytes, not {type(json_str).__name__}")
        try:
            return cls.model_validate_json(json_str)
        except ValidationError as exc:
            raise ApiValueError(_explain(cls, exc)) from exc

    @overload
    @classmethod
    def from_dict(cls: Type[ModelT], obj: Dict[str, Any]) -> ModelT: ...

    @overload
    @classmethod
    def from_dict(cls: Type[ModelT], obj: None) -> None: ...

    @classmethod
    def from_dict(cls: Type[ModelT], obj: Optional[Dict[str, Any]]) -> Optional[ModelT]:
        """Build from a dict with wire or attribute names; ``None`` gives ``None``."""
        if obj is None or isinstance(obj, cls):
            return obj
        if not isinstance(obj, dict):
            raise ApiTypeError(f"{cls.__name__}.from_dict takes a dict, not {type(obj).__name__}")
        try:
            return cls.model_validate(obj)
        except ValidationError as exc:
            raise ApiValueError(_explain(cls, exc)) from exc


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


def describe_validation_error(exc: ValidationError, *, most: int = 5) -> str:
    """Where and what, for the first ``most`` problems pydantic found (``data.0.status: ...``)."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in err['loc']) or '(root)'}: {err['msg']}"
        for err in exc.errors(include_url=False)[:most]
    )
    more = exc.error_count() - most
    return problems + (f" (and {more} more)" if more > 0 else "")


def _explain(cls: type, exc: ValidationError) -> str:
    return f"invalid {cls.__name__}: {describe_validation_error(exc)}"
