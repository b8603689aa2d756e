"""The pytest plugin as a user meets it: test modules run by pytester, with the plugin found
through the installed ``pytest11`` entry point (no ``-p``, no conftest)."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Callable, List, Tuple

import pytest

import openapi_client
from openapi_client.testing import MockServer

pytest_plugins = ["pytester"]

PLUGIN = "pytest_openapi_client"
#: Hypothesis's plugin imports hypothesis at the end of every inner run (~0.9 s; pytester
#: unloads it again after an in-process run); these runs do not use it.
FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


def _pytest11() -> List[Tuple[str, str]]:
    found = (
        entry_points(group="pytest11") if sys.version_info >= (3, 10) else entry_points().get("pytest11", [])
    )
    return [(entry.name, entry.value) for entry in found]


def test_the_plugin_is_registered_as_a_pytest11_entry_point_under_its_module_name() -> None:
    assert (PLUGIN, PLUGIN) in _pytest11()


def test_a_user_module_using_each_fixture_passes_with_no_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import openapi_client
        from openapi_client.testing import MockServer

        def test_mock_server(mock_server):
            assert isinstance(mock_server, MockServer)
            assert mock_server.url.startswith("http://127.0.0.1:")
            assert len(mock_server.task_ids) == 5

        def test_api_client(api_client, mock_server):
            assert isinstance(api_client, openapi_client.ApiClient)
            assert api_client.configuration.host == mock_server.url

        def test_background_tasks_api(background_tasks_api, mock_server):
            page = background_tasks_api.list_background_tasks_api_v1_background_task_get(limit=2)
            assert [task.id for task in page.data] == mock_server.task_ids[::-1][:2]

        def test_the_long_names_are_the_same_objects(
            mock_server, api_client, background_tasks_api,
            openapi_client_mock_server, openapi_client_api_client, openapi_client_background_tasks_api,
        ):
            assert mock_server is openapi_client_mock_server
            assert api_client is openapi_client_api_client
            assert background_tasks_api is openapi_client_background_tasks_api
        """
    )
    # A separate process, so what finds the fixtures is the installed entry point alone.
    result = pytester.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=4)


def test_loading_the_plugin_imports_neither_the_package_nor_its_dependencies(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_plain():
            assert "pytest_openapi_client" in sys.modules  # the plugin is loaded...
            sdk = ("openapi_client", "pydantic", "urllib3")
            loaded = [name for name in sys.modules if name.split(".")[0] in sdk]
            assert loaded == []  # ...but nothing of the SDK came with it

        def test_a_fixture_brings_them(api_client):
            assert "openapi_client" in sys.modules and "urllib3" in sys.modules
        """
    )
    pytester.runpytest_subprocess(*FAST).assert_outcomes(passed=2)


def test_fixtures_isolate_state_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from openapi_client.testing import SAMPLE_TASK_ID

        @pytest.mark.mock_server(token="t")
        def test_a_makes_a_mess(mock_server, background_tasks_api):
            mock_server.add_tasks(20)
            mock_server.finish_after(SAMPLE_TASK_ID, 10, status="failed")
            background_tasks_api.list_background_tasks_api_v1_background_task_get()
            mock_server.fail_next(500, times=10)
            mock_server.delay_next(5)

        def test_b_sees_a_fresh_server(mock_server, background_tasks_api):
            assert mock_server.token is None
            assert mock_server.requests == [] and mock_server.pending_faults == 0
            page = background_tasks_api.list_background_tasks_api_v1_background_task_get()
            assert len(page.data) == 5
            task = background_tasks_api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
            assert task.status.value == "finished"
            assert len(mock_server.requests) == 2
        """
    )
    pytester.runpytest(*FAST).assert_outcomes(passed=2)


def test_faults_and_recording_behave_as_documented(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import openapi_client
        from openapi_client.testing import SAMPLE_TASK_ID

        def test_an_error_answer_retried_until_the_budget_is_spent(mock_server, background_tasks_api):
            mock_server.fail_next(503, times=3)  # the first attempt and both retries
            with pytest.raises(openapi_client.ServiceException) as caught:
                background_tasks_api.list_background_tasks_api_v1_background_task_get()
            assert caught.value.status == 503 and caught.value.data.code == "service_unavailable"
            assert len(mock_server.requests) == 3

        def test_a_retry_absorbs_one_failure(mock_server, background_tasks_api):
            mock_server.fail_next(502)
            assert len(background_tasks_api.list_background_tasks_api_v1_background_task_get().data) == 5
            assert len(mock_server.requests) == 2

        def test_a_404_is_not_retried(mock_server, background_tasks_api):
            mock_server.fail_next(404, body={"code": "gone", "detail": "deleted"})
            with pytest.raises(openapi_client.NotFoundException) as caught:
                background_tasks_api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
            assert caught.value.data.detail == "deleted"
            assert len(mock_server.requests) == 1

        def test_a_cut_connection(mock_server, background_tasks_api):
            mock_server.drop_next(times=3)
            with pytest.raises(openapi_client.ApiConnectionError):
                background_tasks_api.list_background_tasks_api_v1_background_task_get()

        def test_a_broken_body(mock_server, background_tasks_api):
            mock_server.malformed_next()
            with pytest.raises(openapi_client.ApiDecodeError):
                background_tasks_api.list_background_tasks_api_v1_background_task_get()

        def test_a_slow_answer(mock_server, background_tasks_api):
            mock_server.delay_next(2, times=3)
            with pytest.raises(openapi_client.ApiTimeoutError):
                background_tasks_api.list_background_tasks_api_v1_background_task_get(_request_timeout=0.2)

        def test_requests_are_recorded(mock_server, background_tasks_api):
            background_tasks_api.list_background_tasks_api_v1_background_task_get(limit=2, order="ascending")
            background_tasks_api.get_background_task_api_v1_background_task_task_id_get(SAMPLE_TASK_ID)
            listed, got = mock_server.requests
            assert (listed.method, listed.path.rstrip("/")) == ("GET", "/api/v1/background-task")
            assert listed.query == {"limit": "2", "order": "ascending"}
            assert got.path.rstrip("/") == f"/api/v1/background-task/{SAMPLE_TASK_ID}"
            assert "authorization" not in got.headers

        def test_finish_after(mock_server, background_tasks_api):
            mock_server.finish_after(SAMPLE_TASK_ID, 2)
            get = background_tasks_api.get_background_task_api_v1_background_task_task_id_get
            statuses = [get(SAMPLE_TASK_ID).status.value for _ in range(3)]
            assert statuses == ["running", "running", "finished"]
        """
    )
    pytester.runpytest(*FAST).assert_outcomes(passed=8)


def test_the_token_option_gives_401_without_the_token(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import openapi_client

        pytestmark = pytest.mark.mock_server(token="s3cret", sample_tasks=0)

        def test_the_fixture_client_sends_the_token(mock_server, background_tasks_api):
            assert background_tasks_api.list_background_tasks_api_v1_background_task_get().data == []
            assert mock_server.requests[0].headers["Authorization"] == "Bearer s3cret"

        def test_a_client_without_it_gets_401(mock_server):
            configuration = openapi_client.Configuration(host=mock_server.url)
            with openapi_client.ApiClient(configuration) as client:
                with pytest.raises(openapi_client.UnauthorizedException) as caught:
                    openapi_client.BackgroundTasksApi(client).list_background_tasks_api_v1_background_task_get()
            assert caught.value.status == 401
            assert "s3cret" not in str(caught.value)

        @pytest.mark.mock_server(token=None, sample_tasks=3)
        def test_the_closest_marker_wins(mock_server):
            assert mock_server.token is None and len(mock_server.task_ids) == 3
        """
    )
    pytester.runpytest("--strict-markers", *FAST).assert_outcomes(passed=3)


def test_a_misspelt_marker_option_is_an_error_that_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mock_server(tokn="x")
        def test_typo(mock_server):
            pass
        """
    )
    result = pytester.runpytest(*FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.mock_server takes only keyword arguments*got tokn*"])


def test_a_project_api_client_fixture_replaces_that_name_only(pytester: pytest.Pytester) -> None:
    # As in a Django REST framework project, whose conftest has its own `api_client`.
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def api_client():
            return "the project's own client"
        """
    )
    pytester.makepyfile(
        """
        import openapi_client

        def test_both_live_side_by_side(
            api_client, background_tasks_api, mock_server, openapi_client_api_client
        ):
            assert api_client == "the project's own client"
            assert isinstance(openapi_client_api_client, openapi_client.ApiClient)
            assert background_tasks_api.api_client is openapi_client_api_client
            assert len(background_tasks_api.list_background_tasks_api_v1_background_task_get().data) == 5
            assert len(mock_server.requests) == 1
        """
    )
    pytester.runpytest(*FAST).assert_outcomes(passed=1)


def test_project_mock_server_and_background_tasks_api_fixtures_replace_those_names_only(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def mock_server():
            return "the project's own mock server"

        @pytest.fixture
        def background_tasks_api():
            return "the project's own tasks"
        """
    )
    pytester.makepyfile(
        """
        def test_the_rest_still_works(
            mock_server, background_tasks_api, api_client, openapi_client_mock_server
        ):
            assert mock_server == "the project's own mock server"
            assert background_tasks_api == "the project's own tasks"
            assert api_client.configuration.host == openapi_client_mock_server.url
        """
    )
    pytester.runpytest(*FAST).assert_outcomes(passed=1)


def test_a_conftest_openapi_client_mock_server_is_the_server_of_every_fixture(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest
        from openapi_client.testing import MockServer

        @pytest.fixture
        def openapi_client_mock_server():
            with MockServer(sample_tasks=1, token="project-token") as server:
                server.add_tasks(2)
                yield server
        """
    )
    pytester.makepyfile(
        """
        def test_uses_the_project_server(mock_server, background_tasks_api):
            assert len(background_tasks_api.list_background_tasks_api_v1_background_task_get().data) == 3
            assert mock_server.requests[0].headers["Authorization"] == "Bearer project-token"
        """
    )
    pytester.runpytest(*FAST).assert_outcomes(passed=1)


@pytest.mark.parametrize("how", ["-p", "pytest_plugins"], ids=["-p option", "pytest_plugins in conftest"])
def test_naming_the_plugin_explicitly_as_well_does_not_register_it_twice(
    pytester: pytest.Pytester, how: str
) -> None:
    pytester.makepyfile("def test_it(mock_server):\n    assert mock_server.task_ids\n")
    if how == "-p":
        result = pytester.runpytest_subprocess("-p", PLUGIN, *FAST)
    else:
        pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]\n")
        result = pytester.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=1)


def test_the_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(mock_server):\n    pass\n")
    result = pytester.runpytest("-p", f"no:{PLUGIN}", *FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'mock_server' not found*"])


def test_the_project_fixtures_work_alongside_the_plugin_ones(
    other_server: MockServer,
    make_api: Callable[..., openapi_client.BackgroundTasksApi],
    mock_server: MockServer,
    background_tasks_api: openapi_client.BackgroundTasksApi,
) -> None:
    assert other_server.url != mock_server.url
    other_server.add_task()
    api = make_api(other_server.url)
    assert len(api.list_background_tasks_api_v1_background_task_get().data) == 6
    assert len(background_tasks_api.list_background_tasks_api_v1_background_task_get().data) == 5
    assert len(other_server.requests) == len(mock_server.requests) == 1
