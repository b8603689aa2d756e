"""The body of a 422 answer."""

from typing import List, Optional

from openapi_client.models._base import BaseApiModel
from openapi_client.models.validation_error import ValidationError

__all__ = ["HTTPValidationError"]


class HTTPValidationError(BaseApiModel):
    """The list of problems the server found in the request."""

    detail: Optional[List[ValidationError]] = None
