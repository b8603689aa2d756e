"""Models and enums, without sockets: wire names, values and fields a newer server sends, the
shared conversions, and the package's own errors for input that does not fit."""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import openapi_client
from openapi_client import (
    ApplicationStats,
    BackgroundTaskData,
    BackgroundTaskOut,
    BackgroundTaskStatus,
    BackgroundTaskType,
    HttpErrorOut,
    HTTPValidationError,
    ListResponseBackgroundTaskOut,
    Ordering,
    ValidationError,
)

#: Every task kind the service sends today (NOTES.md).
TASK_KINDS = (
    "endpoint.replay",
    "endpoint.recover",
    "application.stats",
    "message.broadcast",
    "sdk.generate",
    "event-type.aggregate",
    "application.purge_content",
    "endpoint.bulk-replay",
)

TASK_WIRE: Dict[str, Any] = {
    "id": "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2",
    "status": "finished",
    "task": "application.stats",
    "data": {"appStats": [{"appId": "app_1", "appUid": "uid-1", "messageDestinations": 3}]},
    "updatedAt": "2024-03-01T09:30:00Z",
}


def task_json(**changes: Any) -> str:
    return json.dumps({**TASK_WIRE, **changes})


# -- wire names ---------------------------------------------------------------------------------


def test_attributes_are_snake_case_and_the_wire_is_camel_case() -> None:
    task = BackgroundTaskOut.from_dict(TASK_WIRE)
    stats = task.data.app_stats
    assert stats is not None
    assert (stats[0].app_id, stats[0].app_uid, stats[0].message_destinations) == ("app_1", "uid-1", 3)
    assert task.to_dict().keys() == TASK_WIRE.keys()
    assert task.to_dict()["data"] == TASK_WIRE["data"]
    assert "app_id" not in task.to_json() and '"appId":"app_1"' in task.to_json()


def test_a_model_is_built_by_either_name() -> None:
    by_attribute = ApplicationStats(app_id="a", message_destinations=2)
    by_wire = ApplicationStats(appId="a", messageDestinations=2)
    assert by_attribute == by_wire
    assert by_wire.to_dict() == {"appId": "a", "messageDestinations": 2}


def test_to_dict_leaves_none_out_and_to_str_pretty_prints_wire_names() -> None:
    page = ListResponseBackgroundTaskOut(data=[], done=True, iterator=None, prev_iterator="-q")
    assert page.to_dict() == {"data": [], "done": True, "prevIterator": "-q"}
    assert "'prevIterator': '-q'" in page.to_str()


def test_updated_at_is_an_optional_datetime() -> None:
    without = {key: value for key, value in TASK_WIRE.items() if key != "updatedAt"}
    undated = BackgroundTaskOut.from_dict(without)
    assert undated.updated_at is None
    assert "updatedAt" not in undated.to_dict()
    dated = BackgroundTaskOut.from_json(task_json(updatedAt="2024-03-01T09:30:00+02:00"))
    assert dated.updated_at == datetime.datetime(2024, 3, 1, 7, 30, tzinfo=datetime.timezone.utc)
    assert json.loads(dated.to_json())["updatedAt"].startswith("2024-03-01T09:30:00")


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        (BackgroundTaskOut, TASK_WIRE),
        (BackgroundTaskData, {"messagesSent": 42}),
        (ApplicationStats, {"appId": "app_1", "messageDestinations": 0}),
        (ListResponseBackgroundTaskOut, {"data": [TASK_WIRE], "done": False, "iterator": "i"}),
        (HttpErrorOut, {"code": "not_found", "detail": "Entity not found"}),
        (HTTPValidationError, {"detail": [{"loc": ["query", "limit"], "msg": "too big", "type": "t"}]}),
        (ValidationError, {"loc": ["query", 0], "msg": "bad", "type": "value_error"}),
    ],
)
def test_every_model_round_trips_through_json_and_dict(model: Any, wire: Dict[str, Any]) -> None:
    from_json = model.from_json(json.dumps(wire))
    from_dict = model.from_dict(wire)
    assert from_json == from_dict
    assert model.from_json(from_json.to_json()) == from_json
    assert model.from_dict(from_dict.to_dict()) == from_dict
    assert json.loads(from_json.to_json()).keys() == wire.keys()


# -- task data ------------------------------------------------------------------------------------


def test_task_data_is_typed_and_keeps_the_fields_it_does_not_know() -> None:
    task = BackgroundTaskOut.from_json(task_json(data={"messagesSent": 1200, "endpointsReplayed": 4}))
    assert isinstance(task.data, BackgroundTaskData)
    assert task.data.messages_sent == 1200
    assert task.data.model_extra == {"endpointsReplayed": 4}
    assert task.to_dict()["data"] == {"messagesSent": 1200, "endpointsReplayed": 4}
    assert json.loads(task.to_json())["data"] == {"messagesSent": 1200, "endpointsReplayed": 4}


def test_empty_task_data_is_an_empty_object() -> None:
    task = BackgroundTaskOut.from_json(task_json(data={}))
    assert task.data == BackgroundTaskData()
    assert task.to_dict()["data"] == {}


@pytest.mark.parametrize("data", [[1, 2, 3], "done", 7, None], ids=["list", "str", "int", "null"])
def test_task_data_that_is_not_an_object_is_refused(data: Any) -> None:
    with pytest.raises(openapi_client.ApiValueError, match=r"invalid BackgroundTaskOut: data: "):
        BackgroundTaskOut.from_json(task_json(data=data))


def test_a_known_task_data_field_of_the_wrong_type_is_refused_naming_it() -> None:
    with pytest.raises(openapi_client.ApiValueError, match=r"data\.messagesSent: "):
        BackgroundTaskOut.from_json(task_json(data={"messagesSent": "lots"}))


# -- what a newer server sends --------------------------------------------------------------------


@pytest.mark.parametrize("kind", TASK_KINDS)
def test_every_task_kind_the_service_sends_is_a_known_member(kind: str) -> None:
    task = BackgroundTaskOut.from_json(task_json(task=kind))
    assert task.task in list(BackgroundTaskType)
    assert task.task.is_known


def test_an_unknown_status_and_kind_decode_and_keep_their_value() -> None:
    task = BackgroundTaskOut.from_json(task_json(status="paused", task="endpoint.teleport"))
    assert task.status == "paused" and task.task == "endpoint.teleport"
    assert isinstance(task.status, BackgroundTaskStatus) and not task.status.is_known
    assert isinstance(task.task, BackgroundTaskType) and not task.task.is_known
    assert str(task.status) == "paused"
    assert json.loads(task.to_json())["status"] == "paused"
    assert json.loads(task.to_json())["task"] == "endpoint.teleport"


def test_unknown_fields_survive_at_every_level() -> None:
    wire = {
        "data": [
            {
                **TASK_WIRE,
                "priority": "high",
                "data": {"appStats": [{"appId": "a", "messageDestinations": 1, "region": "eu"}]},
            }
        ],
        "done": True,
        "prevIterator": "-x",
        "total": 1,
    }
    page = ListResponseBackgroundTaskOut.from_json(json.dumps(wire))
    assert json.loads(page.to_json()) == wire
    assert page.to_dict()["data"][0]["priority"] == "high"


@given(
    status=st.text(min_size=1, max_size=20),
    kind=st.text(min_size=1, max_size=20),
    extra=st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda key: key not in TASK_WIRE and key != "updated_at"),
        st.one_of(st.integers(), st.text(max_size=10), st.booleans()),
        max_size=3,
    ),
)
def test_any_status_kind_and_extra_fields_round_trip(status: str, kind: str, extra: Dict[str, Any]) -> None:
    wire = {**TASK_WIRE, **extra, "status": status, "task": kind}
    task = BackgroundTaskOut.from_json(json.dumps(wire))
    assert json.loads(task.to_json()) == wire
    assert BackgroundTaskOut.from_json(task.to_json()) == task


# -- enums ----------------------------------------------------------------------------------------


def test_ordering_without_an_argument_is_the_api_default() -> None:
    assert Ordering() is Ordering.DESCENDING


def test_an_enum_without_a_default_refuses_a_bare_call() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match=r"BackgroundTaskStatus\(\) needs a value"):
        BackgroundTaskStatus()


def test_an_enum_refuses_a_value_that_is_not_a_string() -> None:
    with pytest.raises(openapi_client.ApiValueError, match="takes a str"):
        BackgroundTaskStatus(5)  # type: ignore[arg-type]


def test_an_unknown_enum_value_is_kept_and_equal_to_itself() -> None:
    assert Ordering("sideways") == "sideways"
    assert BackgroundTaskStatus("paused") == BackgroundTaskStatus("paused")
    assert repr(BackgroundTaskType("sdk.future")) == "<BackgroundTaskType.sdk.future: 'sdk.future'>"


def test_enum_to_json_and_from_json() -> None:
    assert BackgroundTaskStatus.RUNNING.to_json() == '"running"'
    assert Ordering.from_json('"ascending"') is Ordering.ASCENDING
    assert BackgroundTaskStatus.from_json('"paused"') == "paused"
    with pytest.raises(openapi_client.ApiValueError, match="invalid BackgroundTaskStatus"):
        BackgroundTaskStatus.from_json("not json")


# -- from_json / from_dict ------------------------------------------------------------------------


def test_from_json_and_from_dict_of_none_give_none() -> None:
    assert BackgroundTaskOut.from_json(None) is None
    assert BackgroundTaskOut.from_dict(None) is None


def test_from_dict_of_a_model_gives_it_back() -> None:
    task = BackgroundTaskOut.from_dict(TASK_WIRE)
    assert BackgroundTaskOut.from_dict(task) is task  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad_json",
    [
        '{"id": "q"',
        "[]",
        '{"id": "q", "status": "finished"}',
        '{"id": 5, "status": "x", "task": "y", "data": {}}',
    ],
    ids=["truncated", "array", "missing-fields", "id-not-a-string"],
)
def test_bad_json_raises_api_value_error_with_the_pydantic_error_as_cause(bad_json: str) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="invalid BackgroundTaskOut") as caught:
        BackgroundTaskOut.from_json(bad_json)
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)


def test_input_of_the_wrong_type_raises_api_type_error() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match="from_json takes str or bytes, not int"):
        BackgroundTaskOut.from_json(5)  # type: ignore[call-overload]
    with pytest.raises(openapi_client.ApiTypeError, match="from_dict takes a dict, not list"):
        BackgroundTaskOut.from_dict(["not", "a", "dict"])  # type: ignore[call-overload]


def test_a_missing_required_field_in_the_constructor_raises_api_value_error_naming_it() -> None:
    with pytest.raises(openapi_client.ApiValueError, match="messageDestinations: Field required"):
        ApplicationStats(app_id="a")  # type: ignore[call-arg]


def test_from_json_takes_utf8_bytes() -> None:
    raw = json.dumps({**TASK_WIRE, "note": "café ☕"}, ensure_ascii=False).encode("utf-8")
    assert BackgroundTaskOut.from_json(raw).to_dict()["note"] == "café ☕"


def test_bytes_that_are_not_utf8_raise_api_value_error() -> None:
    raw = task_json().encode("utf-8").replace(b"finished", b"fin\xffished")
    with pytest.raises(openapi_client.ApiValueError):
        BackgroundTaskOut.from_json(raw)


def test_a_nested_error_names_its_exact_place() -> None:
    broken = {key: value for key, value in TASK_WIRE.items() if key != "status"}
    with pytest.raises(openapi_client.ApiValueError) as caught:
        ListResponseBackgroundTaskOut.from_json(json.dumps({"data": [broken], "done": True}).encode())
    assert "data.0.status: Field required" in str(caught.value)
