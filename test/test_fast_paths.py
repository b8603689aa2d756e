"""The request path's shortcuts behave exactly like the long way round, and memory stays bounded.

The shortcuts (benchmarks/bench.py, docs/performance.md) skip work only when its result is known:
an id with nothing to escape is not passed through ``quote()``, a set of clean headers is scanned
once instead of header by header. These tests hold each shortcut to the plain computation.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import pytest
import urllib3
from hypothesis import example, given
from hypothesis import strategies as st

import openapi_client
from openapi_client._serialization import check_header, check_headers, path_segment, query_value
from openapi_client.exceptions import ApiTypeError, ApiValueError
from openapi_client.models import ListResponseBackgroundTaskOut
from openapi_client.testing import MockServer

# Text biased towards the characters that matter here: the unreserved ones, the dot, the
# separators a path must not gain, and the ones a header must not carry.
_TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from("aZ09_~-./?#%& \r\n\x00é"), st.characters(blacklist_categories=("Cs",))
    ),
    max_size=12,
)


@given(_TRICKY)
def test_path_segment_equals_quoting_every_character(text: str) -> None:
    if not text:
        with pytest.raises(ApiValueError, match="must not be empty"):
            path_segment("task_id", text)
    else:
        assert path_segment("task_id", text) == quote(text, safe="").replace(".", "%2E")


@given(_TRICKY)
def test_query_value_of_a_str_is_the_str(text: str) -> None:
    assert query_value(text) == str(text)


def _one_by_one(headers: Dict[Any, Any]) -> Optional[BaseException]:
    try:
        for name, value in headers.items():
            check_header(name, value)
    except (ApiTypeError, ApiValueError) as exc:
        return exc
    return None


@example({"": "x"})
@example({"X-Split\nHost": "x"})
@example({"X-Ok": "caf\u00e9", "X-Euro": "\u20ac"})
@example({"X-Ok": "a", "X-Tab": "a\tb", b"X-Bytes": "c"})
@given(st.dictionaries(_TRICKY, st.one_of(_TRICKY, st.integers(), st.none(), st.binary(max_size=3)),
                       max_size=4))
def test_check_headers_refuses_what_checking_each_header_refuses(headers: Dict[Any, Any]) -> None:
    expected = _one_by_one(headers)
    if expected is None:
        check_headers(headers)
    else:
        with pytest.raises(type(expected)) as raised:
            check_headers(headers)
        assert str(raised.value) == str(expected)


def _two_pages(url: str, limit: int) -> int:
    """Bytes held by two pages once fetched and decoded, as tracemalloc counts them."""
    pool = urllib3.PoolManager()
    held: List[Any] = []
    gc.collect()
    tracemalloc.start()
    try:
        iterator = ""
        for _ in range(2):
            body = pool.request("GET", f"{url}/api/v1/background-task/?limit={limit}{iterator}").data
            page = ListResponseBackgroundTaskOut.model_validate_json(body)
            held.append((body, page))
            iterator = f"&iterator={page.iterator}"
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        pool.clear()


def test_list_all_memory_stays_within_two_pages_however_many_there_are() -> None:
    limit = 100
    with MockServer() as server:
        server.add_tasks(5000)
        two_pages = _two_pages(server.url, limit)
        with openapi_client.ApiClient(openapi_client.Configuration(host=server.url)) as client:
            api = openapi_client.BackgroundTasksApi(client)
            api.list(limit=limit)  # connect and build the models before counting
            gc.collect()
            tracemalloc.start()
            try:
                seen = sum(1 for _ in api.list_all(limit=limit))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert seen == 5005
    # 51 pages walked; one is held at a time (plus the next while it is decoded), and nothing
    # of the pages already walked stays behind, such as their ids in pydantic's string cache.
    assert peak <= two_pages, f"peak {peak} B while walking, two pages take {two_pages} B"
