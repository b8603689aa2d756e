"""Kind of a background task."""

from openapi_client.models._base import OpenEnum

__all__ = ["BackgroundTaskType"]


class BackgroundTaskType(OpenEnum):
    """What a task does; a kind unknown to this client is kept as its string."""

    ENDPOINT_DOT_REPLAY = "endpoint.replay"
    ENDPOINT_DOT_RECOVER = "endpoint.recover"
    APPLICATION_DOT_STATS = "application.stats"
    MESSAGE_DOT_BROADCAST = "message.broadcast"
    SDK_DOT_GENERATE = "sdk.generate"
    EVENT_MINUS_TYPE_DOT_AGGREGATE = "event-type.aggregate"
    APPLICATION_DOT_PURGE_CONTENT = "application.purge_content"
    ENDPOINT_DOT_BULK_MINUS_REPLAY = "endpoint.bulk-replay"
