"""What may be shown of a request or an answer: no credentials, wherever they turn up.

Every repr, log line and exception message that mentions a URL, headers or an answer's text goes
through here: URLs lose their ``user:password@``, header values other than a few harmless ones
read ``***``, and the secrets a client knows (tokens, keys, passwords, cookies) read ``***``
wherever a server echoed them.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional
from urllib.parse import urlsplit

REDACTED = "***"
#: Headers whose values are shown in the debug log; every other value (auth, cookies, custom
#: headers that may carry a key) is replaced by ``***``.
SHOWN_HEADERS = frozenset({"accept", "accept-encoding", "content-length", "content-type", "host",
                           "idempotency-key", "svix-req-id", "svix-retry-count", "user-agent"})
#: Headers that carry credentials either way; hidden even where other headers are shown (the
#: headers of an error answer, which may set a session cookie).
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "set-cookie", "x-api-key"})


def redact_url(url: Optional[str], *, query: bool = True) -> str:
    """``url`` without any ``user:password@``, and without its query unless ``query``.
    Never raises, whatever the text."""
    text = url or ""
    if not query:
        text = text.split("?", 1)[0].split("#", 1)[0]
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    authority, slash, tail = rest.partition("/")
    return f"{scheme}{separator}{authority.rpartition('@')[2]}{slash}{tail}"


def origin(url: Optional[str]) -> str:
    """``scheme://host[:port]`` of ``url``, for messages; never raises, never shows credentials."""
    try:
        parts = urlsplit(url or "")
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or '?'}{port}"
    except ValueError:  # a malformed port or IPv6 literal: show what was given, minus credentials
        return redact_url(url, query=False)


def redact_headers(headers: Mapping[str, Any]) -> Dict[str, Any]:
    """``headers`` with every value not in :data:`SHOWN_HEADERS` replaced by ``***``."""
    return {name: value if str(name).lower() in SHOWN_HEADERS else REDACTED
            for name, value in headers.items()}


def redact_credentials(headers: Mapping[str, Any]) -> Dict[str, Any]:
    """``headers`` with the values of :data:`CREDENTIAL_HEADERS` replaced by ``***``."""
    return {name: REDACTED if str(name).lower() in CREDENTIAL_HEADERS else value
            for name, value in headers.items()}


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``, longest first (so a
    token inside a longer header value it belongs to goes with it)."""
    for secret in sorted({secret for secret in secrets if secret}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
