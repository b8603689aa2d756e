"""The body of a 4xx answer."""

from openapi_client.models._base import BaseApiModel

__all__ = ["HttpErrorOut"]


class HttpErrorOut(BaseApiModel):
    """An error: a machine-readable ``code`` and a human ``detail``."""

    code: str
    detail: str
