"""The request path's shortcuts behave exactly like the long way round, and memory stays bounded.

The shortcuts (benchmarks/bench.py, docs/performance.md) skip work only when its result is known:
an id with nothing to escape is not passed through ``quote()``, a set of clean headers is scanned
once instead of header by header. These tests hold each shortcut to the plain computation.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import tracemalloc
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

import pytest
import urllib3
from hypothesis import example, given
from hypothesis import strategies as st

import openapi_client
from openapi_client._serialization import check_header, check_headers, path_segment, query_value
from openapi_client.exceptions import ApiConnectionError, ApiTypeError, ApiValueError
from openapi_client.models import ListResponseBackgroundTaskOut
from openapi_client.rest import RESTClientObject
from openapi_client.testing import SAMPLE_TASK_ID, MockServer

TASK_PATH = f"/api/v1/background-task/{SAMPLE_TASK_ID}/"

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


# -- the direct route: a request goes straight to its origin's pool ----------------------------

_ROUTED = RESTClientObject(openapi_client.Configuration(host="http://127.0.0.1:1"))
_ORIGINS = [
    "http://127.0.0.1:8080",
    "https://api.example.test",
    "http://Example.COM:80",
    "https://h:443",
    "http://h",
    "https://[::1]:8443",
    "http://user:secret@h",
    "http://h?x=1",
    "http://h:0",
]


@example("http://127.0.0.1:8080", "/api/v1/x/../y/")
@example("http://h", "/a%2fb")
@example("http://h", "/a#b")
@example("http://h", "/a/./b?c=.")
@example("http://h", "/a b")
@given(
    st.sampled_from(_ORIGINS),
    st.text(alphabet=st.sampled_from("aZ09_~-./?#%&=:@!$'()*+,;[]\\ \u00e92Ff"), max_size=24),
)
def test_direct_route_sends_the_target_pool_manager_would_send(origin: str, tail: str) -> None:
    url = f"{origin}/{tail}"
    route = _ROUTED._route(url)
    if route is not None:
        pool, target = route
        assert target == urllib3.util.parse_url(url).request_uri
        assert pool is _ROUTED.pool_manager.connection_from_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://h/a/../b",  # a dot segment, which the parser removes
        "http://h/a%2fb",  # a lower-case escape, which it raises
        "http://h/a#b",  # a fragment, which it drops
        "http://h/a b",  # a space, which it escapes
        "http://user:secret@h/a",  # credentials in the URL
        "https://[::1]:8443/a",  # an IPv6 host
        "http://h?x=1",  # no path
        "http://h:0/a",  # port 0, which urllib3 versions file differently
        "http://h:080/a",  # a port with a leading zero
    ],
)
def test_direct_route_leaves_unusual_urls_to_pool_manager(url: str) -> None:
    assert _ROUTED._route(url) is None


@given(st.text(min_size=1, max_size=12), st.text(max_size=12), st.integers(1, 250))
def test_urls_the_operations_build_take_the_direct_route(task_id: str, iterator: str, limit: int) -> None:
    client = openapi_client.ApiClient(openapi_client.Configuration(host="http://127.0.0.1:9/base"))
    api = openapi_client.BackgroundTasksApi(client)
    for call in (api._get(task_id), api._list(iterator or None, limit, "ascending", status="running")):
        try:
            _, url, _, _, _ = client.param_serialize(
                call.endpoint.method, call.endpoint.path, call.path_params, call.query_params
            )
        except ApiValueError:  # a lone surrogate, which has no UTF-8: refused, nothing to route
            continue
        route = client.rest_client._route(url)
        assert route is not None, url
        assert route[1] == urllib3.util.parse_url(url).request_uri


_HEADERS = {
    "Accept": "application/json",
    "Authorization": "Bearer tok-1",
    "X-Api-Key": "key-1",
    "Cookie": "session=abc",
    "Content-Type": "text/plain",
}

# Each scenario: the redirects the first server answers with, in turn ({same}, {other} and
# {other_port} are filled in), before it or the second server answers for real.
_REDIRECTS: Dict[str, Sequence[Tuple[int, str]]] = {
    "to another host": [(302, "{other}" + TASK_PATH)],
    "on the same host": [(307, "{same}" + TASK_PATH)],
    "relative path": [(301, "../" + SAMPLE_TASK_ID + "/")],
    "relative query": [(308, "?limit=1")],
    "scheme-relative to another host": [(302, "//127.0.0.1:{other_port}" + TASK_PATH)],
    "see other": [(303, "{same}" + TASK_PATH)],
    "see other, to another host": [(303, "{other}" + TASK_PATH)],
    "two hops": [(302, "{same}/api/v1/background-task/"), (307, "{other}" + TASK_PATH)],
    "one too many": [(302, "{same}" + TASK_PATH)] * 7,
}


def _seen(*servers: MockServer) -> List[Tuple[int, str, str, List[Tuple[str, str]]]]:
    return [
        (number, request.method, request.target, sorted(request.headers.items()))
        for number, server in enumerate(servers)
        for request in server.requests
    ]


def _both_ways(
    rest: RESTClientObject, redirects: Sequence[Tuple[int, str]], server: MockServer, other: MockServer
) -> List[Tuple[Any, ...]]:
    """Send one GET through the client's transport, then through urllib3's ``PoolManager.urlopen``
    with the same policy, the servers answering ``redirects`` each time; what each way got (its
    answer, or its exception) and the requests the servers saw."""
    url = server.url + TASK_PATH
    outcomes: List[Tuple[Any, ...]] = []
    for send in (
        lambda: rest.request("GET", url, headers=_HEADERS).response,
        lambda: rest.pool_manager.urlopen(
            "GET", url, headers=_HEADERS, retries=rest.retries, timeout=rest.timeout, redirect=True
        ),
    ):
        server.reset()
        other.reset()
        for status, location in redirects:
            target = location.format(same=server.url, other=other.url, other_port=other.port)
            server.fail_next(status, headers={"Location": target})
        try:
            answer = send()
        except Exception as exc:  # compared by the caller
            outcomes.append((exc, _seen(server, other)))
        else:
            outcomes.append((answer.status, bytes(answer.data or b""), _seen(server, other)))
    rest.clear()
    return outcomes


@pytest.mark.parametrize("scenario", sorted(_REDIRECTS))
def test_redirects_are_followed_as_pool_manager_follows_them(
    scenario: str, server: MockServer, other_server: MockServer
) -> None:
    """The direct route's redirect step against urllib3's own: the same requests reach the
    same hosts with the same headers, and the same answer comes back."""
    configuration = openapi_client.Configuration(host=server.url, api_key={"X-Api-Key": "key-1"})
    ours, urllib3s = _both_ways(
        RESTClientObject(configuration), _REDIRECTS[scenario], server, other_server
    )
    assert ours == urllib3s
    assert len(ours[2]) == 1 + min(len(_REDIRECTS[scenario]), 5)  # a request per step, 5 at most
    reached_other = [headers for number, *_, headers in ours[2] if number == 1]
    if "another host" in scenario or scenario == "two hops":
        assert reached_other
        for name in ("Authorization", "X-Api-Key", "Cookie"):
            assert name not in dict(reached_other[0])
    if "see other" in scenario:
        assert "Content-Type" not in dict(ours[2][-1][3])


def test_a_retry_that_raises_on_too_many_redirects_raises_the_same_way(
    server: MockServer, other_server: MockServer
) -> None:
    strict = urllib3.Retry(total=3, redirect=1, raise_on_redirect=True)
    rest = RESTClientObject(openapi_client.Configuration(host=server.url, retries=strict))
    hops = [(302, "{same}" + TASK_PATH), (302, "{other}" + TASK_PATH)]
    (ours, ours_seen), (urllib3s, urllib3s_seen) = _both_ways(rest, hops, server, other_server)
    assert ours_seen == urllib3s_seen
    assert [number for number, *_ in ours_seen] == [0, 0]  # the second redirect is not followed
    assert isinstance(urllib3s, urllib3.exceptions.MaxRetryError)
    assert isinstance(ours, ApiConnectionError)
    assert isinstance(ours.__cause__, urllib3.exceptions.ResponseError)
    assert "too many redirects" in str(ours)


def test_a_pool_closed_behind_the_clients_back_is_replaced(server: MockServer) -> None:
    # urllib3 lets go of a pool it clears or evicts (more origins than num_pools), and older
    # versions close it; the next call must get the manager's new pool, not the one let go.
    with openapi_client.ApiClient(openapi_client.Configuration(host=server.url)) as client:
        api = openapi_client.BackgroundTasksApi(client)
        assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
        client.rest_client.pool_manager.clear()
        assert api.get(SAMPLE_TASK_ID).id == SAMPLE_TASK_ID
        assert server.connections == 2


def test_a_program_loads_pydantic_with_its_first_answer_not_with_the_import(server: MockServer) -> None:
    # What a program imports before its first call costs no more than urllib3 (workload (d) of
    # benchmarks/bench.py); pydantic and the answer's model load with the first answer, and
    # decoding, its errors included, works as ever from there.
    program = textwrap.dedent(
        f"""
        import sys
        from openapi_client import ApiClient, BackgroundTasksApi, Configuration, ApiDecodeError

        loaded = sorted(name for name in sys.modules if name.split(".")[0] == "pydantic")
        print("before:", loaded)
        api = BackgroundTasksApi(ApiClient(Configuration(host={server.url!r})))
        print("task:", api.get({SAMPLE_TASK_ID!r}).id)
        print("pydantic.main" in sys.modules)
        """
    )
    server.malformed_next()
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "before: []" in done.stdout
    assert "ApiDecodeError: (200) the answer is not valid JSON" in done.stderr  # malformed answer
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["before: []", f"task: {SAMPLE_TASK_ID}", "True"]
