"""Pure functions that turn values into request parts and answer bytes into values.

No I/O here: the request path in :mod:`openapi_client.api_client` calls these.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Set
from urllib.parse import quote

from typing_extensions import TypeGuard

from openapi_client import models
from openapi_client.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter
    from pydantic import ValidationError as PydanticValidationError

# pydantic is imported where it is used, not with this module: a program that imports the
# package does not pay for pydantic's model machinery until its first answer is decoded (by
# then the answer's model has loaded it). docs/performance.md, workload (d).

_LINE_BREAK = re.compile(r"[\r\n\x00]")
#: An RFC 9110 token; http.client sends names as ASCII and refuses the rest with ValueError.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: What a header value cannot carry: control characters, and anything beyond Latin-1.
_UNSENDABLE_IN_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")
#: Text quote() leaves as it is, minus the dot (which path segments escape).
_UNESCAPED_SEGMENT = re.compile(r"[A-Za-z0-9_~-]+")


#: Header names already found valid; names are few and never secret, so remembering them is
#: cheap and safe, and saves matching the same few names on every request.
_VALID_NAMES: Set[str] = set()


def check_headers(headers: Mapping[Any, Any]) -> None:
    """:func:`check_header` on every header; the usual case, all of them fine, in few steps."""
    try:
        clean = (
            _VALID_NAMES.issuperset(headers) or _remember_names(headers)
        ) and not _UNSENDABLE_IN_VALUE.search("".join(headers.values()))
    except TypeError:  # a name or value that is not a str: check_header says which
        clean = False
    if not clean:
        for name, value in headers.items():
            check_header(name, value)


def _remember_names(headers: Mapping[Any, Any]) -> bool:
    """Whether every name is a valid header name (remembering them if so)."""
    if not all(type(name) is str and _HEADER_NAME.fullmatch(name) for name in headers):
        return False
    if len(_VALID_NAMES) < 1024:
        _VALID_NAMES.update(headers)
    return True


def check_header(name: Any, value: Any) -> None:
    if not isinstance(name, str) or not isinstance(value, str):
        raise ApiTypeError(
            f"header {name!r} must be a str name with a str value, not {type(value).__name__}"
        )
    if _LINE_BREAK.search(name) or _LINE_BREAK.search(value):
        raise ApiValueError(
            f"header {name!r} contains a line break or NUL, which would split the request; "
            "nothing was sent"
        )
    if not _HEADER_NAME.fullmatch(name):
        raise ApiValueError(f"header name {name!r} is not a valid HTTP header name; nothing was sent")
    if _UNSENDABLE_IN_VALUE.search(value):
        raise ApiValueError(
            f"header {name!r} holds a control character or one beyond Latin-1, which an HTTP "
            "header cannot carry; nothing was sent"
        )


def apply_auth(headers: Dict[str, str], setting: Mapping[str, Any]) -> None:
    if not isinstance(setting, Mapping):
        raise ApiTypeError(
            "_request_auth must be a dict like {'in': 'header', 'key': ..., 'value': ...}, "
            f"not {type(setting).__name__}"
        )
    where = setting.get("in", "header")
    if where != "header":
        raise ApiValueError(f"auth in {where!r} is not supported; only 'header' is")
    key = setting.get("key")
    value = setting.get("value")
    if not isinstance(key, str) or not isinstance(value, str):
        raise ApiTypeError("_request_auth needs a str 'key' and a str 'value'")
    headers[key] = value


def path_segment(name: str, value: Any) -> str:
    text = query_value(value)
    if _UNESCAPED_SEGMENT.fullmatch(text):
        return text  # the common case (ids): nothing to escape, so skip quote()
    if not text:
        raise ApiValueError(f"{name} must not be empty", [name])
    # One segment, whatever it holds: '/', '?', '#' and dots are escaped, so '../x' stays put.
    try:
        return quote(text, safe="").replace(".", "%2E")
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
        raise ApiValueError(f"{name} is not valid Unicode text: {exc.reason}", [name]) from exc


def query_value(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def parse_error_body(body: bytes) -> Optional[BaseModel]:
    if not body:
        return None
    # Looked up here, not imported with this module: the models are imported on first use.
    for model in (models.HttpErrorOut, models.HTTPValidationError):
        try:
            parsed = model.model_validate_json(body)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            if not is_validation_error(exc):
                raise
            continue
        if isinstance(parsed, models.HTTPValidationError) and parsed.detail is None:
            continue
        return parsed
    return None


def is_validation_error(exc: BaseException) -> TypeGuard[PydanticValidationError]:
    """Whether ``exc`` is pydantic's ValidationError (raised once pydantic is loaded)."""
    from pydantic import ValidationError

    return isinstance(exc, ValidationError)


def is_unusable_type_error(exc: BaseException) -> bool:
    """Whether ``exc`` is pydantic refusing a type (a model not fully defined, ...)."""
    from pydantic.errors import PydanticUndefinedAnnotation, PydanticUserError

    return isinstance(exc, (PydanticUserError, PydanticUndefinedAnnotation))


def is_json_error(exc: PydanticValidationError) -> bool:
    return any(err["type"] == "json_invalid" for err in exc.errors(include_url=False))


def first_error(exc: PydanticValidationError) -> str:
    """The first problem pydantic found, and how many more there are."""
    # Imported here: the models' module defines a model class, which costs pydantic's field
    # machinery, and this is only ever needed once something failed to decode.
    from openapi_client.models._base import describe_validation_error

    return describe_validation_error(exc, most=1)


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


_ADAPTERS: Dict[Any, TypeAdapter[Any]] = {}
_JSON_DECODERS: Dict[Any, Callable[[Any], Any]] = {}
#: Types kept in each cache at once, at most: the API's few models, and whatever types a
#: program passes to ApiClient.deserialize (which may make them on the fly).
_MAX_CACHED_TYPES = 256


def cannot_decode_into(target: Any, exc: Exception) -> ApiTypeError:
    """The error for a type pydantic cannot decode into (a model not fully defined, ...)."""
    return ApiTypeError(f"cannot decode into {target!r}: {exc}")


def adapter(target: Any) -> TypeAdapter[Any]:
    """A cached pydantic ``TypeAdapter`` for ``target``; ApiTypeError if pydantic cannot use it."""
    from pydantic import TypeAdapter

    try:
        found = _ADAPTERS.get(target)
        if found is None:
            if len(_ADAPTERS) >= _MAX_CACHED_TYPES:
                _ADAPTERS.clear()
            found = _ADAPTERS[target] = TypeAdapter(target)
    except Exception as exc:  # not a type pydantic can use, or unhashable
        if not (isinstance(exc, TypeError) or is_unusable_type_error(exc)):
            raise
        raise cannot_decode_into(target, exc) from exc
    return found


def json_decoder(target: Any) -> Callable[[Any], Any]:
    """What turns JSON bytes into ``target``: a model's own ``model_validate_json``, or a cached
    ``TypeAdapter``'s ``validate_json`` for any other type; ApiTypeError if pydantic cannot.

    pydantic may find only when decoding that it cannot use a type: :func:`decode_json` says so.
    """
    try:
        return _JSON_DECODERS[target]
    except (KeyError, TypeError):  # not seen yet, or unhashable (adapter() says so)
        pass
    from pydantic import BaseModel

    if isinstance(target, type) and issubclass(target, BaseModel):
        decode: Callable[[Any], Any] = target.model_validate_json
    else:
        decode = adapter(target).validate_json
    if len(_JSON_DECODERS) >= _MAX_CACHED_TYPES:
        _JSON_DECODERS.clear()
    _JSON_DECODERS[target] = decode
    return decode


def decode_json(target: Any, data: Any) -> Any:
    """``data`` (JSON) decoded into ``target``: pydantic's ValidationError when it does not fit,
    ApiTypeError when pydantic cannot use ``target``, found now or only while decoding (a model
    that refers to one not defined yet)."""
    try:
        return json_decoder(target)(data)
    except Exception as exc:
        if not is_unusable_type_error(exc):
            raise
        raise cannot_decode_into(target, exc) from exc


def resolve_type(response_type: Any) -> Any:
    if not isinstance(response_type, str):
        return response_type
    simple: Dict[str, Any] = {
        "str": str,
        "int": int,
        "float": float,
        "bool": bool,
        "object": Any,
        "datetime": datetime.datetime,
        "date": datetime.date,
        "bytearray": bytes,
    }
    name = response_type.strip()
    if name in simple:
        return simple[name]
    for prefix, wrap in (("List[", List), ("Dict[str, ", Dict)):
        if name.startswith(prefix) and name.endswith("]"):
            inner = resolve_type(name[len(prefix) : -1])
            return wrap[inner] if wrap is List else Dict[str, inner]  # type: ignore[valid-type]
    found = getattr(models, name, None) if name in models.__all__ else None
    if found is None:
        raise ApiValueError(f"unknown response type {response_type!r}")
    return found


def to_plain(obj: Any) -> Any:
    """``obj`` as plain JSON-ready data: models by wire name, enums by value, dates ISO."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj.value if isinstance(obj, enum.Enum) else obj
    if isinstance(obj, enum.Enum):
        return to_plain(obj.value)
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_plain(item) for item in obj]
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return obj.decode("utf-8", errors="replace")
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        obj = obj.model_dump(by_alias=True, exclude_none=True)
    if isinstance(obj, Mapping):
        return {str(key): to_plain(value) for key, value in obj.items()}
    raise ApiTypeError(f"cannot serialize a {type(obj).__name__}")
