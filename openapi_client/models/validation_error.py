"""One problem found in a request's parameters."""

from typing import List, Union

from openapi_client.models._base import BaseApiModel

__all__ = ["ValidationError"]


class ValidationError(BaseApiModel):
    """Where (``loc``), what (``msg``) and which kind (``type``) of problem."""

    loc: List[Union[str, int]]
    msg: str
    type: str
