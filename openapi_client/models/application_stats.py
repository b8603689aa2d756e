"""Per-application figures of an ``application.stats`` task."""

from typing import Optional

from openapi_client.models._base import BaseApiModel

__all__ = ["ApplicationStats"]


class ApplicationStats(BaseApiModel):
    """One application's figures (wire names ``appId``, ``appUid``, ``messageDestinations``)."""

    app_id: str
    app_uid: Optional[str] = None
    message_destinations: int
