"""The shared base of every model (and :class:`OpenEnum`, the enums' base, re-exported).

Models are declarative: fields, aliases and ``model_config`` only. This base implements the
conversions once. Unknown fields sent by a newer server are kept (``extra="allow"``) and come
back out of :meth:`BaseApiModel.to_dict` and :meth:`BaseApiModel.to_json`.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type, TypeVar, Union

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from openapi_client.exceptions import ApiTypeError, ApiValueError
from openapi_client.models._enum import OpenEnum

__all__ = ["BaseApiModel", "OpenEnum", "describe_validation_error"]

ModelT = TypeVar("ModelT", bound="BaseApiModel")


class BaseApiModel(BaseModel):
    """Snake_case attributes, camelCase on the wire; either name is accepted on input."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        defer_build=True,
        validate_assignment=False,
        use_enum_values=False,
        # Cache field names only: pydantic's default also caches every short string value
        # (ids, timestamps) in a process-wide table of 16,384 entries, so walking many pages
        # would hold ~1.5 MB of stale values, and decoding is no faster for unique strings.
        cache_strings="keys",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ApiValueError(_explain(type(self), exc)) from exc

    # Without this mark pydantic treats the __init__ above as custom and routes every
    # validation through it: JSON bytes would be parsed to a dict, then validated again as
    # Python objects, and nested errors would come out wrapped as "Value error".
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def to_str(self) -> str:
        """The model as a pretty-printed dict of wire names."""
        import pprint  # only for this debugging aid: not worth its import on every start

        return pprint.pformat(self.to_dict())

    def to_json(self) -> str:
        """The model as a JSON string with wire names, unknown fields included."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    def to_dict(self) -> Dict[str, Any]:
        """The model as a dict with wire names, unknown fields included, ``None`` left out."""
        return self.model_dump(by_alias=True, exclude_none=True)

    @classmethod
    def from_json(cls: Type[ModelT], json_str: Union[str, bytes, bytearray, None]) -> Optional[ModelT]:
        """Decode JSON text or bytes; ``None`` gives ``None``; bad input raises ApiValueError."""
        if json_str is None:
            return None
        if not isinstance(json_str, (str, bytes, bytearray)):
            raise ApiTypeError(
                f"{cls.__name__}.from_json takes str or bytes, not {type(json_str).__name__}"
            )
        try:
            return cls.model_validate_json(json_str)
        except ValidationError as exc:
            raise ApiValueError(_explain(cls, exc)) from exc

    @classmethod
    def from_dict(cls: Type[ModelT], obj: Optional[Dict[str, Any]]) -> Optional[ModelT]:
        """Build from a dict with wire or attribute names; ``None`` gives ``None``."""
        if obj is None:
            return None
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, dict):
            raise ApiTypeError(f"{cls.__name__}.from_dict takes a dict, not {type(obj).__name__}")
        try:
            return cls.model_validate(obj)
        except ValidationError as exc:
            raise ApiValueError(_explain(cls, exc)) from exc


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
