"""The tasks a MockServer holds and the pages it cuts from them, with the service's rules for a
list query; no HTTP here."""

from __future__ import annotations

import bisect
import copy
import json
import re
import time
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from openapi_client.exceptions import ApiKeyError

#: The id used in the API document's examples; the sample data always has it.
SAMPLE_TASK_ID = "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2"
LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 250, 50
STATUSES = ("finished", "running", "failed")
KINDS = ("endpoint.replay", "endpoint.recover", "application.stats", "message.broadcast", "sdk.generate",
         "event-type.aggregate", "application.purge_content", "endpoint.bulk-replay")
SAMPLES: Tuple[Dict[str, Any], ...] = (
    {"id": "qtask_1mQm5UPiOD8f9nkIKc6vNEb0dGh", "status": "finished", "task": "application.stats",
     "data": {"appStats": [{"appId": "app_1srOrx2ZWZBpBUvZwXKQmoEYga2",
                            "appUid": "unique-app-identifier", "messageDestinations": 3}]},
     "updatedAt": "2024-03-01T09:30:00Z"},
    {"id": "qtask_1pT0QfDbdJEZlh3yO5d2kFrQ4x7", "status": "failed", "task": "endpoint.recover",
     "data": {}, "updatedAt": "2024-03-02T11:00:00Z"},
    {"id": SAMPLE_TASK_ID, "status": "finished", "task": "endpoint.replay",
     "data": {"messagesSent": 42}, "updatedAt": "2024-03-03T08:15:00Z"},
    {"id": "qtask_1uV2wXyZ0aBcDeFgHiJkLmNoPqR", "status": "running", "task": "message.broadcast",
     "data": {"messagesSent": 7}, "updatedAt": "2024-03-04T16:45:00Z"},
    {"id": "qtask_1xYz0123456789AbCdEfGhIjKlM", "status": "finished", "task": "endpoint.bulk-replay",
     "data": {"messagesSent": 1200, "endpointsReplayed": 4}, "updatedAt": "2024-03-05T12:00:00Z"},
)
#: What the service accepts as an iterator: a task id, or "-" and one (the way back).
_TASK_ID = re.compile(r"qtask_[0-9A-Za-z]{27}")
_BAD_ITERATOR = "not a valid iterator: expected a task id (qtask_ and 27 letters or digits), or '-' and one"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ORDERS = ("ascending", "descending")
Problem = Tuple[str, str, str]  # the query parameter, the message, the error type


class InvalidQuery(ValueError):
    """A list query the service refuses; ``problems`` holds (parameter, message, type) triples."""

    def __init__(self, problems: List[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class TaskStore:
    """Tasks kept sorted by id (so oldest first), each encoded once; not thread-safe."""

    def __init__(self, samples: int) -> None:
        self._ids: List[str] = []
        self._tasks: Dict[str, Dict[str, Any]] = {}
        self._encoded: Dict[str, bytes] = {}
        self._finish_after: Dict[str, Tuple[int, str]] = {}
        self._serial = 0
        for sample in SAMPLES[:samples]:
            self.put(copy.deepcopy(sample))

    @property
    def ids(self) -> List[str]:
        return list(self._ids)

    def task(self, task_id: str) -> Dict[str, Any]:
        if task_id not in self._tasks:
            raise ApiKeyError(f"no task {task_id!r} on this MockServer (see task_ids)")
        return dict(self._tasks[task_id])

    def put(self, task: Dict[str, Any]) -> None:
        if task["id"] not in self._tasks:
            bisect.insort(self._ids, task["id"])
        self._tasks[task["id"]] = task
        self._encoded[task["id"]] = json.dumps(task, separators=(",", ":")).encode()

    def new_id(self) -> str:
        self._serial += 1
        # "2" sorts after the samples' "1": added tasks are newer than every sample.
        return f"qtask_2{self._serial:026d}"

    def finish_after(self, task_id: str, polls: int, status: str) -> None:
        self.task(task_id)
        self._finish_after[task_id] = (polls, status)
        self._set_status(task_id, "running")

    def read(self, task_id: str) -> Optional[bytes]:
        """The task as the service sends it, or None; each read counts as a poll for finish_after."""
        polls, final = self._finish_after.get(task_id, (-1, ""))
        if polls > 0:
            self._finish_after[task_id] = (polls - 1, final)
        elif polls == 0:
            del self._finish_after[task_id]
            self._set_status(task_id, final)
        return self._encoded.get(task_id)

    def _set_status(self, task_id: str, status: str) -> None:
        self.put({**self._tasks[task_id], "status": status, "updatedAt": utc_now()})

    def page(self, query: Mapping[str, str]) -> bytes:
        """The list answer's body for ``query``; InvalidQuery if the service would refuse it."""
        problems = list(self._problems(query))
        if problems:
            raise InvalidQuery(problems)
        anchor, backwards = _split(query.get("iterator"))
        descending = query.get("order", "descending") == "descending"
        ids, done = self._select(anchor, backwards, int(query.get("limit", LIMIT_DEFAULT)), descending, query)
        return b"".join((
            b'{"data":[', b",".join(self._encoded[task_id] for task_id in ids), b"],",
            b'"done":', json.dumps(done).encode(),
            b',"iterator":', json.dumps(ids[-1] if ids else None).encode(),
            b',"prevIterator":', json.dumps("-" + ids[0] if ids else None).encode(), b"}",
        ))

    def _problems(self, query: Mapping[str, str]) -> Iterator[Problem]:
        limit = query.get("limit", str(LIMIT_DEFAULT))
        if not _INTEGER.fullmatch(limit):
            yield "limit", "value is not a valid integer", "type_error.integer"
        elif int(limit) > LIMIT_MAX:
            yield "limit", f"Given limit must not exceed {LIMIT_MAX}", "value_error.number.not_le"
        elif int(limit) < LIMIT_MIN:
            yield "limit", f"Given limit must be at least {LIMIT_MIN}", "value_error.number.not_ge"
        if query.get("order", "descending") not in _ORDERS:
            yield "order", _not_one_of(_ORDERS), "type_error.enum"
        anchor, _ = _split(query.get("iterator"))
        # An id given to add_task(id=...) is an iterator too, whatever its form.
        if anchor is not None and not (_TASK_ID.fullmatch(anchor) or anchor in self._tasks):
            yield "iterator", _BAD_ITERATOR, "value_error"
        # The service refuses a filter value it does not know (a typo is a 422, not an empty
        # list); values on tasks added here count as known, as on a newer server.
        for name, known in (("status", STATUSES), ("task", KINDS)):
            value = query.get(name, known[0])
            if value not in known and value not in {task[name] for task in self._tasks.values()}:
                yield name, _not_one_of(known), "type_error.enum"

    def _select(
        self, anchor: Optional[str], backwards: bool, limit: int, descending: bool, query: Mapping[str, str]
    ) -> Tuple[List[str], bool]:
        ids = self._ids
        if descending != backwards:
            end = bisect.bisect_left(ids, anchor) if anchor is not None else len(ids)
            candidates: Iterable[str] = (ids[i] for i in range(end - 1, -1, -1))
        else:
            start = bisect.bisect_right(ids, anchor) if anchor is not None else 0
            candidates = (ids[i] for i in range(start, len(ids)))
        wanted = {name: query[name] for name in ("status", "task") if name in query}
        matching = (task_id for task_id in candidates
                    if all(self._tasks[task_id][name] == value for name, value in wanted.items()))
        page = [task_id for _, task_id in zip(range(limit + 1), matching)]
        return (page[limit - 1 :: -1] if backwards else page[:limit]), len(page) <= limit


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _split(iterator: Optional[str]) -> Tuple[Optional[str], bool]:
    """The task id an iterator names, and whether it walks back (a leading "-")."""
    backwards = iterator is not None and iterator.startswith("-")
    return (iterator[1:] if iterator is not None and backwards else iterator), backwards


def _not_one_of(known: Tuple[str, ...]) -> str:
    return "value is not a valid enumeration member; permitted: " + ", ".join(map(repr, known))
