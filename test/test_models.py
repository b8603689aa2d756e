"""Models and enums, without sockets: wire names, forward compatibility (issue 2, point 2),
``Ordering()`` (point 1) and decoding straight from bytes (point 8)."""

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

#: Every task kind NOTES.md names: the three of the 2023 spec and the five added since.
NOTES_TASK_TYPES = (
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


# -- point 1: Ordering() --------------------------------------------------------------------


def test_point1_ordering_without_argument_is_the_api_default_descending() -> None:
    assert Ordering() is Ordering.DESCENDING
    assert Ordering().value == "descending"


def test_enum_without_a_default_refuses_a_bare_call_with_api_type_error() -> None:
    with pytest.raises(openapi_client.ApiTypeError, match=r"BackgroundTaskStatus\(\) needs a value"):
        BackgroundTaskStatus()


def test_enum_refuses_a_non_string_with_api_value_error() -> None:
    with pytest.raises(openapi_client.ApiValueError, match="takes a str"):
        BackgroundTaskStatus(5)  # type: ignore[arg-type]


# -- point 2: forward compatibility ---------------------------------------------------------


@pytest.mark.parametrize("wire_value", NOTES_TASK_TYPES)
def test_point2_every_task_type_in_notes_is_a_known_member(wire_value: str) -> None:
    member = BackgroundTaskType(wire_value)
    assert member in list(BackgroundTaskType)
    assert member.is_known


@pytest.mark.parametrize("wire_value", ["running", "finished", "failed"])
def test_point2_known_statuses_decode_to_members(wire_value: str) -> None:
    task = BackgroundTaskOut.from_dict({**TASK_WIRE, "status": wire_value})
    assert task is not None
    assert task.status is BackgroundTaskStatus(wire_value)
    assert task.status in list(BackgroundTaskStatus)


def test_point2_unknown_status_and_task_decode_and_keep_their_value() -> None:
    body = json.dumps({**TASK_WIRE, "status": "paused", "task": "endpoint.teleport"})
    task = BackgroundTaskOut.from_json(body)
    assert task is not None
    assert task.status == "paused" and task.task == "endpoint.teleport"
    assert isinstance(task.status, BackgroundTaskStatus) and not task.status.is_known
    assert isinstance(task.task, BackgroundTaskType) and not task.task.is_known
    assert json.loads(task.to_json())["status"] == "paused"
    assert json.loads(task.to_json())["task"] == "endpoint.teleport"
    assert task.to_dict()["status"] == "paused"


def test_point2_endpoint_bulk_replay_decodes_as_a_member() -> None:
    task = BackgroundTaskOut.from_json(json.dumps({**TASK_WIRE, "task": "endpoint.bulk-replay"}))
    assert task is not None
    assert task.task is BackgroundTaskType.ENDPOINT_DOT_BULK_MINUS_REPLAY


def test_point2_unknown_enum_value_can_be_passed_back_in() -> None:
    assert Ordering("sideways") == "sideways"
    assert BackgroundTaskStatus("paused") == BackgroundTaskStatus("paused")
    assert str(BackgroundTaskType("sdk.future")) == "sdk.future"


def test_point2_unknown_fields_survive_at_every_level() -> None:
    wire = {
        "data": [
            {
                **TASK_WIRE,
                "priority": "high",
                "data": {
                    "appStats": [{"appId": "a", "messageDestinations": 1, "region": "eu"}],
                    "endpointsReplayed": 4,
                },
            }
        ],
        "done": True,
        "iterator": None,
        "prevIterator": "-x",
        "total": 1,
    }
    page = ListResponseBackgroundTaskOut.from_json(json.dumps(wire))
    assert page is not None
    out = page.to_dict()
    assert out["total"] == 1
    assert out["data"][0]["priority"] == "high"
    assert out["data"][0]["data"]["endpointsReplayed"] == 4
    assert out["data"][0]["data"]["appStats"][0]["region"] == "eu"
    again = json.loads(page.to_json())
    assert again["data"][0]["data"]["appStats"][0] == {"appId": "a", "messageDestinations": 1, "region": "eu"}


@pytest.mark.parametrize("free_form", [[1, 2, 3], "done", 7, {"messagesSent": "lots"}])
def test_point2_free_form_task_data_is_kept_as_sent(free_form: Any) -> None:
    task = BackgroundTaskOut.from_json(json.dumps({**TASK_WIRE, "data": free_form}))
    assert task is not None
    assert task.to_dict()["data"] == free_form


def test_point2_updated_at_is_an_optional_datetime() -> None:
    without = {key: value for key, value in TASK_WIRE.items() if key != "updatedAt"}
    task = BackgroundTaskOut.from_dict(without)
    assert task is not None and task.updated_at is None
    assert "updatedAt" not in task.to_dict()

    dated = BackgroundTaskOut.from_json(json.dumps({**TASK_WIRE, "updatedAt": "2024-03-01T09:30:00+02:00"}))
    assert dated is not None
    assert dated.updated_at == datetime.datetime(2024, 3, 1, 7, 30, tzinfo=datetime.timezone.utc)
    assert json.loads(dated.to_json())["updatedAt"].startswith("2024-03-01T09:30:00")


@given(
    status=st.text(min_size=1, max_size=20),
    kind=st.text(min_size=1, max_size=20),
    extra=st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in TASK_WIRE and k != "updated_at"),
        st.one_of(st.integers(), st.text(max_size=10), st.booleans()),
        max_size=3,
    ),
)
def test_point2_any_status_kind_and_extra_fields_round_trip(
    status: str, kind: str, extra: Dict[str, Any]
) -> None:
    wire = {**TASK_WIRE, **extra, "status": status, "task": kind}
    task = BackgroundTaskOut.from_json(json.dumps(wire))
    assert task is not None
    assert json.loads(task.to_json()) == wire
    assert BackgroundTaskOut.from_json(task.to_json()) == task


# -- wire names and the shared conversions --------------------------------------------------


def test_attributes_are_snake_case_and_the_wire_is_camel_case() -> None:
    task = BackgroundTaskOut.from_dict(TASK_WIRE)
    assert task is not None
    assert isinstance(task.data, BackgroundTaskData)
    stats = task.data.app_stats
    assert stats is not None
    assert (stats[0].app_id, stats[0].app_uid, stats[0].message_destinations) == ("app_1", "uid-1", 3)
    as_dict = task.to_dict()
    assert as_dict.keys() == TASK_WIRE.keys()
    assert as_dict["data"] == TASK_WIRE["data"]
    assert isinstance(as_dict["updatedAt"], datetime.datetime)
    assert "app_id" not in task.to_json() and '"appId":"app_1"' in task.to_json()


def test_models_are_constructible_by_either_name() -> None:
    by_attribute = ApplicationStats(app_id="a", message_destinations=2)
    by_wire = ApplicationStats(appId="a", messageDestinations=2)
    assert by_attribute == by_wire
    assert by_wire.to_dict() == {"appId": "a", "messageDestinations": 2}


def test_to_dict_leaves_none_out_and_to_str_pretty_prints_wire_names() -> None:
    page = ListResponseBackgroundTaskOut(data=[], done=True, iterator=None, prev_iterator="-q")
    assert page.to_dict() == {"data": [], "done": True, "prevIterator": "-q"}
    assert "'prevIterator': '-q'" in page.to_str()


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
    assert from_json.to_dict() == from_dict.to_dict()
    assert json.loads(from_json.to_json()).keys() == wire.keys()


def test_from_json_and_from_dict_of_none_give_none() -> None:
    assert BackgroundTaskOut.from_json(None) is None
    assert BackgroundTaskOut.from_dict(None) is None


def test_enum_to_json_and_from_json() -> None:
    assert BackgroundTaskStatus.RUNNING.to_json() == '"running"'
    assert Ordering.from_json('"ascending"') is Ordering.ASCENDING
    assert BackgroundTaskStatus.from_json('"paused"') == "paused"
    with pytest.raises(openapi_client.ApiValueError):
        BackgroundTaskStatus.from_json("not json")


# -- nothing foreign escapes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_json",
    [
        '{"id": "q"',
        "[]",
        '{"id": "q", "status": "finished"}',
        '{"id": 5, "status": "x", "task": "y", "data": {}}',
    ],
)
def test_bad_json_raises_api_value_error_with_the_pydantic_error_as_cause(bad_json: str) -> None:
    with pytest.raises(openapi_client.ApiValueError, match="invalid BackgroundTaskOut") as caught:
        BackgroundTaskOut.from_json(bad_json)
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)


def test_missing_required_field_in_constructor_raises_api_value_error_naming_it() -> None:
    with pytest.raises(openapi_client.ApiValueError, match=r"message_destinations|messageDestinations"):
        ApplicationStats(app_id="a")  # type: ignore[call-arg]


def test_wrong_input_types_raise_api_type_error() -> None:
    with pytest.raises(openapi_client.ApiTypeError):
        BackgroundTaskOut.from_json(5)  # type: ignore[arg-type]
    with pytest.raises(openapi_client.ApiTypeError):
        BackgroundTaskOut.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


# -- point 8: straight from bytes -------------------------------------------------------------


def test_point8_from_json_takes_raw_utf8_bytes_without_decoding_first() -> None:
    raw = json.dumps({**TASK_WIRE, "note": "café ☕"}, ensure_ascii=False).encode("utf-8")
    task = BackgroundTaskOut.from_json(raw)
    assert task is not None
    assert task.to_dict()["note"] == "café ☕"
    assert task == BackgroundTaskOut.model_validate_json(raw)


def test_point8_bytes_that_are_not_utf8_raise_api_value_error() -> None:
    raw = json.dumps(TASK_WIRE).encode("utf-8").replace(b"finished", b"fin\xffished")
    with pytest.raises(openapi_client.ApiValueError):
        BackgroundTaskOut.from_json(raw)


def test_point8_nested_errors_name_their_exact_location_in_one_pass() -> None:
    # Decoding in one pass from bytes reports where inside the document the problem is; a
    # dict detour through each model's constructor would wrap it as a generic "Value error".
    raw = json.dumps({"data": [{key: v for key, v in TASK_WIRE.items() if key != "status"}], "done": True})
    with pytest.raises(openapi_client.ApiValueError) as caught:
        ListResponseBackgroundTaskOut.from_json(raw.encode())
    assert "data.0.status: Field required" in str(caught.value)
    cause = caught.value.__cause__
    assert isinstance(cause, pydantic.ValidationError)
    assert cause.errors()[0]["loc"] == ("data", 0, "status")
    assert cause.errors()[0]["type"] == "missing"
