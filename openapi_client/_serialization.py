"""Pure functions that turn values into request parts and answer bytes into values.

No I/O here: the request path in :mod:`openapi_client.api_client` calls these.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any, Dict, List, Mapping, Optional, Union
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.errors import PydanticUndefinedAnnotation, PydanticUserError

from openapi_client import models
from openapi_client.exceptions import ApiTypeError, ApiValueError

#: Text quote() leaves as it is, minus the dot (which path segments escape).
_UNESCAPED_SEGMENT = re.compile(r"[A-Za-z0-9_~-]+")
#: The type names ``ApiClient.deserialize`` accepts besides the models', as generated code passes them.
_SIMPLE_TYPES: Dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "object": Any,
                                  "datetime": datetime.datetime, "date": datetime.date, "bytearray": bytes}


def apply_auth(headers: Dict[str, str], setting: Mapping[str, Any]) -> None:
    """Add the header an auth setting (``{"in": "header", "key": ..., "value": ...}``) describes."""
    if not isinstance(setting, Mapping):
        raise ApiTypeError("_request_auth must be a dict like {'in': 'header', 'key': ..., 'value': ...}, "
                           f"not {type(setting).__name__}")
    where = setting.get("in", "header")
    if where != "header":
        raise ApiValueError(f"auth in {where!r} is not supported; only 'header' is")
    key, value = setting.get("key"), setting.get("value")
    if not isinstance(key, str) or not isinstance(value, str):
        raise ApiTypeError("_request_auth needs a str 'key' and a str 'value'")
    headers[key] = value


def path_segment(name: str, value: Any) -> str:
    """``value`` as exactly one path segment: '/', '?', '#' and dots escaped, so '../x' stays put."""
    text = query_value(value)
    if _UNESCAPED_SEGMENT.fullmatch(text):
        return text
    if not text:
        raise ApiValueError(f"{name} must not be empty", [name])
    try:
        return quote(text, safe="").replace(".", "%2E")
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
        raise ApiValueError(f"{name} is not valid Unicode text: {exc.reason}", [name]) from exc


def query_value(value: Any) -> str:
    """``value`` as it is sent in a query or header: enums by value, booleans in lower case."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def parse_error_body(body: bytes) -> Optional[Union[models.HttpErrorOut, models.HTTPValidationError]]:
    """An error answer's body as :class:`HttpErrorOut` or :class:`HTTPValidationError`, if it is one."""
    for model in (models.HttpErrorOut, models.HTTPValidationError):
        try:
            parsed = model.model_validate_json(body)
        except ValidationError:
            continue
        if not isinstance(parsed, models.HTTPValidationError) or parsed.detail is not None:
            return parsed
    return None


def decode_json(target: Any, data: Union[str, bytes]) -> Any:
    """``data`` (JSON) decoded into ``target`` in one pass: pydantic's ValidationError when it does
    not fit, ApiTypeError when pydantic cannot use ``target`` (found now or only while decoding)."""
    try:
        if isinstance(target, type) and issubclass(target, BaseModel):
            return target.model_validate_json(data)
        return TypeAdapter(target).validate_json(data)
    except (PydanticUserError, PydanticUndefinedAnnotation, TypeError) as exc:
        raise ApiTypeError(f"cannot decode into {target!r}: {exc}") from exc


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def resolve_type(response_type: Any) -> Any:
    """A type, or a type's name as generated code writes it (``"List[BackgroundTaskOut]"``)."""
    if not isinstance(response_type, str):
        return response_type
    name = response_type.strip()
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]
    for prefix in ("List[", "Dict[str, "):
        if name.startswith(prefix) and name.endswith("]"):
            inner = resolve_type(name[len(prefix) : -1])
            return List[inner] if prefix == "List[" else Dict[str, inner]  # type: ignore[valid-type]
    if name not in models.__all__:
        raise ApiValueError(f"unknown response type {response_type!r}")
    return getattr(models, name)
