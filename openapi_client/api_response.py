"""What the ``*_with_http_info`` methods return."""

from __future__ import annotations

from typing import Generic, Mapping, Optional, TypeVar

__all__ = ["ApiResponse"]

T = TypeVar("T")


class ApiResponse(Generic[T]):
    """A decoded answer with its HTTP details: ``status_code``, ``headers``, ``data``, ``raw_data``."""

    __slots__ = ("data", "headers", "raw_data", "status_code")

    def __init__(self, *, status_code: int, headers: Optional[Mapping[str, str]] = None, data: T,
                 raw_data: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.data = data
        self.raw_data = raw_data

    def __repr__(self) -> str:
        return f"ApiResponse(status_code={self.status_code}, data={self.data!r})"
