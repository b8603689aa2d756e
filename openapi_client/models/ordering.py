"""Ordering of a listing."""

from openapi_client.models._base import OpenEnum

__all__ = ["Ordering"]


class Ordering(OpenEnum):
    """Defines the ordering in a listing of results. ``Ordering()`` is the API's default."""

    __api_default__ = "DESCENDING"

    ASCENDING = "ascending"
    DESCENDING = "descending"
